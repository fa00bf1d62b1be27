import type { ICredentialType, INodeProperties } from 'n8n-workflow';

import { hubSpotBaseUrlProperty } from './hubSpotBaseUrl';

// Always requested: enough for every single-address operation.
const REQUIRED_SCOPES = ['communication_preferences.read', 'communication_preferences.write'];

// Only Marketing Hub Enterprise accounts can grant the batch scopes, and HubSpot refuses
// an install that requires a scope the account lacks. Asked for as optional scopes, they
// are granted where available and silently dropped elsewhere.
const BATCH_SCOPES = [
	'communication_preferences.statuses.batch.read',
	'communication_preferences.statuses.batch.write',
];

const CONTACT_SCOPES = [
	'crm.objects.contacts.read',
	'crm.objects.contacts.write',
	'crm.schemas.contacts.read',
	'crm.schemas.contacts.write',
];

// HubSpot's current app platform (2025.2 and later) builds apps as projects with the HubSpot CLI;
// an app that several accounts connect uses OAuth, with its scopes declared in app-hsmeta.json
// as required, conditionally required or optional. The authorize and token URLs are the same.
// https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/overview
// https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/scopes
export class HubSpotSubscriptionsOAuth2Api implements ICredentialType {
	name = 'hubSpotSubscriptionsOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'HubSpot Subscriptions OAuth2 API';

	icon = 'file:hubspot.svg' as const;

	documentationUrl =
		'https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/overview';

	properties: INodeProperties[] = [
		{
			displayName:
				'Create the app on HubSpot\'s developer platform: a project app (HubSpot CLI, "hs project create") with OAuth authentication. In its app-hsmeta.json, add the OAuth Redirect URL shown here as a redirect URL, communication_preferences.read and communication_preferences.write as required scopes, and the batch and contact scopes you switch on below as optional scopes. Then copy the Client ID and Client Secret from the app\'s Auth tab (Development → Projects → your project → your app).',
			name: 'appPlatformNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Grant Type',
			name: 'grantType',
			type: 'hidden',
			default: 'authorizationCode',
		},
		{
			displayName: 'Authorization URL',
			name: 'authUrl',
			type: 'hidden',
			default: 'https://app.hubspot.com/oauth/authorize',
			required: true,
		},
		{
			displayName: 'Access Token URL',
			name: 'accessTokenUrl',
			type: 'hidden',
			default: 'https://api.hubapi.com/oauth/v1/token',
			required: true,
		},
		{
			displayName: 'Request Enterprise Batch Scopes',
			name: 'includeBatchScopes',
			type: 'boolean',
			default: false,
			description:
				'Whether to also ask for the batch read/write scopes (Marketing Hub Enterprise only). They are requested as optional scopes, so accounts without Enterprise can still connect.',
		},
		{
			displayName: 'Request Contact Scopes',
			name: 'includeContactScopes',
			type: 'boolean',
			default: false,
			description:
				'Whether to also ask for the contact read/write and contact property scopes used by the Contact → Record External Double Opt-In operation (requested as optional scopes)',
		},
		{
			displayName: 'Scope',
			name: 'scope',
			type: 'hidden',
			default: REQUIRED_SCOPES.join(' '),
		},
		{
			displayName: 'Auth URI Query Parameters',
			name: 'authQueryParameters',
			type: 'hidden',
			default: `={{ (() => { const optional = [].concat($self["includeBatchScopes"] ? ${JSON.stringify(
				BATCH_SCOPES,
			)} : [], $self["includeContactScopes"] ? ${JSON.stringify(
				CONTACT_SCOPES,
			)} : []); return optional.length ? "optional_scope=" + encodeURIComponent(optional.join(" ")) : ""; })() }}`,
		},
		{
			displayName: 'Authentication',
			name: 'authentication',
			type: 'hidden',
			default: 'body',
		},
		hubSpotBaseUrlProperty,
	];
}

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

export class HubSpotSubscriptionsOAuth2Api implements ICredentialType {
	name = 'hubSpotSubscriptionsOAuth2Api';

	extends = ['oAuth2Api'];

	displayName = 'HubSpot Subscriptions OAuth2 API';

	icon = 'file:hubspot.svg' as const;

	documentationUrl =
		'https://developers.hubspot.com/docs/apps/legacy-apps/authentication/working-with-oauth';

	properties: INodeProperties[] = [
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

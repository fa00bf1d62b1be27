import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { hubSpotBaseUrlProperty } from './hubSpotBaseUrl';

export class HubSpotSubscriptionsApi implements ICredentialType {
	name = 'hubSpotSubscriptionsApi';

	displayName = 'HubSpot Subscriptions (Private App) API';

	icon = 'file:hubspot.svg' as const;

	documentationUrl =
		'https://developers.hubspot.com/docs/apps/legacy-apps/private-apps/overview';

	properties: INodeProperties[] = [
		{
			displayName: 'Access Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'The access token of a HubSpot private app with the communication_preferences scopes (Settings → Integrations → Private Apps)',
		},
		hubSpotBaseUrlProperty,
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.accessToken}}',
			},
		},
	};

	// Listing the subscription types needs only communication_preferences.read,
	// the smallest scope the nodes cannot work without.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ ($credentials.baseUrl || "https://api.hubapi.com").replace(/\\/+$/, "") }}',
			url: '/communication-preferences/v4/definitions',
		},
	};
}

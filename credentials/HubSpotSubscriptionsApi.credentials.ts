import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

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
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://api.hubapi.com',
			description:
				'Leave as is unless you use a regional HubSpot API host or a local test server',
		},
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

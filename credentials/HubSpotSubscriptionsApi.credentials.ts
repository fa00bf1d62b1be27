import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { hubSpotBaseUrlProperty } from './hubSpotBaseUrl';

// One credential for both of HubSpot's single-account tokens: a Service Key (the replacement
// for legacy private apps, which can no longer be created) and the access token of an existing
// legacy private app. HubSpot takes both the same way, as "Authorization: Bearer <token>".
// The credential's name stays as it was so that existing credentials keep working.
export class HubSpotSubscriptionsApi implements ICredentialType {
	name = 'hubSpotSubscriptionsApi';

	displayName = 'HubSpot Subscriptions (Service Key or Private App Token) API';

	icon = 'file:hubspot.svg' as const;

	documentationUrl =
		'https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/account-service-keys';

	properties: INodeProperties[] = [
		{
			displayName:
				'HubSpot no longer lets you create legacy private apps: create a Service Key (Development → Keys → Service keys). An existing private app token works here too.',
			name: 'serviceKeyNotice',
			type: 'notice',
			default: '',
		},
		{
			displayName: 'Service Key or Private App Token',
			name: 'accessToken',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A HubSpot Service Key (Development → Keys → Service keys) or the access token of an existing legacy private app (Development → Legacy apps → your app → Auth). It needs the communication_preferences.read and communication_preferences.write scopes.',
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

	// Listing the subscription types needs only the read scope, the smallest scope the nodes
	// cannot work without; a Service Key and a private app token pass the same way.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ ($credentials.baseUrl || "https://api.hubapi.com").replace(/\\/+$/, "") }}',
			url: '/communication-preferences/v4/definitions',
		},
	};
}

import type {
	IAuthenticateGeneric,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

/**
 * A Loops API key. The Loops Trigger uses it, when "Look Up Opt-In Status" is on, to read one
 * contact's double opt-in status (GET /v1/contacts/find). Nothing is written to Loops with it.
 */
export class LoopsApi implements ICredentialType {
	name = 'loopsApi';

	displayName = 'Loops API';

	icon = 'file:loops.svg' as const;

	documentationUrl = 'https://loops.so/docs/api-reference/intro';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A Loops API key (Loops → Settings → API → Generate key). Use a key made for this purpose, so it can be revoked on its own.',
		},
		{
			displayName: 'API Base URL',
			name: 'baseUrl',
			type: 'string',
			default: 'https://app.loops.so/api',
			description: 'Leave as is unless you use a local test server',
		},
	];

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	// Loops' own endpoint for testing a key: {"success": true, "teamName": "..."}, or 401.
	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{ ($credentials.baseUrl || "https://app.loops.so/api").replace(/\\/+$/, "") }}',
			url: '/v1/api-key',
		},
	};
}

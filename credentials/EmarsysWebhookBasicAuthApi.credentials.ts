import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * A user name and password that an Emarsys Webhook node preset sends as HTTP basic
 * authentication. The Emarsys Trigger compares both in constant time; nothing is sent to Emarsys.
 */
export class EmarsysWebhookBasicAuthApi implements ICredentialType {
	name = 'emarsysWebhookBasicAuthApi';

	displayName = 'Emarsys Webhook Basic Auth API';

	icon = 'file:emarsys.svg' as const;

	documentationUrl = 'https://help.emarsys.com/hc/en-us/articles/4408457148177-Nodes-Webhook-node';

	properties: INodeProperties[] = [
		{
			displayName: 'User',
			name: 'user',
			type: 'string',
			default: '',
			required: true,
		},
		{
			displayName: 'Password',
			name: 'password',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
		},
	];
}

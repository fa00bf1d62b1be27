import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * A shared header (name and secret value) that an Emarsys Webhook node preset sends with every
 * request. The Emarsys Trigger compares the value in constant time; nothing is sent to Emarsys.
 */
export class EmarsysWebhookHeaderApi implements ICredentialType {
	name = 'emarsysWebhookHeaderApi';

	displayName = 'Emarsys Webhook Header API';

	icon = 'file:emarsys.svg' as const;

	documentationUrl = 'https://help.emarsys.com/hc/en-us/articles/4408457148177-Nodes-Webhook-node';

	properties: INodeProperties[] = [
		{
			displayName: 'Header Name',
			name: 'headerName',
			type: 'string',
			default: 'X-Webhook-Secret',
			required: true,
			description: 'The name of the header the preset sends (not case-sensitive)',
		},
		{
			displayName: 'Header Value',
			name: 'headerSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The secret value of that header. Use a long random value.',
		},
	];
}

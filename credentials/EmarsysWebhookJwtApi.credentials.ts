import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The "JWT Secret" of an Emarsys Webhook node preset (Automations → Webhook Node Presets,
 * authentication "JWT authentication"). The Emarsys Trigger verifies the token of every request
 * with it; nothing is sent to Emarsys. Emarsys does not publish the token's algorithm or claims:
 * see the package's docs/triggers.md for what is assumed.
 */
export class EmarsysWebhookJwtApi implements ICredentialType {
	name = 'emarsysWebhookJwtApi';

	displayName = 'Emarsys Webhook JWT API';

	icon = 'file:emarsys.svg' as const;

	documentationUrl = 'https://help.emarsys.com/hc/en-us/articles/4408457148177-Nodes-Webhook-node';

	properties: INodeProperties[] = [
		{
			displayName: 'JWT Secret',
			name: 'secret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description: 'The same secret as in the Emarsys Webhook node preset\'s "JWT Secret" field',
		},
		{
			displayName: 'Secret Encoding',
			name: 'keyEncoding',
			type: 'options',
			options: [
				{
					name: 'Text (as Typed)',
					value: 'utf8',
					description: "The secret's characters are the key, as most JWT libraries use a secret",
				},
				{
					name: 'Base64',
					value: 'base64',
					description: 'The secret is base64 and its decoded bytes are the key',
				},
			],
			default: 'utf8',
			description:
				'How the secret becomes the HMAC key. Keep "Text" unless tokens are refused although the secret is right.',
		},
		{
			displayName: 'Allowed Algorithms',
			name: 'algorithms',
			type: 'multiOptions',
			options: [
				{ name: 'HS256', value: 'HS256' },
				{ name: 'HS384', value: 'HS384' },
				{ name: 'HS512', value: 'HS512' },
			],
			default: ['HS256', 'HS384', 'HS512'],
			description:
				'The token algorithms accepted. Only HMAC algorithms can be checked with a shared secret; "none" and public-key algorithms are always refused.',
		},
	];
}

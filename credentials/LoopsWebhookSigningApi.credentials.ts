import type { ICredentialType, INodeProperties } from 'n8n-workflow';

/**
 * The signing secret of the Loops account's webhook endpoint. Nothing is sent to Loops with it:
 * the Loops Trigger uses it to check the Standard Webhooks signature of every incoming request.
 * The node checks the secret's format when you test the credential (testedBy).
 */
export class LoopsWebhookSigningApi implements ICredentialType {
	name = 'loopsWebhookSigningApi';

	displayName = 'Loops Webhook Signing Secret API';

	icon = 'file:loops.svg' as const;

	documentationUrl = 'https://loops.so/docs/webhooks';

	properties: INodeProperties[] = [
		{
			displayName: 'Signing Secret',
			name: 'signingSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			placeholder: 'whsec_...',
			description:
				'The signing secret Loops shows under Settings → Webhooks after you save the endpoint URL. It starts with "whsec_".',
		},
	];
}

import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IHookFunctions,
	INodeCredentialTestResult,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { acknowledge, rawBodyOf, refuse, replayKey, replayMemory, singleHeader } from '../common/webhookSecurity';
import { LOOPS_EVENTS, normalizeLoopsEvent } from './events';
import { LOOPS_API_CREDENTIAL, addLookedUpOptInStatus, needsOptInLookup } from './optInLookup';
import { DEFAULT_TOLERANCE_SECONDS, decodeSigningSecret, verifyStandardWebhook } from './standardWebhooks';

export class LoopsTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Loops Trigger',
		name: 'loopsTrigger',
		icon: { light: 'file:loops.svg', dark: 'file:loops.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ ($parameter["events"] || []).includes("*") ? "Any event" : ($parameter["events"] || []).join(", ") }}',
		description:
			'Starts the workflow when Loops sends a webhook event, after checking its signature (contacts, mailing lists, emails)',
		defaults: { name: 'Loops Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'loopsWebhookSigningApi',
				required: true,
				testedBy: 'loopsSigningSecretFormat',
			},
			{
				name: LOOPS_API_CREDENTIAL,
				required: true,
				displayOptions: { show: { lookUpOptInStatus: [true] } },
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				// Empty, so n8n answers with the webhookResponse webhook() returns; without it n8n 1.x
				// and 2.x answer a started run with the text "firstEntryJson".
				responseData: '',
				path: 'loops',
			},
		],
		activationMessage:
			'Paste this workflow\'s production URL into Loops under Settings → Webhooks, and turn on the events you want there.',
		properties: [
			{
				displayName:
					'Loops allows one webhook endpoint per account, set by hand in Loops under Settings → Webhooks (no API registers it). Paste this node\'s production URL there, copy the signing secret into the credential, and turn on the events you need. Because there is only one endpoint, let one Loops workflow receive every event and route them with a Switch on "event"; a second Loops workflow would need the same URL.',
				name: 'oneEndpointNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				options: LOOPS_EVENTS,
				default: [
					'contact.created',
					'contact.unsubscribed',
					'contact.mailingList.subscribed',
					'contact.mailingList.unsubscribed',
				],
				required: true,
				description:
					'The events that start the workflow. Other verified events are acknowledged (HTTP 200) and start nothing. Loops only sends the events toggled on in its settings.',
			},
			{
				displayName: 'Look Up Opt-In Status',
				name: 'lookUpOptInStatus',
				type: 'boolean',
				default: false,
				description:
					'Whether to ask Loops\' API (with a Loops API key) for the double opt-in status of the contact of a "Contact Subscribed to Mailing List" event, whose payload carries none. Without it, such events have confirmedOptIn "unknown".',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Timestamp Tolerance (Seconds)',
						name: 'toleranceSeconds',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 3600 },
						default: DEFAULT_TOLERANCE_SECONDS,
						description:
							'How far the webhook-timestamp header may be from this server\'s clock, in either direction, before a request is refused. Standard Webhooks\' reference value is 300 (5 minutes).',
					},
				],
			},
		],
	};

	methods = {
		credentialTest: {
			// Nothing at Loops can confirm a signing secret; check its format, so a mistyped secret is
			// found before the first real event is refused.
			async loopsSigningSecretFormat(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const decoded = decodeSigningSecret(credential.data?.signingSecret);
				if ('problem' in decoded) return { status: 'Error', message: decoded.problem };
				return {
					status: 'OK',
					message: 'The secret has the Standard Webhooks format. Send a test event from Loops to confirm it.',
				};
			},
		},
	};

	// Loops has no API to register webhooks: the endpoint is set by hand in Loops' settings, so
	// there is nothing to check, create or delete on Loops' side when the workflow is activated.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const receivedAt = new Date();
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const toleranceSeconds = positiveNumber(options.toleranceSeconds, DEFAULT_TOLERANCE_SECONDS);

		const credentials = await this.getCredentials('loopsWebhookSigningApi');
		const secret = decodeSigningSecret(credentials.signingSecret);
		if ('problem' in secret) {
			this.logger.warn('Loops Trigger: the signing secret in the credential is not usable; every request is refused', {
				node: this.getNode().name,
			});
			return refuse(this);
		}

		const rawBody = await rawBodyOf(this);
		if (!rawBody) return refuse(this);

		const verification = verifyStandardWebhook(secret.key, {
			webhookId: singleHeader(this, 'webhook-id'),
			timestamp: singleHeader(this, 'webhook-timestamp'),
			signature: singleHeader(this, 'webhook-signature'),
			rawBody,
		}, toleranceSeconds);
		if (!verification.ok) {
			this.logger.debug('Loops Trigger refused a request', {
				node: this.getNode().name,
				reason: verification.reason,
			});
			return refuse(this);
		}

		// Verified: from here on the answers may say what happened.
		let payload: unknown;
		try {
			payload = JSON.parse(rawBody.toString('utf8'));
		} catch {
			payload = undefined;
		}
		if (payload === null || typeof payload !== 'object' || Array.isArray(payload)) {
			const res = this.getResponseObject();
			res.writeHead(400, { 'Content-Type': 'application/json; charset=utf-8' });
			res.end(JSON.stringify({ message: 'The body is not a JSON object' }));
			return { noWebhookResponse: true };
		}

		// A request stays acceptable while its timestamp is within the tolerance of the clock, so an
		// exact copy can arrive until 2 × tolerance after the first one: remember the id that long.
		if (replayMemory.seenBefore(replayKey(this), verification.webhookId, 2 * toleranceSeconds * 1000)) {
			return acknowledge({ received: true, duplicate: true });
		}

		const event = (payload as IDataObject).eventName;
		const events = this.getNodeParameter('events', []) as string[];
		if (!events.includes('*') && !(typeof event === 'string' && events.includes(event))) {
			return acknowledge({ received: true, started: false });
		}

		const item = normalizeLoopsEvent(payload as IDataObject, verification.webhookId, receivedAt);
		if (this.getNodeParameter('lookUpOptInStatus', false) !== true || !needsOptInLookup(item)) {
			return { webhookResponse: { received: true, started: true }, workflowData: [[{ json: item }]] };
		}
		// Answer Loops first: the lookup (spaced to Loops' rate limit, retried) must not hold it.
		answerNow(this, { received: true, started: true });
		await addLookedUpOptInStatus(this, item);
		return { noWebhookResponse: true, workflowData: [[{ json: item }]] };
	}
}

function answerNow(ctx: IWebhookFunctions, body: IDataObject) {
	const res = ctx.getResponseObject();
	res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
	res.end(JSON.stringify(body));
}

function positiveNumber(value: unknown, fallback: number): number {
	const number = Number(value);
	return Number.isFinite(number) && number > 0 ? number : fallback;
}

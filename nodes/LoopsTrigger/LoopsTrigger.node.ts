import type {
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	INodeCredentialTestResult,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';

import { rawBodyOf, replayKey, replayMemory, singleHeader } from '../common/webhookSecurity';
import {
	acknowledge,
	answerBeforeRun,
	badRequest,
	forgetUnlessSucceeded,
	refuse,
	respondOption,
	start,
	webhookTriggerShape,
} from '../common/webhookTrigger';
import { LOOPS_EVENTS, normalizeLoopsEvent } from './events';
import { LOOPS_API_CREDENTIAL, addLookedUpOptInStatus, needsOptInLookup } from './optInLookup';
import {
	DEFAULT_TOLERANCE_SECONDS,
	decodeSigningSecret,
	verifyStandardWebhook,
} from './standardWebhooks';

export class LoopsTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Loops Trigger',
		name: 'loopsTrigger',
		icon: { light: 'file:loops.svg', dark: 'file:loops.dark.svg' },
		...webhookTriggerShape('loops'),
		subtitle:
			'={{ ($parameter["events"] || []).includes("*") ? "Any event" : ($parameter["events"] || []).join(", ") }}',
		description:
			'Starts the workflow when Loops sends a webhook event, after checking its signature (contacts, mailing lists, emails)',
		defaults: { name: 'Loops Trigger' },
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
		activationMessage:
			"Paste this workflow's production URL into Loops under Settings → Webhooks, and turn on the events you want there.",
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
					respondOption(
						'When Loops gets its answer. Loops documents no retry schedule for failed deliveries, so a failure answer may not bring the event again; keep an Error Workflow.',
					),
					{
						displayName: 'Timestamp Tolerance (Seconds)',
						name: 'toleranceSeconds',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 3600 },
						default: DEFAULT_TOLERANCE_SECONDS,
						description:
							"How far the webhook-timestamp header may be from this server's clock, in either direction, before a request is refused. Standard Webhooks' reference value is 300 (5 minutes).",
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
					message:
						'The secret has the Standard Webhooks format. Send a test event from Loops to confirm it.',
				};
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
			this.logger.warn(
				'Loops Trigger: the signing secret in the credential is not usable; every request is refused',
				{
					node: this.getNode().name,
				},
			);
			return refuse(this);
		}

		const rawBody = await rawBodyOf(this);
		if (!rawBody) return refuse(this);

		const verification = verifyStandardWebhook(
			secret.key,
			{
				webhookId: singleHeader(this, 'webhook-id'),
				timestamp: singleHeader(this, 'webhook-timestamp'),
				signature: singleHeader(this, 'webhook-signature'),
				rawBody,
			},
			toleranceSeconds,
		);
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
			return badRequest(this, 'The body is not a JSON object');
		}

		// A request stays acceptable while its timestamp is within the tolerance of the clock, so an
		// exact copy can arrive until 2 × tolerance after the first one: remember the id that long.
		if (
			replayMemory.seenBefore(replayKey(this), verification.webhookId, 2 * toleranceSeconds * 1000)
		) {
			return acknowledge({ received: true, duplicate: true });
		}

		const event = (payload as IDataObject).eventName;
		const events = this.getNodeParameter('events', []) as string[];
		if (!events.includes('*') && !(typeof event === 'string' && events.includes(event))) {
			return acknowledge({ received: true, started: false });
		}

		forgetUnlessSucceeded(this, options, [verification.webhookId]);
		const item = normalizeLoopsEvent(payload as IDataObject, verification.webhookId, receivedAt);
		if (this.getNodeParameter('lookUpOptInStatus', false) !== true || !needsOptInLookup(item)) {
			return start({ received: true, started: true }, [item]);
		}
		if (options.respond === 'workflowFinished') {
			// Loops waits for the run anyway: look up first, answer when the run ends.
			await addLookedUpOptInStatus(this, item);
			return start({ received: true, started: true }, [item]);
		}
		// Answer Loops first: the lookup (spaced to Loops' rate limit, retried) must not hold it.
		answerBeforeRun(this, { received: true, started: true });
		await addLookedUpOptInStatus(this, item);
		return { noWebhookResponse: true, workflowData: [[{ json: item }]] };
	}
}

function positiveNumber(value: unknown, fallback: number): number {
	const number = Number(value);
	return Number.isFinite(number) && number > 0 ? number : fallback;
}

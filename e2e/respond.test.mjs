// The triggers' option Respond "When the Workflow Finishes" inside a real n8n (2.x by default), which
// is the only place it can be seen: n8n-core's test harness answers webhooks itself, and it is n8n's
// webhook server that reads the response mode from the trigger's description and answers after the
// run. For the Loops and the Emarsys Trigger, each into a HubSpot Set against the stand-in:
//  1. HubSpot refuses every request: the sender gets n8n's 500 {"message":"Error in workflow"}, no
//     status is written;
//  2. HubSpot works again, the sender retries the very same delivery (same ID): it runs (the failed
//     delivery was not remembered as seen), and the 200 arrives after the status was written;
//  3. the same delivery a third time is a repeat of a delivery that succeeded: 200, duplicate, no run.
// Mutations that turn it red (each tried once):
//  - nodes/common/webhookTrigger.ts: responseMode 'onReceived' instead of the expression: step 1 gets
//    200 before the run;
//  - forgetUnlessSucceeded returns at once: step 2 is answered as a duplicate and nothing is written.
// Run through scripts/e2e.mjs (npm run test:e2e; `--only respond` for this file alone).
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startHubSpotStandIn } from '../test/hubspot-standin/index.ts';
import {
	HUBSPOT_CREDENTIAL_TYPE,
	PACKAGE_NAME,
	TEST_SHARED_SECRET,
	TEST_WEBHOOK_SECRET,
	activateWorkflow,
	credentialFor,
	importJson,
	packageCredentialTypes,
	prepareN8nInstance,
	setupOwner,
	sleep,
	startN8n,
	waitForN8n,
} from './lib/n8n.mjs';

const MAJOR = process.env.E2E_N8N_MAJOR ?? '2';
const NODE = process.env.E2E_NODE ?? '24';
const KEEP = process.env.E2E_KEEP === '1';
const type = (node) => `${PACKAGE_NAME}.${node}`;
const SUBSCRIPTION_TYPE = 101;

const ctx = {};

function subscribeWorkflow(id, trigger, credentials) {
	const hubspot = credentials[HUBSPOT_CREDENTIAL_TYPE];
	return {
		id,
		name: `e2e respond: ${trigger.name}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ ...trigger, id: randomUUID(), webhookId: randomUUID(), typeVersion: 1, position: [0, 0] },
			{
				id: randomUUID(),
				name: 'Subscribe in HubSpot',
				type: type('hubSpotSubscriptions'),
				typeVersion: 1,
				position: [300, 0],
				parameters: {
					authentication: 'privateAppToken',
					resource: 'subscriptionStatus',
					operation: 'set',
					email: '={{ $json.email }}',
					subscriptionType: { __rl: true, mode: 'id', value: String(SUBSCRIPTION_TYPE) },
					statusState: 'SUBSCRIBED',
					legalBasis: 'CONSENT_WITH_NOTICE',
					legalBasisExplanation: '=Double opt-in confirmed (e2e respond) at {{ $json.occurredAt }}',
				},
				credentials: { [HUBSPOT_CREDENTIAL_TYPE]: { id: hubspot.id, name: hubspot.name } },
			},
		],
		connections: {
			[trigger.name]: { main: [[{ node: 'Subscribe in HubSpot', type: 'main', index: 0 }]] },
		},
	};
}

/** The production URL n8n registered for the workflow's trigger: the first candidate that is not 404. */
async function registeredUrl(workflow, suffix) {
	const trigger = workflow.nodes[0];
	const candidates = [
		`${ctx.baseUrl}/webhook/${trigger.webhookId}/${suffix}`,
		`${ctx.baseUrl}/webhook/${suffix}`,
	];
	const deadline = Date.now() + 20_000;
	while (Date.now() < deadline) {
		for (const url of candidates) {
			const res = await fetch(url, {
				method: 'POST',
				headers: { 'content-type': 'application/json' },
				body: '{}',
			});
			if (res.status !== 404) return url;
		}
		await sleep(500);
	}
	throw new Error(
		`no webhook registered at ${candidates.join(' or ')}; log:\n${ctx.server.logs().slice(-3000)}`,
	);
}

async function send(url, delivery) {
	const res = await fetch(url, { method: 'POST', headers: delivery.headers, body: delivery.body });
	const text = await res.text();
	let body = text;
	try {
		body = JSON.parse(text);
	} catch {
		// not JSON (an empty answer)
	}
	return {
		status: res.status,
		body,
		statusAtAnswer: ctx.standIn.state.getStatus(delivery.email, SUBSCRIPTION_TYPE)?.status,
	};
}

function loopsDelivery(email) {
	const now = Math.floor(Date.now() / 1000);
	const body = JSON.stringify({
		eventName: 'contact.created',
		eventTime: now,
		webhookSchemaVersion: '1.0.0',
		contactIdentity: { id: 'cm_e2e_respond', email, userId: null },
		contact: {
			id: 'cm_e2e_respond',
			email,
			subscribed: true,
			optInStatus: 'accepted',
			mailingLists: {},
		},
	});
	const id = `msg_${randomUUID()}`;
	const key = Buffer.from(TEST_WEBHOOK_SECRET.slice('whsec_'.length), 'base64');
	const signature = createHmac('sha256', key).update(`${id}.${now}.${body}`).digest('base64');
	const headers = {
		'content-type': 'application/json',
		'webhook-id': id,
		'webhook-timestamp': String(now),
		'webhook-signature': `v1,${signature}`,
	};
	return { email, body, headers };
}

function emarsysDelivery(email) {
	const segment = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
	const input = `${segment({ alg: 'HS256', typ: 'JWT' })}.${segment({ iss: 'emarsys-e2e', iat: Math.floor(Date.now() / 1000) })}`;
	const token = `${input}.${createHmac('sha256', TEST_SHARED_SECRET).update(input).digest('base64url')}`;
	const body = JSON.stringify({
		email_address: email,
		optin: '1',
		event_time: new Date().toISOString(),
		deduplication_id: randomUUID(),
	});
	return {
		email,
		body,
		headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
	};
}

before(async () => {
	Object.assign(
		ctx,
		await prepareN8nInstance({ label: `respond-n8n${MAJOR}`, major: MAJOR, node: NODE }),
	);
	ctx.standIn = await startHubSpotStandIn({ rateLimit: false });

	const types = new Map(packageCredentialTypes().map((t) => [t.name, t]));
	const credentials = {};
	for (const name of [HUBSPOT_CREDENTIAL_TYPE, 'loopsWebhookSigningApi', 'emarsysWebhookJwtApi']) {
		credentials[name] = credentialFor(types.get(name), { hubspotUrl: ctx.standIn.url });
	}
	await importJson(MAJOR, 'credentials', Object.values(credentials), ctx.env, { node: NODE });
	const ref = (name) => ({ [name]: { id: credentials[name].id, name: credentials[name].name } });
	ctx.loops = subscribeWorkflow(
		'e2eRespondLoops1',
		{
			name: 'Loops Trigger',
			type: type('loopsTrigger'),
			parameters: { events: ['contact.created'], options: { respond: 'workflowFinished' } },
			credentials: ref('loopsWebhookSigningApi'),
		},
		credentials,
	);
	ctx.emarsys = subscribeWorkflow(
		'e2eRespondEmars1',
		{
			name: 'Emarsys Trigger',
			type: type('emarsysTrigger'),
			parameters: { authentication: 'jwt', options: { respond: 'workflowFinished' } },
			credentials: ref('emarsysWebhookJwtApi'),
		},
		credentials,
	);
	await importJson(MAJOR, 'workflow', [ctx.loops, ctx.emarsys], ctx.env, { node: NODE });
	for (const wf of [ctx.loops, ctx.emarsys])
		await activateWorkflow(MAJOR, wf.id, ctx.env, { node: NODE });

	ctx.server = startN8n({
		major: MAJOR,
		env: ctx.env,
		node: NODE,
		logFile: path.join(ctx.userFolder, 'n8n.log'),
	});
	await waitForN8n(ctx.baseUrl, { handle: ctx.server, timeoutMs: 180_000 });
	await setupOwner(ctx.baseUrl, {
		email: 'owner@example.com',
		firstName: 'E2E',
		lastName: 'Owner',
		password: 'E2e-password-123',
	});
});

after(async () => {
	await ctx.server?.stop();
	await ctx.standIn?.close();
	if (ctx.userFolder && !KEEP) rmSync(ctx.userFolder, { recursive: true, force: true });
});

describe(`n8n ${MAJOR}.x: Respond "When the Workflow Finishes"`, () => {
	for (const [name, workflow, suffix, delivery] of [
		['Loops Trigger', () => ctx.loops, 'loops', loopsDelivery],
		['Emarsys Trigger', () => ctx.emarsys, 'emarsys', emarsysDelivery],
	]) {
		test(`${name}: a failed run is answered 500, the sender's retry runs and is answered after the write, a third copy is a repeat`, async () => {
			const url = await registeredUrl(workflow(), suffix);
			const email = `e2e-respond-${suffix}-${Date.now()}@example.com`;
			const request = delivery(email);

			ctx.standIn.injectFault({ kind: 'status', status: 400, times: 1000 });
			const failed = await send(url, request);
			ctx.standIn.clearFaults();
			assert.equal(
				failed.status,
				500,
				`the failed run was answered ${failed.status}: ${JSON.stringify(failed.body)}`,
			);
			assert.deepEqual(failed.body, { message: 'Error in workflow' });
			assert.notEqual(
				failed.statusAtAnswer,
				'SUBSCRIBED',
				'nothing may be written while HubSpot refuses',
			);

			const retried = await send(url, request);
			assert.equal(
				retried.status,
				200,
				`the retry was answered ${retried.status}: ${JSON.stringify(retried.body)}; log:\n${ctx.server.logs().slice(-2000)}`,
			);
			assert.equal(
				retried.statusAtAnswer,
				'SUBSCRIBED',
				'the answer came before HubSpot held the status',
			);

			const repeated = await send(url, request);
			assert.equal(repeated.status, 200);
			assert.deepEqual(repeated.body, { received: true, duplicate: true });
		});
	}
});

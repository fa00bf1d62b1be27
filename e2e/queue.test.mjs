// The package in n8n's queue mode (main + one webhook processor + two workers, Redis, Postgres),
// see e2e/lib/queue.mjs. `node scripts/e2e.mjs --only queue`.
//
// One run per delivery across processes: the Loops Trigger's replay memory lives in the process
// that received the delivery, so a repeat that reaches another webhook processor or arrives after a
// restart passes it. The workflow therefore dedupes on the trigger's `webhookId` with n8n's Remove
// Duplicates node ("Remove Items Processed in Previous Executions"), whose history n8n keeps in its
// database (Postgres here), which every process shares and which survives restarts. A trigger
// cannot use that store itself: n8n 2.41.1 gives the deduplication helpers
// (checkProcessedAndRecord, ...) to IExecuteFunctions only, not to IWebhookFunctions.
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';

import { startHubSpotStandIn } from '../test/hubspot-standin/index.ts';
import {
	HUBSPOT_CREDENTIAL_ID,
	HUBSPOT_CREDENTIAL_NAME,
	HUBSPOT_CREDENTIAL_TYPE,
	PACKAGE_NAME,
	TEST_WEBHOOK_SECRET,
	activateWorkflow,
	credentialFor,
	importJson,
	packageCredentialTypes,
	sleep,
} from './lib/n8n.mjs';
import { missingServices, removeClusterFolder, startQueueCluster } from './lib/queue.mjs';
import { isInstalled, n8nBin, runtimeDir } from './lib/runtime.mjs';

const MAJOR = process.env.E2E_N8N_MAJOR ?? '2';
const NODE = process.env.E2E_NODE ?? '24';
const KEEP = process.env.E2E_KEEP === '1';
const LOOPS_CREDENTIAL = 'loopsWebhookSigningApi';
const HOOK_ID = 'b7e2a1c4-0d3f-4a6b-9e8c-1f2a3b4c5d01';
const ctx = {};

function dedupeWorkflow() {
	const loopsRef = { id: ctx.loopsCredential.id, name: ctx.loopsCredential.name };
	return {
		id: 'queueDedupeLoops',
		name: 'queue e2e: one run per Loops delivery',
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: randomUUID(),
				name: 'Loops Trigger',
				type: `${PACKAGE_NAME}.loopsTrigger`,
				typeVersion: 1,
				position: [0, 0],
				webhookId: HOOK_ID,
				parameters: { events: ['contact.created'], options: {} },
				credentials: { [LOOPS_CREDENTIAL]: loopsRef },
			},
			{
				id: randomUUID(),
				name: 'Once per delivery',
				type: 'n8n-nodes-base.removeDuplicates',
				typeVersion: 2,
				position: [220, 0],
				parameters: {
					operation: 'removeItemsSeenInPreviousExecutions',
					dedupeValue: '={{ $json.webhookId }}',
					options: {},
				},
			},
			{
				id: randomUUID(),
				name: 'Subscribe in HubSpot',
				type: `${PACKAGE_NAME}.hubSpotSubscriptions`,
				typeVersion: 1,
				position: [440, 0],
				parameters: {
					resource: 'subscriptionStatus',
					operation: 'set',
					email: '={{ $json.email }}',
					subscriptionType: { __rl: true, mode: 'id', value: '101' },
					statusState: 'SUBSCRIBED',
					legalBasis: 'CONSENT_WITH_NOTICE',
					legalBasisExplanation:
						'=Loops double opt-in confirmed (queue e2e, webhook {{ $json.webhookId }})',
				},
				credentials: {
					[HUBSPOT_CREDENTIAL_TYPE]: { id: HUBSPOT_CREDENTIAL_ID, name: HUBSPOT_CREDENTIAL_NAME },
				},
			},
		],
		connections: {
			'Loops Trigger': { main: [[{ node: 'Once per delivery', type: 'main', index: 0 }]] },
			'Once per delivery': { main: [[{ node: 'Subscribe in HubSpot', type: 'main', index: 0 }]] },
		},
	};
}

/** One signed Loops delivery (Standard Webhooks), signed now with the given webhook-id. */
function signedDelivery(id, email, eventTime) {
	const now = Math.floor(Date.now() / 1000);
	const body = JSON.stringify({
		eventName: 'contact.created',
		eventTime,
		webhookSchemaVersion: '1.0.0',
		contactIdentity: { id: 'cm_queue', email, userId: null },
		contact: {
			id: 'cm_queue',
			email,
			firstName: 'Ada',
			lastName: 'Lovelace',
			source: 'form',
			subscribed: true,
			userGroup: '',
			userId: null,
			mailingLists: {},
			optInStatus: 'accepted',
		},
	});
	const signature = createHmac(
		'sha256',
		Buffer.from(TEST_WEBHOOK_SECRET.slice('whsec_'.length), 'base64'),
	)
		.update(`${id}.${now}.${body}`)
		.digest('base64');
	return {
		body,
		headers: {
			'content-type': 'application/json',
			'webhook-id': id,
			'webhook-timestamp': String(now),
			'webhook-signature': `v1,${signature}`,
		},
	};
}

async function deliver(url, delivery, { waitForRegistration = 30_000 } = {}) {
	const deadline = Date.now() + waitForRegistration;
	for (;;) {
		const res = await fetch(url, {
			method: 'POST',
			headers: delivery.headers,
			body: delivery.body,
		});
		const text = await res.text();
		if (res.status !== 404 || Date.now() > deadline) return { status: res.status, text };
		await sleep(500);
	}
}

before(async () => {
	assert.deepEqual(missingServices(), [], 'queue mode needs Redis and PostgreSQL installed');
	assert.ok(
		isInstalled(runtimeDir(MAJOR, NODE), n8nBin(MAJOR, NODE), NODE),
		`n8n ${MAJOR}.x is not installed`,
	);
	ctx.standIn = await startHubSpotStandIn({ rateLimit: false });
	ctx.cluster = await startQueueCluster({
		major: MAJOR,
		node: NODE,
		log: (m) => process.stdout.write(`# ${m}\n`),
	});
	const types = new Map(packageCredentialTypes().map((t) => [t.name, t]));
	const hubspot = credentialFor(types.get(HUBSPOT_CREDENTIAL_TYPE), {
		hubspotUrl: ctx.standIn.url,
	});
	ctx.loopsCredential = credentialFor(types.get(LOOPS_CREDENTIAL), {
		hubspotUrl: ctx.standIn.url,
		ref: { id: 'queueLoopsSign01', name: 'Loops signing (queue e2e)' },
	});
	const env = ctx.cluster.env('main');
	await importJson(MAJOR, 'credentials', [hubspot, ctx.loopsCredential], env, { node: NODE });
	await importJson(MAJOR, 'workflow', [dedupeWorkflow()], env, { node: NODE });
	await activateWorkflow(MAJOR, 'queueDedupeLoops', env, { node: NODE });
	await ctx.cluster.startN8nProcesses();
});

after(async () => {
	if (ctx.cluster && process.env.E2E_QUEUE_LOGS === '1') process.stdout.write(ctx.cluster.logs());
	await ctx.cluster?.stop();
	await ctx.standIn?.close();
	if (!KEEP) removeClusterFolder(ctx.cluster);
});

describe(`n8n ${MAJOR}.x queue mode (main, webhook processor, 2 workers, Redis, Postgres)`, () => {
	// Mutation that turns it red: remove the "Once per delivery" node (connect the trigger straight
	// to the HubSpot node): the delivery repeated after the restart passes the trigger's in-process
	// replay memory (new processes) and writes a second time. A second mutation, the trigger's
	// normalized output without `webhookId`, makes every delivery share one empty key, so it stays
	// green for this single delivery; the key is checked by the second delivery with a new id below.
	test('a repeated signed Loops delivery starts one run that writes, also after a restart of every n8n process', async () => {
		const url = `${ctx.cluster.webhookUrl}/webhook/${HOOK_ID}/loops`;
		const email = `queue-dedupe-${Date.now()}@example.com`;
		const id = `msg_${randomUUID()}`;
		const eventTime = Math.floor(Date.now() / 1000);
		const writes = () => ctx.standIn.state.writesFor(email).filter((w) => w.to === 'SUBSCRIBED');
		const waitForWrites = async (n, ms = 30_000) => {
			const deadline = Date.now() + ms;
			while (writes().length < n && Date.now() < deadline) await sleep(200);
			return writes().length;
		};

		const first = await deliver(url, signedDelivery(id, email, eventTime));
		assert.ok(
			first.status >= 200 && first.status < 300,
			`first delivery: HTTP ${first.status} ${first.text}\n${ctx.cluster.logs()}`,
		);
		assert.equal(
			await waitForWrites(1),
			1,
			`no write after the first delivery\n${ctx.cluster.logs()}`,
		);

		// The same delivery again (Loops re-sends with the same webhook-id), to the same processor.
		const again = await deliver(url, signedDelivery(id, email, eventTime));
		assert.ok(again.status < 500, `repeat: HTTP ${again.status}`);
		await sleep(4000);
		assert.equal(writes().length, 1, 'the repeat to the same processor wrote again');

		// Every n8n process restarts (Redis and Postgres stay): no process memory survives.
		await ctx.cluster.stopN8nProcesses();
		await ctx.cluster.startN8nProcesses();
		const afterRestart = await deliver(url, signedDelivery(id, email, eventTime));
		assert.ok(
			afterRestart.status >= 200 && afterRestart.status < 300,
			`after restart: HTTP ${afterRestart.status} ${afterRestart.text}`,
		);
		await sleep(6000);
		assert.equal(
			writes().length,
			1,
			`the repeat after a restart wrote again: ${JSON.stringify(writes())}`,
		);

		// A new delivery (new webhook-id) for another address still runs: the key is the delivery.
		const email2 = `queue-dedupe-2-${Date.now()}@example.com`;
		const second = await deliver(url, signedDelivery(`msg_${randomUUID()}`, email2, eventTime + 1));
		assert.ok(
			second.status >= 200 && second.status < 300,
			`second delivery: HTTP ${second.status}`,
		);
		const deadline = Date.now() + 30_000;
		while (ctx.standIn.state.writesFor(email2).length === 0 && Date.now() < deadline)
			await sleep(200);
		assert.equal(
			ctx.standIn.state.writesFor(email2).filter((w) => w.to === 'SUBSCRIBED').length,
			1,
			'a new delivery did not write exactly once',
		);
	});
});

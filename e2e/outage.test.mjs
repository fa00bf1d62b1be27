// Issue 11 end to end, in a real n8n (2.x by default): a consent change survives a HubSpot outage
// and an n8n restart with no one at the keyboard.
//
// Workflow: e2e/fixtures/outage-retry-later.json (Loops Trigger → Switch → HubSpot Subscriptions
// Set SUBSCRIBED / UNSUBSCRIBED with Retry Later Output on → Wait 66 s → back into the node).
// Each scenario: the stand-in refuses every request (503, or HubSpot's daily-limit 429); 100
// signed Loops events arrive (50 confirmed opt-ins, 50 unsubscribes of subscribed addresses); every
// execution ends up parked ("waiting") in n8n's database; n8n is stopped and started again on the
// same user folder; HubSpot recovers; n8n resumes the parked executions by itself. Then every
// change is in HubSpot as intended, each address was written exactly once, no execution failed,
// and the time from recovery to the last landed change is printed.
//
// Mutations that turn it red (each tried once, 2026-12-02, n8n 2.41.1):
//  - in nodes/HubSpotSubscriptions/helpers/setup.ts, `enabled: false && retryLaterOn`: every
//    execution fails during the outage instead of parking ("an execution failed during the
//    outage": 100 error, in both scenarios, within about 45 s);
//  - in the fixture, both Wait nodes at 30 s: n8n keeps the executions in memory ("running", never
//    "waiting"), they spend their 3 rounds during the outage and fail ("an execution failed during
//    the outage": running 95, error 5, after about 95 s).
// Run through scripts/e2e.mjs: npm run test:e2e -- --only outage
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { startHubSpotStandIn } from '../test/hubspot-standin/index.ts';
import {
	TEST_WEBHOOK_SECRET,
	activateWorkflow,
	credentialsForExamples,
	importJson,
	installedN8nVersion,
	prepareN8nInstance,
	prepareWorkflow,
	rest,
	setupOwner,
	sleep,
	startN8n,
	waitForN8n,
} from './lib/n8n.mjs';

const MAJOR = process.env.E2E_N8N_MAJOR ?? '2';
const NODE = process.env.E2E_NODE ?? '24';
const KEEP = process.env.E2E_KEEP === '1';
const FIXTURE = 'outage-retry-later.json';
const EVENTS = 100;
const SUBSCRIPTION_TYPE = 101;
const OWNER = {
	email: 'owner@example.com',
	firstName: 'E2E',
	lastName: 'Owner',
	password: 'E2e-password-123',
};

const ctx = { figures: [] };

before(async () => {
	Object.assign(
		ctx,
		await prepareN8nInstance({ label: `outage-n8n${MAJOR}`, major: MAJOR, node: NODE }),
	);
	ctx.version = installedN8nVersion(MAJOR, NODE);
	// No rolling rate limit: the scenario is about the outage, not about 100 resumed runs sharing a window.
	ctx.standIn = await startHubSpotStandIn({ rateLimit: false });

	const fixture = {
		file: FIXTURE,
		workflow: JSON.parse(readFileSync(path.join(import.meta.dirname, 'fixtures', FIXTURE), 'utf8')),
	};
	const credentials = credentialsForExamples([fixture], { hubspotUrl: ctx.standIn.url });
	await importJson(MAJOR, 'credentials', Object.values(credentials), ctx.env, { node: NODE });
	ctx.workflow = prepareWorkflow(fixture, credentials);
	await importJson(MAJOR, 'workflow', [ctx.workflow], ctx.env, { node: NODE });
	await activateWorkflow(MAJOR, ctx.workflow.id, ctx.env, { node: NODE });
	const trigger = ctx.workflow.nodes.find((n) => n.name === 'Loops Trigger');
	ctx.webhookUrl = `${ctx.baseUrl}/webhook/${trigger.webhookId}/loops`;

	await startServer();
	ctx.cookie = await setupOwner(ctx.baseUrl, OWNER);
});

after(async () => {
	await ctx.server?.stop();
	await ctx.standIn?.close();
	if (ctx.userFolder && !KEEP) rmSync(ctx.userFolder, { recursive: true, force: true });
	for (const line of ctx.figures)
		process.stdout.write(`# outage figures n8n ${ctx.version}: ${line}\n`);
});

async function startServer() {
	const t0 = Date.now();
	ctx.server = startN8n({
		major: MAJOR,
		env: ctx.env,
		node: NODE,
		logFile: path.join(ctx.userFolder, 'n8n.log'),
	});
	await waitForN8n(ctx.baseUrl, { handle: ctx.server, timeoutMs: 180_000 });
	return Date.now() - t0;
}

/** Stops n8n (SIGTERM, as a service manager would) and starts it again on the same user folder. */
async function restartServer() {
	const t0 = Date.now();
	await ctx.server.stop();
	await startServer();
	const login = await rest(ctx.baseUrl, 'POST', '/rest/login', {
		body: { emailOrLdapLoginId: OWNER.email, password: OWNER.password },
	});
	assert.equal(login.status, 200, `login after restart: ${login.text.slice(0, 300)}`);
	return Date.now() - t0;
}

/** The stand-in's outage switch, over its HTTP control endpoint (as a person with curl would). */
async function setOutage(mode) {
	const res = await fetch(`${ctx.standIn.url}/_standin/outage`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify({ mode, scope: 'all' }),
	});
	const text = await res.text();
	assert.equal(res.status, 200, text);
	return JSON.parse(text);
}

/** How many executions of the workflow n8n lists with this status (`count` of a one-row page). */
async function countExecutions(status) {
	const filter = encodeURIComponent(
		JSON.stringify({ workflowId: ctx.workflow.id, status: [status] }),
	);
	const res = await rest(ctx.baseUrl, 'GET', `/rest/executions?filter=${filter}&limit=1`, {
		cookie: ctx.cookie,
	});
	assert.equal(res.status, 200, `GET /rest/executions: ${res.text.slice(0, 300)}`);
	const count = res.json?.data?.count;
	assert.equal(typeof count, 'number', `no count in ${res.text.slice(0, 300)}`);
	return count;
}

async function executionCounts() {
	const counts = {};
	for (const status of ['new', 'running', 'waiting', 'success', 'error', 'crashed', 'canceled'])
		counts[status] = await countExecutions(status);
	return counts;
}

/**
 * Sends the events the way a sender delivers a burst: a few at a time, not all 100 in the same
 * instant. (With 100 simultaneous requests n8n's SQLite write lock times out on this shared 2-core
 * machine and n8n itself answers 503 "Database is not ready!" or 500; that is n8n's own limit, see
 * docs/outages.md, not what this test is about.)
 */
async function deliver(events, concurrency = 4) {
	const answers = new Array(events.length);
	let next = 0;
	const worker = async () => {
		while (next < events.length) {
			const i = next++;
			const res = await fetch(ctx.webhookUrl, {
				method: 'POST',
				headers: events[i].headers,
				body: events[i].body,
			});
			answers[i] = `${res.status}${res.ok ? '' : ` ${(await res.text()).slice(0, 120)}`}`;
		}
	};
	await Promise.all(Array.from({ length: concurrency }, worker));
	return answers;
}

function signedLoopsEvent({ email, eventName, eventTime }) {
	const contact = {
		id: `cm_${email}`,
		email,
		firstName: 'Ada',
		lastName: 'Lovelace',
		source: 'form',
		userGroup: '',
		userId: null,
		mailingLists: {},
	};
	if (eventName === 'contact.created')
		Object.assign(contact, { subscribed: true, optInStatus: 'accepted' });
	const body = JSON.stringify({
		eventName,
		eventTime,
		webhookSchemaVersion: '1.0.0',
		contactIdentity: { id: contact.id, email, userId: null },
		contact,
	});
	const id = `msg_${randomUUID()}`;
	const timestamp = Math.floor(Date.now() / 1000);
	const key = Buffer.from(TEST_WEBHOOK_SECRET.slice('whsec_'.length), 'base64');
	const signature = createHmac('sha256', key).update(`${id}.${timestamp}.${body}`).digest('base64');
	return {
		body,
		headers: {
			'content-type': 'application/json',
			'webhook-id': id,
			'webhook-timestamp': String(timestamp),
			'webhook-signature': `v1,${signature}`,
		},
	};
}

/** The status changes the stand-in recorded for an address, less the test's own seeding. */
function nodeWrites(email) {
	return ctx.standIn.state.writesFor(email).filter((w) => w.via !== 'seed');
}

/** Successful (2xx) status writes the stand-in answered for an address. */
function successfulWrites(email) {
	const encoded = encodeURIComponent(email);
	return ctx.standIn.requests.filter(
		(r) =>
			r.method === 'POST' &&
			r.status >= 200 &&
			r.status < 300 &&
			(r.path.endsWith(`/statuses/${encoded}`) ||
				(r.path.endsWith('/statuses/batch/write') &&
					JSON.stringify(r.body).includes(`"${email}"`))),
	);
}

async function until(label, predicate, timeoutMs, describeState) {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (await predicate()) return;
		await sleep(2000);
	}
	assert.fail(
		`${label} within ${timeoutMs / 1000} s; ${await describeState()}\n${ctx.server.logs().slice(-3000)}`,
	);
}

async function scenario(mode, tag) {
	const before = await executionCounts();
	const optIns = Array.from(
		{ length: EVENTS / 2 },
		(_, i) => `outage-${tag}-optin-${i}@example.com`,
	);
	const unsubscribes = Array.from(
		{ length: EVENTS / 2 },
		(_, i) => `outage-${tag}-unsub-${i}@example.com`,
	);
	// The unsubscribing addresses are subscribed before the events happen.
	for (const email of unsubscribes)
		ctx.standIn.setStatus(email, SUBSCRIPTION_TYPE, 'SUBSCRIBED', {
			legalBasis: 'CONSENT_WITH_NOTICE',
			legalBasisExplanation: 'seeded',
		});
	await sleep(1100);
	const eventTime = Math.floor(Date.now() / 1000);

	const outage = await setOutage(mode);
	assert.equal(outage.mode, mode);
	const events = [
		...optIns.map((email) => signedLoopsEvent({ email, eventName: 'contact.created', eventTime })),
		...unsubscribes.map((email) =>
			signedLoopsEvent({ email, eventName: 'contact.unsubscribed', eventTime }),
		),
	];
	const t0 = Date.now();
	const answers = await deliver(events);
	assert.deepEqual(
		answers.filter((a) => !a.startsWith('2')),
		[],
		'every signed event was accepted',
	);

	// Every execution fails over to Retry Later and is parked in n8n's database by the Wait node.
	let counts;
	await until(
		`all ${EVENTS} executions parked`,
		async () => {
			counts = await executionCounts();
			// A failed execution during the outage is the failure this test is about: stop at once.
			assert.equal(
				counts.error - before.error,
				0,
				`an execution failed during the outage: ${JSON.stringify(counts)}`,
			);
			return counts.waiting - before.waiting === EVENTS && counts.running === 0;
		},
		240_000,
		async () => JSON.stringify(counts),
	);
	const parkedMs = Date.now() - t0;
	assert.equal(counts.error - before.error, 0, 'no execution failed during the outage');
	for (const email of [...optIns, ...unsubscribes])
		assert.deepEqual(nodeWrites(email), [], `${email} written during the outage`);
	const refused = (await (await fetch(`${ctx.standIn.url}/_standin/outage`)).json()).refused;
	assert.ok(refused >= EVENTS, `the stand-in refused only ${refused} requests`);

	const restartMs = await restartServer();
	assert.ok(
		(await countExecutions('waiting')) - before.waiting === EVENTS,
		'the parked executions are still waiting after the restart',
	);

	// Requests refused between the restart and recovery: executions whose wait ended while n8n was
	// down resume at its start and take one more round (reported, not asserted: it depends on timing).
	const refusedBeforeRecovery = (await (await fetch(`${ctx.standIn.url}/_standin/outage`)).json())
		.refused;
	await setOutage('off');
	const recoveredAt = Date.now();
	const intended = (email) => (optIns.includes(email) ? 'SUBSCRIBED' : 'UNSUBSCRIBED');
	const all = [...optIns, ...unsubscribes];
	const missing = () =>
		all.filter(
			(email) => ctx.standIn.state.getStatus(email, SUBSCRIPTION_TYPE)?.status !== intended(email),
		);
	await until(
		'every change landed and every execution finished',
		async () => {
			counts = await executionCounts();
			return (
				missing().length === 0 &&
				counts.success - before.success === EVENTS &&
				counts.waiting === before.waiting &&
				counts.running === 0 &&
				counts.new === 0
			);
		},
		240_000,
		async () =>
			`missing ${missing().length}: ${missing().slice(0, 3).join(', ')}; executions ${JSON.stringify(counts)}`,
	);
	assert.equal(counts.error - before.error, 0, 'no execution errored');
	assert.equal(counts.crashed - before.crashed, 0, 'no execution crashed');

	let lastLanded = 0;
	for (const email of all) {
		const writes = successfulWrites(email);
		assert.equal(
			writes.length,
			1,
			`${email}: ${writes.length} successful writes (exactly one expected)`,
		);
		lastLanded = Math.max(lastLanded, writes[0].respondedAt ?? writes[0].receivedAt);
		const landed = nodeWrites(email);
		assert.equal(landed.length, 1, `${email}: ${JSON.stringify(landed)}`);
		assert.equal(landed[0].to, intended(email));
		const status = ctx.standIn.state.getStatus(email, SUBSCRIPTION_TYPE);
		assert.equal(status.legalBasis, 'CONSENT_WITH_NOTICE', `${email} legal basis`);
		assert.match(
			status.legalBasisExplanation ?? '',
			optIns.includes(email) ? /^Double opt-in confirmed in Loops/ : /^Unsubscribed in Loops/,
			`${email} explanation`,
		);
		assert.ok(writes[0].receivedAt >= recoveredAt, `${email} landed before HubSpot recovered`);
	}
	const figures = {
		mode,
		events: EVENTS,
		parkedAfterS: parkedMs / 1000,
		restartS: restartMs / 1000,
		lastChangeAfterRecoveryS: (lastLanded - recoveredAt) / 1000,
		refusedBeforeRestart: refused,
		refusedAfterRestart: refusedBeforeRecovery - refused,
	};
	ctx.figures.push(JSON.stringify(figures));
	process.stdout.write(
		`# outage ${mode}: all ${EVENTS} changes landed; the last ${figures.lastChangeAfterRecoveryS.toFixed(1)} s after recovery ${JSON.stringify(figures)}\n`,
	);
}

describe(`n8n ${MAJOR}.x: a HubSpot outage across an n8n restart`, () => {
	test('503 on every request: 100 Loops events park, survive a restart, and land once each after recovery', async () => {
		await scenario('http-503', 'a');
	});

	test("HubSpot's daily-limit 429: the same scenario", async () => {
		await scenario('daily-limit', 'b');
	});
});

import type { INode } from 'n8n-workflow';

import { LoopsApi } from '../credentials/LoopsApi.credentials';
import { replayMemory } from '../nodes/common/webhookSecurity';
import { lookupSpacer, MIN_SPACING_MS, RequestSpacer } from '../nodes/LoopsTrigger/optInLookup';
import { N8nTestInstance } from './harness/n8n';
import { PACKAGE } from './harness/types';
import {
	LOOPS_TEAM_NAME,
	LOOPS_TEST_API_KEY,
	startLoopsStandIn,
	type LoopsStandIn,
} from './loops-standin';
import {
	loopsPayloads,
	newSigningSecret,
	post,
	signedLoopsDelivery,
	until,
} from './trigger-helpers';

/**
 * The Loops Trigger's opt-in lookup through n8n-core: a signed contact.mailingList.subscribed goes
 * in over HTTP, the trigger (n8n-core's WebhookContext, httpRequestWithAuthentication with the
 * Loops API credential) asks the Loops stand-in over real HTTP, and the item says what it found.
 */

const SECRET = newSigningSecret();
const SIGNING = { id: 'loopsLookupSig01', name: 'Loops signing secret' };
const API = { id: 'loopsLookupApi01', name: 'Loops API key' };
const WRONG_API = { id: 'loopsLookupApi02', name: 'Loops API key (revoked)' };
const DEAD_API = { id: 'loopsLookupApi03', name: 'Loops API key (unreachable host)' };
const WRONG_KEY = 'loops_revoked_key_0a1b2c3d4e5f60718293a4b5';

let counter = 0;
const trigger = (
	parameters: INode['parameters'],
	api: { id: string; name: string } | undefined = API,
): INode => {
	const webhookId = `loops-lookup-${++counter}`;
	return {
		id: webhookId,
		name: 'Loops Trigger',
		type: `${PACKAGE}.loopsTrigger`,
		typeVersion: 1,
		position: [0, 0],
		webhookId,
		parameters: { events: ['*'], ...parameters },
		credentials: { loopsWebhookSigningApi: SIGNING, ...(api ? { loopsApi: api } : {}) },
	};
};

describe('Loops Trigger: Look Up Opt-In Status (Loops stand-in over real HTTP)', () => {
	let loops: LoopsStandIn;
	let n8n: N8nTestInstance;
	const LIST = 'cm4ittp2k000l12j3lgrzvlxt';

	beforeAll(async () => {
		loops = await startLoopsStandIn();
		n8n = new N8nTestInstance({ credentialTypes: [new LoopsApi()] });
		n8n.addCredential({
			...SIGNING,
			type: 'loopsWebhookSigningApi',
			data: { signingSecret: SECRET },
		});
		n8n.addCredential({
			...API,
			type: 'loopsApi',
			data: { apiKey: LOOPS_TEST_API_KEY, baseUrl: loops.apiBaseUrl },
		});
		n8n.addCredential({
			...WRONG_API,
			type: 'loopsApi',
			data: { apiKey: WRONG_KEY, baseUrl: loops.apiBaseUrl },
		});
		// A port nothing listens on: the stand-in's own, after a second server there was closed.
		const gone = await startLoopsStandIn();
		await gone.close();
		n8n.addCredential({
			...DEAD_API,
			type: 'loopsApi',
			data: { apiKey: LOOPS_TEST_API_KEY, baseUrl: gone.apiBaseUrl },
		});
	});

	afterAll(async () => {
		await n8n.close();
		await loops.close();
	});

	beforeEach(() => {
		loops.reset();
		lookupSpacer.clear();
		replayMemory.clear();
		n8n.webhookRuns.length = 0;
	});

	/** Sends signed events to a fresh workflow with the given trigger, and returns the trigger's items. */
	const deliver = async (node: INode, payloads: object[]) => {
		const url = await n8n.serveWebhook({ nodes: [node], connections: {} }, 'Loops Trigger');
		const first = n8n.webhookRuns.length;
		const answers = await Promise.all(
			payloads.map(async (payload) => {
				const delivery = signedLoopsDelivery(SECRET, payload);
				const answer = await post(url, delivery.body, delivery.headers);
				return { ...answer, requestsSoFar: loops.requests.length };
			}),
		);
		// With the lookup, Loops is answered first and the run starts once the lookup is done.
		await until(() => n8n.webhookRuns.length >= first + payloads.length, 20_000);
		const runs = await Promise.all(
			n8n.webhookRuns.slice(first).map(async (entry) => await entry.run),
		);
		return { answers, items: runs.map((run) => run.json('Loops Trigger')[0]), runs };
	};

	const listEvent = (email: string) =>
		loopsPayloads.listEvent('contact.mailingList.subscribed', email, LIST);

	// Mutation that turns it red: in LoopsTrigger.node.ts drop the `await addLookedUpOptInStatus(...)`
	// line (the item keeps confirmedOptIn 'unknown'), or in optInLookup.ts applyLookup set
	// optInStatusSource to 'payload'.
	it('an accepted contact: confirmedOptIn true, optInStatus "accepted", source "lookup", asked with the Bearer key', async () => {
		loops.addContact({
			email: 'member@example.com',
			optInStatus: 'accepted',
			mailingLists: { [LIST]: true },
		});
		const { answers, items } = await deliver(trigger({ lookUpOptInStatus: true }), [
			listEvent('Member@Example.com'),
		]);
		expect(answers[0].status).toBe(200);
		expect(answers[0].body).toEqual({ received: true, started: true });
		expect(items[0]).toMatchObject({
			event: 'contact.mailingList.subscribed',
			email: 'member@example.com',
			mailingListId: LIST,
			optInStatus: 'accepted',
			optInStatusSource: 'lookup',
			confirmedOptIn: true,
			optInLookup: { outcome: 'found' },
		});
		expect(loops.requests).toEqual([
			expect.objectContaining({
				method: 'GET',
				path: '/api/v1/contacts/find',
				query: { email: 'member@example.com' },
				authorized: true,
				status: 200,
			}),
		]);
	});

	// Mutation that turns it red: in applyLookup `item.confirmedOptIn = typeof status === 'string'`
	// (pending and rejected become true), or drop the `!unsubscribed` condition, or on not-found
	// leave confirmedOptIn as it was ('unknown').
	it('pending, rejected, null, not found, and accepted-but-unsubscribed: confirmedOptIn false', async () => {
		loops.addContact({ email: 'pending@example.com', optInStatus: 'pending' });
		loops.addContact({ email: 'rejected@example.com', optInStatus: 'rejected', subscribed: false });
		loops.addContact({ email: 'api-made@example.com', optInStatus: null, source: 'API' });
		loops.addContact({ email: 'left@example.com', optInStatus: 'accepted', subscribed: false });
		const emails = [
			'pending@example.com',
			'rejected@example.com',
			'api-made@example.com',
			'nobody@example.com',
			'left@example.com',
		];
		const { items } = await deliver(trigger({ lookUpOptInStatus: true }), emails.map(listEvent));
		const byEmail = Object.fromEntries(items.map((item) => [item.email as string, item]));
		expect(byEmail['pending@example.com']).toMatchObject({
			confirmedOptIn: false,
			optInStatus: 'pending',
			optInStatusSource: 'lookup',
		});
		expect(byEmail['rejected@example.com']).toMatchObject({
			confirmedOptIn: false,
			optInStatus: 'rejected',
			optInStatusSource: 'lookup',
		});
		expect(byEmail['api-made@example.com']).toMatchObject({
			confirmedOptIn: false,
			optInStatus: null,
			optInStatusSource: 'lookup',
		});
		expect(byEmail['nobody@example.com']).toMatchObject({
			confirmedOptIn: false,
			optInStatus: null,
			optInStatusSource: 'lookup',
			optInLookup: { outcome: 'not-found', reason: 'Loops has no contact with this address' },
		});
		expect(byEmail['left@example.com']).toMatchObject({
			confirmedOptIn: false,
			optInStatus: 'accepted',
			optInLookup: { outcome: 'found', reason: expect.stringMatching(/unsubscribed/) },
		});
	});

	// Mutation that turns it red: in optInLookup.ts lookUp treat a 5xx like another 4xx (return at
	// once: one request, not three), or MAX_ATTEMPTS = 1 (the one-500 event is not found either),
	// or in applyLookup set confirmedOptIn false on failure.
	it('Loops answering 500: retried (3 requests), then confirmedOptIn stays "unknown" with the reason; one 500 is retried away', async () => {
		loops.addContact({ email: 'member@example.com', optInStatus: 'accepted' });
		loops.failNext(500, 3);
		const failed = await deliver(trigger({ lookUpOptInStatus: true }), [
			listEvent('member@example.com'),
		]);
		// Loops is answered before the lookup's retries (it must not wait for them).
		expect(failed.answers[0]).toMatchObject({
			status: 200,
			body: { received: true, started: true },
		});
		expect(failed.answers[0].requestsSoFar).toBeLessThan(3);
		expect(failed.runs[0].status).toBe('success');
		expect(failed.items[0].confirmedOptIn).toBe('unknown');
		expect(failed.items[0]).not.toHaveProperty('optInStatus');
		expect(failed.items[0]).not.toHaveProperty('optInStatusSource');
		expect(failed.items[0].optInLookup).toEqual({
			outcome: 'failed',
			reason: 'Loops answered HTTP 500 (3 attempts)',
			httpStatus: 500,
		});
		expect(loops.requests.map((request) => request.status)).toEqual([500, 500, 500]);

		loops.requests.length = 0;
		n8n.webhookRuns.length = 0;
		loops.failNext(500, 1);
		const recovered = await deliver(trigger({ lookUpOptInStatus: true }), [
			listEvent('member@example.com'),
		]);
		expect(recovered.items[0]).toMatchObject({ confirmedOptIn: true, optInStatusSource: 'lookup' });
		expect(loops.requests.map((request) => request.status)).toEqual([500, 200]);

		// Loops' rate limit that does not clear within the retries: the same, never a confirmation.
		loops.requests.length = 0;
		n8n.webhookRuns.length = 0;
		loops.failNext(429, 3);
		const limited = await deliver(trigger({ lookUpOptInStatus: true }), [
			listEvent('member@example.com'),
		]);
		expect(limited.items[0]).toMatchObject({
			confirmedOptIn: 'unknown',
			optInLookup: {
				outcome: 'failed',
				httpStatus: 429,
				reason: expect.stringMatching(/rate limit \(HTTP 429\) persisted/),
			},
		});
	});

	// Mutation that turns it red: describeNetworkError returning `String(error)` with the request
	// config, or applyLookup copying the credential into the output, e.g. `optInLookup.credential =
	// credentials` (the key then shows in the output).
	it('the API key appears nowhere: not in the output, the answer to Loops, or a failure reason (revoked key, unreachable host)', async () => {
		loops.addContact({ email: 'member@example.com', optInStatus: 'accepted' });
		const ok = await deliver(trigger({ lookUpOptInStatus: true }), [
			listEvent('member@example.com'),
		]);
		n8n.webhookRuns.length = 0;
		const revoked = await deliver(trigger({ lookUpOptInStatus: true }, WRONG_API), [
			listEvent('member@example.com'),
		]);
		expect(revoked.items[0]).toMatchObject({
			confirmedOptIn: 'unknown',
			optInLookup: { outcome: 'failed', httpStatus: 401 },
		});
		expect(String((revoked.items[0].optInLookup as { reason: string }).reason)).toMatch(
			/refused the API key \(HTTP 401\); check the Loops API credential/,
		);
		n8n.webhookRuns.length = 0;
		const unreachable = await deliver(trigger({ lookUpOptInStatus: true }, DEAD_API), [
			listEvent('member@example.com'),
		]);
		expect(unreachable.items[0]).toMatchObject({
			confirmedOptIn: 'unknown',
			optInLookup: {
				outcome: 'failed',
				reason: expect.stringMatching(/^Loops could not be reached/),
			},
		});
		for (const result of [ok, revoked, unreachable]) {
			const everything = JSON.stringify({
				data: result.runs.map((run) => run.run.data),
				answers: result.answers,
			});
			expect(everything).not.toContain(LOOPS_TEST_API_KEY);
			expect(everything).not.toContain(WRONG_KEY);
			expect(everything).not.toMatch(/Bearer/);
		}
	});

	// Mutation that turns it red: the default of "Look Up Opt-In Status" set to true (the node then
	// has no Loops API credential: a failed lookup appears), or needsOptInLookup returning true for
	// every event (contact.created is looked up and its payload status overwritten).
	it('without the option (no Loops API credential): "unknown" as before and no request; other events are never looked up', async () => {
		loops.addContact({ email: 'member@example.com', optInStatus: 'accepted' });
		const off = await deliver(trigger({}, undefined), [listEvent('member@example.com')]);
		expect(off.answers[0].body).toEqual({ received: true, started: true });
		expect(off.items[0].confirmedOptIn).toBe('unknown');
		expect(off.items[0]).not.toHaveProperty('optInLookup');
		expect(off.items[0]).not.toHaveProperty('optInStatusSource');
		n8n.webhookRuns.length = 0;
		const created = await deliver(trigger({ lookUpOptInStatus: true }), [
			loopsPayloads.contactCreated('pend@example.com', 'pending'),
			loopsPayloads.contactUnsubscribed('member@example.com'),
		]);
		expect(created.items.find((item) => item.event === 'contact.created')).toMatchObject({
			confirmedOptIn: false,
			optInStatus: 'pending',
			optInStatusSource: 'payload',
		});
		expect(created.items.find((item) => item.event === 'contact.unsubscribed')).not.toHaveProperty(
			'optInLookup',
		);
		expect(loops.requests).toHaveLength(0);
	});

	// Mutation that turns it red: MIN_SPACING_MS = 0 in optInLookup.ts (the stand-in, which holds
	// Loops' 10 requests per second, then answers 429 to part of the burst).
	it('a burst of 25 list events stays within 10 requests per second: no 429, every contact found', async () => {
		const emails = Array.from({ length: 25 }, (_, i) => `burst${i}@example.com`);
		for (const email of emails) loops.addContact({ email, optInStatus: 'accepted' });
		const started = Date.now();
		const { items } = await deliver(trigger({ lookUpOptInStatus: true }), emails.map(listEvent));
		const elapsed = Date.now() - started;
		expect(items).toHaveLength(25);
		expect(items.every((item) => item.confirmedOptIn === true)).toBe(true);
		expect(loops.requests.filter((request) => request.status === 429)).toHaveLength(0);
		expect(loops.requests).toHaveLength(25);
		const times = loops.requests.map((request) => request.at).sort((a, b) => a - b);
		for (let i = 10; i < times.length; i++)
			expect(times[i] - times[i - 10]).toBeGreaterThanOrEqual(1000);
		expect(elapsed).toBeGreaterThanOrEqual(24 * MIN_SPACING_MS - 50);
		// Measured figure, printed for the report.
		console.log(`opt-in lookup burst: 25 lookups in ${elapsed} ms, 0 × 429`);
	});

	// Mutation that turns it red: the credential's test URL set to '/v1/contacts/find', or its
	// Authorization header without "Bearer ".
	it("the credential test asks Loops' api-key endpoint with the Bearer key: OK for a valid key, 401 for a revoked one", async () => {
		const credentialType = new LoopsApi();
		const node = trigger({ lookUpOptInStatus: true });
		const workflow = n8n.workflow({ nodes: [node], connections: {} });
		const test = async (data: { apiKey: string; baseUrl: string }) => {
			const baseURL = String(
				workflow.expression.getSimpleParameterValue(
					node,
					credentialType.test.request.baseURL!,
					'internal',
					{ $credentials: data },
				),
			);
			const options = await n8n.credentials.authenticate(
				data,
				'loopsApi',
				{ url: `${baseURL}${credentialType.test.request.url!}`, headers: {} },
				workflow,
				node,
			);
			const response = await fetch(options.url, {
				headers: options.headers as Record<string, string>,
			});
			return { status: response.status, body: (await response.json()) as unknown };
		};
		expect(await test({ apiKey: LOOPS_TEST_API_KEY, baseUrl: `${loops.apiBaseUrl}/` })).toEqual({
			status: 200,
			body: { success: true, teamName: LOOPS_TEAM_NAME },
		});
		expect((await test({ apiKey: WRONG_KEY, baseUrl: loops.apiBaseUrl })).status).toBe(401);
		expect(loops.requests.map((request) => [request.path, request.authorized])).toEqual([
			['/api/v1/api-key', true],
			['/api/v1/api-key', false],
		]);
	});
});

describe('RequestSpacer (unit)', () => {
	// Mutation that turns it red: in RequestSpacer.take record the planned slot instead of the real
	// departure (`this.lastLeft.set(key, (this.lastLeft.get(key) ?? 0) + this.spacingMs)` for
	// `Date.now()`), so the requests held up by a blocked event loop leave together afterwards.
	it('after the event loop was blocked, the waiting requests still leave one spacing apart', async () => {
		const spacer = new RequestSpacer(100);
		const departures: number[] = [];
		const first = spacer.take('k').then(() => {
			departures.push(Date.now());
			const until = Date.now() + 350;
			while (Date.now() < until) {
				/* a stalled event loop, as under load */
			}
		});
		const others = [1, 2, 3].map(async () => {
			await spacer.take('k');
			departures.push(Date.now());
		});
		await Promise.all([first, ...others]);
		expect(departures).toHaveLength(4);
		for (let i = 2; i < departures.length; i++)
			expect(departures[i] - departures[i - 1]).toBeGreaterThanOrEqual(99);
		// Other keys (other credentials) do not wait for this one.
		const started = Date.now();
		await spacer.take('other');
		expect(Date.now() - started).toBeLessThan(50);
	});
});

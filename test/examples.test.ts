import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import { ExecutionLifecycleHooks, WorkflowExecute } from 'n8n-core';
import type { IConnections, INode, IRunExecutionData, IWorkflowBase } from 'n8n-workflow';

import { LoopsApi } from '../credentials/LoopsApi.credentials';
import { replayMemory } from '../nodes/common/webhookSecurity';
import { lookupSpacer } from '../nodes/LoopsTrigger/optInLookup';
import { N8nTestInstance, TestRun, type TestWorkflow } from './harness/n8n';
import { PACKAGE } from './harness/types';
import { ENTERPRISE_TOKEN, startHubSpotStandIn, type StandIn } from './hubspot-standin';
import { LOOPS_TEST_API_KEY, startLoopsStandIn, type LoopsStandIn } from './loops-standin';
import {
	hmacJwt,
	loopsPayloads,
	newSigningSecret,
	post,
	signedLoopsDelivery,
	until,
} from './trigger-helpers';

/**
 * The example workflows in examples/, run end to end: a signed event goes in over HTTP through
 * n8n-core's WebhookContext, the workflow runs through n8n-core's WorkflowExecute with n8n's own
 * Switch / If / Filter / Set nodes, and the HubSpot stand-in must end in the intended state.
 */

const EXAMPLES_DIR = join(__dirname, '..', 'examples');

interface ExampleFile extends TestWorkflow {
	name: string;
	id?: string;
	nodes: INode[];
	connections: IConnections;
	settings: Record<string, unknown>;
	pinData: Record<string, unknown>;
	active: boolean;
}

const load = (file: string): ExampleFile =>
	JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as ExampleFile;

/** Sticky notes are part of the export but never run; the harness has no type for them. */
const runnable = (example: ExampleFile, edit?: (nodes: INode[]) => void): TestWorkflow => {
	const nodes = (JSON.parse(JSON.stringify(example.nodes)) as INode[]).filter(
		(node) => node.type !== 'n8n-nodes-base.stickyNote',
	);
	edit?.(nodes);
	return { name: example.name, nodes, connections: example.connections };
};

const node = (nodes: INode[], name: string) => {
	const found = nodes.find((candidate) => candidate.name === name);
	if (!found) throw new Error(`No node ${name}`);
	return found;
};

// Every export in examples/ (the same-minute one runs end to end in record-double-opt-in.test.ts).
const FILES = readdirSync(EXAMPLES_DIR).filter((file) => file.endsWith('.json'));

/** A status seeded with an event time well before any test event, as this package records it. */
const SEEDED = '[event time 2026-01-01T00:00:00.000Z]';

/**
 * The examples' HubSpot nodes keep the default request settings (5 attempts, up to 60 s of
 * retries); tests of an outage shorten only that budget, so an item reaches Retry Later at once.
 */
const quickRetries = (nodes: INode[]) => {
	for (const n of nodes)
		if (n.type === `${PACKAGE}.hubSpotSubscriptions`)
			n.parameters.requestSettings = { maxAttempts: 1, maxRetryWaitSeconds: 0 };
};

/** A Loops email event (bounce, spam report), as Loops documents it: contactIdentity and email objects. */
const loopsEmailEvent = (
	eventName: string,
	email: string,
	eventTime = Math.floor(Date.now() / 1000),
) => ({
	eventName,
	eventTime,
	webhookSchemaVersion: '1.0.0',
	sourceType: 'campaign',
	campaignId: 'cm_campaign_1',
	contactIdentity: { id: 'cm4ittmhq0011ow9h6fb460yw', email, userId: null },
	email: { id: 'cm_email_1', emailMessageId: 'cm_message_1', subject: 'News' },
});

const LOOPS_SECRET = newSigningSecret();
const JWT_SECRET = 'example-emarsys-preset-secret-2026';

describe('example files', () => {
	it.each(FILES)('%s is an importable n8n export with the documented credentials', (file) => {
		const example = load(file);
		expect(typeof example.name).toBe('string');
		expect(example.active).toBe(false);
		expect(example.pinData).toEqual({});
		expect(example.settings).toMatchObject({ executionOrder: 'v1' });
		const names = new Set(example.nodes.map((n) => n.name));
		expect(names.size).toBe(example.nodes.length);
		const ids = new Set(example.nodes.map((n) => n.id));
		expect(ids.size).toBe(example.nodes.length);
		for (const n of example.nodes) {
			expect(n.id).toMatch(/^[0-9a-f-]{36}$/);
			expect(n.position).toHaveLength(2);
			expect(typeof n.typeVersion).toBe('number');
			expect(n.type).toMatch(new RegExp(`^(${PACKAGE}|n8n-nodes-base)\\.`));
			if (n.type.endsWith('Trigger')) expect(n.webhookId).toMatch(/^[0-9a-f-]{36}$/);
			for (const [type, ref] of Object.entries(n.credentials ?? {})) {
				const expected = {
					hubSpotSubscriptionsApi: { id: 'hsSandbox0000001', name: 'HubSpot sandbox' },
					loopsWebhookSigningApi: { id: 'loopsSigning0001', name: 'Loops webhook signing secret' },
					emarsysWebhookJwtApi: { id: 'emarsysJwt000001', name: 'Emarsys webhook JWT secret' },
				}[type];
				expect(ref).toEqual(expected);
			}
		}
		for (const [from, outputs] of Object.entries(example.connections)) {
			expect(names.has(from)).toBe(true);
			for (const output of outputs.main ?? [])
				for (const target of output ?? []) expect(names.has(target.node)).toBe(true);
		}
		expect(example.nodes.some((n) => n.type === 'n8n-nodes-base.stickyNote')).toBe(true);
	});

	// Mutation: in any example, "retryLaterOutput" of a HubSpot node set to false, its Retry Later
	// output disconnected, the Wait node's amount set to 1 minute (under n8n's 65 s), or
	// "eventTime" removed from a Set / Batch Write node's options.
	it.each(FILES)(
		'%s: every HubSpot write has a Retry Later loop through a parked Wait, bounded rounds and the event time',
		(file) => {
			const example = load(file);
			const byName = new Map(example.nodes.map((n) => [n.name, n]));
			const writers = example.nodes.filter((n) => n.type === `${PACKAGE}.hubSpotSubscriptions`);
			expect(writers.length).toBeGreaterThan(0);
			const seconds = { seconds: 1, minutes: 60, hours: 3600, days: 86400 } as Record<
				string,
				number
			>;
			for (const writer of writers) {
				expect(writer.parameters).toMatchObject({ retryLaterOutput: true });
				expect(writer.parameters.maxRetryRounds).toEqual(expect.any(Number));
				expect(writer.parameters.maxRetryRounds as number).toBeLessThanOrEqual(24);
				const later = example.connections[writer.name]?.main?.[1] ?? [];
				expect(later).toHaveLength(1);
				const wait = byName.get(later[0].node)!;
				expect(wait.type).toBe('n8n-nodes-base.wait');
				expect(
					Number(wait.parameters.amount) * seconds[String(wait.parameters.unit)],
				).toBeGreaterThan(65);
				expect(example.connections[wait.name]?.main).toEqual([
					[{ node: writer.name, type: 'main', index: 0 }],
				]);
				if (['set', 'batchWrite'].includes(String(writer.parameters.operation))) {
					expect((writer.parameters.options as Record<string, unknown>).eventTime).toMatch(
						/^=\{\{.*(occurredAt|confirmedAt|eventTime).*\}\}$/,
					);
				}
			}
			const notes = example.nodes
				.filter((n) => n.type === 'n8n-nodes-base.stickyNote')
				.map((n) => String(n.parameters.content))
				.join('\n');
			expect(notes).toMatch(/Error Workflow/);
			expect(notes).toMatch(
				new RegExp(
					`gave up after ${String(writers[0].parameters.maxRetryRounds)} Retry Later rounds`,
				),
			);
		},
	);

	// Mutation: "allowResubscribe": true added to a list, Emarsys or unsubscribe write.
	it('only the writes of a proven double opt-in confirmation may resubscribe', () => {
		const allowed = FILES.flatMap((file) =>
			load(file)
				.nodes.filter(
					(n) =>
						(n.parameters.options as Record<string, unknown> | undefined)?.allowResubscribe ===
						true,
				)
				.map((n) => `${file}: ${n.name}`),
		);
		expect(allowed.sort()).toEqual([
			'loops-double-opt-in-to-hubspot-same-minute.json: Subscribe in HubSpot',
			'loops-double-opt-in-to-hubspot.json: Subscribe in HubSpot',
		]);
	});

	it('the unsubscribe example ships with Dry Run on in every HubSpot node', () => {
		const hubspot = load('unsubscribe-to-hubspot.json').nodes.filter(
			(n) => n.type === `${PACKAGE}.hubSpotSubscriptions`,
		);
		expect(hubspot).toHaveLength(2);
		for (const n of hubspot) expect(n.parameters.dryRun).toBe(true);
	});
});

describe('examples run end to end', () => {
	let hs: StandIn;
	let n8n: N8nTestInstance;

	const newInstance = () => {
		const instance = new N8nTestInstance({ credentialTypes: [new LoopsApi()] });
		instance.addCredential({
			id: 'hsSandbox0000001',
			name: 'HubSpot sandbox',
			type: 'hubSpotSubscriptionsApi',
			data: { accessToken: ENTERPRISE_TOKEN, baseUrl: hs.url },
		});
		instance.addCredential({
			id: 'loopsSigning0001',
			name: 'Loops webhook signing secret',
			type: 'loopsWebhookSigningApi',
			data: { signingSecret: LOOPS_SECRET },
		});
		instance.addCredential({
			id: 'emarsysJwt000001',
			name: 'Emarsys webhook JWT secret',
			type: 'emarsysWebhookJwtApi',
			data: { secret: JWT_SECRET },
		});
		return instance;
	};

	beforeAll(async () => {
		hs = await startHubSpotStandIn();
	});

	afterAll(async () => {
		await hs.close();
	});

	beforeEach(() => {
		hs.reset();
		replayMemory.clear();
		n8n = newInstance();
	});

	afterEach(async () => {
		await n8n.close();
	});

	/**
	 * Resumes a parked execution the way n8n's wait tracker does once the wait is over: the stored
	 * execution data (here through JSON, as in n8n's database) runs on from the Wait node.
	 */
	const resume = async (definition: TestWorkflow, parked: TestRun) => {
		const data = JSON.parse(JSON.stringify(parked.run.data)) as IRunExecutionData;
		const hooks = new ExecutionLifecycleHooks('webhook', 'resumed', {} as IWorkflowBase);
		const execute = new WorkflowExecute(n8n.additionalData(hooks, 'resumed'), 'webhook', data);
		return new TestRun(await execute.processRunExecutionData(n8n.workflow(definition)));
	};

	const settle = async () =>
		await Promise.all(n8n.webhookRuns.map(async (entry) => await entry.run));
	/** Requests that change something (batch reads are POSTs too, and are not writes). */
	const writes = () =>
		hs.requests.filter(
			(request) => request.method === 'POST' && !/\/read$/.test(request.path.split('?')[0]),
		);
	const emarsysHeaders = () => ({
		'content-type': 'application/json',
		authorization: `Bearer ${hmacJwt({ iat: Math.floor(Date.now() / 1000) }, JWT_SECRET)}`,
	});

	describe('loops-double-opt-in-to-hubspot.json', () => {
		const example = () => runnable(load('loops-double-opt-in-to-hubspot.json'), quickRetries);
		let url: string;
		beforeEach(async () => {
			url = await n8n.serveWebhook(example(), 'Loops Trigger');
		});

		// Mutation: the first rule of "Route by event" without `&& $json.confirmedOptIn === true`
		// still passes this one; the next test turns it red.
		it('a form double opt-in confirmation (contact.created, accepted) sets both types SUBSCRIBED with consent, source, time and event ID', async () => {
			const eventTime = Math.floor(Date.now() / 1000) - 2;
			const delivery = signedLoopsDelivery(
				LOOPS_SECRET,
				loopsPayloads.contactCreated('Ada@Example.com', 'accepted', eventTime),
			);
			expect((await post(url, delivery.body, delivery.headers)).status).toBe(200);
			const [run] = await settle();
			expect(run.status).toBe('success');
			const at = new Date(eventTime * 1000).toISOString();
			for (const id of [101, 102]) {
				const status = hs.state.getStatus('ada@example.com', id);
				expect(status).toMatchObject({ status: 'SUBSCRIBED', legalBasis: 'CONSENT_WITH_NOTICE' });
				expect(status?.legalBasisExplanation).toBe(
					`Double opt-in confirmed in Loops (contact.created, optInStatus accepted) at ${at}. Loops webhook ID ${delivery.id}. [event time ${at}]`,
				);
			}
		});

		// Mutation: `"allowResubscribe": true` removed from "Subscribe in HubSpot" → the write is refused and the run fails.
		it('a new confirmed double opt-in of an address that opted out earlier resubscribes it (renewed consent)', async () => {
			for (const id of [101, 102])
				hs.setStatus('back@example.com', id, 'UNSUBSCRIBED', {
					legalBasis: 'CONSENT_WITH_NOTICE',
					legalBasisExplanation: `left ${SEEDED}`,
				});
			const delivery = signedLoopsDelivery(
				LOOPS_SECRET,
				loopsPayloads.contactCreated('back@example.com', 'accepted'),
			);
			expect((await post(url, delivery.body, delivery.headers)).status).toBe(200);
			const [run] = await settle();
			expect(run.status).toBe('success');
			for (const id of [101, 102])
				expect(hs.state.getStatus('back@example.com', id)?.status).toBe('SUBSCRIBED');
		});

		// Mutation: the second rule of "Route by event" back to `$json.event === 'contact.mailingList.subscribed'`
		// (the rule before issue 10) → both list events are written SUBSCRIBED; or the first rule
		// without the confirmedOptIn check → the API-created contact is written.
		it('an API-made Loops list subscription (no confirmation) and an API-created contact write nothing to HubSpot', async () => {
			for (const payload of [
				loopsPayloads.listEvent('contact.mailingList.subscribed', 'api-list@example.com'),
				loopsPayloads.contactCreated('api@example.com', null),
				loopsPayloads.contactCreated('pending@example.com', 'pending'),
			]) {
				const delivery = signedLoopsDelivery(LOOPS_SECRET, payload);
				expect((await post(url, delivery.body, delivery.headers)).status).toBe(200);
			}
			const runs = await settle();
			expect(runs.map((run) => run.status)).toEqual(['success', 'success', 'success']);
			// Without a Loops API key the trigger cannot prove the list event: it says 'unknown'.
			expect(runs[0].json('Loops Trigger')[0]).toMatchObject({
				event: 'contact.mailingList.subscribed',
				confirmedOptIn: 'unknown',
			});
			for (const run of runs) {
				expect(run.ran('Not consent: nothing written')).toBe(true);
				expect(run.ran('Subscribe in HubSpot')).toBe(false);
				expect(run.ran("Subscribe the list's type")).toBe(false);
			}
			expect(hs.requests).toHaveLength(0);
		});

		// Mutation: the second rule of "Route by event" without `&& $json.confirmedOptIn === true`
		// (the pending contact's list event is then written), or in optInLookup.ts applyLookup
		// `item.confirmedOptIn = typeof status === 'string'`.
		it("with Look Up Opt-In Status on (a Loops API key): an accepted contact's list subscription sets only the list's type; pending, not found and unreachable write nothing", async () => {
			const loops: LoopsStandIn = await startLoopsStandIn();
			try {
				n8n.addCredential({
					id: 'loopsApiKey00001',
					name: 'Loops API key',
					type: 'loopsApi',
					data: { apiKey: LOOPS_TEST_API_KEY, baseUrl: loops.apiBaseUrl },
				});
				lookupSpacer.clear();
				const withLookup = runnable(load('loops-double-opt-in-to-hubspot.json'), (nodes) => {
					quickRetries(nodes);
					const loopsTrigger = node(nodes, 'Loops Trigger');
					expect(loopsTrigger.parameters.lookUpOptInStatus).toBe(false); // as shipped
					loopsTrigger.parameters.lookUpOptInStatus = true;
					loopsTrigger.credentials = {
						...loopsTrigger.credentials,
						loopsApi: { id: 'loopsApiKey00001', name: 'Loops API key' },
					};
					loopsTrigger.webhookId = 'loops-example-with-lookup';
				});
				const lookupUrl = await n8n.serveWebhook(withLookup, 'Loops Trigger');
				loops.addContact({ email: 'member@example.com', optInStatus: 'accepted' });
				loops.addContact({ email: 'pending@example.com', optInStatus: 'pending' });
				loops.addContact({ email: 'flaky@example.com', optInStatus: 'accepted' });
				const emails = ['member@example.com', 'pending@example.com', 'stranger@example.com'];
				for (const email of emails) {
					const delivery = signedLoopsDelivery(
						LOOPS_SECRET,
						loopsPayloads.listEvent('contact.mailingList.subscribed', email),
					);
					expect((await post(lookupUrl, delivery.body, delivery.headers)).status).toBe(200);
				}
				await until(() => n8n.webhookRuns.length === 3, 20_000);
				// Loops unreachable for this one (three 503s): 'unknown', never consent.
				loops.failNext(503, 3);
				const flaky = signedLoopsDelivery(
					LOOPS_SECRET,
					loopsPayloads.listEvent('contact.mailingList.subscribed', 'flaky@example.com'),
				);
				expect((await post(lookupUrl, flaky.body, flaky.headers)).status).toBe(200);
				await until(() => n8n.webhookRuns.length === 4, 20_000);
				const runs = await settle();
				expect(runs.map((run) => run.status)).toEqual(['success', 'success', 'success', 'success']);
				const byEmail = Object.fromEntries(
					runs.map((run) => [run.json('Loops Trigger')[0].email as string, run]),
				);
				expect(byEmail['member@example.com'].json('Loops Trigger')[0]).toMatchObject({
					confirmedOptIn: true,
					optInStatusSource: 'lookup',
				});
				expect(byEmail['member@example.com'].ran("Subscribe the list's type")).toBe(true);
				for (const email of ['pending@example.com', 'stranger@example.com', 'flaky@example.com']) {
					expect(byEmail[email].ran('Not consent: nothing written')).toBe(true);
					expect(byEmail[email].ran("Subscribe the list's type")).toBe(false);
				}
				expect(byEmail['flaky@example.com'].json('Loops Trigger')[0]).toMatchObject({
					confirmedOptIn: 'unknown',
					optInLookup: { outcome: 'failed' },
				});
				expect(hs.state.getStatus('member@example.com', 102)).toMatchObject({
					status: 'SUBSCRIBED',
					legalBasis: 'CONSENT_WITH_NOTICE',
				});
				expect(hs.state.getStatus('member@example.com', 102)?.legalBasisExplanation).toContain(
					"whose double opt-in Loops' API shows as accepted",
				);
				expect(hs.state.getStatus('member@example.com', 101)?.status).toBe('NOT_SPECIFIED');
				expect(hs.state.contactByEmail('member@example.com')).toBeUndefined();
				expect(writes()).toHaveLength(1);
			} finally {
				await loops.close();
			}
		});

		// Mutation: "Subscribe the list's type" given `additionalSubscriptionTypes: ["101"]`, or its
		// `subscriptionType` set to 101 → type 101 changes.
		it("a list subscription proven confirmed sets only that list's type SUBSCRIBED, with no resubscribe", async () => {
			for (const id of [101, 102])
				hs.setStatus('old@example.com', id, 'UNSUBSCRIBED', {
					legalBasis: 'CONSENT_WITH_NOTICE',
					legalBasisExplanation: `left ${SEEDED}`,
				});
			const listEvent = (email: string) => ({
				event: 'contact.mailingList.subscribed',
				email,
				subscribed: true,
				mailingListId: 'cm4ittp2k000l12j3lgrzvlxt',
				mailingListName: 'Newsletter',
				optInStatus: 'accepted',
				confirmedOptIn: true,
				occurredAt: new Date().toISOString(),
				webhookId: `msg_${email}`,
			});
			// The trigger's output as it is with a Loops API key that found the contacts accepted.
			const run = await n8n.run(example(), {
				start: 'Route by event',
				items: [listEvent('member@example.com')],
			});
			expect(run.status).toBe('success');
			expect(hs.state.getStatus('member@example.com', 102)).toMatchObject({
				status: 'SUBSCRIBED',
				legalBasis: 'CONSENT_WITH_NOTICE',
			});
			expect(hs.state.getStatus('member@example.com', 102)?.legalBasisExplanation).toContain(
				'Loops list Newsletter (cm4ittp2k000l12j3lgrzvlxt)',
			);
			expect(hs.state.getStatus('member@example.com', 101)?.status).toBe('NOT_SPECIFIED');
			expect(hs.state.contactByEmail('member@example.com')).toBeUndefined();
			// An address that opted out is not resubscribed by a list event: refused, nothing sent.
			const refused = await n8n.run(example(), {
				start: 'Route by event',
				items: [listEvent('old@example.com')],
			});
			expect(refused.error?.message).toMatch(/opted out/);
			expect(hs.state.getStatus('old@example.com', 102)?.status).toBe('UNSUBSCRIBED');
		});

		// Mutation: the "Deliverability event" rule removed from "Route by event" → the bounce ends in
		// "Not consent: nothing written" instead of its own branch.
		it('a hard bounce and a spam report go to their own branch and write nothing; an unsubscribe goes to the unsubscribe branch', async () => {
			for (const payload of [
				loopsEmailEvent('email.hardBounced', 'bounce@example.com'),
				loopsEmailEvent('email.spamReported', 'spam@example.com'),
				loopsPayloads.contactUnsubscribed('gone@example.com'),
			]) {
				const delivery = signedLoopsDelivery(LOOPS_SECRET, payload);
				expect((await post(url, delivery.body, delivery.headers)).status).toBe(200);
			}
			const runs = await settle();
			expect(runs.map((run) => run.status)).toEqual(['success', 'success', 'success']);
			expect(runs[0].ran('Deliverability event: not a withdrawal')).toBe(true);
			expect(runs[1].ran('Deliverability event: not a withdrawal')).toBe(true);
			expect(runs[2].ran('Unsubscribes: connect the unsubscribe example here')).toBe(true);
			expect(writes()).toHaveLength(0);
		});

		// Mutation: `"retryLaterOutput": true` removed from "Subscribe in HubSpot" → the outage fails the
		// run and the Wait node never runs; or its Retry Later output disconnected from the Wait node.
		it('in a HubSpot outage (503) the confirmation waits, parked, in the Wait node and lands once HubSpot is back', async () => {
			hs.injectFault({ kind: 'status', status: 503, path: /\/statuses\//, untilMs: 60_000 });
			const delivery = signedLoopsDelivery(
				LOOPS_SECRET,
				loopsPayloads.contactCreated('patient@example.com', 'accepted'),
			);
			expect((await post(url, delivery.body, delivery.headers)).status).toBe(200);
			const [parked] = await settle();
			// A wait over 65 s: n8n parks the execution (status "waiting") instead of holding it in memory.
			expect(parked.status).toBe('waiting');
			expect(parked.run.waitTill).toBeDefined();
			expect(parked.run.data.resultData.lastNodeExecuted).toBe('Wait, then retry the subscribe');
			expect(parked.json('Subscribe in HubSpot', 1)).toEqual([
				expect.objectContaining({
					email: 'patient@example.com',
					retryLater: expect.objectContaining({ round: 1, httpCode: '503' }),
				}),
			]);
			expect(hs.state.getStatus('patient@example.com', 101)?.status).toBe('NOT_SPECIFIED');

			hs.clearFaults();
			const resumed = await resume(example(), parked);
			expect(resumed.status).toBe('success');
			for (const id of [101, 102])
				expect(hs.state.getStatus('patient@example.com', id)?.status).toBe('SUBSCRIBED');
		});

		it('an unsigned request is refused and nothing is written', async () => {
			const body = JSON.stringify(loopsPayloads.contactCreated('forged@example.com'));
			expect((await post(url, body, { 'content-type': 'application/json' })).status).toBe(401);
			expect(n8n.webhookRuns).toHaveLength(0);
			expect(hs.requests).toHaveLength(0);
		});
	});

	describe('unsubscribe-to-hubspot.json', () => {
		const serve = async (edit?: (nodes: INode[]) => void) => {
			const workflow = runnable(load('unsubscribe-to-hubspot.json'), edit);
			return {
				loops: await n8n.serveWebhook(workflow, 'Loops Trigger'),
				emarsys: await n8n.serveWebhook(workflow, 'Emarsys Trigger'),
			};
		};
		const dryRunOff = (nodes: INode[]) => {
			for (const n of nodes)
				if (n.type === `${PACKAGE}.hubSpotSubscriptions`) n.parameters.dryRun = false;
		};
		const unsubscribeFromAll = (nodes: INode[]) => {
			const assignments = (
				node(nodes, 'Settings').parameters.assignments as {
					assignments: Array<{ name: string; value: unknown }>;
				}
			).assignments;
			assignments.find((a) => a.name === 'unsubscribeFromAll')!.value = true;
		};
		const subscribed = (email: string) => {
			for (const id of [101, 102])
				hs.setStatus(email, id, 'SUBSCRIBED', {
					legalBasis: 'CONSENT_WITH_NOTICE',
					legalBasisExplanation: `seed ${SEEDED}`,
				});
		};

		it('as shipped (Dry Run): Loops and Emarsys unsubscribes show the request and write nothing', async () => {
			subscribed('loops@example.com');
			subscribed('emarsys@example.com');
			const urls = await serve();
			const delivery = signedLoopsDelivery(
				LOOPS_SECRET,
				loopsPayloads.contactUnsubscribed('loops@example.com'),
			);
			expect((await post(urls.loops, delivery.body, delivery.headers)).status).toBe(200);
			const body = JSON.stringify({
				email_address: 'emarsys@example.com',
				optin: '2',
				event_time: '2026-11-20T10:00:00Z',
			});
			expect((await post(urls.emarsys, body, emarsysHeaders())).status).toBe(200);
			const runs = await settle();
			expect(runs.map((run) => run.status)).toEqual(['success', 'success']);
			for (const run of runs) {
				const [item] = run.json('Unsubscribe matching types');
				expect(item.dryRun).toBe(true);
			}
			expect(writes()).toHaveLength(0);
			expect(hs.state.getStatus('loops@example.com', 101)?.status).toBe('SUBSCRIBED');
			expect(hs.state.getStatus('emarsys@example.com', 102)?.status).toBe('SUBSCRIBED');
		});

		it('with Dry Run off: an audience unsubscribe sets the matching types UNSUBSCRIBED with legal basis and explanation', async () => {
			subscribed('loops@example.com');
			const urls = await serve(dryRunOff);
			const eventTime = Math.floor(Date.now() / 1000) - 1;
			const at = new Date(eventTime * 1000).toISOString();
			const delivery = signedLoopsDelivery(
				LOOPS_SECRET,
				loopsPayloads.contactUnsubscribed('loops@example.com', eventTime),
			);
			expect((await post(urls.loops, delivery.body, delivery.headers)).status).toBe(200);
			await settle();
			for (const id of [101, 102]) {
				const status = hs.state.getStatus('loops@example.com', id);
				expect(status).toMatchObject({ status: 'UNSUBSCRIBED', legalBasis: 'CONSENT_WITH_NOTICE' });
				// Loops sends contact.unsubscribed after a hard bounce too: the explanation says so and
				// does not claim the person withdrew.
				expect(status?.legalBasisExplanation).toBe(
					`Opt-out reported by Loops (contact.unsubscribed: the person unsubscribed, or Loops unsubscribed the contact after a hard bounce or a deletion; the event does not say which) at ${at}. Event ID ${delivery.id}. [event time ${at}]`,
				);
			}
			expect(hs.state.isUnsubscribedFromAll('loops@example.com')).toBe(false);
		});

		it('with Dry Run off: a list unsubscribe changes only the type mapped to that list', async () => {
			subscribed('list@example.com');
			const urls = await serve(dryRunOff);
			const delivery = signedLoopsDelivery(
				LOOPS_SECRET,
				loopsPayloads.listEvent('contact.mailingList.unsubscribed', 'list@example.com'),
			);
			expect((await post(urls.loops, delivery.body, delivery.headers)).status).toBe(200);
			await settle();
			expect(hs.state.getStatus('list@example.com', 102)?.status).toBe('UNSUBSCRIBED');
			expect(hs.state.getStatus('list@example.com', 101)?.status).toBe('SUBSCRIBED');
		});

		it('with Dry Run off: an Emarsys opt-out is applied; an Emarsys opt-in on the same program is filtered out', async () => {
			subscribed('optout@example.com');
			subscribed('optin@example.com');
			const urls = await serve(dryRunOff);
			for (const [email, optin] of [
				['optout@example.com', 2],
				['optin@example.com', 1],
			] as const) {
				const body = JSON.stringify({
					email_address: email,
					optin,
					deduplication_id: `dd-${email}`,
				});
				expect((await post(urls.emarsys, body, emarsysHeaders())).status).toBe(200);
			}
			await settle();
			expect(hs.state.getStatus('optout@example.com', 101)).toMatchObject({
				status: 'UNSUBSCRIBED',
			});
			expect(hs.state.getStatus('optout@example.com', 101)?.legalBasisExplanation).toContain(
				'Emarsys opt-out program',
			);
			expect(hs.state.getStatus('optout@example.com', 101)?.legalBasisExplanation).toContain(
				'Event ID dd-optout@example.com',
			);
			expect(hs.state.getStatus('optin@example.com', 101)?.status).toBe('SUBSCRIBED');
			expect(hs.state.writesFor('optin@example.com').filter((w) => w.via !== 'seed')).toHaveLength(
				0,
			);
		});

		it('with the switch set (and Dry Run off): the address is opted out of all email', async () => {
			subscribed('all@example.com');
			const urls = await serve((nodes) => {
				dryRunOff(nodes);
				unsubscribeFromAll(nodes);
			});
			const delivery = signedLoopsDelivery(
				LOOPS_SECRET,
				loopsPayloads.contactUnsubscribed('all@example.com'),
			);
			expect((await post(urls.loops, delivery.body, delivery.headers)).status).toBe(200);
			const [run] = await settle();
			expect(run.ran('Unsubscribe from all email')).toBe(true);
			expect(run.ran('Unsubscribe matching types')).toBe(false);
			expect(hs.state.isUnsubscribedFromAll('all@example.com')).toBe(true);
		});

		it('with the switch set and Dry Run as shipped: nothing is written', async () => {
			subscribed('all@example.com');
			const urls = await serve(unsubscribeFromAll);
			const delivery = signedLoopsDelivery(
				LOOPS_SECRET,
				loopsPayloads.contactUnsubscribed('all@example.com'),
			);
			expect((await post(urls.loops, delivery.body, delivery.headers)).status).toBe(200);
			const [run] = await settle();
			expect(run.json('Unsubscribe from all email')[0]).toMatchObject({
				dryRun: true,
				wouldChange: true,
			});
			expect(writes()).toHaveLength(0);
			expect(hs.state.isUnsubscribedFromAll('all@example.com')).toBe(false);
		});
		// Mutation: the "Loops: deliverability event?" node's true output connected to "Settings" (or the
		// node removed, Loops Trigger → Settings) → the bounce is written UNSUBSCRIBED with Consent with notice.
		it('with Dry Run off: a hard bounce, a soft bounce and a spam report are not recorded as an unsubscribe', async () => {
			for (const email of ['hard@example.com', 'soft@example.com', 'spam@example.com'])
				subscribed(email);
			const urls = await serve(dryRunOff);
			for (const [event, email] of [
				['email.hardBounced', 'hard@example.com'],
				['email.softBounced', 'soft@example.com'],
				['email.spamReported', 'spam@example.com'],
			]) {
				const delivery = signedLoopsDelivery(LOOPS_SECRET, loopsEmailEvent(event, email));
				expect((await post(urls.loops, delivery.body, delivery.headers)).status).toBe(200);
			}
			const runs = await settle();
			expect(runs.map((run) => run.status)).toEqual(['success', 'success', 'success']);
			for (const run of runs) {
				expect(run.ran('Deliverability event: not a withdrawal')).toBe(true);
				expect(run.ran('Settings')).toBe(false);
			}
			expect(writes()).toHaveLength(0);
			for (const email of ['hard@example.com', 'soft@example.com', 'spam@example.com']) {
				for (const id of [101, 102])
					expect(hs.state.getStatus(email, id)?.status).toBe('SUBSCRIBED');
				expect(hs.state.isUnsubscribedFromAll(email)).toBe(false);
			}
		});

		// Mutation: "eventTime" removed from the options of "Unsubscribe matching types" → the older
		// opt-out lands after the newer resubscribe and the address ends UNSUBSCRIBED.
		it('with Dry Run off: an opt-out that arrives after a newer event of the same address is skipped', async () => {
			const now = Math.floor(Date.now() / 1000);
			for (const id of [101, 102]) {
				hs.setStatus('late@example.com', id, 'SUBSCRIBED', {
					legalBasis: 'CONSENT_WITH_NOTICE',
					legalBasisExplanation: `renewed [event time ${new Date(now * 1000).toISOString()}]`,
				});
			}
			const urls = await serve(dryRunOff);
			const delivery = signedLoopsDelivery(
				LOOPS_SECRET,
				loopsPayloads.contactUnsubscribed('late@example.com', now - 600),
			);
			expect((await post(urls.loops, delivery.body, delivery.headers)).status).toBe(200);
			const [run] = await settle();
			expect(run.json('Unsubscribe matching types')[0].statuses).toEqual([
				expect.objectContaining({
					subscriptionId: 101,
					skipped: 'older than the last applied event',
				}),
				expect.objectContaining({
					subscriptionId: 102,
					skipped: 'older than the last applied event',
				}),
			]);
			for (const id of [101, 102])
				expect(hs.state.getStatus('late@example.com', id)?.status).toBe('SUBSCRIBED');
		});

		// Mutation: "retryLaterOutput" removed from "Unsubscribe matching types" → the 503 fails the run.
		it('with Dry Run off: an unsubscribe during a HubSpot outage waits parked in the Wait node, then lands', async () => {
			subscribed('outage@example.com');
			const edit = (nodes: INode[]) => {
				dryRunOff(nodes);
				quickRetries(nodes);
			};
			const urls = await serve(edit);
			hs.injectFault({ kind: 'status', status: 503, path: /\/statuses\//, untilMs: 60_000 });
			const delivery = signedLoopsDelivery(
				LOOPS_SECRET,
				loopsPayloads.contactUnsubscribed('outage@example.com'),
			);
			expect((await post(urls.loops, delivery.body, delivery.headers)).status).toBe(200);
			const [parked] = await settle();
			expect(parked.status).toBe('waiting');
			expect(parked.run.data.resultData.lastNodeExecuted).toBe('Wait, then retry the unsubscribe');
			expect(hs.state.getStatus('outage@example.com', 101)?.status).toBe('SUBSCRIBED');
			hs.clearFaults();
			const resumed = await resume(runnable(load('unsubscribe-to-hubspot.json'), edit), parked);
			expect(resumed.status).toBe('success');
			for (const id of [101, 102])
				expect(hs.state.getStatus('outage@example.com', id)?.status).toBe('UNSUBSCRIBED');
		});
	});

	describe('emarsys-opt-in-batch-sync.json', () => {
		let url: string;
		beforeEach(async () => {
			url = await n8n.serveWebhook(
				runnable(load('emarsys-opt-in-batch-sync.json')),
				'Emarsys Trigger',
			);
		});

		it('a confirmed Emarsys opt-in (one contact per request, as Emarsys sends) is written SUBSCRIBED with consent', async () => {
			const body = JSON.stringify({
				email_address: 'Eve@Example.com',
				optin: '1',
				event_time: '2026-11-20T09:30:00Z',
				deduplication_id: 'abc-123',
				event_data: {},
			});
			expect((await post(url, body, emarsysHeaders())).status).toBe(200);
			const [run] = await settle();
			expect(run.status).toBe('success');
			const status = hs.state.getStatus('eve@example.com', 101);
			expect(status).toMatchObject({ status: 'SUBSCRIBED', legalBasis: 'CONSENT_WITH_NOTICE' });
			expect(status?.legalBasisExplanation).toBe(
				'Double opt-in confirmed in Emarsys (Double Opt-In node) at 2026-11-20T09:30:00.000Z. Emarsys deduplication ID abc-123. [event time 2026-11-20T09:30:00.000Z]',
			);
		});

		it('a request carrying several contacts goes to HubSpot in one batch call; opt-in false and empty are skipped', async () => {
			const contacts = [
				{ email_address: 'one@example.com', optin: 1 },
				{ email_address: 'two@example.com', optin: 2 },
				{ email_address: 'three@example.com', optin: '1' },
				{ email_address: 'four@example.com', optin: '' },
			];
			expect((await post(url, JSON.stringify(contacts), emarsysHeaders())).status).toBe(200);
			await settle();
			const batchWrites = hs.requests.filter(
				(request) => request.method === 'POST' && request.path.endsWith('/statuses/batch/write'),
			);
			expect(batchWrites).toHaveLength(1);
			expect((batchWrites[0].body as { inputs: unknown[] }).inputs).toHaveLength(2);
			expect(hs.state.getStatus('one@example.com', 101)?.status).toBe('SUBSCRIBED');
			expect(hs.state.getStatus('three@example.com', 101)?.status).toBe('SUBSCRIBED');
			expect(hs.state.getStatus('two@example.com', 101)?.status).toBe('NOT_SPECIFIED');
			expect(hs.state.getStatus('four@example.com', 101)?.status).toBe('NOT_SPECIFIED');
		});

		// Mutation: the Event Time of "Subscribe in HubSpot" set to `{{ $json.occurredAt }}` without the
		// `event_time` check → the arrival time (the trigger's fallback) is recorded as the event time.
		it('without event_time from Emarsys, the write carries no event time (arrival is not the time of the event)', async () => {
			expect(
				(
					await post(
						url,
						JSON.stringify({ email_address: 'untimed@example.com', optin: 1 }),
						emarsysHeaders(),
					)
				).status,
			).toBe(200);
			await settle();
			const status = hs.state.getStatus('untimed@example.com', 101);
			expect(status?.status).toBe('SUBSCRIBED');
			expect(status?.legalBasisExplanation).toMatch(
				/^Double opt-in confirmed in Emarsys \(Double Opt-In node\) at \S+Z\.$/,
			);
		});

		it('a request without a valid token writes nothing', async () => {
			const body = JSON.stringify({ email_address: 'mallory@example.com', optin: 1 });
			expect(
				(
					await post(url, body, {
						'content-type': 'application/json',
						authorization: `Bearer ${hmacJwt({}, 'guessed')}`,
					})
				).status,
			).toBe(401);
			expect(n8n.webhookRuns).toHaveLength(0);
			expect(hs.requests).toHaveLength(0);
		});
	});
});

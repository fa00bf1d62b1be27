import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

import type { IConnections, INode } from 'n8n-workflow';

import { replayMemory } from '../nodes/common/webhookSecurity';
import { N8nTestInstance, type TestWorkflow } from './harness/n8n';
import { PACKAGE } from './harness/types';
import { ENTERPRISE_TOKEN, startHubSpotStandIn, type StandIn } from './hubspot-standin';
import { hmacJwt, loopsPayloads, newSigningSecret, post, signedLoopsDelivery } from './trigger-helpers';

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

const load = (file: string): ExampleFile => JSON.parse(readFileSync(join(EXAMPLES_DIR, file), 'utf8')) as ExampleFile;

/** Sticky notes are part of the export but never run; the harness has no type for them. */
const runnable = (example: ExampleFile, edit?: (nodes: INode[]) => void): TestWorkflow => {
	const nodes = (JSON.parse(JSON.stringify(example.nodes)) as INode[]).filter((node) => node.type !== 'n8n-nodes-base.stickyNote');
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
			for (const output of outputs.main ?? []) for (const target of output ?? []) expect(names.has(target.node)).toBe(true);
		}
		expect(example.nodes.some((n) => n.type === 'n8n-nodes-base.stickyNote')).toBe(true);
	});

	it('the unsubscribe example ships with Dry Run on in every HubSpot node', () => {
		const hubspot = load('unsubscribe-to-hubspot.json').nodes.filter((n) => n.type === `${PACKAGE}.hubSpotSubscriptions`);
		expect(hubspot).toHaveLength(2);
		for (const n of hubspot) expect(n.parameters.dryRun).toBe(true);
	});
});

describe('examples run end to end', () => {
	let hs: StandIn;
	let n8n: N8nTestInstance;

	const newInstance = () => {
		const instance = new N8nTestInstance();
		instance.addCredential({ id: 'hsSandbox0000001', name: 'HubSpot sandbox', type: 'hubSpotSubscriptionsApi', data: { accessToken: ENTERPRISE_TOKEN, baseUrl: hs.url } });
		instance.addCredential({ id: 'loopsSigning0001', name: 'Loops webhook signing secret', type: 'loopsWebhookSigningApi', data: { signingSecret: LOOPS_SECRET } });
		instance.addCredential({ id: 'emarsysJwt000001', name: 'Emarsys webhook JWT secret', type: 'emarsysWebhookJwtApi', data: { secret: JWT_SECRET } });
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

	const settle = async () => await Promise.all(n8n.webhookRuns.map(async (entry) => await entry.run));
	/** Requests that change something (batch reads are POSTs too, and are not writes). */
	const writes = () => hs.requests.filter((request) => request.method === 'POST' && !/\/read$/.test(request.path.split('?')[0]));
	const emarsysHeaders = () => ({ 'content-type': 'application/json', authorization: `Bearer ${hmacJwt({ iat: Math.floor(Date.now() / 1000) }, JWT_SECRET)}` });

	describe('loops-double-opt-in-to-hubspot.json', () => {
		let url: string;
		beforeEach(async () => {
			url = await n8n.serveWebhook(runnable(load('loops-double-opt-in-to-hubspot.json')), 'Loops Trigger');
		});

		it('a confirmed double opt-in sets both types SUBSCRIBED with consent, source, time and event ID', async () => {
			const eventTime = Math.floor(Date.now() / 1000) - 2;
			const delivery = signedLoopsDelivery(LOOPS_SECRET, loopsPayloads.contactCreated('Ada@Example.com', 'accepted', eventTime));
			expect((await post(url, delivery.body, delivery.headers)).status).toBe(200);
			const [run] = await settle();
			expect(run.status).toBe('success');
			for (const id of [101, 102]) {
				const status = hs.state.getStatus('ada@example.com', id);
				expect(status).toMatchObject({ status: 'SUBSCRIBED', legalBasis: 'CONSENT_WITH_NOTICE' });
				expect(status?.legalBasisExplanation).toBe(
					`Double opt-in confirmed in Loops (contact.created) at ${new Date(eventTime * 1000).toISOString()}. Loops webhook ID ${delivery.id}.`,
				);
			}
		});

		it('a mailing-list subscription after confirmation is recorded too, with the list named', async () => {
			const delivery = signedLoopsDelivery(LOOPS_SECRET, loopsPayloads.listEvent('contact.mailingList.subscribed', 'list@example.com'));
			expect((await post(url, delivery.body, delivery.headers)).status).toBe(200);
			await settle();
			expect(hs.state.getStatus('list@example.com', 101)?.legalBasisExplanation).toContain('(contact.mailingList.subscribed, list Newsletter)');
		});

		it('a contact created without double opt-in, and an unsubscribe, write nothing here', async () => {
			for (const payload of [loopsPayloads.contactCreated('api@example.com', null), loopsPayloads.contactUnsubscribed('gone@example.com')]) {
				const delivery = signedLoopsDelivery(LOOPS_SECRET, payload);
				expect((await post(url, delivery.body, delivery.headers)).status).toBe(200);
			}
			const runs = await settle();
			expect(runs.map((run) => run.status)).toEqual(['success', 'success']);
			expect(runs[0].ran('Other events (not confirmed opt-ins)')).toBe(true);
			expect(runs[1].ran('Unsubscribes: connect the unsubscribe example here')).toBe(true);
			expect(writes()).toHaveLength(0);
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
			for (const n of nodes) if (n.type === `${PACKAGE}.hubSpotSubscriptions`) n.parameters.dryRun = false;
		};
		const unsubscribeFromAll = (nodes: INode[]) => {
			const assignments = (node(nodes, 'Settings').parameters.assignments as { assignments: Array<{ name: string; value: unknown }> }).assignments;
			assignments.find((a) => a.name === 'unsubscribeFromAll')!.value = true;
		};
		const subscribed = (email: string) => {
			for (const id of [101, 102]) hs.setStatus(email, id, 'SUBSCRIBED', { legalBasis: 'CONSENT_WITH_NOTICE', legalBasisExplanation: 'seed' });
		};

		it('as shipped (Dry Run): Loops and Emarsys unsubscribes show the request and write nothing', async () => {
			subscribed('loops@example.com');
			subscribed('emarsys@example.com');
			const urls = await serve();
			const delivery = signedLoopsDelivery(LOOPS_SECRET, loopsPayloads.contactUnsubscribed('loops@example.com'));
			expect((await post(urls.loops, delivery.body, delivery.headers)).status).toBe(200);
			const body = JSON.stringify({ email_address: 'emarsys@example.com', optin: '2', event_time: '2026-11-20T10:00:00Z' });
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
			const delivery = signedLoopsDelivery(LOOPS_SECRET, loopsPayloads.contactUnsubscribed('loops@example.com'));
			expect((await post(urls.loops, delivery.body, delivery.headers)).status).toBe(200);
			await settle();
			for (const id of [101, 102]) {
				const status = hs.state.getStatus('loops@example.com', id);
				expect(status).toMatchObject({ status: 'UNSUBSCRIBED', legalBasis: 'CONSENT_WITH_NOTICE' });
				expect(status?.legalBasisExplanation).toMatch(new RegExp(`^Unsubscribed via Loops \\(contact.unsubscribed\\) at .+Z\\. Event ID ${delivery.id}\\.$`));
			}
			expect(hs.state.isUnsubscribedFromAll('loops@example.com')).toBe(false);
		});

		it('with Dry Run off: a list unsubscribe changes only the type mapped to that list', async () => {
			subscribed('list@example.com');
			const urls = await serve(dryRunOff);
			const delivery = signedLoopsDelivery(LOOPS_SECRET, loopsPayloads.listEvent('contact.mailingList.unsubscribed', 'list@example.com'));
			expect((await post(urls.loops, delivery.body, delivery.headers)).status).toBe(200);
			await settle();
			expect(hs.state.getStatus('list@example.com', 102)?.status).toBe('UNSUBSCRIBED');
			expect(hs.state.getStatus('list@example.com', 101)?.status).toBe('SUBSCRIBED');
		});

		it('with Dry Run off: an Emarsys opt-out is applied; an Emarsys opt-in on the same program is filtered out', async () => {
			subscribed('optout@example.com');
			subscribed('optin@example.com');
			const urls = await serve(dryRunOff);
			for (const [email, optin] of [['optout@example.com', 2], ['optin@example.com', 1]] as const) {
				const body = JSON.stringify({ email_address: email, optin, deduplication_id: `dd-${email}` });
				expect((await post(urls.emarsys, body, emarsysHeaders())).status).toBe(200);
			}
			await settle();
			expect(hs.state.getStatus('optout@example.com', 101)).toMatchObject({ status: 'UNSUBSCRIBED' });
			expect(hs.state.getStatus('optout@example.com', 101)?.legalBasisExplanation).toContain('Emarsys opt-out program');
			expect(hs.state.getStatus('optout@example.com', 101)?.legalBasisExplanation).toContain('Event ID dd-optout@example.com');
			expect(hs.state.getStatus('optin@example.com', 101)?.status).toBe('SUBSCRIBED');
			expect(hs.state.writesFor('optin@example.com').filter((w) => w.via !== 'seed')).toHaveLength(0);
		});

		it('with the switch set (and Dry Run off): the address is opted out of all email', async () => {
			subscribed('all@example.com');
			const urls = await serve((nodes) => {
				dryRunOff(nodes);
				unsubscribeFromAll(nodes);
			});
			const delivery = signedLoopsDelivery(LOOPS_SECRET, loopsPayloads.contactUnsubscribed('all@example.com'));
			expect((await post(urls.loops, delivery.body, delivery.headers)).status).toBe(200);
			const [run] = await settle();
			expect(run.ran('Unsubscribe from all email')).toBe(true);
			expect(run.ran('Unsubscribe matching types')).toBe(false);
			expect(hs.state.isUnsubscribedFromAll('all@example.com')).toBe(true);
		});

		it('with the switch set and Dry Run as shipped: nothing is written', async () => {
			subscribed('all@example.com');
			const urls = await serve(unsubscribeFromAll);
			const delivery = signedLoopsDelivery(LOOPS_SECRET, loopsPayloads.contactUnsubscribed('all@example.com'));
			expect((await post(urls.loops, delivery.body, delivery.headers)).status).toBe(200);
			const [run] = await settle();
			expect(run.json('Unsubscribe from all email')[0]).toMatchObject({ dryRun: true, wouldChange: true });
			expect(writes()).toHaveLength(0);
			expect(hs.state.isUnsubscribedFromAll('all@example.com')).toBe(false);
		});
	});

	describe('emarsys-opt-in-batch-sync.json', () => {
		let url: string;
		beforeEach(async () => {
			url = await n8n.serveWebhook(runnable(load('emarsys-opt-in-batch-sync.json')), 'Emarsys Trigger');
		});

		it('a confirmed Emarsys opt-in (one contact per request, as Emarsys sends) is written SUBSCRIBED with consent', async () => {
			const body = JSON.stringify({ email_address: 'Eve@Example.com', optin: '1', event_time: '2026-11-20T09:30:00Z', deduplication_id: 'abc-123', event_data: {} });
			expect((await post(url, body, emarsysHeaders())).status).toBe(200);
			const [run] = await settle();
			expect(run.status).toBe('success');
			const status = hs.state.getStatus('eve@example.com', 101);
			expect(status).toMatchObject({ status: 'SUBSCRIBED', legalBasis: 'CONSENT_WITH_NOTICE' });
			expect(status?.legalBasisExplanation).toBe(
				'Double opt-in confirmed in Emarsys (Double Opt-In node) at 2026-11-20T09:30:00.000Z. Emarsys deduplication ID abc-123.',
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
			const batchWrites = hs.requests.filter((request) => request.method === 'POST' && request.path.endsWith('/statuses/batch/write'));
			expect(batchWrites).toHaveLength(1);
			expect((batchWrites[0].body as { inputs: unknown[] }).inputs).toHaveLength(2);
			expect(hs.state.getStatus('one@example.com', 101)?.status).toBe('SUBSCRIBED');
			expect(hs.state.getStatus('three@example.com', 101)?.status).toBe('SUBSCRIBED');
			expect(hs.state.getStatus('two@example.com', 101)?.status).toBe('NOT_SPECIFIED');
			expect(hs.state.getStatus('four@example.com', 101)?.status).toBe('NOT_SPECIFIED');
		});

		it('a request without a valid token writes nothing', async () => {
			const body = JSON.stringify({ email_address: 'mallory@example.com', optin: 1 });
			expect((await post(url, body, { 'content-type': 'application/json', authorization: `Bearer ${hmacJwt({}, 'guessed')}` })).status).toBe(401);
			expect(n8n.webhookRuns).toHaveLength(0);
			expect(hs.requests).toHaveLength(0);
		});
	});
});

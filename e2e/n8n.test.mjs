// The package inside a real n8n (2.x by default; E2E_N8N_MAJOR=1 for 1.x), installed the way n8n
// installs a community package, against the HubSpot stand-in running in this process:
//  1. the CLI imports a credential and a workflow; `n8n execute` reads the subscription types and
//     writes statuses; the stand-in's state is checked, not the exit code;
//  2. the server loads every node and credential package.json lists, under their community names;
//  3. with examples/loops-double-opt-in-to-hubspot.json: the example is published, a correctly signed
//     Loops webhook changes the address's HubSpot status within seconds, an unsigned one changes nothing.
// Run through scripts/e2e.mjs (npm run test:e2e), which builds and installs n8n first.
import assert from 'node:assert/strict';
import { createHmac, randomUUID } from 'node:crypto';
import { rmSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';

import { ENTERPRISE_TOKEN, startHubSpotStandIn } from '../test/hubspot-standin/index.ts';
import { LOOPS_TEST_API_KEY, startLoopsStandIn } from '../test/loops-standin/index.ts';
import {
	HUBSPOT_CREDENTIAL_ID,
	HUBSPOT_CREDENTIAL_NAME,
	HUBSPOT_CREDENTIAL_TYPE,
	PACKAGE_JSON,
	PACKAGE_NAME,
	TEST_WEBHOOK_SECRET,
	activateWorkflow,
	credentialsForExamples,
	executeWorkflow,
	importJson,
	installedN8nVersion,
	listExamples,
	nodeOutput,
	packageCredentialTypes,
	packageNodeTypes,
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
const LOOPS_EXAMPLE = 'loops-double-opt-in-to-hubspot.json';
const type = (node) => `${PACKAGE_NAME}.${node}`;

const ctx = {};

before(async () => {
	Object.assign(ctx, await prepareN8nInstance({ label: `n8n${MAJOR}`, major: MAJOR, node: NODE }));
	ctx.version = installedN8nVersion(MAJOR, NODE);
	ctx.standIn = await startHubSpotStandIn({ rateLimit: false });
	ctx.loopsStandIn = await startLoopsStandIn();

	// Credentials: the HubSpot sandbox one, plus one per type the examples reference (test secrets).
	ctx.examples = listExamples();
	ctx.credentials = credentialsForExamples(ctx.examples, { hubspotUrl: ctx.standIn.url });
	ctx.timings = {};
	const t0 = Date.now();
	await importJson(MAJOR, 'credentials', Object.values(ctx.credentials), ctx.env, { node: NODE });
	ctx.timings.importCredentials = Date.now() - t0;
});

after(async () => {
	await ctx.server?.stop();
	await ctx.standIn?.close();
	await ctx.loopsStandIn?.close();
	if (ctx.userFolder && !KEEP) rmSync(ctx.userFolder, { recursive: true, force: true });
	if (ctx.timings)
		process.stdout.write(`# e2e timings (ms) n8n ${ctx.version}: ${JSON.stringify(ctx.timings)}\n`);
});

describe(`n8n ${MAJOR}.x CLI`, () => {
	test('the packed package holds every built node and credential package.json lists', () => {
		for (const rel of [...PACKAGE_JSON.n8n.nodes, ...PACKAGE_JSON.n8n.credentials]) {
			assert.ok(ctx.installed.files.includes(rel), `${rel} is missing from the packed package`);
		}
	});

	test('n8n execute reads the subscription types and writes statuses into HubSpot', async () => {
		const email = 'e2e-cli@example.com';
		const cred = {
			[HUBSPOT_CREDENTIAL_TYPE]: { id: HUBSPOT_CREDENTIAL_ID, name: HUBSPOT_CREDENTIAL_NAME },
		};
		const hubspot = (name, position, parameters) => ({
			id: randomUUID(),
			name,
			type: type('hubSpotSubscriptions'),
			typeVersion: 1,
			position,
			parameters,
			credentials: cred,
		});
		const workflow = {
			id: 'e2eCliWorkflow01',
			name: 'e2e: definitions to statuses',
			active: false,
			settings: { executionOrder: 'v1' },
			nodes: [
				{
					id: randomUUID(),
					name: 'Start',
					type: 'n8n-nodes-base.manualTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				hubspot('Read Types', [220, 0], {
					resource: 'subscriptionType',
					operation: 'getAll',
					filters: { activeOnly: true, businessUnitId: 0 },
				}),
				hubspot('Set Status', [440, 0], {
					resource: 'subscriptionStatus',
					operation: 'set',
					email,
					subscriptionType: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
					statusState: 'SUBSCRIBED',
					legalBasis: 'CONSENT_WITH_NOTICE',
					legalBasisExplanation: '=Double opt-in confirmed (e2e) for {{ $json.name }}',
				}),
				{
					...hubspot('Read Back', [660, 0], {
						resource: 'subscriptionStatus',
						operation: 'get',
						email,
						options: { businessUnitId: 0 },
					}),
					executeOnce: true,
				},
			],
			connections: {
				Start: { main: [[{ node: 'Read Types', type: 'main', index: 0 }]] },
				'Read Types': { main: [[{ node: 'Set Status', type: 'main', index: 0 }]] },
				'Set Status': { main: [[{ node: 'Read Back', type: 'main', index: 0 }]] },
			},
		};
		let t0 = Date.now();
		await importJson(MAJOR, 'workflow', [workflow], ctx.env, { node: NODE });
		ctx.timings.importWorkflow = Date.now() - t0;

		t0 = Date.now();
		const r = await executeWorkflow(MAJOR, workflow.id, ctx.env, { node: NODE });
		ctx.timings.execute = Date.now() - t0;
		assert.ok(
			r.run,
			`no run JSON in n8n execute's output (exit ${r.status}):\n${r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`,
		);
		const error = r.run.data?.resultData?.error;
		assert.equal(error, undefined, `the run failed: ${JSON.stringify(error)?.slice(0, 2000)}`);
		assert.equal(r.status, 0, `exit code ${r.status} although the run JSON shows no error`);

		const types = nodeOutput(r.run, 'Read Types');
		const expectedIds = ctx.standIn.state.definitions
			.filter((d) => d.isActive && (d.businessUnitId ?? 0) === 0)
			.map((d) => String(d.id))
			.sort();
		assert.deepEqual(
			types.map((d) => String(d.id)).sort(),
			expectedIds,
			'Read Types: the active types of brand 0',
		);
		assert.equal(
			nodeOutput(r.run, 'Set Status').length,
			expectedIds.length,
			'Set Status: one item per type',
		);
		const readBack = nodeOutput(r.run, 'Read Back');
		assert.equal(readBack.length, 1, 'Read Back: one item for the address');
		const readStatuses = new Map(
			(readBack[0].statuses ?? []).map((st) => [String(st.subscriptionId), st.status]),
		);
		for (const id of expectedIds)
			assert.equal(
				readStatuses.get(id),
				'SUBSCRIBED',
				`Read Back: type ${id} in ${JSON.stringify(readBack[0]).slice(0, 500)}`,
			);

		// The stand-in's state is the truth: every active brand-0 type SUBSCRIBED with the legal basis.
		for (const id of expectedIds) {
			const status = ctx.standIn.state.getStatus(email, Number(id));
			assert.equal(status?.status, 'SUBSCRIBED', `type ${id}`);
			assert.equal(status?.legalBasis, 'CONSENT_WITH_NOTICE', `type ${id} legal basis`);
			assert.match(
				status?.legalBasisExplanation ?? '',
				/^Double opt-in confirmed \(e2e\) for .+/,
				`type ${id} explanation`,
			);
		}
		for (const d of ctx.standIn.state.definitions.filter((d) => (d.businessUnitId ?? 0) !== 0)) {
			assert.notEqual(
				ctx.standIn.state.getStatus(email, Number(d.id))?.status,
				'SUBSCRIBED',
				`brand ${d.businessUnitId} type ${d.id} untouched`,
			);
		}
		const auth = new Set(ctx.standIn.requests.map((q) => q.headers.authorization));
		assert.deepEqual(
			[...auth],
			[`Bearer ${ENTERPRISE_TOKEN}`],
			'every call used the imported credential',
		);
	});

	test('the example workflows import', async () => {
		assert.ok(
			ctx.examples.length >= 4,
			`expected the four example workflows in examples/, found ${ctx.examples.length}`,
		);
		const workflows = ctx.examples.map((e) => prepareWorkflow(e, ctx.credentials));
		const t0 = Date.now();
		await importJson(MAJOR, 'workflow', workflows, ctx.env, { node: NODE });
		ctx.timings.importExamples = Date.now() - t0;
		ctx.examplesImported = workflows;
		const loops = workflows[ctx.examples.findIndex((e) => e.file === LOOPS_EXAMPLE)];
		if (loops) {
			await activateWorkflow(MAJOR, loops.id, ctx.env, { node: NODE });
			ctx.loopsWorkflow = loops;
		}
	});

	test('a copy of the Loops example with Look Up Opt-In Status on and a Loops API credential imports', async () => {
		const example = ctx.examples.find((e) => e.file === LOOPS_EXAMPLE);
		assert.ok(example, `examples/${LOOPS_EXAMPLE} is missing`);
		const credential = {
			id: 'loopsApiE2e00001',
			name: 'Loops API key (stand-in)',
			type: 'loopsApi',
			data: { apiKey: LOOPS_TEST_API_KEY, baseUrl: ctx.loopsStandIn.apiBaseUrl },
		};
		await importJson(MAJOR, 'credentials', [credential], ctx.env, { node: NODE });
		const wf = prepareWorkflow(example, ctx.credentials);
		wf.id = 'loopsLookupE2e01';
		wf.name = `${wf.name} (opt-in lookup)`;
		const trigger = wf.nodes.find((n) => n.type === type('loopsTrigger'));
		trigger.parameters.lookUpOptInStatus = true;
		trigger.credentials = {
			...trigger.credentials,
			loopsApi: { id: credential.id, name: credential.name },
		};
		trigger.webhookId = randomUUID();
		for (const n of wf.nodes) n.id = randomUUID();
		await importJson(MAJOR, 'workflow', [wf], ctx.env, { node: NODE });
		await activateWorkflow(MAJOR, wf.id, ctx.env, { node: NODE });
		ctx.lookupWorkflow = wf;
	});
});

describe(`n8n ${MAJOR}.x server`, () => {
	before(async () => {
		const t0 = Date.now();
		ctx.server = startN8n({
			major: MAJOR,
			env: ctx.env,
			node: NODE,
			logFile: path.join(ctx.userFolder, 'n8n.log'),
		});
		await waitForN8n(ctx.baseUrl, { handle: ctx.server, timeoutMs: 180_000 });
		ctx.timings.serverReady = Date.now() - t0;
		ctx.cookie = await setupOwner(ctx.baseUrl, {
			email: 'owner@example.com',
			firstName: 'E2E',
			lastName: 'Owner',
			password: 'E2e-password-123',
		});
	});

	test('loads every node and credential of package.json under the community package name', async () => {
		const nodes = await rest(ctx.baseUrl, 'GET', '/types/nodes.json', { cookie: ctx.cookie });
		assert.equal(nodes.status, 200, nodes.text.slice(0, 300));
		const loaded = new Set(nodes.json.map((n) => n.name));
		for (const { description } of packageNodeTypes()) {
			assert.ok(
				loaded.has(type(description.name)),
				`${type(description.name)} not loaded; log:\n${ctx.server.logs().slice(-3000)}`,
			);
		}
		const creds = await rest(ctx.baseUrl, 'GET', '/types/credentials.json', { cookie: ctx.cookie });
		assert.equal(creds.status, 200);
		const loadedCreds = new Set(creds.json.map((c) => c.name));
		for (const t of packageCredentialTypes())
			assert.ok(loadedCreds.has(t.name), `credential type ${t.name} not loaded`);
		const problems = ctx.server
			.logs()
			.split('\n')
			.filter((l) => l.includes(PACKAGE_NAME) && /error|warn|fail/i.test(l));
		assert.deepEqual(problems, [], 'n8n logged problems with the package');
	});

	test('Loops example: a signed webhook sets the HubSpot status, an unsigned one changes nothing', async () => {
		assert.ok(
			ctx.examples.some((e) => e.file === LOOPS_EXAMPLE),
			`examples/${LOOPS_EXAMPLE} is missing`,
		);
		assert.ok(ctx.loopsWorkflow, 'the Loops example was not imported and published');
		const trigger = ctx.loopsWorkflow.nodes.find((n) => n.type === type('loopsTrigger'));
		assert.ok(trigger, `the example has no ${type('loopsTrigger')} node`);
		const email = `e2e-loops-${Date.now()}@example.com`;
		const now = Math.floor(Date.now() / 1000);
		const body = JSON.stringify({
			eventName: 'contact.created',
			eventTime: now,
			webhookSchemaVersion: '1.0.0',
			contactIdentity: { id: 'cm_e2e_contact', email, userId: null },
			contact: {
				id: 'cm_e2e_contact',
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
		const candidates = webhookUrls(ctx.baseUrl, trigger, ctx.loopsWorkflow.id);
		// Unsigned first: it finds the registered URL (anything but 404) and must change nothing.
		let url;
		let unsigned;
		const deadline = Date.now() + 20_000;
		while (!url && Date.now() < deadline) {
			for (const candidate of candidates) {
				const res = await fetch(candidate, {
					method: 'POST',
					headers: { 'content-type': 'application/json' },
					body,
				});
				if (res.status !== 404) {
					url = candidate;
					unsigned = res.status;
					break;
				}
			}
			if (!url) await sleep(500);
		}
		assert.ok(
			url,
			`no webhook registered at ${candidates.join(' or ')}; log:\n${ctx.server.logs().slice(-3000)}`,
		);
		ctx.timings.unsignedHttpStatus = unsigned;
		assert.ok(unsigned >= 400, `an unsigned webhook was accepted (HTTP ${unsigned})`);
		await sleep(1500);
		assert.deepEqual(
			ctx.standIn.state.writesFor(email),
			[],
			'the unsigned webhook wrote to HubSpot',
		);

		const id = `msg_${randomUUID()}`;
		const signature = createHmac(
			'sha256',
			Buffer.from(TEST_WEBHOOK_SECRET.slice('whsec_'.length), 'base64'),
		)
			.update(`${id}.${now}.${body}`)
			.digest('base64');
		const t0 = Date.now();
		const res = await fetch(url, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				'webhook-id': id,
				'webhook-timestamp': String(now),
				'webhook-signature': `v1,${signature}`,
			},
			body,
		});
		assert.ok(
			res.status >= 200 && res.status < 300,
			`the signed webhook got HTTP ${res.status}: ${await res.text()}`,
		);
		let writes = [];
		while (Date.now() - t0 < 5000) {
			writes = ctx.standIn.state.writesFor(email);
			if (writes.length > 0) break;
			await sleep(100);
		}
		ctx.timings.webhookToHubSpot = Date.now() - t0;
		assert.ok(
			writes.length > 0,
			`no HubSpot write within 5 s of the signed webhook; log:\n${ctx.server.logs().slice(-3000)}`,
		);
		assert.ok(
			writes.some((w) => w.to === 'SUBSCRIBED'),
			`writes: ${JSON.stringify(writes)}`,
		);
		for (const w of writes.filter((w) => w.to === 'SUBSCRIBED'))
			assert.ok(w.legalBasis, 'a SUBSCRIBED write without a legal basis');
	});

	// In real n8n: the trigger answers Loops before the lookup (noWebhookResponse) and still starts
	// the run, httpRequestWithAuthentication sends the Loops API key from the webhook context, and
	// only the accepted contact's list subscription reaches HubSpot, for the list's type only.
	// Mutation that turns it red: the credential's Authorization header without "Bearer " (Loops'
	// stand-in answers 401, the item stays 'unknown', nothing is written).
	test("Loops opt-in lookup: an accepted contact's list subscription sets the list's type; a pending one writes nothing", async () => {
		assert.ok(ctx.lookupWorkflow, 'the lookup copy of the Loops example was not imported');
		const stamp = Date.now();
		const accepted = `e2e-lookup-accepted-${stamp}@example.com`;
		const pending = `e2e-lookup-pending-${stamp}@example.com`;
		ctx.loopsStandIn.addContact({ email: accepted, optInStatus: 'accepted' });
		ctx.loopsStandIn.addContact({ email: pending, optInStatus: 'pending' });
		const listEvent = (email) => ({
			eventName: 'contact.mailingList.subscribed',
			eventTime: Math.floor(Date.now() / 1000),
			webhookSchemaVersion: '1.0.0',
			contactIdentity: { id: 'cm_e2e_list_contact', email, userId: null },
			mailingList: {
				id: 'cm4ittp2k000l12j3lgrzvlxt',
				name: 'Newsletter',
				description: null,
				isPublic: true,
			},
		});
		for (const email of [accepted, pending]) {
			const answer = await postSignedLoops(ctx.baseUrl, ctx.lookupWorkflow, listEvent(email));
			assert.equal(answer.status, 200, `HTTP ${answer.status}: ${answer.text}`);
			assert.deepEqual(JSON.parse(answer.text), { received: true, started: true });
		}
		const t0 = Date.now();
		let writes = [];
		while (Date.now() - t0 < 10_000) {
			writes = ctx.standIn.state.writesFor(accepted);
			if (writes.length > 0) break;
			await sleep(100);
		}
		ctx.timings.lookupWebhookToHubSpot = Date.now() - t0;
		assert.ok(
			writes.length > 0,
			`no HubSpot write for the accepted contact; log:\n${ctx.server.logs().slice(-3000)}`,
		);
		assert.equal(ctx.standIn.state.getStatus(accepted, 102)?.status, 'SUBSCRIBED');
		assert.notEqual(ctx.standIn.state.getStatus(accepted, 101)?.status, 'SUBSCRIBED');
		await sleep(1500);
		assert.deepEqual(ctx.standIn.state.writesFor(pending), [], 'the pending contact was written');
		const finds = ctx.loopsStandIn.requests.filter((r) => r.path === '/api/v1/contacts/find');
		assert.deepEqual(
			finds.map((r) => [r.query.email, r.authorized]).sort(),
			[
				[accepted, true],
				[pending, true],
			].sort(),
		);
	});
});

/** Posts a Loops delivery signed with the test secret, at the first registered URL of the trigger. */
async function postSignedLoops(baseUrl, workflow, payload) {
	const trigger = workflow.nodes.find((n) => n.type === type('loopsTrigger'));
	const body = JSON.stringify(payload);
	const now = Math.floor(Date.now() / 1000);
	const id = `msg_${randomUUID()}`;
	const signature = createHmac(
		'sha256',
		Buffer.from(TEST_WEBHOOK_SECRET.slice('whsec_'.length), 'base64'),
	)
		.update(`${id}.${now}.${body}`)
		.digest('base64');
	const headers = {
		'content-type': 'application/json',
		'webhook-id': id,
		'webhook-timestamp': String(now),
		'webhook-signature': `v1,${signature}`,
	};
	const deadline = Date.now() + 20_000;
	while (Date.now() < deadline) {
		for (const url of webhookUrls(baseUrl, trigger, workflow.id)) {
			const res = await fetch(url, { method: 'POST', headers, body });
			if (res.status !== 404) return { status: res.status, text: await res.text() };
		}
		await sleep(500);
	}
	return { status: 404, text: 'no registered webhook URL' };
}

/** Production webhook URLs n8n may have registered for a trigger node: `<webhookId>/<path>` or a full path. */
function webhookUrls(baseUrl, node, workflowId) {
	const description = packageNodeTypes().find(
		(n) => type(n.description.name) === node.type,
	)?.description;
	const urls = [];
	for (const hook of description?.webhooks ?? [{ path: 'webhook' }]) {
		let p = String(hook.path ?? '');
		if (p.startsWith('=')) p = String(node.parameters?.path ?? '');
		p = p.replace(/^\/+/, '');
		if (hook.isFullPath) urls.push(`${baseUrl}/webhook/${p}`);
		if (node.webhookId) urls.push(`${baseUrl}/webhook/${node.webhookId}/${p}`);
		urls.push(`${baseUrl}/webhook/${p}`);
		if (workflowId)
			urls.push(
				`${baseUrl}/webhook/${workflowId}/${encodeURIComponent(node.name.toLowerCase())}/${p}`,
			);
	}
	return [...new Set(urls)];
}

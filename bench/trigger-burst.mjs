#!/usr/bin/env node
// Trigger burst: how fast the Loops and Emarsys triggers answer a burst of deliveries, side by
// side with n8n's own Webhook node (with header authentication and without) in the same n8n.
//
//   npm run bench:triggers [-- --burst 200 --rounds 3 --warmup 5 --no-write --profile <dir>]
//
// Starts one n8n 2.x (single process, SQLite) with the packed package installed, imports four
// workflows that differ only in their trigger (Loops Trigger with its signing secret, Emarsys
// Trigger with a JWT secret, Webhook node with Header Auth, Webhook node without auth), each
// followed by a No Operation node, all answering "immediately" (the triggers' default; the Webhook
// node's "onReceived"). Each round fires, per trigger, a few warm-up deliveries and then `burst`
// concurrent POSTs, every one unique (new webhook-id / deduplication_id, fresh token) and built
// before the clock starts; the order of the four rotates between rounds. Per burst: every
// answer's time from its send to its last byte, the median and p95, deliveries answered per
// second (burst / first send to last answer) and the status codes. Between bursts it waits until
// n8n has finished the runs the burst started (counted through n8n's REST API), so one burst's
// runs do not slow the next. Writes bench/trigger-burst.json and the "Trigger burst" part of
// bench/results.json and bench/RESULTS.md. --profile <dir> passes --cpu-prof to the n8n process.
import { createHmac, randomUUID } from 'node:crypto';
import { execSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

import {
	PACKAGE_NAME,
	TEST_SHARED_SECRET,
	TEST_WEBHOOK_SECRET,
	activateWorkflow,
	importJson,
	installedN8nVersion,
	prepareN8nInstance,
	rest,
	setupOwner,
	sleep,
	startN8n,
	waitForN8n,
} from '../e2e/lib/n8n.mjs';
import { ROOT } from '../e2e/lib/runtime.mjs';
import { writeTriggerBurstReport } from './lib/trigger-burst-report.ts';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? args[i + 1] : fallback;
};
const BURST = Number(opt('burst', 200));
const ROUNDS = Number(opt('rounds', 3));
const WARMUP = Number(opt('warmup', 5));
const PROFILE_DIR = opt('profile', undefined);
const WRITE = !args.includes('--no-write');
// An earlier trigger-burst.json (e.g. from before a change) whose summary is reported beside this one.
const BEFORE = opt('before', undefined);
// n8n's expression engine (N8N_EXPRESSION_ENGINE: vm, its default, or legacy), to see its share.
const ENGINE = opt('engine', undefined);
// More of n8n's settings, e.g. --n8n-env N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true (comma-separated).
const N8N_ENV = Object.fromEntries(
	(opt('n8n-env', '') || '')
		.split(',')
		.filter(Boolean)
		.map((pair) => [pair.slice(0, pair.indexOf('=')), pair.slice(pair.indexOf('=') + 1)]),
);
// The triggers' type version (1.1, the default for new nodes, or 1, as older workflows have it).
const TRIGGER_VERSION = Number(opt('trigger-version', 1.1));
// A comma-separated subset of loops,emarsys,webhookHeaderAuth,webhookNoAuth (for quick looks).
const ONLY = opt('only', undefined)?.split(',');
// Saves as bench/trigger-burst.<name>.json, a variant shown beside the main comparison (e.g. other
// n8n settings), instead of bench/trigger-burst.json.
const SAVE_AS = opt('save-as', undefined);
/** The command as run, less --before (it only adds an earlier run's figures to the report). */
function commandLine() {
	const shown = args.filter((a, i) => a !== '--before' && args[i - 1] !== '--before');
	return `npm run bench:triggers${shown.length ? ` -- ${shown.join(' ')}` : ''}`;
}
const say = (m) => process.stdout.write(`[trigger-burst] ${m}\n`);

const HEADER_NAME = 'X-Bench-Token';
const HEADER_VALUE = 'bench-header-secret-not-for-production';
const JWT_SECRET = TEST_SHARED_SECRET;

// ---------------------------------------------------------------------------------------------
// credentials and workflows

const credentials = [
	{
		id: 'burstLoopsSign01',
		name: 'Loops signing (bench)',
		type: 'loopsWebhookSigningApi',
		data: { signingSecret: TEST_WEBHOOK_SECRET },
	},
	{
		id: 'burstEmarsysJwt1',
		name: 'Emarsys JWT (bench)',
		type: 'emarsysWebhookJwtApi',
		data: { secret: JWT_SECRET, keyEncoding: 'utf8', algorithms: ['HS256', 'HS384', 'HS512'] },
	},
	{
		id: 'burstHeaderAuth1',
		name: 'Header Auth (bench)',
		type: 'httpHeaderAuth',
		data: { name: HEADER_NAME, value: HEADER_VALUE },
	},
];
const credRef = (id) => {
	const c = credentials.find((x) => x.id === id);
	return { [c.type]: { id: c.id, name: c.name } };
};

/** Trigger → No Operation: the four workflows differ only in their first node. */
function workflow(id, name, trigger) {
	return {
		id,
		name: `burst: ${name}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{ id: randomUUID(), position: [0, 0], webhookId: randomUUID(), ...trigger },
			{
				id: randomUUID(),
				name: 'No Operation',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [220, 0],
				parameters: {},
			},
		],
		connections: {
			[trigger.name]: { main: [[{ node: 'No Operation', type: 'main', index: 0 }]] },
		},
	};
}

const webhookNode = (hookPath, auth) => ({
	name: 'Webhook',
	type: 'n8n-nodes-base.webhook',
	typeVersion: 2,
	parameters: {
		httpMethod: 'POST',
		path: hookPath,
		responseMode: 'onReceived',
		...(auth ? { authentication: 'headerAuth' } : {}),
		options: {},
	},
	...(auth ? { credentials: credRef('burstHeaderAuth1') } : {}),
});

// ---------------------------------------------------------------------------------------------
// deliveries: realistic bodies of similar size, each unique

function loopsEvent(i) {
	const email = `burst-${i}-${randomUUID().slice(0, 8)}@example.com`;
	const id = `cm${randomUUID().replace(/-/g, '').slice(0, 23)}`;
	return {
		eventName: 'contact.created',
		eventTime: Math.floor(Date.now() / 1000),
		webhookSchemaVersion: '1.0.0',
		contactIdentity: { id, email, userId: null },
		contact: {
			id,
			email,
			firstName: 'Ada',
			lastName: 'Lovelace',
			source: 'form',
			subscribed: true,
			userGroup: 'newsletter',
			userId: null,
			mailingLists: { cm4ittp2k000l12j3lgrzvlxt: true },
			optInStatus: 'accepted',
		},
	};
}

function emarsysContact(i) {
	return {
		email_address: `burst-${i}-${randomUUID().slice(0, 8)}@example.com`,
		first_name: 'Ada',
		last_name: 'Lovelace',
		optin: '1',
		country: 'United Kingdom',
		language: 'en',
		event_time: new Date().toISOString(),
		deduplication_id: randomUUID(),
		ems_program_id: '1234567890',
		event_data: { program: 'Double opt-in', step: 'confirmed', source: 'website form' },
	};
}

function signLoops(body) {
	const id = `msg_${randomUUID()}`;
	const now = String(Math.floor(Date.now() / 1000));
	const key = Buffer.from(TEST_WEBHOOK_SECRET.slice('whsec_'.length), 'base64');
	const signature = createHmac('sha256', key).update(`${id}.${now}.${body}`).digest('base64');
	return { 'webhook-id': id, 'webhook-timestamp': now, 'webhook-signature': `v1,${signature}` };
}

function hs256Token(claims) {
	const encode = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
	const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
	const signature = createHmac('sha256', JWT_SECRET).update(unsigned).digest('base64url');
	return `${unsigned}.${signature}`;
}

const TARGETS = [
	{
		key: 'loops',
		label: 'Loops Trigger (signed, Standard Webhooks)',
		workflow: workflow('burstLoopsTrig01', 'Loops Trigger', {
			name: 'Loops Trigger',
			type: `${PACKAGE_NAME}.loopsTrigger`,
			typeVersion: TRIGGER_VERSION,
			parameters: {},
			credentials: credRef('burstLoopsSign01'),
		}),
		urlPath: (node) => `${node.webhookId}/loops`,
		request(i) {
			const body = JSON.stringify(loopsEvent(i));
			return { body, headers: signLoops(body) };
		},
	},
	{
		key: 'emarsys',
		label: 'Emarsys Trigger (JWT HS256)',
		workflow: workflow('burstEmarsysTr01', 'Emarsys Trigger', {
			name: 'Emarsys Trigger',
			type: `${PACKAGE_NAME}.emarsysTrigger`,
			typeVersion: TRIGGER_VERSION,
			parameters: { authentication: 'jwt' },
			credentials: credRef('burstEmarsysJwt1'),
		}),
		urlPath: (node) => `${node.webhookId}/emarsys`,
		request(i) {
			const now = Math.floor(Date.now() / 1000);
			const token = hs256Token({ iss: 'emarsys', iat: now, exp: now + 300, jti: randomUUID() });
			return {
				body: JSON.stringify(emarsysContact(i)),
				headers: { authorization: `Bearer ${token}` },
			};
		},
	},
	{
		key: 'webhookHeaderAuth',
		label: "n8n's Webhook node, Header Auth",
		workflow: workflow(
			'burstWebhookHdr1',
			'Webhook header auth',
			webhookNode('burst-header', true),
		),
		urlPath: () => 'burst-header',
		request(i) {
			return {
				body: JSON.stringify(loopsEvent(i)),
				headers: { [HEADER_NAME.toLowerCase()]: HEADER_VALUE },
			};
		},
	},
	{
		key: 'webhookNoAuth',
		label: "n8n's Webhook node, no auth",
		workflow: workflow('burstWebhookNo01', 'Webhook no auth', webhookNode('burst-open', false)),
		urlPath: () => 'burst-open',
		request(i) {
			return { body: JSON.stringify(loopsEvent(i)), headers: {} };
		},
	},
];

// ---------------------------------------------------------------------------------------------
// the burst

/** One POST on its own connection; resolves { status, ms } (ms from send to the answer's last byte). */
function post(url, { body, headers }) {
	return new Promise((resolve) => {
		const started = performance.now();
		const req = http.request(
			url,
			{
				method: 'POST',
				agent: false,
				headers: {
					'content-type': 'application/json',
					'content-length': Buffer.byteLength(body),
					...headers,
				},
			},
			(res) => {
				res.resume();
				res.on('end', () =>
					resolve({
						status: res.statusCode,
						ms: performance.now() - started,
						end: performance.now(),
					}),
				);
			},
		);
		req.on('error', (error) =>
			resolve({ status: `error ${error.code ?? error.message}`, ms: performance.now() - started }),
		);
		req.end(body);
	});
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const median = (values) => {
	const s = [...values].sort((a, b) => a - b);
	const mid = Math.floor(s.length / 2);
	return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
};
const round1 = (n) => Math.round(n * 10) / 10;

async function burst(url, target, count) {
	const requests = Array.from({ length: count }, (_, i) => target.request(i));
	const bodyBytes = median(requests.map((r) => Buffer.byteLength(r.body)));
	const first = performance.now();
	const answers = await Promise.all(requests.map((r) => post(url, r)));
	const last = Math.max(...answers.map((a) => a.end ?? performance.now()));
	const times = answers.map((a) => a.ms).sort((a, b) => a - b);
	const statuses = {};
	for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
	return {
		deliveries: count,
		bodyBytes,
		medianMs: round1(median(times)),
		p95Ms: round1(quantile(times, 0.95)),
		maxMs: round1(times[times.length - 1]),
		answeredPerSecond: round1(count / ((last - first) / 1000)),
		statuses,
		all2xx: answers.every((a) => typeof a.status === 'number' && a.status >= 200 && a.status < 300),
	};
}

async function executionCount(ctx, workflowId) {
	const filter = encodeURIComponent(JSON.stringify({ workflowId }));
	const r = await rest(ctx.baseUrl, 'GET', `/rest/executions?filter=${filter}&limit=1`, {
		cookie: ctx.cookie,
	});
	return r.ok ? (r.json?.data?.count ?? r.json?.count) : undefined;
}

/** Waits until the workflow has `expected` finished runs (or 120 s); returns the count seen. */
async function waitForRuns(ctx, workflowId, expected) {
	const deadline = Date.now() + 120_000;
	let count;
	while (Date.now() < deadline) {
		count = await executionCount(ctx, workflowId);
		if (count === undefined || count >= expected) break;
		await sleep(250);
	}
	// Runs still saving their last rows: a moment for n8n to settle before the next burst.
	await sleep(1000);
	return count;
}

async function waitUntilRegistered(url, target) {
	const deadline = Date.now() + 30_000;
	while (Date.now() < deadline) {
		const answer = await post(url, target.request(0));
		if (answer.status !== 404) return answer.status;
		await sleep(500);
	}
	throw new Error(`${url} was never registered`);
}

// ---------------------------------------------------------------------------------------------

const ctx = await prepareN8nInstance({ label: 'trigger-burst', major: '2', node: '24' });
if (ENGINE) ctx.env.N8N_EXPRESSION_ENGINE = ENGINE;
Object.assign(ctx.env, N8N_ENV);
if (PROFILE_DIR) ctx.env.NODE_OPTIONS = `--cpu-prof --cpu-prof-dir=${path.resolve(PROFILE_DIR)}`;
let server;
const rounds = [];
const runs = {};
try {
	await importJson('2', 'credentials', credentials, ctx.env);
	await importJson(
		'2',
		'workflow',
		TARGETS.map((t) => t.workflow),
		ctx.env,
	);
	for (const t of TARGETS) await activateWorkflow('2', t.workflow.id, ctx.env);
	server = startN8n({
		major: '2',
		env: ctx.env,
		logFile: path.join(ctx.userFolder, 'n8n.log'),
	});
	await waitForN8n(ctx.baseUrl, { handle: server, timeoutMs: 180_000 });
	ctx.cookie = await setupOwner(ctx.baseUrl, {
		email: 'owner@example.com',
		firstName: 'Bench',
		lastName: 'Owner',
		password: 'Bench-password-123',
	});
	for (const t of TARGETS) {
		t.url = `${ctx.baseUrl}/webhook/${t.urlPath(t.workflow.nodes[0])}`;
		const status = await waitUntilRegistered(t.url, t);
		if (status < 200 || status >= 300) throw new Error(`${t.label}: first delivery got ${status}`);
		runs[t.key] = 1;
	}
	for (let r = 0; r < ROUNDS; r++) {
		const order = TARGETS.map((_, i) => TARGETS[(i + r) % TARGETS.length]).filter(
			(t) => !ONLY || ONLY.includes(t.key),
		);
		const results = {};
		for (const t of order) {
			for (let w = 0; w < WARMUP; w++) await post(t.url, t.request(w));
			runs[t.key] += WARMUP;
			await waitForRuns(ctx, t.workflow.id, runs[t.key]);
			const result = await burst(t.url, t, BURST);
			runs[t.key] += BURST;
			result.runsCounted = await waitForRuns(ctx, t.workflow.id, runs[t.key]);
			result.runsExpected = runs[t.key];
			say(`round ${r + 1} ${t.key}: ${JSON.stringify(result)}`);
			results[t.key] = result;
		}
		rounds.push({ order: order.map((t) => t.key), results });
	}
} finally {
	await server?.stop();
	if (process.env.E2E_KEEP !== '1') rmSync(ctx.userFolder, { recursive: true, force: true });
}

const summary = {};
for (const t of TARGETS) {
	const per = rounds.map((r) => r.results[t.key]).filter(Boolean);
	if (per.length === 0) continue;
	summary[t.key] = {
		label: t.label,
		medianMs: round1(median(per.map((p) => p.medianMs))),
		p95Ms: round1(median(per.map((p) => p.p95Ms))),
		answeredPerSecond: round1(median(per.map((p) => p.answeredPerSecond))),
		all2xx: per.every((p) => p.all2xx),
		runsAsExpected: per.every((p) => p.runsCounted === p.runsExpected),
		bodyBytes: per[0].bodyBytes,
	};
}
const ratio = (key) =>
	summary[key] && summary.webhookHeaderAuth
		? Number((summary[key].medianMs / summary.webhookHeaderAuth.medianMs).toFixed(2))
		: undefined;
const out = {
	command: commandLine(),
	measuredAt: new Date().toISOString(),
	n8n: installedN8nVersion('2'),
	machine: {
		cpus: os.cpus().length,
		cpuModel: os.cpus()[0]?.model,
		loadAverageAtEnd: os.loadavg().map((l) => Number(l.toFixed(2))),
	},
	expressionEngine: ENGINE ?? "n8n's default (vm)",
	n8nEnv: N8N_ENV,
	triggerTypeVersion: TRIGGER_VERSION,
	setup:
		'one n8n process (SQLite), four active workflows trigger → No Operation, all answering immediately',
	burst: BURST,
	warmup: WARMUP,
	rounds: ROUNDS,
	summary,
	ratios: {
		target: 1.2,
		loopsOverWebhookHeaderAuth: ratio('loops'),
		emarsysOverWebhookHeaderAuth: ratio('emarsys'),
	},
	commit: execSync('git rev-parse --short HEAD', { cwd: ROOT, encoding: 'utf8' }).trim(),
	perRound: rounds,
};
if (BEFORE) {
	const before = JSON.parse(readFileSync(BEFORE, 'utf8'));
	out.before = {
		commit: before.commit,
		measuredAt: before.measuredAt,
		summary: before.summary,
		ratios: before.ratios,
	};
}
say(JSON.stringify({ summary, ratios: out.ratios }, null, 2));
if (WRITE && !ONLY) {
	const file = SAVE_AS ? `trigger-burst.${SAVE_AS}.json` : 'trigger-burst.json';
	writeFileSync(path.join(ROOT, 'bench', file), `${JSON.stringify(out, null, 2)}\n`);
	writeTriggerBurstReport(path.join(ROOT, 'bench'));
	say(`written: bench/${file}, bench/results.json (triggerBurst), bench/RESULTS.md`);
}

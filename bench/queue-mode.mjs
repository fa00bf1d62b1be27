#!/usr/bin/env node
// Queue-mode benchmark: one HubSpot budget across n8n workers.
//
//   npm run bench:queue [-- --writes 2000 --executions 20 --skip-process-local]
//
// Starts n8n 2.x in queue mode (e2e/lib/queue.mjs: Redis, Postgres, main, one webhook processor,
// two workers) and, for each run, a HubSpot stand-in allowing 100 requests per 10 s per token. A
// workflow (Webhook → Split Out → HubSpot Subscription Status → Set, one request per item) gets
// `executions` concurrent webhook calls of writes/executions addresses each; the workers share
// them. Runs twice on the same cluster: with HubSpot's X-HubSpot-RateLimit-Remaining header (the
// package's shared budget) and without it (each worker has only its own window: the process-local
// result). Reports writes lost, requests answered 429 and the wall time against the rate-limit
// bound (writes / 100 per 10 s), writes bench/queue-mode.json and carries it into results.json
// and RESULTS.md. Needs Redis and PostgreSQL (Debian: apt-get install -y redis-server postgresql)
// and n8n 2.x (node scripts/install-n8n.mjs 2).
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import path from 'node:path';

import { startHubSpotStandIn } from '../test/hubspot-standin/index.ts';
import {
	HUBSPOT_CREDENTIAL_ID,
	HUBSPOT_CREDENTIAL_TYPE,
	PACKAGE_NAME,
	activateWorkflow,
	credentialFor,
	importJson,
	installedN8nVersion,
	packageCredentialTypes,
	sleep,
} from '../e2e/lib/n8n.mjs';
import { missingServices, removeClusterFolder, startQueueCluster } from '../e2e/lib/queue.mjs';
import { ROOT } from '../e2e/lib/runtime.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? Number(args[i + 1]) : fallback;
};
const WRITES = opt('writes', 2000);
const EXECUTIONS = opt('executions', 20);
const LIMIT = { maxRequests: 100, windowMs: 10_000 };
const say = (m) => process.stdout.write(`[queue-bench] ${m}\n`);

function workflow(id, credential, hookPath) {
	return {
		id,
		name: `queue bench ${id}`,
		active: false,
		settings: { executionOrder: 'v1' },
		nodes: [
			{
				id: randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [0, 0],
				webhookId: randomUUID(),
				parameters: { httpMethod: 'POST', path: hookPath, responseMode: 'onReceived', options: {} },
			},
			{
				id: randomUUID(),
				name: 'One item per address',
				type: 'n8n-nodes-base.splitOut',
				typeVersion: 1,
				position: [220, 0],
				parameters: { fieldToSplitOut: 'body.people', include: 'noOtherFields', options: {} },
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
					legalBasisExplanation: 'Double opt-in confirmed (queue bench)',
					options: { allowResubscribe: true },
					requestSettings: { batchMode: 'never', maxRetryWaitSeconds: 120 },
				},
				credentials: { [HUBSPOT_CREDENTIAL_TYPE]: { id: credential.id, name: credential.name } },
			},
		],
		connections: {
			Webhook: { main: [[{ node: 'One item per address', type: 'main', index: 0 }]] },
			'One item per address': {
				main: [[{ node: 'Subscribe in HubSpot', type: 'main', index: 0 }]],
			},
		},
	};
}

async function post(url, body) {
	for (let attempt = 0; ; attempt++) {
		const res = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json' },
			body: JSON.stringify(body),
		});
		await res.text();
		if (res.status !== 404 || attempt > 60) return res.status;
		await sleep(500); // the webhook processor has not registered the workflow yet
	}
}

async function run(cluster, label, standIn, hookPath) {
	const perExecution = Math.ceil(WRITES / EXECUTIONS);
	const emails = Array.from({ length: WRITES }, (_, i) => `${label}-${i}@example.com`);
	const written = () =>
		emails.filter((e) => standIn.state.getStatus(e, 101)?.status === 'SUBSCRIBED').length;
	const started = Date.now();
	const statuses = await Promise.all(
		Array.from({ length: EXECUTIONS }, (_, x) =>
			post(`${cluster.webhookUrl}/webhook/${hookPath}`, {
				people: emails.slice(x * perExecution, (x + 1) * perExecution).map((email) => ({ email })),
			}),
		),
	);
	let done = written();
	let lastChange = Date.now();
	while (done < WRITES && Date.now() - lastChange < 90_000) {
		await sleep(500);
		const now = written();
		if (now !== done) lastChange = Date.now();
		done = now;
	}
	const wallMs = (done === WRITES ? Date.now() : lastChange) - started;
	const api = standIn.requests.filter((r) => !r.path.startsWith('/oauth/'));
	const rejected = api.filter((r) => r.status === 429).length;
	const boundMs = (WRITES / LIMIT.maxRequests) * LIMIT.windowMs;
	const result = {
		label,
		writes: WRITES,
		executions: EXECUTIONS,
		webhookAnswers: [...new Set(statuses)],
		lost: WRITES - done,
		requests: api.length,
		answered429: rejected,
		share429: Number((rejected / Math.max(1, api.length)).toFixed(4)),
		wallSeconds: Number((wallMs / 1000).toFixed(1)),
		boundSeconds: boundMs / 1000,
		wallOverBound: Number((wallMs / boundMs).toFixed(3)),
	};
	say(JSON.stringify(result));
	return result;
}

if (missingServices().length) throw new Error(`missing: ${missingServices().join(', ')}`);
const shared = await startHubSpotStandIn({ rateLimit: LIMIT });
const local = await startHubSpotStandIn({ rateLimit: { ...LIMIT, remainingHeader: false } });
const cluster = await startQueueCluster({ log: say });
const results = [];
try {
	const types = new Map(packageCredentialTypes().map((t) => [t.name, t]));
	const sharedCredential = credentialFor(types.get(HUBSPOT_CREDENTIAL_TYPE), {
		hubspotUrl: shared.url,
	});
	const localCredential = {
		...credentialFor(types.get(HUBSPOT_CREDENTIAL_TYPE), { hubspotUrl: local.url }),
		id: `${HUBSPOT_CREDENTIAL_ID.slice(0, 10)}Local1`,
		name: 'HubSpot stand-in without Remaining',
	};
	const env = cluster.env('main');
	await importJson('2', 'credentials', [sharedCredential, localCredential], env);
	await importJson(
		'2',
		'workflow',
		[
			workflow('queueBenchShared', sharedCredential, 'bench-shared'),
			workflow('queueBenchLocal1', localCredential, 'bench-local'),
		],
		env,
	);
	await activateWorkflow('2', 'queueBenchShared', env);
	await activateWorkflow('2', 'queueBenchLocal1', env);
	await cluster.startN8nProcesses();
	results.push(await run(cluster, 'shared', shared, 'bench-shared'));
	if (!args.includes('--skip-process-local'))
		results.push(await run(cluster, 'process-local', local, 'bench-local'));
} finally {
	await cluster.stop();
	await shared.close();
	await local.close();
	removeClusterFolder(cluster);
}
const out = {
	command: `node --import tsx bench/queue-mode.mjs --writes ${WRITES} --executions ${EXECUTIONS}`,
	n8n: installedN8nVersion('2'),
	cluster: 'main + 1 webhook processor + 2 workers, Redis, Postgres (queue mode)',
	limit: `${LIMIT.maxRequests} requests per ${LIMIT.windowMs / 1000} s per token`,
	measuredAt: new Date().toISOString(),
	results,
};
writeFileSync(path.join(ROOT, 'bench', 'queue-mode.json'), `${JSON.stringify(out, null, 2)}\n`);
say('written: bench/queue-mode.json');
// results.json and RESULTS.md carry these figures beside the single-process ones.
const report = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--report'], {
	cwd: ROOT,
	stdio: 'inherit',
});
if (report.status !== 0) process.exitCode = 1;
else say('updated: bench/results.json and bench/RESULTS.md');

#!/usr/bin/env node
// npm run dev: this package inside a real n8n 2.x, against a local HubSpot sandbox (the stand-in).
//
//   1. builds the package (npm run build) and installs n8n 2.x if needed (scripts/install-n8n.mjs);
//   2. starts the HubSpot stand-in on port 4010 (or a free one) as a local sandbox account;
//   3. installs the packed package into .n8n-dev/.n8n/nodes like a community package;
//   4. imports the credential "HubSpot sandbox" and the example workflows (examples/*.json, with test
//      credentials for the triggers they use) with n8n's CLI;
//   5. starts n8n on http://localhost:5678 (or the next free port) and waits until it is ready.
// Ctrl-C (SIGINT) or SIGTERM stops n8n (with its task broker and runners) and the stand-in.
//
//   node scripts/dev.mjs [--port 5678] [--hubspot-port 4010] [--skip-build] [--reimport-examples]
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

import {
	HUBSPOT_SANDBOX_TOKEN,
	PACKAGE_NAME,
	TEST_SHARED_SECRET,
	TEST_WEBHOOK_SECRET,
	credentialsForExamples,
	freePort,
	importJson,
	installPackageInto,
	installedN8nVersion,
	listExamples,
	n8nEnv,
	prepareWorkflow,
	signalGroup,
	sleep,
	startN8n,
	waitForN8n,
} from '../e2e/lib/n8n.mjs';
import { ROOT, runtimeDir } from '../e2e/lib/runtime.mjs';
import { installN8n } from './install-n8n.mjs';

const MAJOR = '2';
const USER_FOLDER = path.join(ROOT, '.n8n-dev');
const args = process.argv.slice(2);
const opt = (name, fallback) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? Number(args[i + 1]) : fallback;
};
const say = (message) => process.stdout.write(`[dev] ${message}\n`);
const t0 = Date.now();

const started = { n8n: undefined, standIn: undefined };
let stopping = false;

async function stopAll(reason, code = 0) {
	if (stopping) return;
	stopping = true;
	say(`${reason}: stopping n8n and the HubSpot stand-in ...`);
	await started.n8n?.stop({ timeoutMs: 10_000 });
	if (started.standIn) {
		signalGroup(started.standIn.pid, 'SIGTERM');
		await Promise.race([started.standIn.exited, sleep(3000)]);
		signalGroup(started.standIn.pid, 'SIGKILL');
	}
	say('stopped.');
	process.exit(code);
}
process.on('SIGINT', () => void stopAll('SIGINT', 130));
process.on('SIGTERM', () => void stopAll('SIGTERM', 143));
process.on('SIGHUP', () => void stopAll('SIGHUP', 129));
// `npm run dev` gets SIGTERM and exits without passing it on (seen with npm 11): when the process
// that started this one goes away, this one is reparented; stop then too.
const parentAtStart = process.ppid;
setInterval(() => {
	if (process.ppid !== parentAtStart) void stopAll('parent process exited', 0);
}, 1000).unref();
// Last resort if this process dies some other way: no orphans in the background.
process.on('exit', () => {
	if (started.n8n && !started.n8n.exited) signalGroup(started.n8n.pid, 'SIGKILL');
	if (started.standIn) signalGroup(started.standIn.pid, 'SIGKILL');
});

/** The stand-in as its own process group (npx tsx test/hubspot-standin/cli.ts), resolved once it listens. */
function startStandIn(port) {
	return new Promise((resolve, reject) => {
		const child = spawn(
			process.execPath,
			['--import', 'tsx', path.join('test', 'hubspot-standin', 'cli.ts'), '--port', String(port)],
			{
				cwd: ROOT,
				detached: true,
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		let out = '';
		const exited = new Promise((r) => child.on('exit', r));
		const onData = (chunk) => {
			out += chunk;
			const m = /listening at (http:\/\/\S+)/.exec(out);
			if (m) resolve({ pid: child.pid, url: m[1], exited, child });
		};
		child.stdout.on('data', onData);
		child.stderr.on('data', (c) => (out += c));
		child.on('exit', (code) => reject(new Error(`the HubSpot stand-in exited (${code}):\n${out}`)));
	});
}

function fileHash(value) {
	return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}

async function main() {
	if (!args.includes('--skip-build')) {
		say('building the package (npm run build) ...');
		const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
		if (r.status !== 0) throw new Error('npm run build failed');
	}
	installN8n(MAJOR);

	const hubspotPort = await freePort(opt('hubspot-port', 4010));
	started.standIn = await startStandIn(hubspotPort);
	const hubspotUrl = started.standIn.url;
	say(`HubSpot stand-in (local sandbox account) at ${hubspotUrl}`);

	const port = await freePort(opt('port', 5678));
	const brokerPort = await freePort(port === 5678 ? 5679 : port + 1);
	const env = n8nEnv({ major: MAJOR, userFolder: USER_FOLDER, port, brokerPort });
	mkdirSync(USER_FOLDER, { recursive: true });

	const { files } = installPackageInto(USER_FOLDER, { linkWorkflowFrom: runtimeDir(MAJOR) });
	say(
		`installed ${PACKAGE_NAME} (${files.length} files) into ${path.relative(ROOT, USER_FOLDER)}/.n8n/nodes`,
	);

	// Credentials: the HubSpot sandbox one, and one for each other credential type the examples use.
	const examples = listExamples();
	const credentials = credentialsForExamples(examples, { hubspotUrl });
	await importJson(MAJOR, 'credentials', Object.values(credentials), env);
	say(
		`credentials: ${Object.values(credentials)
			.map((c) => `"${c.name}" (${c.type}, id ${c.id})`)
			.join(', ')}`,
	);

	// Examples: imported when new or changed since the last import, so edits made in the editor survive restarts.
	const ledgerFile = path.join(USER_FOLDER, 'imported-examples.json');
	const ledger = existsSync(ledgerFile) ? JSON.parse(readFileSync(ledgerFile, 'utf8')) : {};
	const toImport = [];
	const prepared = examples.map((e) => ({ example: e, workflow: prepareWorkflow(e, credentials) }));
	for (const { example, workflow } of prepared) {
		const hash = fileHash(example.workflow);
		if (args.includes('--reimport-examples') || ledger[example.file] !== hash) {
			toImport.push(workflow);
			ledger[example.file] = hash;
		}
	}
	if (toImport.length > 0) {
		await importJson(MAJOR, 'workflow', toImport, env);
		writeFileSync(ledgerFile, `${JSON.stringify(ledger, null, 2)}\n`);
	}
	say(
		examples.length === 0
			? 'no example workflows in examples/ yet'
			: `example workflows: ${prepared.map(({ workflow }) => `"${workflow.name}"`).join(', ')}${toImport.length < prepared.length ? ` (${prepared.length - toImport.length} unchanged, kept as edited; --reimport-examples to reset)` : ''}`,
	);

	say(
		`starting n8n ${installedN8nVersion(MAJOR)} (log: ${path.relative(ROOT, path.join(USER_FOLDER, 'n8n.log'))}) ...`,
	);
	const baseUrl = `http://localhost:${port}`;
	started.n8n = startN8n({ major: MAJOR, env, logFile: path.join(USER_FOLDER, 'n8n.log') });
	started.n8n.exitPromise.then((info) => {
		if (!stopping)
			void stopAll(`n8n exited (${info.code ?? info.signal}); see .n8n-dev/n8n.log`, 1);
	});
	await waitForN8n(baseUrl, { handle: started.n8n, timeoutMs: 180_000 });

	const loops = prepared.find(({ workflow }) =>
		workflow.nodes.some((n) => n.type === `${PACKAGE_NAME}.loopsTrigger`),
	);
	const lines = [
		'',
		`  n8n ${installedN8nVersion(MAJOR)} is ready (${((Date.now() - t0) / 1000).toFixed(0)} s):  ${baseUrl}`,
		'',
		'  Next:',
		`  1. Open ${baseUrl} and create the owner account (first visit only; stored in .n8n-dev/).`,
		'  2. Add a node, search "HubSpot Subscriptions"; the credential "HubSpot sandbox" is already there.',
		`     It talks to the local HubSpot stand-in at ${hubspotUrl} (token ${HUBSPOT_SANDBOX_TOKEN}):`,
		'     subscription types 101-104 (brand 0) and 201-202 (brand 12345), nothing real.',
		`     See its state: curl ${hubspotUrl}/_standin/state   Reset it: curl -X POST ${hubspotUrl}/_standin/reset`,
		...(prepared.length
			? [`  3. The example workflows are under Overview (${prepared.length}).`]
			: []),
		...(loops
			? [
					`     "${loops.workflow.name}": activate it, then send it Loops webhooks signed with the test secret`,
					`     ${TEST_WEBHOOK_SECRET} (credential "${credentials.loopsWebhookSigningApi?.name ?? 'Loops'}").`,
				]
			: []),
		...(Object.keys(credentials).some((t) => /emarsys/i.test(t))
			? [`     Emarsys test credentials use the secret "${TEST_SHARED_SECRET}".`]
			: []),
		`  After a code change: Ctrl-C and npm run dev again (it rebuilds and reinstalls the package).`,
		'  Stop: Ctrl-C (stops n8n, its task runners and the stand-in).',
		'',
	];
	process.stdout.write(`${lines.join('\n')}\n`);
}

main().catch((error) => {
	process.stderr.write(`[dev] ${error instanceof Error ? error.message : String(error)}\n`);
	void stopAll('error', 1);
});

// Driving a real n8n (installed by scripts/install-n8n.mjs) with this package loaded: the user folder,
// the community-style install of the packed package, credentials built from package.json's list,
// the example workflows, the CLI (import, publish, execute) and the server (start, readiness, stop,
// owner setup). Shared by scripts/dev.mjs and e2e/*.test.mjs. Node built-ins only.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
	createWriteStream,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readFileSync,
	readdirSync,
	realpathSync,
	rmSync,
	symlinkSync,
	writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import {
	ROOT,
	installedN8nVersion,
	isInstalled,
	n8nBin,
	nodeBinFor,
	runtimeDir,
	runtimeEnv,
} from './runtime.mjs';

const require = createRequire(import.meta.url);

/** The package under test: this repository, or E2E_PACKAGE_DIR (a built copy, e.g. with other nodes listed). */
export const PACKAGE_DIR = process.env.E2E_PACKAGE_DIR
	? path.resolve(process.env.E2E_PACKAGE_DIR)
	: ROOT;
export const PACKAGE_JSON = JSON.parse(
	readFileSync(path.join(PACKAGE_DIR, 'package.json'), 'utf8'),
);
export const PACKAGE_NAME = PACKAGE_JSON.name;

export const HUBSPOT_CREDENTIAL_TYPE = 'hubSpotSubscriptionsApi';
export const HUBSPOT_CREDENTIAL_ID = 'hsSandbox0000001';
export const HUBSPOT_CREDENTIAL_NAME = 'HubSpot sandbox';
export const HUBSPOT_SANDBOX_TOKEN = 'pat-standin-enterprise';

/** Test signing secret for webhook triggers (Standard Webhooks format, as Loops shows it). Never a real one. */
export const TEST_WEBHOOK_SECRET = `whsec_${Buffer.from('n8n-nodes-hubspot-subscriptions!').toString('base64')}`;
/** Test shared secret for other triggers' secret fields (e.g. a JWT secret). Never a real one. */
export const TEST_SHARED_SECRET = 'local-test-secret-not-for-production';

// ---------------------------------------------------------------------------------------------
// small utilities

export function sleep(ms) {
	return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function freePort(preferred) {
	const tryPort = (port) =>
		new Promise((resolve) => {
			const srv = net.createServer();
			srv.once('error', () => resolve(undefined));
			srv.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
				const { port: got } = srv.address();
				srv.close(() => resolve(got));
			});
		});
	if (preferred) {
		const got = await tryPort(preferred);
		if (got) return got;
	}
	return await tryPort(0);
}

/** A 16-character n8n-style id derived from a name, so re-imports overwrite instead of duplicating. */
export function stableId(prefix, name) {
	const digest = createHash('sha256').update(name).digest('hex');
	return `${prefix}${digest}`.replace(/[^A-Za-z0-9]/g, '').slice(0, 16);
}

// ---------------------------------------------------------------------------------------------
// the package, installed the way n8n installs a community package

/**
 * Packs the built package (`npm pack`, so only what package.json's "files" publishes goes in) and
 * unpacks it into `<userFolder>/.n8n/nodes/node_modules/<name>`, where n8n 1.x and 2.x look for
 * community packages. Node types are then `<package name>.<node name>`, as for users.
 *
 * `linkWorkflowFrom`: a folder whose node_modules has the n8n-workflow that n8n runs with. Needed
 * when the user folder sits inside this repository (npm run dev): Node's lookup would otherwise
 * walk up from the package into the repo's own node_modules and load the dev copy of n8n-workflow,
 * not n8n's (n8n's NODE_PATH only applies after that walk finds nothing).
 */
export function installPackageInto(userFolder, { linkWorkflowFrom } = {}) {
	for (const rel of [
		...(PACKAGE_JSON.n8n?.nodes ?? []),
		...(PACKAGE_JSON.n8n?.credentials ?? []),
	]) {
		if (!existsSync(path.join(PACKAGE_DIR, rel)))
			throw new Error(`${rel} is listed in package.json but not built: run npm run build`);
	}
	const nodesDir = path.join(userFolder, '.n8n', 'nodes');
	const target = path.join(nodesDir, 'node_modules', PACKAGE_NAME);
	rmSync(target, { recursive: true, force: true });
	mkdirSync(target, { recursive: true });
	const packDir = mkdtempSync(path.join(os.tmpdir(), 'n8n-pack-'));
	try {
		const pack = spawnSync(
			'npm',
			['pack', '--json', '--ignore-scripts', '--pack-destination', packDir],
			{ cwd: PACKAGE_DIR, encoding: 'utf8' },
		);
		if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
		const [{ filename, files }] = JSON.parse(pack.stdout);
		const untar = spawnSync(
			'tar',
			['xzf', path.join(packDir, filename), '--strip-components=1', '-C', target],
			{ encoding: 'utf8' },
		);
		if (untar.status !== 0) throw new Error(`tar failed: ${untar.stderr}`);
		writeFileSync(
			path.join(nodesDir, 'package.json'),
			`${JSON.stringify({ name: 'installed-nodes', private: true, dependencies: { [PACKAGE_NAME]: PACKAGE_JSON.version } }, null, 2)}\n`,
		);
		if (linkWorkflowFrom) {
			const workflowDir = realpathSync(path.join(linkWorkflowFrom, 'node_modules', 'n8n-workflow'));
			const link = path.join(nodesDir, 'node_modules', 'n8n-workflow');
			rmSync(link, { recursive: true, force: true });
			symlinkSync(workflowDir, link, 'dir');
		}
		return { target, files: files.map((f) => f.path) };
	} finally {
		rmSync(packDir, { recursive: true, force: true });
	}
}

// ---------------------------------------------------------------------------------------------
// credentials and example workflows

/** The credential classes package.json lists, loaded from dist (`{ name, displayName, properties, extends }`). */
export function packageCredentialTypes() {
	const types = [];
	for (const rel of PACKAGE_JSON.n8n?.credentials ?? []) {
		const mod = require(path.join(PACKAGE_DIR, rel));
		for (const Exported of Object.values(mod)) {
			if (typeof Exported !== 'function') continue;
			try {
				const instance = new Exported();
				if (instance && typeof instance.name === 'string' && Array.isArray(instance.properties))
					types.push(instance);
			} catch {
				// not a credential class
			}
		}
	}
	return types;
}

/** The node classes package.json lists, loaded from dist (`{ description, ... }`). */
export function packageNodeTypes() {
	const nodes = [];
	for (const rel of PACKAGE_JSON.n8n?.nodes ?? []) {
		const mod = require(path.join(PACKAGE_DIR, rel));
		for (const Exported of Object.values(mod)) {
			if (typeof Exported !== 'function') continue;
			try {
				const instance = new Exported();
				const description =
					instance?.description ?? instance?.nodeVersions?.[instance.currentVersion]?.description;
				if (description?.name) nodes.push({ file: rel, description, instance });
			} catch {
				// not a node class
			}
		}
	}
	return nodes;
}

/**
 * Test data for one of the package's credential types: the HubSpot token credential points at the
 * stand-in; a secret field of any other type (a trigger's signing secret) gets a known test secret
 * (the Standard Webhooks one for Loops). `ref` ({id, name}) keeps the id and name the examples use.
 */
export function credentialFor(
	type,
	{ hubspotUrl, ref, webhookSecret = TEST_WEBHOOK_SECRET, sharedSecret = TEST_SHARED_SECRET },
) {
	if (type.name === HUBSPOT_CREDENTIAL_TYPE) {
		return {
			id: HUBSPOT_CREDENTIAL_ID,
			name: HUBSPOT_CREDENTIAL_NAME,
			type: type.name,
			data: { accessToken: HUBSPOT_SANDBOX_TOKEN, baseUrl: hubspotUrl },
		};
	}
	if ((type.extends ?? []).some((e) => /oauth2/i.test(e))) return undefined; // needs a browser sign-in
	const data = {};
	for (const prop of type.properties ?? []) {
		if (prop.type === 'notice' || prop.type === 'hidden') continue;
		if (prop.type === 'string' && /secret|signing|token|key$/i.test(prop.name)) {
			data[prop.name] = /loops/i.test(type.name) ? webhookSecret : sharedSecret;
		} else if (prop.default !== undefined && prop.default !== '') {
			data[prop.name] = prop.default;
		}
	}
	const id = ref?.id && /^[A-Za-z0-9]{1,16}$/.test(ref.id) ? ref.id : stableId('test', type.name);
	return {
		id,
		name: ref?.name ?? `${type.displayName ?? type.name} (local test)`,
		type: type.name,
		data,
	};
}

export const EXAMPLES_DIR = process.env.E2E_EXAMPLES_DIR
	? path.resolve(process.env.E2E_EXAMPLES_DIR)
	: path.join(ROOT, 'examples');

/** `examples/*.json` that hold a workflow (nodes + connections), sorted by file name. */
export function listExamples(dir = EXAMPLES_DIR) {
	if (!existsSync(dir)) return [];
	return readdirSync(dir)
		.filter((f) => f.endsWith('.json'))
		.sort()
		.map((file) => {
			const json = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
			return { file, workflow: Array.isArray(json) ? json[0] : json };
		})
		.filter(({ workflow }) => workflow && Array.isArray(workflow.nodes) && workflow.connections);
}

/**
 * A copy of an example ready to import: a stable id (from the file name), inactive, and each node's
 * credentials pointed at the credential of that type made here (`credentials`: type → {id, name}).
 */
export function prepareWorkflow(example, credentials) {
	const wf = JSON.parse(JSON.stringify(example.workflow));
	wf.id = wf.id && /^[A-Za-z0-9]{16}$/.test(wf.id) ? wf.id : stableId('ex', example.file);
	wf.name = wf.name || example.file.replace(/\.json$/, '');
	wf.active = false;
	wf.settings = wf.settings ?? {};
	for (const node of wf.nodes) {
		for (const type of Object.keys(node.credentials ?? {})) {
			const cred = credentials[type];
			if (cred) node.credentials[type] = { id: cred.id, name: cred.name };
		}
	}
	return wf;
}

/** The credential types the given workflows reference, each with the first {id, name} used for it. */
export function referencedCredentials(workflows) {
	const refs = new Map();
	for (const wf of workflows) {
		for (const node of wf.nodes ?? []) {
			for (const [type, ref] of Object.entries(node.credentials ?? {}))
				if (!refs.has(type)) refs.set(type, ref ?? {});
		}
	}
	return refs;
}

/**
 * The credentials to import for the examples: "HubSpot sandbox" always, plus one per other credential
 * type the examples reference (ids and names as the examples have them, data from credentialFor).
 * Returns type → credential.
 */
export function credentialsForExamples(examples, { hubspotUrl }) {
	const types = new Map(packageCredentialTypes().map((t) => [t.name, t]));
	const refs = referencedCredentials(examples.map((e) => e.workflow));
	const result = {};
	for (const name of new Set([HUBSPOT_CREDENTIAL_TYPE, ...refs.keys()])) {
		const cred = types.has(name)
			? credentialFor(types.get(name), { hubspotUrl, ref: refs.get(name) })
			: undefined;
		if (cred) result[name] = cred;
	}
	return result;
}

// ---------------------------------------------------------------------------------------------
// n8n's environment and CLI

/**
 * The start every single-instance e2e file shares: checks that n8n `major` is installed, makes a
 * fresh user folder (`e2e-<label>-…`) with the packed package in it, picks free ports and builds
 * n8n's environment. Returns what the tests keep in their context.
 */
export async function prepareN8nInstance({ label, major, node }) {
	if (!isInstalled(runtimeDir(major, node), n8nBin(major, node), node)) {
		throw new Error(
			`n8n ${major}.x is not installed: run node scripts/install-n8n.mjs ${major} --node ${node}`,
		);
	}
	const userFolder = mkdtempSync(path.join(os.tmpdir(), `e2e-${label}-`));
	const port = await freePort();
	const brokerPort = await freePort();
	const env = n8nEnv({ major, userFolder, port, brokerPort, listenAddress: '127.0.0.1', node });
	const installed = installPackageInto(userFolder);
	return { userFolder, port, brokerPort, baseUrl: `http://localhost:${port}`, env, installed };
}

/**
 * Environment for one n8n instance: its own user folder (SQLite database, settings, nodes), ports,
 * no telemetry, no calls home. `node` is '24' (the default) or 'system' (n8n 1.x on this machine's Node).
 */
export function n8nEnv({
	major,
	userFolder,
	port = 5678,
	brokerPort,
	listenAddress,
	extra = {},
	node = '24',
}) {
	const env = runtimeEnv(process.env, { node });
	for (const key of Object.keys(env))
		if (key.startsWith('npm_') || key === 'NODE_OPTIONS' || key === 'NODE_PATH') delete env[key];
	Object.assign(env, {
		N8N_USER_FOLDER: userFolder,
		N8N_PORT: String(port),
		N8N_HOST: 'localhost',
		N8N_PROTOCOL: 'http',
		N8N_EDITOR_BASE_URL: `http://localhost:${port}`,
		N8N_DIAGNOSTICS_ENABLED: 'false',
		N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
		N8N_TEMPLATES_ENABLED: 'false',
		N8N_PERSONALIZATION_ENABLED: 'false',
		N8N_HIRING_BANNER_ENABLED: 'false',
		N8N_AI_ENABLED: 'false',
		N8N_SECURE_COOKIE: 'false',
		N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: 'true',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		// The node panel's list of verified community nodes comes from n8n's servers: none here.
		N8N_VERIFIED_PACKAGES_ENABLED: 'false',
		N8N_UNVERIFIED_PACKAGES_ENABLED: 'true',
		N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '5',
		DB_SQLITE_POOL_SIZE: '2',
		GENERIC_TIMEZONE: 'UTC',
		EXTERNAL_FRONTEND_HOOKS_URLS: '',
		N8N_LOG_LEVEL: process.env.N8N_LOG_LEVEL ?? 'info',
	});
	// n8n 1.123's default expression engine runs in isolated-vm 6, which needs Node 22+: on an older
	// Node (n8n 1.x with --node system) n8n exits at start unless the legacy engine is chosen.
	if (node !== '24' && Number(process.versions.node.split('.')[0]) < 22)
		env.N8N_EXPRESSION_ENGINE = env.N8N_EXPRESSION_ENGINE ?? 'legacy';
	if (String(major) === '2') env.N8N_DISABLED_MODULES = env.N8N_DISABLED_MODULES ?? 'mcp-registry';
	if (brokerPort) env.N8N_RUNNERS_BROKER_PORT = String(brokerPort);
	if (listenAddress) env.N8N_LISTEN_ADDRESS = listenAddress;
	return Object.assign(env, extra);
}

/**
 * Runs `n8n <args>` to completion; resolves { status, stdout, stderr, ms }. Asynchronous on purpose:
 * the e2e tests serve the HubSpot stand-in from their own event loop, which a spawnSync would block.
 */
export function n8nCli(major, args, env, { node = '24', timeoutMs = 180_000 } = {}) {
	const started = Date.now();
	return new Promise((resolve) => {
		const child = spawn(nodeBinFor(node), [n8nBin(major, node), ...args], {
			cwd: runtimeDir(major, node),
			env,
			detached: true,
			stdio: ['ignore', 'pipe', 'pipe'],
		});
		let stdout = '';
		let stderr = '';
		child.stdout.on('data', (c) => (stdout += c));
		child.stderr.on('data', (c) => (stderr += c));
		const timer = setTimeout(() => signalGroup(child.pid, 'SIGKILL'), timeoutMs);
		child.on('error', (error) => {
			clearTimeout(timer);
			resolve({ status: null, signal: null, stdout, stderr, ms: Date.now() - started, error });
		});
		let exit = { status: null, signal: null };
		child.on('exit', (status, signal) => {
			exit = { status, signal };
			// A CLI command can leave its task runner behind (holding our pipes open): end the whole group.
			signalGroup(child.pid, 'SIGKILL');
		});
		child.on('close', () => {
			clearTimeout(timer);
			resolve({ ...exit, stdout, stderr, ms: Date.now() - started });
		});
	});
}

/** Like n8nCli, but throws with the output when the command fails or prints an error. */
export async function n8nCliOk(major, args, env, opts) {
	const r = await n8nCli(major, args, env, opts);
	const text = `${r.stdout}\n${r.stderr}`;
	if (
		r.status !== 0 ||
		/\bError\b.*(importing|updating|publishing)|An error occurred/i.test(text)
	) {
		throw new Error(
			`n8n ${args.join(' ')} failed (exit ${r.status ?? r.signal}):\n${text.slice(-4000)}`,
		);
	}
	return r;
}

/** Writes `items` to a temporary JSON file and imports it (`kind`: 'credentials' | 'workflow'). */
export async function importJson(major, kind, items, env, opts) {
	const dir = mkdtempSync(path.join(os.tmpdir(), 'n8n-import-'));
	try {
		const file = path.join(dir, `${kind}.json`);
		writeFileSync(file, JSON.stringify(items, null, 2));
		return await n8nCliOk(major, [`import:${kind}`, `--input=${file}`], env, opts);
	} finally {
		rmSync(dir, { recursive: true, force: true });
	}
}

/** Makes a workflow active on the next server start: `publish:workflow` on 2.x, `update:workflow --active` on 1.x. */
export async function activateWorkflow(major, id, env, opts) {
	const args =
		String(major) === '2'
			? ['publish:workflow', `--id=${id}`]
			: ['update:workflow', `--id=${id}`, '--active=true'];
	return await n8nCliOk(major, args, env, opts);
}

/**
 * The run JSON that `n8n execute --rawOutput` prints after its log lines: the first `{` at a line
 * start from which the rest (less any trailing log lines) parses as an object with run data.
 */
export function extractRunJson(stdout) {
	const starts = [];
	const re = /^\{/gm;
	let m;
	while ((m = re.exec(stdout))) starts.push(m.index);
	const ends = [];
	const reEnd = /^\}\s*$/gm;
	while ((m = reEnd.exec(stdout))) ends.push(m.index + 1);
	for (const start of starts) {
		for (let i = ends.length - 1; i >= 0; i--) {
			if (ends[i] <= start) break;
			try {
				const parsed = JSON.parse(stdout.slice(start, ends[i]));
				if (parsed && typeof parsed === 'object' && (parsed.data?.resultData || parsed.status))
					return parsed;
			} catch {
				// not this span
			}
		}
	}
	return undefined;
}

/** Runs a workflow with `n8n execute --id … --rawOutput`; resolves { run, stdout, stderr, status, ms }. */
export async function executeWorkflow(major, id, env, opts) {
	const r = await n8nCli(major, ['execute', `--id=${id}`, '--rawOutput'], env, opts);
	return { ...r, run: extractRunJson(r.stdout) };
}

/** The JSON of every item a node output, from a run's runData. */
export function nodeOutput(run, nodeName) {
	const runs = run?.data?.resultData?.runData?.[nodeName] ?? [];
	return runs.flatMap((r) =>
		(r.data?.main ?? []).flatMap((items) => (items ?? []).map((item) => item.json)),
	);
}

// ---------------------------------------------------------------------------------------------
// the server

/**
 * Starts `n8n start` (or `command`: `worker`, `webhook` in queue mode) in its own process group (n8n, its task broker and runners), with its output in
 * `logFile` and the last lines in memory. `stop()` ends the whole group.
 */
export function startN8n({ major, env, node = '24', logFile, onLine, command = 'start' }) {
	if (logFile) mkdirSync(path.dirname(logFile), { recursive: true });
	const out = logFile ? createWriteStream(logFile, { flags: 'a' }) : undefined;
	const child = spawn(nodeBinFor(node), [n8nBin(major, node), command], {
		cwd: runtimeDir(major, node),
		env,
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
	});
	const tail = [];
	let partial = '';
	const onData = (chunk) => {
		out?.write(chunk);
		const text = partial + chunk.toString('utf8');
		const lines = text.split('\n');
		partial = lines.pop() ?? '';
		for (const line of lines) {
			tail.push(line);
			if (tail.length > 400) tail.shift();
			onLine?.(line);
		}
	};
	child.stdout.on('data', onData);
	child.stderr.on('data', onData);
	let exited = false;
	let exitInfo;
	const exitPromise = new Promise((resolve) => {
		child.on('exit', (code, signal) => {
			exited = true;
			exitInfo = { code, signal };
			resolve(exitInfo);
		});
	});
	const handle = {
		child,
		pid: child.pid,
		get exited() {
			return exited;
		},
		get exitInfo() {
			return exitInfo;
		},
		exitPromise,
		logs: () => tail.join('\n'),
		async stop({ timeoutMs = 15_000 } = {}) {
			if (!exited) {
				signalGroup(child.pid, 'SIGTERM');
				const timer = sleep(timeoutMs).then(() => 'timeout');
				if ((await Promise.race([exitPromise, timer])) === 'timeout')
					signalGroup(child.pid, 'SIGKILL');
				await exitPromise;
			}
			// The task runners live in the same process group; make sure none is left.
			await sleep(200);
			signalGroup(child.pid, 'SIGKILL');
			await new Promise((resolve) => (out ? out.end(resolve) : resolve()));
		},
	};
	return handle;
}

export function signalGroup(pid, signal) {
	try {
		process.kill(-pid, signal);
		return true;
	} catch {
		return false;
	}
}

/**
 * Waits until n8n answers `/healthz/readiness` and its REST API is mounted (`/rest/settings`:
 * n8n 1.x answers 404 there for a few seconds after readiness).
 */
export async function waitForN8n(baseUrl, { timeoutMs = 120_000, handle } = {}) {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	while (Date.now() < deadline) {
		if (handle?.exited)
			throw new Error(
				`n8n exited (${JSON.stringify(handle.exitInfo)}) before it was ready:\n${handle.logs().slice(-4000)}`,
			);
		try {
			const ready = await fetch(`${baseUrl}/healthz/readiness`);
			last = `readiness ${ready.status}`;
			if (ready.ok) {
				const settings = await fetch(`${baseUrl}/rest/settings`);
				last = `settings ${settings.status}`;
				if (settings.ok) return;
			}
		} catch (error) {
			last = error?.cause?.code ?? error?.message ?? String(error);
		}
		await sleep(250);
	}
	throw new Error(
		`n8n at ${baseUrl} not ready after ${timeoutMs} ms (last: ${last})${handle ? `\n${handle.logs().slice(-4000)}` : ''}`,
	);
}

/** Signs up the owner on a fresh instance and returns the session cookie. */
export async function setupOwner(baseUrl, owner) {
	const res = await fetch(`${baseUrl}/rest/owner/setup`, {
		method: 'POST',
		headers: { 'content-type': 'application/json' },
		body: JSON.stringify(owner),
	});
	if (!res.ok) throw new Error(`owner setup: HTTP ${res.status} ${await res.text()}`);
	const cookie = (res.headers.getSetCookie?.() ?? [res.headers.get('set-cookie') ?? ''])
		.map((c) => c.split(';')[0])
		.filter(Boolean)
		.join('; ');
	return cookie;
}

export async function rest(baseUrl, method, route, { cookie, body } = {}) {
	const res = await fetch(`${baseUrl}${route}`, {
		method,
		headers: {
			...(body === undefined ? {} : { 'content-type': 'application/json' }),
			...(cookie ? { cookie } : {}),
			'browser-id': 'e2e',
		},
		body: body === undefined ? undefined : JSON.stringify(body),
	});
	const text = await res.text();
	let json;
	try {
		json = JSON.parse(text);
	} catch {
		json = undefined;
	}
	return { status: res.status, ok: res.ok, json, text };
}

export { installedN8nVersion };

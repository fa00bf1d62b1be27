// n8n in queue mode on this machine, for e2e/queue.test.mjs (npm run test:queue) and scripts that import it:
// Debian's Redis and PostgreSQL on free loopback ports with their data in a temporary folder, then
// from one n8n 2.x install: the main process, one webhook processor (`n8n webhook`) and two workers
// (`n8n worker`), all with EXECUTIONS_MODE=queue, one Redis, one Postgres database and one
// encryption key. Everything started here is stopped together by `stop()`.
//
// Environment names checked against n8n 2.41.1's own config classes (@n8n/config: scaling-mode,
// database, endpoints, executions) and https://docs.n8n.io/hosting/scaling/queue-mode/ :
// EXECUTIONS_MODE=queue, QUEUE_BULL_REDIS_HOST/PORT, DB_TYPE=postgresdb, DB_POSTGRESDB_HOST/PORT/
// DATABASE/USER/PASSWORD, N8N_ENCRYPTION_KEY (shared, so workers can read the credentials),
// QUEUE_HEALTH_CHECK_ACTIVE/PORT (a worker's /healthz/readiness), and on main
// N8N_DISABLE_PRODUCTION_MAIN_PROCESS=true so production webhooks reach only the webhook processors.
// Node built-ins only.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
	chmodSync,
	cpSync,
	existsSync,
	mkdirSync,
	mkdtempSync,
	readdirSync,
	rmSync,
} from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

import { freePort, installPackageInto, n8nEnv, signalGroup, sleep, startN8n } from './n8n.mjs';

const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** Where Debian keeps PostgreSQL's server programs (not on PATH there): the newest version, else PATH. */
export function postgresBinDir() {
	const base = '/usr/lib/postgresql';
	if (existsSync(base)) {
		const versions = readdirSync(base)
			.filter((v) => existsSync(path.join(base, v, 'bin', 'postgres')))
			.sort((a, b) => Number(b) - Number(a));
		if (versions.length) return path.join(base, versions[0], 'bin');
	}
	const which = spawnSync('sh', ['-c', 'command -v postgres'], { encoding: 'utf8' });
	if (which.status === 0 && which.stdout.trim()) return path.dirname(which.stdout.trim());
	return undefined;
}

export function redisServerBin() {
	const which = spawnSync('sh', ['-c', 'command -v redis-server'], { encoding: 'utf8' });
	return which.status === 0 ? which.stdout.trim() : undefined;
}

/** What is missing to run queue mode here (empty when Redis and PostgreSQL are installed). */
export function missingServices() {
	const missing = [];
	if (!redisServerBin()) missing.push('redis-server (apt-get install -y redis-server)');
	if (!postgresBinDir()) missing.push('postgres (apt-get install -y postgresql)');
	return missing;
}

/** PostgreSQL refuses to run as root: as root, its programs run as the `postgres` user Debian creates. */
function asPostgresUser(bin, args) {
	return isRoot ? ['runuser', ['-u', 'postgres', '--', bin, ...args]] : [bin, args];
}

function spawnGroup(cmd, args, { logFile, env } = {}) {
	const child = spawn(cmd, args, {
		detached: true,
		stdio: ['ignore', 'pipe', 'pipe'],
		env: env ?? process.env,
	});
	let out = '';
	const keep = (c) => {
		out = (out + c).slice(-8000);
	};
	child.stdout.on('data', keep);
	child.stderr.on('data', keep);
	let exited = false;
	const exitPromise = new Promise((resolve) =>
		child.on('exit', (code, signal) => ((exited = true), resolve({ code, signal }))),
	);
	return {
		pid: child.pid,
		logFile,
		logs: () => out,
		get exited() {
			return exited;
		},
		exitPromise,
		async stop(signal = 'SIGTERM', timeoutMs = 10_000) {
			if (!exited) {
				signalGroup(child.pid, signal);
				if (
					(await Promise.race([exitPromise, sleep(timeoutMs).then(() => 'timeout')])) === 'timeout'
				)
					signalGroup(child.pid, 'SIGKILL');
				await exitPromise;
			}
		},
	};
}

async function waitUntil(label, check, { timeoutMs = 60_000, handle } = {}) {
	const deadline = Date.now() + timeoutMs;
	let last = '';
	while (Date.now() < deadline) {
		if (handle?.exited)
			throw new Error(`${label} exited before it was ready:\n${handle.logs().slice(-3000)}`);
		try {
			if (await check()) return;
		} catch (error) {
			last = error?.cause?.code ?? error?.message ?? String(error);
		}
		await sleep(200);
	}
	throw new Error(
		`${label} not ready after ${timeoutMs} ms (${last})${handle ? `\n${handle.logs().slice(-3000)}` : ''}`,
	);
}

function redisPing(port) {
	return new Promise((resolve, reject) => {
		const socket = net.connect({ port, host: '127.0.0.1' }, () => socket.write('PING\r\n'));
		socket.setTimeout(1000, () => socket.destroy(new Error('timeout')));
		socket.on('data', (d) => {
			socket.end();
			resolve(d.toString().startsWith('+PONG'));
		});
		socket.on('error', reject);
	});
}

/** Redis on 127.0.0.1, no persistence, data in `dir`. */
export async function startRedis(dir) {
	const bin = redisServerBin();
	if (!bin)
		throw new Error('redis-server is not installed (Debian: apt-get install -y redis-server)');
	mkdirSync(dir, { recursive: true });
	const port = await freePort();
	const handle = spawnGroup(bin, [
		'--port',
		String(port),
		'--bind',
		'127.0.0.1',
		'--dir',
		dir,
		'--save',
		'',
		'--appendonly',
		'no',
		'--daemonize',
		'no',
	]);
	await waitUntil('redis-server', () => redisPing(port), { handle, timeoutMs: 20_000 });
	return { port, handle, stop: () => handle.stop('SIGTERM', 5000) };
}

/**
 * PostgreSQL on 127.0.0.1 with a fresh cluster in `dir` (initdb, trust authentication on loopback
 * only), a user and database `n8n`. Resolves { port, user, database, password, stop }.
 */
export async function startPostgres(dir) {
	const binDir = postgresBinDir();
	if (!binDir)
		throw new Error('PostgreSQL is not installed (Debian: apt-get install -y postgresql)');
	const data = path.join(dir, 'data');
	const socketDir = path.join(dir, 'socket');
	mkdirSync(data, { recursive: true });
	mkdirSync(socketDir, { recursive: true });
	if (isRoot) {
		// The postgres user must reach its folders: open the temporary parents, hand it the cluster.
		for (
			let d = dir;
			d !== path.dirname(d) && d.startsWith(os.tmpdir()) && d !== os.tmpdir();
			d = path.dirname(d)
		)
			chmodSync(d, 0o755);
		spawnSync('chown', ['-R', 'postgres:postgres', dir]);
	}
	const [initCmd, initArgs] = asPostgresUser(path.join(binDir, 'initdb'), [
		'-D',
		data,
		'-U',
		'n8n',
		'-A',
		'trust',
		'-E',
		'UTF8',
		'--no-instructions',
	]);
	const init = spawnSync(initCmd, initArgs, { encoding: 'utf8' });
	if (init.status !== 0)
		throw new Error(`initdb failed (${init.status}):\n${init.stdout}\n${init.stderr}`);
	const port = await freePort();
	const [cmd, args] = asPostgresUser(path.join(binDir, 'postgres'), [
		'-D',
		data,
		'-p',
		String(port),
		'-k',
		socketDir,
		'-c',
		'listen_addresses=127.0.0.1',
		'-c',
		'fsync=off',
		'-c',
		'synchronous_commit=off',
		'-c',
		'full_page_writes=off',
		'-c',
		'max_connections=200',
	]);
	const handle = spawnGroup(cmd, args);
	const isReady = path.join(binDir, 'pg_isready');
	await waitUntil(
		'postgres',
		() => spawnSync(isReady, ['-h', '127.0.0.1', '-p', String(port), '-U', 'n8n']).status === 0,
		{ handle, timeoutMs: 30_000 },
	);
	const created = spawnSync(
		path.join(binDir, 'createdb'),
		['-h', '127.0.0.1', '-p', String(port), '-U', 'n8n', 'n8n'],
		{ encoding: 'utf8' },
	);
	if (created.status !== 0) throw new Error(`createdb failed: ${created.stderr}`);
	// SIGINT is PostgreSQL's "fast" shutdown: it ends the sessions n8n still holds instead of waiting for them.
	return {
		port,
		user: 'n8n',
		password: 'n8n',
		database: 'n8n',
		handle,
		stop: () => handle.stop('SIGINT', 10_000),
	};
}

/** The environment every n8n process of the cluster shares. */
export function queueEnv({ redis, postgres, encryptionKey }) {
	return {
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: postgres.database,
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: postgres.password,
		N8N_ENCRYPTION_KEY: encryptionKey,
		// Executions go into Postgres as they end; workers should not prune during a test.
		EXECUTIONS_DATA_PRUNE: 'false',
		OFFLOAD_MANUAL_EXECUTIONS_TO_WORKERS: 'true',
	};
}

async function httpOk(url) {
	const res = await fetch(url);
	return res.ok;
}

/**
 * The whole cluster. `root`: a temporary folder (made when not given). Returns a handle with
 * `env(role)` for CLI commands (import, publish), `startN8nProcesses()`, `stopN8nProcesses()`
 * (Redis and Postgres keep running: a restart of every n8n process), `stop()` (everything) and the
 * URLs: `mainUrl`, `webhookUrl`.
 */
export async function startQueueCluster({
	major = '2',
	node = '24',
	root,
	workers = 2,
	extraEnv = {},
	log = () => {},
} = {}) {
	const dir = root ?? mkdtempSync(path.join(os.tmpdir(), 'n8n-queue-'));
	const cluster = { dir, processes: [], workers };
	const stoppers = [];
	cluster.stop = async () => {
		await cluster.stopN8nProcesses();
		for (const stop of stoppers.reverse()) await stop();
		stoppers.length = 0;
	};
	try {
		cluster.redis = await startRedis(path.join(dir, 'redis'));
		stoppers.push(() => cluster.redis.stop());
		log(`redis-server on 127.0.0.1:${cluster.redis.port}`);
		cluster.postgres = await startPostgres(path.join(dir, 'postgres'));
		stoppers.push(() => cluster.postgres.stop());
		log(`postgres on 127.0.0.1:${cluster.postgres.port} (database n8n)`);
	} catch (error) {
		for (const stop of stoppers.reverse()) await stop();
		throw error;
	}
	const shared = {
		...queueEnv({
			redis: cluster.redis,
			postgres: cluster.postgres,
			encryptionKey: randomBytes(24).toString('base64url'),
		}),
		...extraEnv,
	};

	// One user folder per process, as on separate machines; the packed package copied into each.
	const roles = ['main', 'webhook', ...Array.from({ length: workers }, (_, i) => `worker${i + 1}`)];
	const folders = Object.fromEntries(roles.map((r) => [r, path.join(dir, r)]));
	installPackageInto(folders.main);
	for (const role of roles.slice(1))
		cpSync(path.join(folders.main, '.n8n', 'nodes'), path.join(folders[role], '.n8n', 'nodes'), {
			recursive: true,
			verbatimSymlinks: true,
		});

	const ports = {};
	for (const role of roles) ports[role] = { port: await freePort(), broker: await freePort() };
	cluster.mainUrl = `http://localhost:${ports.main.port}`;
	cluster.webhookUrl = `http://localhost:${ports.webhook.port}`;
	cluster.env = (role = 'main') => {
		const extra = { ...shared };
		if (role === 'main') extra.N8N_DISABLE_PRODUCTION_MAIN_PROCESS = 'true';
		if (role === 'webhook') extra.WEBHOOK_URL = `${cluster.webhookUrl}/`;
		if (role.startsWith('worker'))
			Object.assign(extra, {
				QUEUE_HEALTH_CHECK_ACTIVE: 'true',
				QUEUE_HEALTH_CHECK_PORT: String(ports[role].port),
				N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
			});
		if (role === 'main') extra.WEBHOOK_URL = `${cluster.webhookUrl}/`;
		return n8nEnv({
			major,
			userFolder: folders[role],
			port: ports[role].port,
			brokerPort: ports[role].broker,
			listenAddress: '127.0.0.1',
			node,
			extra,
		});
	};
	const command = (role) => (role === 'main' ? 'start' : role === 'webhook' ? 'webhook' : 'worker');
	const readyUrl = (role) =>
		`http://${role.startsWith('worker') ? '127.0.0.1' : 'localhost'}:${ports[role].port}/healthz/readiness`;

	cluster.startN8nProcesses = async () => {
		// Main first: it runs the database migrations the others expect.
		for (const group of [['main'], roles.slice(1)]) {
			await Promise.all(
				group.map(async (role) => {
					const handle = startN8n({
						major,
						env: cluster.env(role),
						node,
						command: command(role),
						logFile: path.join(dir, 'logs', `${role}.log`),
					});
					handle.role = role;
					cluster.processes.push(handle);
					await waitUntil(`n8n ${command(role)} (${role})`, () => httpOk(readyUrl(role)), {
						handle,
						timeoutMs: 180_000,
					});
					log(`n8n ${command(role)} (${role}) ready on port ${ports[role].port}`);
				}),
			);
		}
	};
	cluster.stopN8nProcesses = async () => {
		const running = cluster.processes.splice(0);
		await Promise.all(running.map((p) => p.stop({ timeoutMs: 15_000 })));
	};
	cluster.logs = () =>
		cluster.processes.map((p) => `--- ${p.role}\n${p.logs().slice(-2500)}`).join('\n');
	return cluster;
}

export function removeClusterFolder(cluster) {
	if (cluster?.dir) rmSync(cluster.dir, { recursive: true, force: true });
}

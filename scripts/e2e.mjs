#!/usr/bin/env node
// End-to-end tests of the package inside a real n8n:
//   npm run test:e2e       n8n 2.x on Node 24: CLI runs, a signed webhook, the editor in Chromium
//   npm run test:browser   the editor test only, saving the README's screenshots into docs/images/
//   npm run test:compat    the same against n8n 1.x, less the outage test (add -- --node system for the machine's Node 20)
//
//   npm run test:queue     queue mode on n8n 2.x: Redis, Postgres, main + webhook processor + 2 workers
//
//   node scripts/e2e.mjs [--n8n 2|1] [--node 24|system] [--only n8n|browser|outage|respond|queue] [--screenshots DIR]
//                        [--skip-build] [--skip-install]
//
// Builds the package, installs n8n (cached, see scripts/install-n8n.mjs), then runs each
// e2e/*.test.mjs with node's test runner one after the other (each starts its own n8n) and closes
// with one line "e2e: N passed, N failed". Screenshots go to test-results/screenshots/ unless
// --screenshots names a folder (E2E_SCREENSHOTS=0 skips them).
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

import { ROOT } from '../e2e/lib/runtime.mjs';
import { installN8n } from './install-n8n.mjs';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
	const i = args.indexOf(`--${name}`);
	return i >= 0 ? args[i + 1] : fallback;
};
const major = opt('n8n', process.env.E2E_N8N_MAJOR ?? '2');
const node = opt('node', process.env.E2E_NODE ?? '24');
const only = opt('only', undefined);
const screenshots = opt('screenshots', process.env.E2E_SCREENSHOT_DIR);
const t0 = Date.now();
const secs = (ms) => `${(ms / 1000).toFixed(1)} s`;

function step(label, fn) {
	const started = Date.now();
	const result = fn();
	process.stdout.write(`[e2e] ${label}: ${secs(Date.now() - started)}\n`);
	return result;
}

if (!args.includes('--skip-build')) {
	step('build', () => {
		const r = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
		if (r.status !== 0) {
			process.stdout.write('e2e: 0 passed, 1 failed\n');
			process.exit(1);
		}
	});
}
if (!args.includes('--skip-install')) {
	step(`install n8n ${major}.x (cached)`, () => installN8n(major, { node }));
}

// Queue mode (e2e/queue.test.mjs) needs Redis and PostgreSQL and four n8n processes, and its setup
// is written against n8n 2.x's configuration: it runs only when asked for (`--only queue`, as CI
// does after the other e2e tests on n8n 2.x), never as part of the default run or `test:compat`.
const QUEUE_ONLY = ['queue.test.mjs'];
// The outage test (issue 11: n8n 2.x) takes 4 to 9 minutes; the 1.x compatibility run leaves it out
// unless asked for by name, and says so.
const notOnMajor1 = {
	'outage.test.mjs':
		'the outage test is specified for n8n 2.x and takes 4 to 9 min; run it on 1.x with --n8n 1 --only outage',
};
const files = readdirSync(path.join(ROOT, 'e2e'))
	.filter((f) => f.endsWith('.test.mjs'))
	.filter((f) => (only ? f.startsWith(only) : !QUEUE_ONLY.includes(f)))
	.filter((f) => {
		if (major !== '1' || only || !notOnMajor1[f]) return true;
		process.stdout.write(`[e2e] not run on n8n 1.x: e2e/${f} (${notOnMajor1[f]})\n`);
		return false;
	})
	.sort()
	.map((f) => path.join('e2e', f));
if (!only) {
	process.stdout.write(
		`[e2e] not in this run: ${QUEUE_ONLY.join(', ')} (queue mode needs Redis and PostgreSQL and is set up for n8n 2.x; run it with \`node scripts/e2e.mjs --only queue\`)\n`,
	);
}

function runFile(file) {
	const tmp = mkdtempSync(path.join(os.tmpdir(), 'e2e-tap-'));
	const tap = path.join(tmp, 'out.tap');
	return new Promise((resolve) => {
		const started = Date.now();
		const child = spawn(
			process.execPath,
			[
				'--import',
				'tsx',
				'--test',
				'--test-reporter=spec',
				'--test-reporter-destination=stdout',
				'--test-reporter=tap',
				`--test-reporter-destination=${tap}`,
				file,
			],
			{
				cwd: ROOT,
				stdio: 'inherit',
				env: {
					...process.env,
					E2E_N8N_MAJOR: major,
					E2E_NODE: node,
					...(screenshots ? { E2E_SCREENSHOT_DIR: screenshots } : {}),
				},
			},
		);
		child.on('exit', (code, signal) => {
			let text = '';
			try {
				text = readFileSync(tap, 'utf8');
			} catch {
				// no report: counted as one failure below
			}
			rmSync(tmp, { recursive: true, force: true });
			const count = (name) => Number(text.match(new RegExp(`^# ${name} (\\d+)$`, 'm'))?.[1] ?? 0);
			const passed = count('pass');
			let failed = count('fail') + count('cancelled');
			const skipped = count('skipped') + count('todo');
			if ((code !== 0 || signal) && failed === 0) failed = 1;
			process.stdout.write(
				`[e2e] ${file}: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''} in ${secs(Date.now() - started)}\n`,
			);
			resolve({ passed, failed, skipped });
		});
	});
}

let passed = 0;
let failed = 0;
let skipped = 0;
for (const file of files) {
	const r = await runFile(file);
	passed += r.passed;
	failed += r.failed;
	skipped += r.skipped;
}
if (files.length === 0) failed = 1;
process.stdout.write(
	`[e2e] n8n ${major}.x on Node ${node === '24' ? '24' : process.versions.node}, total ${secs(Date.now() - t0)}\n`,
);
process.stdout.write(
	`e2e: ${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`,
);
process.exit(failed > 0 ? 1 : 0);

#!/usr/bin/env node
// `npm test`: build, lint with n8n's rules and with `n8n-node lint`, check the formatting, run n8n's package scanner on the packed
// tarball, then the jest suite (nodes run through n8n-core against the HubSpot stand-in).
// Ends with one line that says how many tests passed and failed.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { INSTALL_ROOT, stageRecipe } from '../e2e/lib/runtime.mjs';

const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
const started = Date.now();

// `quiet`: the command's output is kept back and shown (its last 60 lines) only when it fails.
function step(label, command, args, { quiet = false } = {}) {
	const begin = Date.now();
	console.log(`\n▶ ${label}`);
	const result = spawnSync(command, args, {
		stdio: quiet ? 'pipe' : 'inherit',
		env: process.env,
		encoding: 'utf8',
	});
	const seconds = ((Date.now() - begin) / 1000).toFixed(1);
	if (result.status !== 0) {
		if (quiet)
			console.error(
				`${result.stdout ?? ''}${result.stderr ?? ''}`.trimEnd().split('\n').slice(-60).join('\n'),
			);
		console.error(`✖ ${label} failed after ${seconds} s`);
		console.log('npm test: 0 passed, 1 failed');
		process.exit(result.status ?? 1);
	}
	console.log(`✔ ${label} (${seconds} s)`);
}

// n8n's own nodes for the tests: their recipe is test/base-nodes/package.json, installed into
// .cache/runtime/base-nodes next to the n8n runtimes (e2e/lib/runtime.mjs), when missing or when
// the lock file changed.
const baseNodesDir = join(INSTALL_ROOT, 'base-nodes');
stageRecipe('test/base-nodes', baseNodesDir);
const baseNodesStamp = join(baseNodesDir, 'node_modules', '.installed-lock-hash');
const lockHash = createHash('sha256')
	.update(readFileSync('test/base-nodes/package-lock.json'))
	.digest('hex');
if (!existsSync(baseNodesStamp) || readFileSync(baseNodesStamp, 'utf8') !== lockHash) {
	step(`Install n8n's own nodes for the tests (into ${baseNodesDir})`, 'npm', [
		'ci',
		'--prefix',
		baseNodesDir,
		'--no-audit',
		'--no-fund',
	]);
	writeFileSync(baseNodesStamp, lockHash);
}

step('Build', 'npm', ['run', '--silent', 'build']);
step('Lint (n8n community node rules)', 'npm', ['run', '--silent', 'lint']);
// One style for code, docs and examples (.prettierrc.json); `npm run format` fixes what this finds.
step('Format check (Prettier)', 'npm', ['run', '--silent', 'format:check'], { quiet: true });
// The lint of n8n's own node tool (@n8n/node-cli), which n8n's verification asks for.
step("Lint with n8n's node CLI (n8n-node lint)", npx, ['n8n-node', 'lint'], { quiet: true });
step('Scan the packed package (@n8n/scan-community-package)', process.execPath, [
	'scripts/scan.mjs',
]);

const reportDir = mkdtempSync(join(tmpdir(), 'jest-report-'));
const report = join(reportDir, 'report.json');
console.log('\n▶ Tests (jest, through n8n-core)');
const jest = spawnSync(
	npx,
	['jest', '--ci', '--no-watchman', '--json', `--outputFile=${report}`, ...process.argv.slice(2)],
	{
		stdio: 'inherit',
		env: process.env,
	},
);
let passed = 0;
let failed = 0;
try {
	const summary = JSON.parse(readFileSync(report, 'utf8'));
	passed = summary.numPassedTests;
	failed = summary.numFailedTests + summary.numRuntimeErrorTestSuites;
} catch {
	failed = Math.max(failed, 1);
} finally {
	rmSync(reportDir, { recursive: true, force: true });
}
console.log(`\nnpm test finished in ${((Date.now() - started) / 1000).toFixed(0)} s`);
console.log(`npm test: ${passed} passed, ${failed} failed`);
process.exit(jest.status === 0 && failed === 0 ? 0 : 1);

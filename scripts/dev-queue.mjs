#!/usr/bin/env node
// npm run dev:queue: this package inside n8n 2.x in queue mode, the cluster the queue-mode test
// and bench use (e2e/lib/queue.mjs): Debian's Redis and PostgreSQL on free loopback ports, n8n's
// main process, one webhook processor and two workers, each with the packed package installed.
// Everything lives in a temporary folder and stops together on Ctrl-C (SIGINT) or SIGTERM; nothing
// is kept for the next start (for a lasting n8n use npm run dev).
//
//   node scripts/dev-queue.mjs [--skip-build]
import { spawnSync } from 'node:child_process';

import { missingServices, removeClusterFolder, startQueueCluster } from '../e2e/lib/queue.mjs';
import { ROOT } from '../e2e/lib/runtime.mjs';
import { installN8n } from './install-n8n.mjs';

const say = (message) => process.stdout.write(`[dev:queue] ${message}\n`);

const missing = missingServices();
if (missing.length) {
	say(`missing: ${missing.join(', ')}`);
	process.exit(1);
}
if (!process.argv.includes('--skip-build')) {
	say('building the package (npm run build) ...');
	const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: ROOT, stdio: 'inherit' });
	if (build.status !== 0) process.exit(1);
}
installN8n('2');

const cluster = await startQueueCluster({ log: say });
let stopping = false;
async function stop(code) {
	if (stopping) return;
	stopping = true;
	say('stopping every n8n process, Redis and PostgreSQL ...');
	await cluster.stop();
	removeClusterFolder(cluster);
	process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
	await cluster.startN8nProcesses();
} catch (error) {
	say(`n8n did not start: ${error.message}`);
	await stop(1);
}
say(`editor (main process): ${cluster.mainUrl} (create the owner account on the first visit)`);
say(`production webhooks (webhook processor): ${cluster.webhookUrl}/webhook/...`);
say('executions run on the two workers. Ctrl-C stops everything.');

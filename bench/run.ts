// `npm run bench [-- --quick]`: the node against the HubSpot stand-in with HubSpot's
// profile (100 requests per rolling 10-second window, 30-80 ms latency), three ways of
// writing the same records. --quick runs the same shape at a ten times faster clock
// (1-second window, 3-8 ms latency) and fewer records, in about a minute. --cpu prints only
// the CPU figures; --report rewrites RESULTS.md and chart.svg from results.json.
import './lib/single-n8n';

import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';

import { writeReport, type QueueModeResults, type Results } from './lib/report';
import { writeTriggerBurstReport } from './lib/trigger-burst-report';
import {
	batchWrite,
	cpuPerThousand,
	httpRequestBaseline,
	httpRequestBaselineRerun,
	setPerItem,
} from './lib/scenarios';
import type { StandInProfile } from './lib/standin-process';

const quick = process.argv.includes('--quick');
const clock = quick ? 10 : 1;
const profile: StandInProfile = {
	maxRequests: 100,
	windowMs: 10_000 / clock,
	latencyMs: [30 / clock, 80 / clock],
	rateLimit: true,
};
const sizes = quick
	? { batchWrite: 20_000, perItem: 500, cpu: 5_000, memory: 20_000 }
	: { batchWrite: 100_000, perItem: 1_000, cpu: 10_000, memory: 100_000 };

/** A result file another bench script wrote into bench/ (undefined when it was never run). */
function readSidecar(name: string): QueueModeResults | undefined {
	const file = join(__dirname, name);
	return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

async function main() {
	if (process.argv.includes('--report')) {
		// Rewrite RESULTS.md and chart.svg from the last full run's results.json.
		const previous = JSON.parse(
			readFileSync(join(__dirname, 'results.json'), 'utf8'),
		) as Results & { mode: string };
		if (previous.mode !== 'full')
			throw new Error('bench/results.json is from a quick run; run `npm run bench` first');
		const latencyFile = join(__dirname, 'webhook-latency.json');
		const withSidecars = { ...previous, queueMode: readSidecar('queue-mode.json') };
		writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(withSidecars, null, 2)}\n`);
		writeReport(
			previous,
			existsSync(latencyFile) ? JSON.parse(readFileSync(latencyFile, 'utf8')) : undefined,
			withSidecars.queueMode,
		);
		keepTriggerBurst();
		return;
	}
	if (process.argv.includes('--cpu')) {
		// Only the CPU figures, printed; nothing is written.
		process.stdout.write(`${JSON.stringify(await cpuPerThousand(sizes.cpu), null, 2)}\n`);
		return;
	}
	const started = Date.now();
	const log = (text: string) =>
		process.stdout.write(`[${((Date.now() - started) / 1000).toFixed(0).padStart(4)} s] ${text}\n`);
	log(
		`${quick ? 'Quick' : 'Full'} run: ${profile.maxRequests} requests per ${profile.windowMs} ms window, ${profile.latencyMs.join('-')} ms latency`,
	);

	const scenarios = [];
	for (const [label, run] of [
		['Batch Write', async () => await batchWrite(profile, sizes.batchWrite)],
		['Set per item', async () => await setPerItem(profile, sizes.perItem)],
		['HTTP Request baseline', async () => await httpRequestBaseline(profile, sizes.perItem)],
		[
			'HTTP Request baseline, re-run until done',
			async () => await httpRequestBaselineRerun(profile, sizes.perItem),
		],
	] as const) {
		log(`${label}...`);
		const result = await run();
		log(`  ${JSON.stringify(result)}`);
		scenarios.push(result);
	}

	log(`CPU per 1,000 items (zero latency, no limit, ${sizes.cpu} items)...`);
	const cpu = await cpuPerThousand(sizes.cpu);
	log(`  ${JSON.stringify(cpu)}`);

	log(`Peak memory, Batch Write of ${sizes.memory} items (own process)...`);
	const memoryRun = spawnSync(
		process.execPath,
		[
			join(__dirname, '..', 'node_modules', 'tsx', 'dist', 'cli.mjs'),
			join(__dirname, 'memory.ts'),
			String(sizes.memory),
		],
		{
			encoding: 'utf8',
			stdio: ['ignore', 'pipe', 'inherit'],
		},
	);
	const memory = JSON.parse(memoryRun.stdout.trim().split('\n').pop() ?? '{}');
	log(`  ${JSON.stringify(memory)}`);

	const webhookLatencyFile = join(__dirname, 'webhook-latency.json');
	const results = {
		mode: quick ? 'quick' : 'full',
		measuredAt: new Date().toISOString(),
		command: quick ? 'npm run bench -- --quick' : 'npm run bench',
		machine: {
			cpus: cpus().length,
			cpuModel: cpus()[0]?.model,
			memoryGiB: Math.round(totalmem() / 2 ** 30),
			node: process.version,
		},
		profile: { ...profile, windowSeconds: profile.windowMs / 1000, clockFactor: clock },
		scenarios,
		cpu,
		memory,
		totalSeconds: Math.round((Date.now() - started) / 1000),
		// Measured by its own script in a real n8n cluster, carried over here.
		queueMode: readSidecar('queue-mode.json'),
	};
	writeFileSync(join(__dirname, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
	log('Wrote bench/results.json');
	if (!quick) {
		const webhookLatency = existsSync(webhookLatencyFile)
			? JSON.parse(readFileSync(webhookLatencyFile, 'utf8'))
			: undefined;
		writeReport(results as unknown as Results, webhookLatency, results.queueMode);
		log('Wrote bench/RESULTS.md and bench/chart.svg');
	}
	keepTriggerBurst();
}

/** The trigger burst comparison (npm run bench:triggers) is measured apart: put it back. */
function keepTriggerBurst() {
	writeTriggerBurstReport(__dirname);
}

main().then(
	() => process.exit(0),
	(error) => {
		process.stderr.write(`${String(error?.stack ?? error)}\n`);
		process.exit(1);
	},
);

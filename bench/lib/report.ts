import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { ScenarioResult } from './scenarios';

export interface Results {
	command: string;
	measuredAt: string;
	machine: { cpus: number; cpuModel?: string; memoryGiB: number; node: string };
	profile: { maxRequests: number; windowSeconds: number; latencyMs: [number, number] };
	scenarios: ScenarioResult[];
	cpu: Record<
		string,
		{
			items: number;
			cpuMsPerThousandItems: number;
			ownCodeMsPerThousandItems?: number;
			ownShareOfBusyTime?: number;
			wallSeconds: number;
		}
	>;
	memory: {
		items: number;
		peakRssMiB: number;
		peakHeapUsedMiB: number;
		rssBeforeMiB: number;
		wallSeconds: number;
		failed: number;
	};
	totalSeconds: number;
}

/** What one request per item costs beyond what n8n itself spends on an HTTP request per item. */
function nodeShare(node = 0, httpRequestNode = 0) {
	const extra = Math.round(node - httpRequestNode);
	return extra > 0
		? `the node adds ${extra} ms per 1,000 items to what n8n spends on one HTTP request per item.`
		: "most of it is n8n's own cost of one HTTP request per item, which the node spends no more on than n8n's HTTP Request node does.";
}

const percent = (share = 0) => `${Math.round(share * 100)} %`;

const escape = (text: string) =>
	text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A grouped bar chart: wall time beside HubSpot's lower bound, and records delivered per second. */
function chart(results: Results) {
	const rows = results.scenarios;
	const width = 760;
	const rowHeight = 74;
	const left = 250;
	const barMax = width - left - 90;
	const height = 70 + rows.length * rowHeight + 40;
	const maxSeconds = Math.max(
		...rows.map((row) => Math.max(row.wallSeconds, row.limitBoundSeconds)),
		1,
	);
	const bars = rows
		.map((row, index) => {
			const y = 60 + index * rowHeight;
			const wall = (row.wallSeconds / maxSeconds) * barMax;
			const bound = (row.limitBoundSeconds / maxSeconds) * barMax;
			const delivered = row.items - row.lost;
			return `
  <text x="${left - 12}" y="${y + 14}" text-anchor="end" font-weight="600">${escape(row.scenario.replace(/ \(.*\)$/, ''))}</text>
  <text x="${left - 12}" y="${y + 32}" text-anchor="end" fill="#555">${delivered.toLocaleString('en')} of ${row.items.toLocaleString('en')} delivered</text>
  <text x="${left - 12}" y="${y + 48}" text-anchor="end" fill="${row.http429 ? '#b3261e' : '#555'}">${row.requests.toLocaleString('en')} requests, ${row.http429.toLocaleString('en')} × 429</text>
  <rect x="${left}" y="${y}" width="${Math.max(wall, 1).toFixed(1)}" height="18" fill="${row.lost ? '#b3261e' : '#ff7a59'}"/>
  <text x="${left + Math.max(wall, 1) + 6}" y="${y + 14}">${row.wallSeconds} s wall</text>
  <rect x="${left}" y="${y + 24}" width="${Math.max(bound, 1).toFixed(1)}" height="18" fill="#8aa4c8"/>
  <text x="${left + Math.max(bound, 1) + 6}" y="${y + 38}">${row.limitBoundSeconds} s limit bound</text>`;
		})
		.join('');
	return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="13">
  <rect width="100%" height="100%" fill="#fff"/>
  <text x="20" y="28" font-size="16" font-weight="700">Writing consent statuses to HubSpot (stand-in, ${results.profile.maxRequests} requests per ${results.profile.windowSeconds} s, ${results.profile.latencyMs.join('–')} ms latency)</text>
  <text x="20" y="46" fill="#555">Wall time against the shortest time HubSpot's rate limit allows for the requests sent; red = records lost</text>${bars}
  <text x="20" y="${height - 14}" fill="#777">${escape(results.command)} · ${results.machine.cpus} cores, ${results.machine.memoryGiB} GiB · Node ${results.machine.node} · ${results.measuredAt.slice(0, 10)}</text>
</svg>
`;
}

/** bench/queue-mode.json, written by `npm run bench:queue`. */
export interface QueueModeResults {
	command: string;
	n8n: string;
	cluster: string;
	limit: string;
	measuredAt: string;
	results: Array<{
		label: string;
		writes: number;
		executions: number;
		lost: number;
		requests: number;
		answered429: number;
		share429: number;
		wallSeconds: number;
		boundSeconds: number;
		wallOverBound: number;
	}>;
}

function queueModeSection(queue: QueueModeResults | undefined): string {
	if (!queue) return '';
	const names: Record<string, string> = {
		shared: "HubSpot's rate-limit headers (the package's shared budget)",
		'process-local': "process-local window (HubSpot's Remaining header left out)",
	};
	const rows = queue.results.map(
		(r) =>
			`| ${names[r.label] ?? r.label} | ${r.writes.toLocaleString('en')} | ${r.requests.toLocaleString('en')} | ${r.answered429} (${(r.share429 * 100).toFixed(1)} %) | ${r.lost} | ${r.wallSeconds} | ${r.boundSeconds} | ${r.wallOverBound.toFixed(3)} |`,
	);
	return `
## Queue mode: one budget across workers
Measured with \`${queue.command}\` on ${queue.measuredAt.slice(0, 10)}: n8n ${queue.n8n}, ${queue.cluster}; the stand-in allows ${queue.limit}. ${queue.results[0]?.writes.toLocaleString('en')} single Set Status writes (one request each) arrive as ${queue.results[0]?.executions} concurrent webhook calls, so both workers run executions at once. Targets: 0 lost, at most 1 % answered 429, wall time within 1.15 × the bound (writes / 100 × 10 s). Raw figures: [queue-mode.json](queue-mode.json).

| budget | writes | requests | answered 429 | lost | wall s | bound s | wall / bound |
|---|---:|---:|---:|---:|---:|---:|---:|
${rows.join('\n')}
`;
}

export function writeReport(
	results: Results,
	webhookLatency?: {
		arrivalToHubSpotAckMs?: { median: number; p95: number; max: number; count: number };
		standInLatencyMs?: number[];
		events?: number;
	},
	queueMode?: QueueModeResults,
) {
	const dir = join(__dirname, '..');
	writeFileSync(join(dir, 'chart.svg'), chart(results));
	const table = [
		'| scenario | items | requests | HTTP 429 | lost | wall s | limit bound s | wall / bound | records/s |',
		'|---|---:|---:|---:|---:|---:|---:|---:|---:|',
		...results.scenarios.map(
			(row) =>
				`| ${row.scenario} | ${row.items.toLocaleString('en')} | ${row.requests.toLocaleString('en')} | ${row.http429.toLocaleString('en')} | ${row.lost.toLocaleString('en')} | ${row.wallSeconds} | ${row.limitBoundSeconds} | ${row.limitBoundSeconds ? (row.wallSeconds / row.limitBoundSeconds).toFixed(3) : '–'} | ${row.deliveredPerSecond} |`,
		),
	].join('\n');
	const [batch, single, baseline, rerun] = results.scenarios;
	const cpu = results.cpu;
	const latency = webhookLatency?.arrivalToHubSpotAckMs;
	const text = `# Benchmark results

Measured with \`${results.command}\` on ${results.measuredAt.slice(0, 10)}: ${results.machine.cpus} cores (${results.machine.cpuModel ?? 'unknown CPU'}), ${results.machine.memoryGiB} GiB, Node ${results.machine.node}. The HubSpot stand-in ran in its own process with HubSpot's published profile for private apps: ${results.profile.maxRequests} requests per rolling ${results.profile.windowSeconds}-second window and ${results.profile.latencyMs.join('–')} ms latency per request. Every scenario writes the same kind of record (one SUBSCRIBED status with its legal basis and explanation) through n8n-core executing a workflow. The raw figures are in [results.json](results.json); \`npm run bench -- --quick\` runs the same shape at a ten times faster clock.

![Wall time against HubSpot's limit](chart.svg)

${table}

- **limit bound**: the shortest time HubSpot's window allows for the requests sent, (⌈requests / ${results.profile.maxRequests}⌉ − 1) × ${results.profile.windowSeconds} s.
- **lost**: records that HubSpot did not hold as SUBSCRIBED at the end.
- **records/s**: records delivered (items − lost) per wall second.

## Against the targets
- Batch Write: ${(batch.items / Math.max(1, batch.requests)).toFixed(1)} status writes per request (target: at most one request per 100 writes), wall time ${batch.limitBoundSeconds ? `${(((batch.wallSeconds - batch.limitBoundSeconds) / batch.limitBoundSeconds) * 100).toFixed(1)} %` : 'n/a'} over the limit bound (target ≤ 10 %), ${batch.lost} lost. The wall time is the bound plus a near-constant ${(batch.wallSeconds - batch.limitBoundSeconds).toFixed(1)} s: n8n evaluates each item's parameters before its write can leave, so the first window's ${(results.profile.maxRequests * 100).toLocaleString('en')} writes take a few seconds to prepare, and each later window repeats that spacing. The rest of the run is prepared while the window holds the previous writes back.
- Set Status one request per item: ${single.lost} lost, ${single.limitBoundSeconds ? `${(((single.wallSeconds - single.limitBoundSeconds) / single.limitBoundSeconds) * 100).toFixed(1)} %` : 'n/a'} over the limit bound (target ≤ 15 %), ${single.http429} × 429.
- HTTP Request baseline with n8n's defaults: ${baseline.items - baseline.lost} of ${baseline.items} records delivered, ${baseline.http429} answered 429, ${baseline.lost} lost; it fires every item's request at once and the run stops at the first refusal. Its records/s (${baseline.deliveredPerSecond}) counts only the records it delivered before it stopped; to finish the job a user would have to re-run the ${baseline.lost} lost records by hand, at most ${results.profile.maxRequests} per ${results.profile.windowSeconds} s. Re-run at once on the lost records until none was lost, it needed ${rerun ? `${rerun.requests.toLocaleString('en')} requests (${rerun.http429.toLocaleString('en')} refused with 429) and delivered ${rerun.deliveredPerSecond} records/s` : 'more runs'}. This node's per-item run delivered all ${single.items} at ${single.deliveredPerSecond} records/s without a single 429, and Batch Write delivered ${batch.items.toLocaleString('en')} at ${batch.deliveredPerSecond} records/s.
- CPU per 1,000 items (zero latency, no limit, HubSpot in another process; the whole n8n process, n8n-core included): **${cpu.batchWrite?.cpuMsPerThousandItems} ms with Batch Write**, most of it n8n evaluating each item's parameters. With one request per item it is ${cpu.setPerItem?.cpuMsPerThousandItems} ms, against ${cpu.httpRequestPerItem?.cpuMsPerThousandItems} ms for n8n's own HTTP Request node making the same requests: ${nodeShare(cpu.setPerItem?.cpuMsPerThousandItems, cpu.httpRequestPerItem?.cpuMsPerThousandItems)} The package's own code, sampled by V8's profiler in a second run of the same size (time in the package's \`nodes/\` and \`credentials/\` code and the built-ins it calls): **${cpu.batchWrite?.ownCodeMsPerThousandItems} ms per 1,000 items with Batch Write** (${percent(cpu.batchWrite?.ownShareOfBusyTime)} of the busy time) and **${cpu.setPerItem?.ownCodeMsPerThousandItems} ms with one request per item** (${percent(cpu.setPerItem?.ownShareOfBusyTime)}). Target: under 1 ms of the node's own CPU per item, i.e. under 1,000 ms per 1,000 items.
- Peak memory, Batch Write of ${results.memory.items.toLocaleString('en')} items in one execution: **${results.memory.peakRssMiB} MiB RSS** (${results.memory.rssBeforeMiB} MiB before the run), ${results.memory.peakHeapUsedMiB} MiB heap at most, ${results.memory.wallSeconds} s, ${results.memory.failed} failed.
${
	latency
		? `
## From a webhook to HubSpot
A signed Loops event (\`contact.created\`, double opt-in accepted) arriving at the Loops Trigger, verified, and written by the example workflow to HubSpot: median **${latency.median} ms**, p95 ${latency.p95} ms, max ${latency.max} ms from the webhook's arrival to HubSpot's acknowledgement, over ${latency.count} events with the stand-in answering in ${webhookLatency?.standInLatencyMs?.join('–')} ms (\`npx tsx bench/webhook-latency.ts\`, figures in [webhook-latency.json](webhook-latency.json)). The slowest is the first event, which also reads the account's subscription types once. A manual CSV import takes a day.
`
		: ''
}${queueModeSection(queueMode)}`;
	writeFileSync(join(dir, 'RESULTS.md'), text);
}

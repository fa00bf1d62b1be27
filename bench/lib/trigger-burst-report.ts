// Puts the trigger burst comparison (bench/trigger-burst.mjs) into bench/results.json (key
// `triggerBurst`) and bench/RESULTS.md (section "Trigger burst"), leaving every other figure in
// both files as it is. Also used by bench/run.ts, so a full `npm run bench` keeps the section.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const HEADING = '## Trigger burst';

/** The compact form kept in results.json. */
export function triggerBurstSummary(out: TriggerBurst) {
	return {
		command: out.command,
		measuredAt: out.measuredAt,
		n8n: out.n8n,
		commit: out.commit,
		machine: out.machine,
		burst: out.burst,
		rounds: out.rounds,
		summary: out.summary,
		ratios: out.ratios,
		expressionEngine: out.expressionEngine,
		n8nEnv: out.n8nEnv,
		triggerTypeVersion: out.triggerTypeVersion,
		...(out.before ? { before: out.before } : {}),
	};
}

/** How n8n was set for a run, in words. */
function settings(out: TriggerBurst): string {
	const env = Object.entries(out.n8nEnv ?? {}).map(([k, v]) => `\`${k}=${v}\``);
	const engine =
		!out.expressionEngine || out.expressionEngine.startsWith("n8n's default")
			? "n8n's default expression engine (vm)"
			: `\`N8N_EXPRESSION_ENGINE=${out.expressionEngine}\``;
	return [engine, ...env, `trigger type version ${out.triggerTypeVersion ?? 1}`].join(', ');
}

/** A variant: the same comparison with other n8n settings (bench/trigger-burst.<name>.json). */
function variantSection(name: string, out: TriggerBurst): string {
	const r = out.ratios;
	return `### With ${settings(out)}

\`${out.command}\` on ${out.measuredAt.slice(0, 10)}, ${out.rounds} rounds, raw figures in [trigger-burst.${name}.json](trigger-burst.${name}.json). Loops Trigger **${r.loopsOverWebhookHeaderAuth}×**, Emarsys Trigger **${r.emarsysOverWebhookHeaderAuth}×** the Webhook node with Header Auth.

${table(out.summary)}
`;
}

export interface TriggerSummary {
	label: string;
	medianMs: number;
	p95Ms: number;
	answeredPerSecond: number;
	all2xx: boolean;
	runsAsExpected: boolean;
	bodyBytes: number;
}

export interface TriggerBurst {
	command: string;
	measuredAt: string;
	n8n?: string;
	commit?: string;
	machine: { cpus: number; cpuModel?: string; loadAverageAtEnd: number[]; note?: string };
	burst: number;
	rounds: number;
	summary: Record<string, TriggerSummary>;
	ratios: {
		target: number;
		loopsOverWebhookHeaderAuth: number;
		emarsysOverWebhookHeaderAuth: number;
	};
	expressionEngine?: string;
	n8nEnv?: Record<string, string>;
	triggerTypeVersion?: number;
	before?: {
		commit?: string;
		measuredAt: string;
		summary: Record<string, TriggerSummary>;
		ratios: TriggerBurst['ratios'];
	};
}

const ORDER = ['loops', 'emarsys', 'webhookHeaderAuth', 'webhookNoAuth'];

function table(summary: Record<string, TriggerSummary>): string {
	const rows = ORDER.filter((key) => summary[key]).map((key) => {
		const s = summary[key];
		const ratio = (s.medianMs / summary.webhookHeaderAuth.medianMs).toFixed(2);
		return `| ${s.label} | ${s.medianMs.toLocaleString('en')} | ${s.p95Ms.toLocaleString('en')} | ${s.answeredPerSecond} | ${ratio} | ${s.all2xx ? 'yes' : 'no'} | ${s.runsAsExpected ? 'yes' : 'no'} |`;
	});
	return [
		'| trigger | median answer ms | p95 ms | answered/s | median ÷ Webhook header auth | all 2xx | runs = deliveries |',
		'|---|---:|---:|---:|---:|---|---|',
		...rows,
	].join('\n');
}

/** The "Trigger burst" section of RESULTS.md, from trigger-burst.json's content. */
export function triggerBurstSection(
	out: TriggerBurst,
	variants: Array<{ name: string; out: TriggerBurst }> = [],
	notes = '',
): string {
	const r = out.ratios;
	const verdict = (value: number) => (value <= r.target ? 'within' : 'over');
	const before = out.before
		? `\nBefore the changes of this measurement (commit ${out.before.commit}, ${out.before.measuredAt.slice(0, 10)}), the same run gave:\n\n${table(out.before.summary)}\n`
		: '';
	return `${HEADING}

${out.burst} concurrent POSTs per trigger, each delivery unique (new \`webhook-id\` / \`deduplication_id\` and a fresh token), against one n8n ${out.n8n} process (SQLite) with four active workflows that differ only in their trigger (trigger → No Operation, all answering immediately). Every answer's time is measured from its send to its last byte; answered/s is ${out.burst} ÷ (first send to last answer). Medians over ${out.rounds} rounds, the order of the four rotating between rounds, a few warm-up deliveries before each burst; the next burst starts once n8n has finished the runs of the last one. Measured with \`${out.command}\` on ${out.measuredAt.slice(0, 10)} (${out.machine.cpus} cores, ${out.machine.cpuModel ?? 'unknown CPU'}; load average ${out.machine.loadAverageAtEnd.join(' / ')} at the end${out.machine.note ? `; ${out.machine.note}` : ''}). Raw figures per round in [trigger-burst.json](trigger-burst.json).

${table(out.summary)}

Target: each trigger's median answer time within ${r.target}× that of n8n's Webhook node with Header Auth. Loops Trigger: **${r.loopsOverWebhookHeaderAuth}×** (${verdict(r.loopsOverWebhookHeaderAuth)}); Emarsys Trigger: **${r.emarsysOverWebhookHeaderAuth}×** (${verdict(r.emarsysOverWebhookHeaderAuth)}). n8n's settings: ${settings(out)}.
${before}${notes ? `\n${notes}\n` : ''}${variants.map((v) => `\n${variantSection(v.name, v.out)}`).join('')}`;
}

/** Replaces (or appends) the section in RESULTS.md text. */
export function withTriggerBurstSection(markdown: string, section: string): string {
	const start = markdown.indexOf(`\n${HEADING}\n`);
	if (start < 0) return `${markdown.replace(/\s*$/, '')}\n\n${section}`;
	const next = markdown.indexOf('\n## ', start + HEADING.length + 2);
	const rest = next < 0 ? '' : markdown.slice(next);
	return `${markdown.slice(0, start)}\n${section}${rest}`;
}

/** The saved comparison, if bench/trigger-burst.json exists. */
export function readTriggerBurst(benchDir: string): TriggerBurst | undefined {
	const file = path.join(benchDir, 'trigger-burst.json');
	return existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
}

/** The same comparison under other n8n settings: bench/trigger-burst.<name>.json, by name. */
export function readVariants(benchDir: string): Array<{ name: string; out: TriggerBurst }> {
	return readdirSync(benchDir)
		.map((file) => /^trigger-burst\.([A-Za-z0-9-]+)\.json$/.exec(file)?.[1])
		.filter((name): name is string => Boolean(name))
		.sort()
		.map((name) => ({
			name,
			out: JSON.parse(readFileSync(path.join(benchDir, `trigger-burst.${name}.json`), 'utf8')),
		}));
}

/**
 * Writes the saved comparison (trigger-burst.json and its variants) into `benchDir`'s
 * results.json and RESULTS.md, keeping the rest of both. `trigger-burst.notes.md`, when present,
 * is what was found, shown under the main table.
 */
export function writeTriggerBurstReport(benchDir: string): void {
	const out = readTriggerBurst(benchDir);
	if (!out) return;
	const variants = readVariants(benchDir);
	const notesFile = path.join(benchDir, 'trigger-burst.notes.md');
	const notes = existsSync(notesFile) ? readFileSync(notesFile, 'utf8').trim() : '';
	const resultsFile = path.join(benchDir, 'results.json');
	const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
	results.triggerBurst = {
		...triggerBurstSummary(out),
		raw: 'trigger-burst.json',
		variants: Object.fromEntries(
			variants.map((v) => [
				v.name,
				{ ...triggerBurstSummary(v.out), raw: `trigger-burst.${v.name}.json` },
			]),
		),
	};
	writeFileSync(resultsFile, `${JSON.stringify(results, null, 2)}\n`);
	const reportFile = path.join(benchDir, 'RESULTS.md');
	const section = triggerBurstSection(out, variants, notes);
	writeFileSync(reportFile, withTriggerBurstSection(readFileSync(reportFile, 'utf8'), section));
	formatLikeTheRest(benchDir, [
		resultsFile,
		reportFile,
		path.join(benchDir, 'trigger-burst.json'),
		...variants.map((v) => path.join(benchDir, `trigger-burst.${v.name}.json`)),
	]);
}

/** The repository's Prettier style (npm test checks it), so written figures need no hand-formatting. */
function formatLikeTheRest(benchDir: string, files: string[]) {
	const prettier = path.join(benchDir, '..', 'node_modules', 'prettier', 'bin', 'prettier.cjs');
	if (!existsSync(prettier)) return;
	spawnSync(process.execPath, [prettier, '--write', '--log-level', 'warn', ...files], {
		cwd: path.join(benchDir, '..'),
		stdio: 'inherit',
	});
}

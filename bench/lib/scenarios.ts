import { join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

import type { IDataObject, INode } from 'n8n-workflow';

import { N8nTestInstance } from '../../test/harness/n8n';
import { HUBSPOT_NODE } from '../../test/harness/types';
import { profileOwnCode } from './profile';
import { StandInProcess, type StandInProfile } from './standin-process';

export const SUBSCRIPTION_ID = 102;
export const EXPLANATION = 'Double opt-in confirmed (benchmark record)';
const TOKEN = 'pat-standin-enterprise';

/**
 * The node's budget is per 10 seconds (HubSpot's window). At a faster clock the same shape
 * needs the same budget per window, i.e. a proportionally larger budget per 10 seconds.
 */
export const budgetFor = (profile: StandInProfile) =>
	Math.round((profile.maxRequests * 10_000) / profile.windowMs);

export interface ScenarioResult extends IDataObject {
	scenario: string;
	items: number;
	requests: number;
	http429: number;
	lost: number;
	wallSeconds: number;
	limitBoundSeconds: number;
	deliveredPerSecond: number;
	note: string;
}

export const records = (count: number, prefix: string): IDataObject[] =>
	Array.from({ length: count }, (_, index) => ({ email: `${prefix}${index}@bench.example.com` }));

/** The shortest time HubSpot's rolling window allows for `requests` requests: full windows before the last. */
export function limitBoundSeconds(requests: number, profile: StandInProfile) {
	return (Math.max(0, Math.ceil(requests / profile.maxRequests) - 1) * profile.windowMs) / 1000;
}

function n8nWith(hubspot: StandInProcess) {
	const n8n = new N8nTestInstance();
	n8n.addCredential({
		id: 'hsBench000000001',
		name: 'HubSpot (bench)',
		type: 'hubSpotSubscriptionsApi',
		data: { accessToken: TOKEN, baseUrl: hubspot.url },
	});
	return n8n;
}

function hubspotNode(parameters: IDataObject, continueOnFail: boolean): INode {
	return {
		id: 'hubspot',
		name: 'HubSpot',
		type: HUBSPOT_NODE,
		typeVersion: 1,
		position: [0, 0],
		parameters: { authentication: 'privateAppToken', ...parameters } as INode['parameters'],
		credentials: { hubSpotSubscriptionsApi: { id: 'hsBench000000001', name: 'HubSpot (bench)' } },
		...(continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
}

// The bench measures the writes, as the HTTP Request baseline does: Allow Resubscribe on, so the
// node reads nothing before them. With it off (the default) a SUBSCRIBED write is preceded by a
// read of the address's statuses and opt-outs: two batch reads per 100 items with the Enterprise
// batch scopes, two reads per item without.
const WRITE_PARAMETERS = {
	email: '={{ $json.email }}',
	subscriptionType: { __rl: true, mode: 'id', value: String(SUBSCRIPTION_ID) },
	statusState: 'SUBSCRIBED',
	legalBasis: 'CONSENT_WITH_NOTICE',
	legalBasisExplanation: EXPLANATION,
	options: { allowResubscribe: true },
};

/** Counts the records HubSpot holds as intended at the end: the rest were lost. */
async function countLost(hubspot: StandInProcess, items: IDataObject[]) {
	const stored = new Set(
		(await hubspot.statuses())
			.filter(
				(status) => status.subscriptionId === SUBSCRIPTION_ID && status.status === 'SUBSCRIBED',
			)
			.map((status) => status.subscriberIdString),
	);
	return items.filter((item) => !stored.has(String(item.email).toLowerCase())).length;
}

async function measure(
	scenario: string,
	profile: StandInProfile,
	items: IDataObject[],
	note: string,
	run: (n8n: N8nTestInstance, hubspot: StandInProcess) => Promise<unknown>,
): Promise<ScenarioResult> {
	const hubspot = await StandInProcess.start(profile);
	try {
		const n8n = n8nWith(hubspot);
		const started = performance.now();
		await run(n8n, hubspot);
		const wallSeconds = (performance.now() - started) / 1000;
		const summary = await hubspot.summary();
		const lost = await countLost(hubspot, items);
		await n8n.close();
		return {
			scenario,
			items: items.length,
			requests: summary.requestCount,
			http429: summary.requestsByStatus['429'] ?? 0,
			lost,
			wallSeconds: round(wallSeconds),
			limitBoundSeconds: limitBoundSeconds(summary.requestCount, profile),
			deliveredPerSecond: round((items.length - lost) / wallSeconds),
			note,
		};
	} finally {
		await hubspot.stop();
	}
}

export async function batchWrite(profile: StandInProfile, count: number) {
	const items = records(count, 'batch');
	return await measure(
		'Batch Write (this node)',
		profile,
		items,
		"One workflow run, Batch Write over every record, Continue On Fail on, 100 writes per call, budget = the window's 100 requests.",
		async (n8n) =>
			await n8n.run(
				{
					name: 'bench',
					nodes: [
						hubspotNode(
							{
								resource: 'subscriptionStatus',
								operation: 'batchWrite',
								...WRITE_PARAMETERS,
								requestSettings: { maxRequestsPer10Seconds: budgetFor(profile) },
							},
							true,
						),
					],
					connections: {},
				},
				{ start: 'HubSpot', items },
			),
	);
}

export async function setPerItem(profile: StandInProfile, count: number) {
	const items = records(count, 'single');
	return await measure(
		'Set Status, one request per item (this node)',
		profile,
		items,
		'Set with Use Batch Endpoints = Never: one POST /statuses/{email} per record, paced by the node to the rate window.',
		async (n8n) =>
			await n8n.run(
				{
					name: 'bench',
					nodes: [
						hubspotNode(
							{
								resource: 'subscriptionStatus',
								operation: 'set',
								...WRITE_PARAMETERS,
								requestSettings: {
									batchMode: 'never',
									maxRequestsPer10Seconds: budgetFor(profile),
								},
							},
							true,
						),
					],
					connections: {},
				},
				{ start: 'HubSpot', items },
			),
	);
}

function httpRequestNode(hubspot: StandInProcess): INode {
	return {
		id: 'http',
		name: 'HTTP Request',
		type: 'n8n-nodes-base.httpRequest',
		typeVersion: 4.2,
		position: [0, 0],
		parameters: {
			method: 'POST',
			url: `=${hubspot.url}/communication-preferences/2026-09/statuses/{{ encodeURIComponent($json.email) }}`,
			authentication: 'predefinedCredentialType',
			nodeCredentialType: 'hubSpotSubscriptionsApi',
			sendBody: true,
			specifyBody: 'json',
			jsonBody: `={{ JSON.stringify({ subscriptionId: ${SUBSCRIPTION_ID}, statusState: 'SUBSCRIBED', channel: 'EMAIL', legalBasis: 'CONSENT_WITH_NOTICE', legalBasisExplanation: '${EXPLANATION}' }) }}`,
			options: {},
		},
		credentials: { hubSpotSubscriptionsApi: { id: 'hsBench000000001', name: 'HubSpot (bench)' } },
	};
}

export async function httpRequestBaseline(profile: StandInProfile, count: number) {
	const items = records(count, 'single');
	return await measure(
		'HTTP Request node, one request per item (n8n defaults)',
		profile,
		items,
		'n8n-nodes-base HTTP Request 4.2 with the same credential and endpoint, one POST per record, all options at their defaults: it sends every item at once and the run stops at the first failed request.',
		async (n8n, hubspot) =>
			await n8n.run(
				{ name: 'baseline', nodes: [httpRequestNode(hubspot)], connections: {} },
				{ start: 'HTTP Request', items },
			),
	);
}

/** The baseline again, re-run at once on the records it lost until none is lost: the best a user could do by hand. */
export async function httpRequestBaselineRerun(
	profile: StandInProfile,
	count: number,
	maxRuns = 500,
) {
	const items = records(count, 'single');
	let runs = 0;
	const result = await measure(
		'HTTP Request node, re-run on the lost records until none is lost',
		profile,
		items,
		'',
		async (n8n, hubspot) => {
			let remaining = items;
			while (remaining.length && runs < maxRuns) {
				runs++;
				await n8n.run(
					{ name: 'baseline', nodes: [httpRequestNode(hubspot)], connections: {} },
					{ start: 'HTTP Request', items: remaining },
				);
				const stored = new Set(
					(await hubspot.statuses())
						.filter((status) => status.subscriptionId === SUBSCRIPTION_ID)
						.map((status) => status.subscriberIdString),
				);
				remaining = remaining.filter((item) => !stored.has(String(item.email)));
			}
		},
	);
	result.note = `The same HTTP Request workflow started ${runs} times, each time at once on the records still missing.`;
	return result;
}

/** CPU of n8n and the node per 1,000 items, HubSpot answering at once and without a limit. */
export async function cpuPerThousand(count: number) {
	const profile: StandInProfile = {
		maxRequests: 100,
		windowMs: 10_000,
		latencyMs: [0, 0],
		rateLimit: false,
	};
	const result: IDataObject = {};
	for (const [label, operation, settings] of [
		['batchWrite', 'batchWrite', { maxRequestsPer10Seconds: 100_000 }],
		['setPerItem', 'set', { batchMode: 'never', maxRequestsPer10Seconds: 100_000 }],
		// n8n's own HTTP Request node making the same requests: what one request costs in n8n itself
		['httpRequestPerItem', 'httpRequest', {}],
	] as const) {
		const hubspot = await StandInProcess.start(profile);
		const n8n = n8nWith(hubspot);
		const node =
			operation === 'httpRequest'
				? httpRequestNode(hubspot)
				: hubspotNode(
						{
							resource: 'subscriptionStatus',
							operation,
							...WRITE_PARAMETERS,
							requestSettings: settings,
						},
						true,
					);
		const workflow = { name: 'cpu', nodes: [node], connections: {} };
		const start = node.name;
		await n8n.run(workflow, { start, items: records(200, `warm${label}`) }); // warm up JIT and caches
		const items = records(count, `cpu${label}`);
		const before = process.cpuUsage();
		const started = performance.now();
		await n8n.run(workflow, { start, items });
		const cpu = process.cpuUsage(before);
		const wallSeconds = round((performance.now() - started) / 1000);
		// A second run under the profiler, for the package's own share (the profiler slows the run,
		// so the totals above come from the run without it).
		const own =
			operation === 'httpRequest'
				? undefined
				: await profileOwnCode(
						async () => await n8n.run(workflow, { start, items: records(count, `own${label}`) }),
						isPackageCode,
					);
		result[label] = {
			items: count,
			cpuMsPerThousandItems: round(((cpu.user + cpu.system) / 1000 / count) * 1000),
			...(own
				? {
						ownCodeMsPerThousandItems: round((own.ownMs / count) * 1000),
						ownShareOfBusyTime: round(own.ownMs / own.busyMs),
					}
				: {}),
			wallSeconds,
		};
		await n8n.close();
		await hubspot.stop();
	}
	return result;
}

const PACKAGE_ROOT = join(__dirname, '..', '..');
/** The package's own source: its nodes and credentials, not its dependencies. */
function isPackageCode(url: string) {
	const path = url.startsWith('file://') ? fileURLToPath(url) : url;
	return (
		!path.includes(`${sep}node_modules${sep}`) &&
		[join(PACKAGE_ROOT, 'nodes'), join(PACKAGE_ROOT, 'credentials')].some((folder) =>
			path.startsWith(folder + sep),
		)
	);
}

export function round(value: number) {
	return Math.round(value * 100) / 100;
}

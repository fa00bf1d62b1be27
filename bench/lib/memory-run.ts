import { N8nTestInstance } from '../../test/harness/n8n';
import { HUBSPOT_NODE } from '../../test/harness/types';
import { records, round, SUBSCRIPTION_ID } from './scenarios';
import { StandInProcess } from './standin-process';

export async function hubspotMemoryRun(count: number) {
	const hubspot = await StandInProcess.start({
		maxRequests: 100,
		windowMs: 10_000,
		latencyMs: [0, 0],
		rateLimit: false,
	});
	const n8n = new N8nTestInstance();
	n8n.addCredential({
		id: 'hsMemory00000001',
		name: 'HubSpot',
		type: 'hubSpotSubscriptionsApi',
		data: { accessToken: 'pat-standin-enterprise', baseUrl: hubspot.url },
	});
	const baseline = process.memoryUsage();
	let peakRss = baseline.rss;
	let peakHeap = baseline.heapUsed;
	const sampler = setInterval(() => {
		const now = process.memoryUsage();
		peakRss = Math.max(peakRss, now.rss);
		peakHeap = Math.max(peakHeap, now.heapUsed);
	}, 50);
	const started = performance.now();
	const items = records(count, 'memory');
	const run = await n8n.run(
		{
			name: 'memory',
			nodes: [
				{
					id: 'hubspot',
					name: 'HubSpot',
					type: HUBSPOT_NODE,
					typeVersion: 1,
					position: [0, 0],
					parameters: {
						authentication: 'privateAppToken',
						resource: 'subscriptionStatus',
						operation: 'batchWrite',
						email: '={{ $json.email }}',
						subscriptionType: { __rl: true, mode: 'id', value: String(SUBSCRIPTION_ID) },
						statusState: 'SUBSCRIBED',
						legalBasis: 'CONSENT_WITH_NOTICE',
						legalBasisExplanation: 'Benchmark',
						requestSettings: { maxRequestsPer10Seconds: 1000 },
					},
					credentials: { hubSpotSubscriptionsApi: { id: 'hsMemory00000001', name: 'HubSpot' } },
					onError: 'continueRegularOutput',
				},
			],
			connections: {},
		},
		{ start: 'HubSpot', items },
	);
	clearInterval(sampler);
	const output = run.output('HubSpot');
	const failed = output.filter((item) => item.json.error !== undefined).length;
	await n8n.close();
	await hubspot.stop();
	const mib = (bytes: number) => round(bytes / 1024 / 1024);
	return {
		items: count,
		outputs: output.length,
		failed,
		wallSeconds: round((performance.now() - started) / 1000),
		rssBeforeMiB: mib(baseline.rss),
		peakRssMiB: mib(peakRss),
		peakHeapUsedMiB: mib(peakHeap),
		maxRssMiB: round(process.resourceUsage().maxRSS / 1024),
	};
}

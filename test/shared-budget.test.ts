/**
 * One HubSpot budget across n8n processes (queue mode: several workers), through n8n-core.
 *
 * Each "process" here is its own copy of the node's modules (jest.isolateModules), so it has its
 * own rate-window scheduler and cache, exactly as a separate worker would; both run an execution
 * at the same time with the same private app token against one stand-in that counts per token,
 * as HubSpot counts per app. Nothing is shared between the two copies but HubSpot's answers.
 */
import type { INodeType } from 'n8n-workflow';

import { N8nTestInstance, type TestRun } from './harness/n8n';
import { HUBSPOT_NODE } from './harness/types';
import { ENTERPRISE_TOKEN, startHubSpotStandIn, type StandIn } from './hubspot-standin';
import { CREDENTIAL_IDS, byId, hubspotWorkflow } from './support/fixtures';

/** A fresh copy of the node and everything it imports: a process of its own. */
function nodeOfAnotherProcess(): INodeType {
	let node: INodeType | undefined;
	jest.isolateModules(() => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { HubSpotSubscriptions } =
			require('../nodes/HubSpotSubscriptions/HubSpotSubscriptions.node') as {
				HubSpotSubscriptions: new () => INodeType;
			};
		node = new HubSpotSubscriptions();
	});
	return node!;
}

function processOf(hubspot: StandIn): N8nTestInstance {
	const n8n = new N8nTestInstance({ nodes: { [HUBSPOT_NODE]: nodeOfAnotherProcess() } });
	n8n.addCredential({
		id: CREDENTIAL_IDS.enterprise,
		name: 'HubSpot Enterprise',
		type: 'hubSpotSubscriptionsApi',
		data: { accessToken: ENTERPRISE_TOKEN, baseUrl: hubspot.url },
	});
	return n8n;
}

// The stand-in allows 20 requests per second per token. Each process is set to 200 per 10 s,
// which HubSpot's 1 s window scales to 20 per second: each process alone may use the whole budget,
// so two of them offer twice what HubSpot allows unless they go by HubSpot's Remaining header.
const LIMIT = { maxRequests: 20, windowMs: 1000 };
const ITEMS_PER_PROCESS = 60;

async function twoProcessesWriting(hubspot: StandIn) {
	const processes = [processOf(hubspot), processOf(hubspot)];
	const write = (n8n: N8nTestInstance, p: number): Promise<TestRun> => {
		const items = Array.from({ length: ITEMS_PER_PROCESS }, (_, i) => ({
			email: `p${p}-${i}@example.com`,
		}));
		const workflow = hubspotWorkflow({
			resource: 'subscriptionStatus',
			operation: 'set',
			email: '={{ $json.email }}',
			subscriptionType: byId(102),
			statusState: 'SUBSCRIBED',
			legalBasis: 'CONSENT_WITH_NOTICE',
			legalBasisExplanation: 'Double opt-in confirmed',
			options: { allowResubscribe: true },
			requestSettings: { batchMode: 'never', maxRequestsPer10Seconds: 200 },
		});
		return n8n.run(workflow, { start: 'HubSpot', items });
	};
	const started = Date.now();
	const runs = await Promise.all(processes.map((n8n, p) => write(n8n, p)));
	const wallMs = Date.now() - started;
	await Promise.all(processes.map((n8n) => n8n.close()));
	const api = hubspot.requests.filter((r) => !r.path.startsWith('/oauth/'));
	// Both processes are under way from the first arrival of the later one.
	const firstOf = (p: number) =>
		Math.min(...api.filter((r) => r.path.includes(`p${p}-`)).map((r) => r.receivedAt));
	const bothUnderWay = Math.max(firstOf(0), firstOf(1));
	const rejected = api.filter((r) => r.status === 429);
	return {
		runs,
		wallMs,
		total: api.length,
		rejected: rejected.length,
		// Answered 429 after the first window in which both sent: each has seen the other's count by then.
		rejectedLater: rejected.filter((r) => r.receivedAt >= bothUnderWay + LIMIT.windowMs).length,
	};
}

function expectEveryWriteLanded(hubspot: StandIn, runs: TestRun[]) {
	for (const run of runs) {
		expect(run.error).toBeUndefined();
		expect(run.output('HubSpot')).toHaveLength(ITEMS_PER_PROCESS);
	}
	for (let p = 0; p < 2; p++) {
		for (let i = 0; i < ITEMS_PER_PROCESS; i++) {
			expect(hubspot.state.getStatus(`p${p}-${i}@example.com`, 102)?.status).toBe('SUBSCRIBED');
		}
	}
}

describe('one HubSpot budget across two processes (separate schedulers, one token)', () => {
	jest.setTimeout(60_000);

	// Mutation that turns it red: in RateWindowScheduler.observeHeaders, ignore
	// X-HubSpot-RateLimit-Remaining (drop the `observeRemaining` call): each process then fills its
	// own window of 20 per second and HubSpot answers dozens of requests with 429 in every window.
	// (Also red: leaving the shared mode as soon as an answer shows the others at 0, i.e. `othersNow`
	// returns undefined and waitTime's `shared` is false when `count` is 0: while the other pauses
	// after a 429, this one takes the whole window in a burst, and the other's next requests meet
	// 429s again; 5-6 after the first window.)
	it("going by HubSpot's Remaining header, both write everything; after the first window no request is answered 429", async () => {
		const hubspot = await startHubSpotStandIn({ rateLimit: LIMIT, latencyMs: [5, 15] });
		try {
			const { runs, total, rejected, rejectedLater, wallMs } = await twoProcessesWriting(hubspot);
			expectEveryWriteLanded(hubspot, runs);
			// Once both have sent, each has seen the other's count: at most 1% (here: 1) 429s after.
			expect(rejectedLater).toBeLessThanOrEqual(Math.floor(total * 0.01));
			// Before that a process knows nothing of the other: what it has in flight (10 at most)
			// may meet 429s once. That first cost, and no more, is all the run pays.
			expect(rejected).toBeLessThanOrEqual(10 + Math.floor(total * 0.01));
			// 120 writes at 20 per second need 6 s at the least; the margin left for the other
			// process and the wait for HubSpot's window cost some of it, not more than as much again.
			expect(wallMs).toBeLessThan(((2 * ITEMS_PER_PROCESS) / LIMIT.maxRequests) * 1000 * 2);
		} finally {
			await hubspot.close();
		}
	});

	// The contrast, on the same code: without the Remaining header each process has only its own
	// count, and two of them overrun the shared budget in every window. Mutation that turns it red:
	// none in the scheduler can (this is the process-local limit the README documents); if the
	// stand-in counted per connection instead of per token, there would be no 429s and it fails.
	it('with the process-local window alone (no Remaining header), the same run meets 429s in every window', async () => {
		const hubspot = await startHubSpotStandIn({
			rateLimit: { ...LIMIT, remainingHeader: false },
			latencyMs: [5, 15],
		});
		try {
			const { runs, total, rejectedLater } = await twoProcessesWriting(hubspot);
			expectEveryWriteLanded(hubspot, runs);
			expect(rejectedLater).toBeGreaterThan(total * 0.2);
		} finally {
			await hubspot.close();
		}
	});
});

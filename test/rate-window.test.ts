import { RateWindowScheduler } from '../nodes/HubSpotSubscriptions/transport/scheduler';
import { Bed, byId } from './support/fixtures';

const sleep = async (ms: number) => await new Promise((resolve) => setTimeout(resolve, ms));

describe('the rolling window, on its own', () => {
	it('no more than `max` slots within a window of their answers, and no more than `maxConcurrent` in flight', async () => {
		const limits = { maxRequests: 4, windowMs: 150, maxConcurrent: 3 };
		const scheduler = new RateWindowScheduler(limits);
		const sentAt: number[] = [];
		const answeredAt: number[] = [];
		let inFlight = 0;
		let mostInFlight = 0;
		await Promise.all(
			Array.from({ length: 14 }, async (_, index) => {
				const release = await scheduler.acquire();
				sentAt[index] = Date.now();
				inFlight++;
				mostInFlight = Math.max(mostInFlight, inFlight);
				await sleep(5 + (index % 3) * 10); // answers of differing latency
				inFlight--;
				answeredAt[index] = Date.now();
				release();
			}),
		);
		const order = sentAt.map((at, index) => ({ at, index })).sort((a, b) => a.at - b.at);
		order.forEach(({ at }, position) => {
			if (position < limits.maxRequests) return;
			// The slot freed first must have been out of the window when this one went.
			const freed = order
				.slice(0, position)
				.map(({ index }) => answeredAt[index])
				.sort((a, b) => a - b);
			const earliestAllowed = freed[position - limits.maxRequests] + limits.windowMs;
			expect(at).toBeGreaterThanOrEqual(earliestAllowed - 1); // timers fire to the millisecond
		});
		expect(mostInFlight).toBeLessThanOrEqual(limits.maxConcurrent);
	});

	it('serves waiting requests first come first served', async () => {
		const scheduler = new RateWindowScheduler({ maxRequests: 2, windowMs: 60, maxConcurrent: 10 });
		const served: number[] = [];
		await Promise.all(
			Array.from({ length: 7 }, async (_, index) => {
				const release = await scheduler.acquire();
				served.push(index);
				release();
			}),
		);
		expect(served).toEqual([0, 1, 2, 3, 4, 5, 6]);
	});

	it('after a pause (a 429), nothing is sent until the pause is over', async () => {
		const scheduler = new RateWindowScheduler({
			maxRequests: 100,
			windowMs: 1000,
			maxConcurrent: 10,
		});
		const pausedAt = Date.now();
		scheduler.pause(80);
		const release = await scheduler.acquire();
		expect(Date.now() - pausedAt).toBeGreaterThanOrEqual(79);
		release();
	});

	// Mutation that turns this red: in scheduler.ts acquireWithin(), leave the waiter in the
	// queue when it gives up (no splice): the slot is then granted to nobody and the next
	// request waits for ever.
	it('a retry that gives up waiting leaves the queue and takes no slot', async () => {
		const scheduler = new RateWindowScheduler({ maxRequests: 1, windowMs: 200, maxConcurrent: 10 });
		(await scheduler.acquire())();
		const freedAt = Date.now();
		const events: string[] = [];
		const gaveUp = scheduler
			.acquireWithin(50)
			.then((release) => events.push(release ? 'granted' : 'gave up'));
		const next = scheduler.acquire().then((release) => {
			events.push('next granted');
			release();
			return Date.now();
		});
		await gaveUp;
		const nextAt = await next;
		expect(events).toEqual(['gave up', 'next granted']);
		// the next request went once the window had freed the first slot (a lost slot would hang it)
		expect(nextAt - freedAt).toBeGreaterThanOrEqual(199);
	});

	it("HubSpot's headers lower the budget and set the window", () => {
		const scheduler = new RateWindowScheduler({
			maxRequests: 100,
			windowMs: 10_000,
			maxConcurrent: 10,
		});
		scheduler.observeHeaders({
			'x-hubspot-ratelimit-max': '50',
			'x-hubspot-ratelimit-interval-milliseconds': '10000',
		});
		expect(scheduler.effectiveMax).toBe(50);
		// Another window length: the user's rate is kept (100 per 10 s = 10 per second).
		scheduler.observeHeaders({
			'x-hubspot-ratelimit-max': '500',
			'x-hubspot-ratelimit-interval-milliseconds': '1000',
		});
		expect(scheduler.effectiveWindowMs).toBe(1000);
		expect(scheduler.effectiveMax).toBe(10);
	});
});

describe("the rolling window against HubSpot's limit, through n8n-core", () => {
	const bed = new Bed();
	beforeAll(async () => await bed.start({ rateLimit: { maxRequests: 10, windowMs: 1000 } }));
	afterAll(async () => await bed.stop());

	it('one request per item at 10 per second: every write lands and HubSpot never answers 429', async () => {
		const items = Array.from({ length: 35 }, (_, index) => ({
			email: `paced${index}@example.com`,
		}));
		const run = await bed.runNode(
			{
				resource: 'subscriptionStatus',
				operation: 'set',
				email: '={{ $json.email }}',
				subscriptionType: byId(102),
				statusState: 'SUBSCRIBED',
				legalBasis: 'CONSENT_WITH_NOTICE',
				legalBasisExplanation: 'Double opt-in confirmed',
				// one write per item and nothing else: no resubscribe guard reads
				options: { allowResubscribe: true },
				requestSettings: { batchMode: 'never' },
			},
			items,
		);
		expect(run.error).toBeUndefined();
		expect(run.output('HubSpot')).toHaveLength(35);
		const requests = bed.apiRequests();
		expect(requests.filter((request) => request.status === 429)).toEqual([]);
		expect(requests).toHaveLength(35);
		for (const { email } of items)
			expect(bed.hubspot.state.getStatus(email, 102)?.status).toBe('SUBSCRIBED');
		// HubSpot's own count: never more than 10 arrivals in any second.
		const arrivals = requests.map((request) => request.receivedAt).sort((a, b) => a - b);
		arrivals.forEach((at, index) => {
			if (index >= 10) expect(at - arrivals[index - 10]).toBeGreaterThanOrEqual(1000);
		});
	});
});

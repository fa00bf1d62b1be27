import type { IDataObject } from 'n8n-workflow';

import { Bed, byId } from './support/fixtures';

// A rate window of one second (HubSpot's is ten) keeps these tests short; the node learns the
// window from HubSpot's X-HubSpot-RateLimit-* headers, as it would from HubSpot.
const bed = new Bed();
beforeAll(async () => await bed.start({ rateLimit: { maxRequests: 100, windowMs: 1000 } }));
afterAll(async () => await bed.stop());
beforeEach(() => {
	bed.reset();
	bed.hubspot.clearFaults();
});

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));
afterEach(() => expect(unhandled).toEqual([]));

const people = (count: number, prefix: string) =>
	Array.from({ length: count }, (_, index) => ({ email: `${prefix}${index}@example.com` }));

// These tests are about how writes travel; Allow Resubscribe on spares them the resubscribe
// guard's reads (test/consent.test.ts covers those).
const SET_MANY = (requestSettings: IDataObject = {}): IDataObject => ({
	resource: 'subscriptionStatus',
	operation: 'set',
	email: '={{ $json.email }}',
	subscriptionType: byId(102),
	statusState: 'SUBSCRIBED',
	legalBasis: 'CONSENT_WITH_NOTICE',
	legalBasisExplanation: 'Double opt-in confirmed',
	options: { allowResubscribe: true },
	requestSettings,
});

/** The standard every fault test ends with: one output per input, and HubSpot in the intended state. */
function expectEveryItemWritten(
	run: Awaited<ReturnType<Bed['runNode']>>,
	items: Array<{ email: string }>,
) {
	expect(run.error).toBeUndefined();
	const output = run.output('HubSpot');
	expect(output).toHaveLength(items.length);
	output.forEach((item, index) => {
		expect(item.pairedItem).toEqual({ item: index });
		expect(item.json.error).toBeUndefined();
		expect(item.json.status).toBe('SUBSCRIBED');
	});
	for (const { email } of items)
		expect(bed.hubspot.state.getStatus(email, 102)?.status).toBe('SUBSCRIBED');
	// nothing unintended: no other type and no opt-out was touched
	const touched = bed.hubspot.state.allWrites;
	expect(touched.every((write) => write.subscriptionId === 102 && write.to === 'SUBSCRIBED')).toBe(
		true,
	);
}

const hintText = (run: Awaited<ReturnType<Bed['runNode']>>) =>
	run
		.hints('HubSpot')
		.map((hint) => hint.message)
		.join('\n');

// Counts, not clocks: the storm refuses every second matching request until it has refused
// STORM of them, however fast or slow the machine is, and Max Attempts leaves room for the
// worst case (one address refused every time). So the outcome depends on no timing.
// Mutation that turns this red: in transport/index.ts decide(), answer a 429 with
// `{ kind: 'fail' }` (no retry): the refused writes then end as errors.
test('a 429 storm: half the requests refused for a stretch, every write still lands once', async () => {
	const STORM = 12;
	bed.hubspot.injectFault({
		kind: 'storm',
		ratio: 0.5,
		times: STORM,
		durationMs: 10 * 60_000,
		path: /\/statuses\//,
	});
	const items = people(40, 'storm');
	const run = await bed.runNode(
		SET_MANY({ batchMode: 'never', maxAttempts: STORM + 1, maxRetryWaitSeconds: 300 }),
		items,
	);
	expectEveryItemWritten(run, items);
	const requests = bed.apiRequests();
	const refused = requests.filter((request) => request.status === 429);
	expect(refused).toHaveLength(STORM);
	// each refused request was sent again after its refusal, and that one landed
	for (const refusal of refused) {
		const again = requests.filter(
			(request) =>
				request.method === refusal.method &&
				request.path === refusal.path &&
				request.receivedAt >= refusal.respondedAt! &&
				request.status === 200,
		);
		expect(again).toHaveLength(1);
	}
	// one successful write per address: nothing was sent twice that HubSpot had taken
	const written = requests.filter((request) => request.method === 'POST' && request.status === 200);
	expect(written).toHaveLength(items.length);
	expect(bed.hubspot.state.allWrites).toHaveLength(items.length);
	expect(hintText(run)).toMatch(
		new RegExp(`${STORM} answered 429 \\(rate limit\\) and were retried after a wait`),
	);
});

test('500, 502 and 503 with HTML bodies are retried with backoff; the re-sent writes are counted', async () => {
	for (const status of [500, 502, 503]) {
		bed.hubspot.injectFault({
			kind: 'status',
			status,
			path: /batch\/write/,
			body: `<html><body><h1>${status}</h1></body></html>`,
		});
	}
	const items = people(150, 'fivexx');
	const run = await bed.runNode(SET_MANY(), items);
	expectEveryItemWritten(run, items);
	const batchCalls = bed.apiRequests().filter((request) => request.path.endsWith('/batch/write'));
	expect(batchCalls.map((request) => request.status)).toEqual(
		expect.arrayContaining([500, 502, 503, 200]),
	);
	expect(batchCalls.filter((request) => request.status === 200)).toHaveLength(2);
	expect(hintText(run)).toMatch(/3 writes were sent again/);
});

// Mutation that turns this red: drop `changesNothing: true` from the batch read in
// transport/statuses.ts readPerAddress(): the hint then calls the retried read a re-sent write.
test('a retried batch status read is reported as a read, not as a write sent again', async () => {
	bed.hubspot.injectFault({ kind: 'status', status: 503, path: /statuses\/batch\/read/, times: 1 });
	const items = people(3, 'batchread');
	const run = await bed.runNode(
		{ resource: 'subscriptionStatus', operation: 'getAll', email: '={{ $json.email }}' },
		items,
	);
	expect(run.error).toBeUndefined();
	expect(run.output('HubSpot').map((item) => item.json.email)).toEqual(
		items.map((item) => item.email),
	);
	const reads = bed.apiRequests().filter((request) => request.path.includes('statuses/batch/read'));
	expect(reads.map((request) => request.status)).toEqual([503, 200]);
	expect(hintText(run)).toMatch(/1 reads retried after a server or network error/);
	expect(hintText(run)).not.toMatch(/sent again/);
});

test('a connection reset after HubSpot applied a batch: the re-send is harmless and counted', async () => {
	bed.hubspot.injectFault({ kind: 'reset', applyBeforeFault: true, path: /batch\/write/ });
	const items = people(120, 'reset');
	const run = await bed.runNode(SET_MANY(), items);
	expectEveryItemWritten(run, items);
	const calls = bed.apiRequests().filter((request) => request.path.endsWith('/batch/write'));
	expect(calls[0].status).toBe(0); // the socket was destroyed without an answer
	expect(hintText(run)).toMatch(/1 writes were sent again/);
	// the first chunk's writes were applied twice; the second time changed nothing
	const replayed = bed.hubspot.state.allWrites.filter(
		(write) => write.reason === 'NO_STATUS_CHANGE',
	);
	expect(replayed).toHaveLength((calls[0].body as { inputs: unknown[] }).inputs.length);
});

test('a response stalled past the timeout is abandoned and sent again', async () => {
	bed.hubspot.injectFault({
		kind: 'stall',
		ms: 4000,
		applyBeforeFault: true,
		path: /statuses\/stall0/,
	});
	const items = people(3, 'stall');
	const started = Date.now();
	const run = await bed.runNode(SET_MANY({ batchMode: 'never', timeoutSeconds: 1 }), items);
	expectEveryItemWritten(run, items);
	expect(Date.now() - started).toBeLessThan(4000);
	expect(hintText(run)).toMatch(/1 writes were sent again/);
});

test('a DAILY 429 is not retried: every item comes back as an error at once', async () => {
	bed.hubspot.injectFault({
		kind: 'rateLimit',
		policy: 'DAILY',
		times: 1000,
		path: /\/statuses\//,
	});
	const items = people(30, 'daily');
	const started = Date.now();
	const run = await bed.runNode(SET_MANY({ batchMode: 'never' }), items, { continueOnFail: true });
	expect(Date.now() - started).toBeLessThan(3000);
	const output = run.output('HubSpot');
	expect(output).toHaveLength(30);
	output.forEach((item, index) => {
		expect(item.pairedItem).toEqual({ item: index });
		expect(item.json.error).toMatch(/^HubSpot: /);
		expect(item.json.policyName).toBe('DAILY');
		expect(String(item.json.description)).toMatch(/daily request limit/);
	});
	// one refused request is enough to know: only the requests already in flight (at most the
	// node's 10 concurrent ones) were answered 429, the other items were never sent
	expect(bed.apiRequests().filter((request) => request.status === 429).length).toBeLessThanOrEqual(
		10,
	);
	expect(bed.apiRequests().length).toBeLessThan(items.length);
	expect(bed.hubspot.state.allWrites).toHaveLength(0);
});

test('retries are bounded: a server that keeps failing ends in an error per item, not a hang', async () => {
	bed.hubspot.injectFault({ kind: 'status', status: 503, times: 1000, path: /\/statuses\// });
	const started = Date.now();
	const run = await bed.runNode(
		SET_MANY({ batchMode: 'never', maxAttempts: 3 }),
		people(4, 'down'),
		{ continueOnFail: true },
	);
	expect(Date.now() - started).toBeLessThan(5000);
	const output = run.json('HubSpot');
	expect(output).toHaveLength(4);
	for (const item of output) {
		expect(item.error).toMatch(/HubSpot answered HTTP 503 with an HTML page/);
		expect(item.description).toMatch(/Gave up after 3 attempts/);
	}
	expect(bed.apiRequests().filter((request) => request.method === 'POST')).toHaveLength(4 * 3); // 3 attempts each
});

test('a 400 validation error is never retried', async () => {
	const run = await bed.runNode(
		{ ...SET_MANY({ batchMode: 'never' }), legalBasis: 'NON_GDPR', legalBasisExplanation: '' },
		people(1, 'invalid'),
		{ continueOnFail: true },
	);
	expect(run.json('HubSpot')[0].httpCode).toBe('400');
	expect(bed.apiRequests().filter((request) => request.method === 'POST')).toHaveLength(1);
});

// Mutation: in batching.ts, drop the line that sets batchState.maxSize → the second half goes out
// at 50 again and is refused a second time.
test('HubSpot answering that a batch is too large halves it, goes on, and keeps the smaller size', async () => {
	await bed.stop();
	await bed.start({ maxBatchInputs: 40 });
	const items = people(100, 'small');
	const run = await bed.runNode(SET_MANY({ batchSize: 100 }), items);
	expectEveryItemWritten(run, items);
	const sizes = bed
		.apiRequests()
		.filter((request) => request.path.endsWith('/batch/write'))
		.map((request) => [(request.body as { inputs: unknown[] }).inputs.length, request.status]);
	expect(sizes).toEqual([
		[100, 400],
		[50, 400],
		[25, 200],
		[25, 200],
		[25, 200],
		[25, 200],
	]);
	await bed.stop();
	await bed.start({ rateLimit: { maxRequests: 100, windowMs: 1000 } });
});

describe('Max Retry Wait bounds the whole wait of a retried request, the rate window included', () => {
	// One request per window (the user's budget of 1 per 10 s, scaled to the 1-second window the
	// stand-in reports): after a 503, the retry must wait about a second for the window to free
	// the slot its first attempt took, while the back-off alone is at most 250 ms.
	const GET_TYPES = (maxRetryWaitSeconds: number): IDataObject => ({
		resource: 'subscriptionType',
		operation: 'getAll',
		requestSettings: { maxRequestsPer10Seconds: 1, maxRetryWaitSeconds },
	});

	// The node learns the 1-second window from the headers of a first, plain answer.
	beforeAll(async () => expect((await bed.runNode(GET_TYPES(10))).error).toBeUndefined());

	// Mutation that turns this red: in transport/index.ts, acquire the retry's slot with
	// `scheduler.acquire()` instead of `scheduler.acquireWithin(...)` (only back-off sleeps
	// counted): the retry then waits out the window and succeeds.
	test('a retry that would wait longer in the window than the bound allows gives up unsent', async () => {
		bed.hubspot.injectFault({ kind: 'status', status: 503, path: /\/definitions$/ });
		const run = await bed.runNode(GET_TYPES(0.5), [{}], { continueOnFail: true });
		const [item] = run.json('HubSpot');
		expect(item.error).toMatch(/HubSpot answered HTTP 503/);
		expect(item.description).toMatch(/Gave up after 5 attempts or 0.5 s of waiting/);
		// the retry was never sent: HubSpot saw the first attempt only
		expect(bed.apiRequests().map((request) => request.status)).toEqual([503]);
	});

	test("with room for the window's wait, the same retry is sent and succeeds", async () => {
		bed.hubspot.injectFault({ kind: 'status', status: 503, path: /\/definitions$/ });
		const run = await bed.runNode(GET_TYPES(10), [{}], { continueOnFail: true });
		expect(run.json('HubSpot')[0].error).toBeUndefined();
		const [first, second] = bed.apiRequests();
		expect([first.status, second.status]).toEqual([503, 200]);
		// the retry went only once the window had freed the first attempt's slot
		expect(second.receivedAt - first.respondedAt!).toBeGreaterThanOrEqual(900);
	});
});

import type { IDataObject } from 'n8n-workflow';

import { Bed, byId } from './support/fixtures';

// Consent that is never wrong (issue 10): the later write for an address and type wins, the
// newest event wins across executions, an opted-out address is resubscribed only on purpose,
// Dry Run predicts the real call on a two-brand account, partial writes are reported as such
// and addresses HubSpot refuses never leave n8n. Each test names the mutation that turns it red.
const bed = new Bed();
beforeAll(async () => await bed.start());
afterAll(async () => await bed.stop());
beforeEach(() => {
	bed.reset();
	bed.hubspot.clearFaults();
});

const BRAND = 12345; // the stand-in's second brand: types 201 and 202

const WRITE = (extra: IDataObject = {}, options: IDataObject = {}): IDataObject => ({
	resource: 'subscriptionStatus',
	operation: 'batchWrite',
	email: '={{ $json.email }}',
	subscriptionType: { __rl: true, mode: 'id', value: '={{ $json.type }}' },
	statusState: '={{ $json.state }}',
	legalBasis: 'CONSENT_WITH_NOTICE',
	legalBasisExplanation: '=Loops event {{ $json.id }}',
	options,
	...extra,
});

const statusOf = (email: string, type: number) =>
	bed.hubspot.state.getStatus(email, type)?.status ?? 'NOT_SPECIFIED';
const writes = () =>
	bed
		.apiRequests()
		.filter((request) => request.method === 'POST' && !request.path.endsWith('/read'));

describe('the later write for one address and type wins', () => {
	// Mutation: in statusWrites.ts rounds(), put every task in round 0 (all writes at once) → both go red.
	test.each([
		['one call per item', { batchMode: 'never' }, /\/statuses\/pair%40example\.com$/],
		['batch calls of one', { batchMode: 'always', batchSize: 1 }, /\/statuses\/batch\/write$/],
	])(
		'SUBSCRIBED then UNSUBSCRIBED, the first call slow (%s): HubSpot ends UNSUBSCRIBED',
		async (_, requestSettings, path) => {
			bed.hubspot.injectFault({ kind: 'stall', ms: 1500, method: 'POST', path, times: 1 });
			const items = [
				{ email: 'pair@example.com', type: 101, state: 'SUBSCRIBED', id: 'first' },
				{ email: 'pair@example.com', type: 101, state: 'UNSUBSCRIBED', id: 'second' },
			];
			const run = await bed.runNode(WRITE({ requestSettings }, { allowResubscribe: true }), items);
			expect(run.error).toBeUndefined();
			expect(run.json('HubSpot').map((json) => json.status)).toEqual([
				'SUBSCRIBED',
				'UNSUBSCRIBED',
			]);
			expect(statusOf('pair@example.com', 101)).toBe('UNSUBSCRIBED');
			expect(bed.hubspot.state.getStatus('pair@example.com', 101)?.legalBasisExplanation).toBe(
				'Loops event second',
			);
		},
	);
});

/** A small seeded generator, so the stream is the same on every run. */
function random(seed: number) {
	let state = seed;
	return () => {
		state = (state * 1103515245 + 12345) % 2 ** 31;
		return state / 2 ** 31;
	};
}

describe('the newest event wins across executions', () => {
	// Mutation: in statusWrites.ts decide(), drop the event-time comparison with what HubSpot
	// holds (keep only the in-run ordering) → the late events win and the test goes red.
	test('1,000 shuffled events for 100 addresses, 10% repeated and 10% late, over two executions: 100% end in their latest state', async () => {
		const next = random(20261201);
		const base = Date.parse('2026-11-01T00:00:00Z');
		const events = Array.from({ length: 1000 }, (_, index) => ({
			id: `e${index}`,
			email: `stream${index % 100}@example.com`,
			type: next() < 0.5 ? 101 : 102,
			state: next() < 0.5 ? 'SUBSCRIBED' : 'UNSUBSCRIBED',
			// distinct times; the order of the array is not the order of the times
			occurredAt: new Date(base + Math.floor(next() * 1e9) * 1000 + index).toISOString(),
		}));
		const latest = new Map<string, (typeof events)[number]>();
		for (const event of events) {
			const key = `${event.email}|${event.type}`;
			const seen = latest.get(key);
			if (!seen || event.occurredAt > seen.occurredAt) latest.set(key, event);
		}
		const shuffled = [...events].sort(() => next() - 0.5);
		const repeated = shuffled.filter(() => next() < 0.1);
		const late = shuffled.filter(() => next() < 0.1);
		const onTime = [...shuffled, ...repeated]
			.filter((event) => !late.includes(event))
			.sort(() => next() - 0.5);
		const half = Math.floor(onTime.length / 2);
		const executions = [onTime.slice(0, half), [...onTime.slice(half), ...late]];
		for (const batch of executions) {
			const run = await bed.runNode(
				WRITE({}, { allowResubscribe: true, eventTime: '={{ $json.occurredAt }}' }),
				batch,
			);
			expect(run.error).toBeUndefined();
			expect(run.output('HubSpot')).toHaveLength(batch.length);
		}
		const wrong = [...latest.values()].filter(
			(event) => statusOf(event.email, event.type) !== event.state,
		);
		expect(wrong).toEqual([]);
		expect(latest.size).toBeGreaterThan(150);
	});

	test('a repeated or older event is skipped and says so; the recorded time sits in the explanation', async () => {
		const newer = {
			email: 'late@example.com',
			type: 102,
			state: 'UNSUBSCRIBED',
			id: 'withdrawal',
			occurredAt: '2026-12-01T10:00:00Z',
		};
		const older = {
			email: 'late@example.com',
			type: 102,
			state: 'SUBSCRIBED',
			id: 'signup',
			occurredAt: '2026-12-01T09:00:00Z',
		};
		const options = { allowResubscribe: true, eventTime: '={{ $json.occurredAt }}' };
		await bed.runNode(WRITE({}, options), [newer]);
		expect(bed.hubspot.state.getStatus('late@example.com', 102)?.legalBasisExplanation).toBe(
			'Loops event withdrawal [event time 2026-12-01T10:00:00.000Z]',
		);
		const run = await bed.runNode(WRITE({}, options), [older, newer]);
		expect(run.json('HubSpot')).toEqual([
			expect.objectContaining({
				skipped: 'older than the last applied event',
				eventTime: '2026-12-01T09:00:00.000Z',
			}),
			expect.objectContaining({ skipped: 'older than the last applied event' }),
		]);
		expect(statusOf('late@example.com', 102)).toBe('UNSUBSCRIBED');
		expect(writes()).toHaveLength(1); // the first run's only
	});

	test("an older event loses to a change someone made in HubSpot after it (HubSpot's own timestamp)", async () => {
		bed.hubspot.setStatus('clicked@example.com', 101, 'UNSUBSCRIBED'); // e.g. the person clicked unsubscribe just now
		const run = await bed.runNode(
			WRITE({}, { allowResubscribe: true, eventTime: '={{ $json.occurredAt }}' }),
			[
				{
					email: 'clicked@example.com',
					type: 101,
					state: 'SUBSCRIBED',
					id: 'old',
					occurredAt: '2026-01-01T00:00:00Z',
				},
			],
		);
		expect(run.json('HubSpot')[0].skipped).toBe('older than the last applied event');
		expect(statusOf('clicked@example.com', 101)).toBe('UNSUBSCRIBED');
	});
});

describe('an opted-out address is resubscribed only on purpose', () => {
	const SUBSCRIBE = { email: 'gone@example.com', type: 101, state: 'SUBSCRIBED', id: 'again' };

	// Mutation: in statusWrites.ts decide(), drop the Allow Resubscribe check → red.
	test('refused per item without Allow Resubscribe, for a type opt-out and for an opt-out of all; nothing is sent', async () => {
		bed.hubspot.setStatus('gone@example.com', 101, 'UNSUBSCRIBED');
		bed.hubspot.optOutOfAll('all@example.com', 0);
		const seeded = bed.hubspot.state.allWrites.length;
		const run = await bed.runNode(
			WRITE(),
			[
				SUBSCRIBE,
				{ ...SUBSCRIBE, email: 'all@example.com' },
				{ ...SUBSCRIBE, email: 'new@example.com' },
			],
			{
				continueOnFail: true,
			},
		);
		const [typeOptOut, allOptOut, fresh] = run.json('HubSpot');
		expect(typeOptOut.error).toMatch(/gone@example\.com opted out of subscription type 101/);
		expect(typeOptOut.description).toMatch(/Allow Resubscribe/);
		expect(allOptOut.error).toMatch(/all@example\.com opted out of all email/);
		expect(fresh.status).toBe('SUBSCRIBED');
		expect(statusOf('gone@example.com', 101)).toBe('UNSUBSCRIBED');
		expect(bed.hubspot.state.isUnsubscribedFromAll('all@example.com')).toBe(true);
		expect(bed.hubspot.state.allWrites.slice(seeded).map((write) => write.email)).toEqual([
			'new@example.com',
		]);
	});

	test('allowed with Allow Resubscribe: HubSpot records RESUBSCRIBE_OCCURRED with the evidence; Dry Run said so first', async () => {
		bed.hubspot.setStatus('gone@example.com', 101, 'UNSUBSCRIBED');
		const dry = await bed.runNode(WRITE({ dryRun: true }, { allowResubscribe: true }), [SUBSCRIBE]);
		expect(dry.json('HubSpot')[0]).toEqual(
			expect.objectContaining({
				currentStatus: 'UNSUBSCRIBED',
				newStatus: 'SUBSCRIBED',
				wouldChange: true,
				wouldResubscribe: true,
			}),
		);
		const run = await bed.runNode(WRITE({}, { allowResubscribe: true }), [SUBSCRIBE]);
		expect(run.json('HubSpot')[0]).toEqual(
			expect.objectContaining({
				status: 'SUBSCRIBED',
				setStatusSuccessReason: 'RESUBSCRIBE_OCCURRED',
			}),
		);
	});
});

describe('Dry Run matches the real call on a two-brand account', () => {
	// Mutation: in actions/unsubscribeAll/optOut.ts, drop "?? DEFAULT_BRAND" (Dry Run reads every brand again) → red.
	test('Unsubscribe All without a brand, the address opted out of the second brand only', async () => {
		bed.hubspot.optOutOfAll('split@example.com', BRAND);
		const parameters = {
			resource: 'unsubscribeAll',
			operation: 'unsubscribe',
			email: 'split@example.com',
		};
		const dry = await bed.runNode({ ...parameters, dryRun: true });
		const prediction = dry.json('HubSpot')[0];
		expect(prediction).toEqual(
			expect.objectContaining({
				brandId: 0,
				currentlyUnsubscribedFromAll: false,
				wouldChange: true,
			}),
		);
		const before = bed.hubspot.state.isUnsubscribedFromAll('split@example.com', 0);
		const real = await bed.runNode(parameters);
		expect(real.json('HubSpot')[0]).toEqual(
			expect.objectContaining({ brandId: 0, unsubscribedFromAll: true }),
		);
		expect(bed.hubspot.state.isUnsubscribedFromAll('split@example.com', 0) !== before).toBe(
			prediction.wouldChange,
		);
	});

	test('Set on a second-brand type while that brand is opted out: predicted and real agree, and brandId is the real one', async () => {
		bed.hubspot.optOutOfAll('brand@example.com', BRAND);
		const items = [
			{ email: 'brand@example.com', type: 201, state: 'SUBSCRIBED', id: 'renewed' },
			{ email: 'brand@example.com', type: 101, state: 'SUBSCRIBED', id: 'renewed' },
		];
		const dry = await bed.runNode(WRITE({ dryRun: true }, { allowResubscribe: true }), items);
		const predictions = dry.json('HubSpot');
		expect(
			predictions.map((json) => [json.brandId, json.currentStatus, json.wouldResubscribe]),
		).toEqual([
			[BRAND, 'UNSUBSCRIBED', true],
			[0, 'NOT_SPECIFIED', false],
		]);
		const real = await bed.runNode(WRITE({}, { allowResubscribe: true }), items);
		const results = real.json('HubSpot');
		expect(results.map((json) => json.brandId)).toEqual([BRAND, 0]);
		expect(results.map((json) => json.setStatusSuccessReason)).toEqual([
			'RESUBSCRIBE_OCCURRED',
			'REQUESTED_CHANGE_OCCURRED',
		]);
		results.forEach((json, index) =>
			expect(json.setStatusSuccessReason !== 'NO_STATUS_CHANGE').toBe(
				predictions[index].wouldChange,
			),
		);
	});
});

describe('a Set over several types that partly fails', () => {
	const SET_TWO = {
		resource: 'subscriptionStatus',
		operation: 'set',
		email: 'part@example.com',
		subscriptionType: byId(102),
		statusState: 'SUBSCRIBED',
		legalBasis: 'CONSENT_WITH_NOTICE',
		legalBasisExplanation: 'Form consent',
		// 104 is archived: HubSpot refuses that input and writes the other (HTTP 207).
		options: { additionalSubscriptionTypes: ['104'], allowResubscribe: true },
	};

	// Mutation: in statusWrites.ts report(), fail the item whenever any write failed (the old rule) → red.
	test('reports what was written and what was refused, in one item (Continue On Fail)', async () => {
		const run = await bed.runNode(SET_TWO, [{}], { continueOnFail: true });
		const [item] = run.json('HubSpot');
		expect(item.error).toMatch(
			/refused 1 of 2 subscription types \(104\); Product Updates was written/,
		);
		expect(item.statuses).toEqual([
			expect.objectContaining({ subscriptionId: 102, status: 'SUBSCRIBED' }),
		]);
		expect(item.refused).toEqual([
			expect.objectContaining({ subscriptionId: 104, error: expect.any(String) }),
		]);
		expect(statusOf('part@example.com', 102)).toBe('SUBSCRIBED');
	});

	test('without Continue On Fail the error names the written part too', async () => {
		const run = await bed.runNode(SET_TWO);
		expect(run.error?.message).toMatch(/Product Updates was written/);
	});
});

describe('addresses HubSpot refuses never leave n8n', () => {
	// Mutation: in helpers/validation.ts emailProblem(), drop the dot checks → red.
	test.each([
		'john..doe@example.com',
		'.john@example.com',
		'john.@example.com',
		'a@b',
		'x@-bad.example.com',
	])('%s is refused before any request', async (email) => {
		const run = await bed.runNode(
			WRITE({}, { allowResubscribe: true }),
			[
				{ email, type: 101, state: 'SUBSCRIBED', id: '1' },
				{ email: 'fine.person@example.com', type: 101, state: 'SUBSCRIBED', id: '2' },
			],
			{ continueOnFail: true },
		);
		const [bad, good] = run.json('HubSpot');
		expect(bad.error).toMatch(/is not a valid email address/);
		expect(good.status).toBe('SUBSCRIBED');
		expect(JSON.stringify(bed.hubspot.requests)).not.toContain(email.replace('@', '%40'));
		expect(JSON.stringify(bed.hubspot.requests.map((request) => request.body))).not.toContain(
			email,
		);
	});
});

import { Bed } from './support/fixtures';

const bed = new Bed();
beforeAll(async () => await bed.start());
afterAll(async () => await bed.stop());
beforeEach(() => bed.reset());

const UNSUBSCRIBE_ALL = { resource: 'unsubscribeAll', operation: 'unsubscribe' };

describe('Unsubscribe All', () => {
	test.each([
		['privateAppToken', '2026-09'],
		['privateAppToken', 'v4'],
		['oAuth2', '2026-03'],
	] as const)(
		'Unsubscribe opts one address out of all email (%s, %s)',
		async (auth, apiVersion) => {
			bed.hubspot.setStatus('out@example.com', 101, 'SUBSCRIBED');
			const run = await bed.runNode(
				{ ...UNSUBSCRIBE_ALL, apiVersion, email: 'out@example.com' },
				[{}],
				{ auth },
			);
			expect(run.error).toBeUndefined();
			const [request] = bed.apiRequests();
			expect(request.method).toBe('POST');
			expect(request.path).toBe(
				`/communication-preferences/${apiVersion}/statuses/out%40example.com/unsubscribe-all`,
			);
			// No brand chosen: the node names the default brand, 0, so Dry Run and the output match the call.
			expect(request.query).toEqual({ channel: 'EMAIL', businessUnitId: '0' });
			expect(bed.hubspot.state.isUnsubscribedFromAll('out@example.com')).toBe(true);
			expect(bed.hubspot.state.getStatus('out@example.com', 101)!.status).toBe('UNSUBSCRIBED');
			expect(run.json('HubSpot')).toEqual([
				{ email: 'out@example.com', unsubscribedFromAll: true, brandId: 0 },
			]);
		},
	);

	test('Unsubscribe for one brand, verbose, lists the statuses it changed', async () => {
		const run = await bed.runNode({
			...UNSUBSCRIBE_ALL,
			email: 'brand@example.com',
			options: { businessUnitId: 12345, verbose: true },
		});
		const [request] = bed.apiRequests();
		expect(request.query).toEqual({ channel: 'EMAIL', businessUnitId: '12345', verbose: 'true' });
		expect(bed.hubspot.state.isUnsubscribedFromAll('brand@example.com', 12345)).toBe(true);
		expect(bed.hubspot.state.isUnsubscribedFromAll('brand@example.com', 0)).toBe(false);
		const [item] = run.json('HubSpot');
		expect(item.brandId).toBe(12345);
		expect(
			(item.statuses as Array<{ subscriptionId: number; status: string }>)
				.map((status) => status.subscriptionId)
				.sort(),
		).toEqual([201, 202]);
	});

	test('Dry Run shows the opt-out it would send and sends nothing', async () => {
		const run = await bed.runNode({
			...UNSUBSCRIBE_ALL,
			email: 'careful@example.com',
			dryRun: true,
		});
		expect(bed.apiRequests().every((request) => request.method === 'GET')).toBe(true);
		expect(bed.hubspot.state.isUnsubscribedFromAll('careful@example.com')).toBe(false);
		expect(run.json('HubSpot')[0]).toEqual(
			expect.objectContaining({
				dryRun: true,
				brandId: 0,
				currentlyUnsubscribedFromAll: false,
				wouldChange: true,
				request: {
					method: 'POST',
					path: '/communication-preferences/2026-09/statuses/careful%40example.com/unsubscribe-all',
					qs: { channel: 'EMAIL', businessUnitId: 0 },
				},
			}),
		);
	});

	test('Get Status tells whether an address opted out of all email', async () => {
		bed.hubspot.optOutOfAll('gone@example.com');
		const run = await bed.runNode(
			{
				resource: 'unsubscribeAll',
				operation: 'getStatus',
				email: '={{ $json.email }}',
				requestSettings: { batchMode: 'never' },
			},
			[{ email: 'gone@example.com' }, { email: 'here@example.com' }],
		);
		const output = run.json('HubSpot');
		expect(output[0]).toEqual(
			expect.objectContaining({
				email: 'gone@example.com',
				unsubscribedFromAll: true,
				wideStatusType: 'PORTAL_WIDE',
			}),
		);
		expect(output[1]).toEqual({ email: 'here@example.com', unsubscribedFromAll: false });
		expect(bed.apiRequests().map((request) => request.path)).toEqual([
			'/communication-preferences/2026-09/statuses/gone%40example.com/unsubscribe-all',
			'/communication-preferences/2026-09/statuses/here%40example.com/unsubscribe-all',
		]);
	});

	test('Batch Unsubscribe opts many addresses out in one call per 100', async () => {
		const items = Array.from({ length: 120 }, (_, index) => ({
			email: `bulk${index}@example.com`,
		}));
		const run = await bed.runNode(
			{ resource: 'unsubscribeAll', operation: 'batchUnsubscribe', email: '={{ $json.email }}' },
			items,
		);
		const calls = bed
			.apiRequests()
			.filter((request) => request.path.endsWith('/statuses/batch/unsubscribe-all'));
		expect(calls.map((request) => (request.body as { inputs: string[] }).inputs.length)).toEqual([
			100, 20,
		]);
		expect(run.json('HubSpot')).toHaveLength(120);
		for (const { email } of items)
			expect(bed.hubspot.state.isUnsubscribedFromAll(email)).toBe(true);
	});

	test('Batch Get Status reads many addresses in one call per brand', async () => {
		bed.hubspot.optOutOfAll('w1@example.com', 12345);
		const run = await bed.runNode(
			{
				resource: 'unsubscribeAll',
				operation: 'batchGetStatus',
				email: '={{ $json.email }}',
				options: { businessUnitId: '={{ $json.brand }}' },
			},
			[
				{ email: 'w1@example.com', brand: 12345 },
				{ email: 'w2@example.com', brand: 12345 },
				{ email: 'w1@example.com', brand: 0 },
			],
		);
		const requests = bed.apiRequests();
		expect(
			requests.map((request) => [request.path, request.query.businessUnitId, request.body]),
		).toEqual([
			[
				'/communication-preferences/2026-09/statuses/batch/unsubscribe-all/read',
				'12345',
				{ inputs: ['w1@example.com', 'w2@example.com'] },
			],
			[
				'/communication-preferences/2026-09/statuses/batch/unsubscribe-all/read',
				'0',
				{ inputs: ['w1@example.com'] },
			],
		]);
		const output = run.json('HubSpot');
		expect(output[0]).toEqual(
			expect.objectContaining({
				email: 'w1@example.com',
				unsubscribedFromAll: true,
				brandId: 12345,
			}),
		);
		expect(output[1]).toEqual(
			expect.objectContaining({ email: 'w2@example.com', unsubscribedFromAll: false }),
		);
		expect(output[2]).toEqual(
			expect.objectContaining({ email: 'w1@example.com', unsubscribedFromAll: false, brandId: 0 }),
		);
	});

	test('a malformed address is refused before any request; with Continue On Fail the rest go through', async () => {
		const run = await bed.runNode(
			{ resource: 'unsubscribeAll', operation: 'batchUnsubscribe', email: '={{ $json.email }}' },
			[{ email: 'fine@example.com' }, { email: 'no at sign' }],
			{ continueOnFail: true },
		);
		const output = run.json('HubSpot');
		expect(output[0]).toEqual(
			expect.objectContaining({ email: 'fine@example.com', unsubscribedFromAll: true }),
		);
		expect(output[1].error).toMatch(/Item 2: "no at sign" is not a valid email address/);
		// one address left, so one single-address call, and nothing for the malformed one
		expect(bed.apiRequests().map((request) => `${request.method} ${request.path}`)).toEqual([
			'POST /communication-preferences/2026-09/statuses/fine%40example.com/unsubscribe-all',
		]);
	});
});

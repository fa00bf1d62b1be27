import type { IDataObject } from 'n8n-workflow';

import { Bed, SUBSCRIBE, byId, fromList } from './support/fixtures';

const bed = new Bed();
beforeAll(async () => await bed.start());
afterAll(async () => await bed.stop());
beforeEach(() => bed.reset());

const writesTo = (path: string) =>
	bed.apiRequests().filter((request) => request.method === 'POST' && request.path.endsWith(path));

describe('Subscription Status → Set', () => {
	test.each([
		['privateAppToken', '2026-09'],
		['privateAppToken', '2026-03'],
		['privateAppToken', 'v4'],
		['oAuth2', '2026-09'],
		['oAuth2', 'v4'],
	] as const)(
		'records SUBSCRIBED with its legal basis and evidence (%s, %s)',
		async (auth, apiVersion) => {
			const run = await bed.runNode(
				{
					...SUBSCRIBE,
					apiVersion,
					email: '={{ $json.email }}',
					subscriptionType: fromList(101, 'Marketing Information'),
				},
				[{ email: 'Ada@Example.com', occurredAt: '2026-11-20T10:00:00Z' }],
				{ auth },
			);
			expect(run.error).toBeUndefined();
			const stored = bed.hubspot.state.getStatus('ada@example.com', 101)!;
			expect(stored.status).toBe('SUBSCRIBED');
			expect(stored.legalBasis).toBe('CONSENT_WITH_NOTICE');
			expect(stored.legalBasisExplanation).toBe(
				'Double opt-in confirmed in Loops at 2026-11-20T10:00:00Z',
			);

			// one item, one write: the single-address endpoint of the chosen version, integer subscriptionId
			const [write] = bed.apiRequests().filter((request) => request.method === 'POST');
			expect(write.path).toBe(
				`/communication-preferences/${apiVersion}/statuses/Ada%40Example.com`,
			);
			expect(write.body).toEqual({
				subscriptionId: 101,
				statusState: 'SUBSCRIBED',
				channel: 'EMAIL',
				legalBasis: 'CONSENT_WITH_NOTICE',
				legalBasisExplanation: 'Double opt-in confirmed in Loops at 2026-11-20T10:00:00Z',
			});

			expect(run.json('HubSpot')).toEqual([
				{
					email: 'ada@example.com',
					subscriptionId: 101,
					subscriptionName: 'Marketing Information',
					status: 'SUBSCRIBED',
					legalBasis: 'CONSENT_WITH_NOTICE',
					legalBasisExplanation: 'Double opt-in confirmed in Loops at 2026-11-20T10:00:00Z',
					source: expect.any(String),
					timestamp: expect.any(String),
					brandId: 0,
					setStatusSuccessReason: 'REQUESTED_CHANGE_OCCURRED',
				},
			]);
		},
	);

	test("several subscription types for one address, and HubSpot's response as is when Simplify is off", async () => {
		const run = await bed.runNode(
			{
				...SUBSCRIBE,
				email: 'bob@example.com',
				subscriptionType: byId(101),
				options: { additionalSubscriptionTypes: ['102'] },
				simplify: false,
				requestSettings: { batchMode: 'never' },
			},
			[{ occurredAt: 'now' }],
		);
		expect(bed.hubspot.state.getStatus('bob@example.com', 101)!.status).toBe('SUBSCRIBED');
		expect(bed.hubspot.state.getStatus('bob@example.com', 102)!.status).toBe('SUBSCRIBED');
		const [item] = run.json('HubSpot');
		expect(item.email).toBe('bob@example.com');
		const results = item.results as Array<Record<string, unknown>>;
		expect(results).toHaveLength(2);
		expect(results[0]).toEqual(
			expect.objectContaining({
				status: 'COMPLETE',
				results: [expect.objectContaining({ subscriptionId: 101 })],
			}),
		);
		expect(results[1]).toEqual(
			expect.objectContaining({
				status: 'COMPLETE',
				results: [expect.objectContaining({ subscriptionId: 102, status: 'SUBSCRIBED' })],
			}),
		);
	});

	test('many items are grouped into batch/write calls of at most 100 (250 items → 3 calls)', async () => {
		const items = Array.from({ length: 250 }, (_, index) => ({
			email: `person${index}@example.com`,
			occurredAt: 'x',
		}));
		// Allow Resubscribe on: no reads before the writes (the resubscribe guard's reads are in consent.test.ts).
		const run = await bed.runNode(
			{
				...SUBSCRIBE,
				email: '={{ $json.email }}',
				subscriptionType: byId(102),
				options: { allowResubscribe: true },
			},
			items,
		);
		expect(run.error).toBeUndefined();
		const batches = writesTo('/statuses/batch/write');
		expect(batches.map((request) => (request.body as { inputs: unknown[] }).inputs.length)).toEqual(
			[100, 100, 50],
		);
		expect(bed.apiRequests().filter((request) => request.method === 'POST')).toHaveLength(3);
		const output = run.output('HubSpot');
		expect(output).toHaveLength(250);
		output.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.email).toBe(`person${index}@example.com`);
		});
		for (const { email } of items)
			expect(bed.hubspot.state.getStatus(email, 102)!.status).toBe('SUBSCRIBED');
	});

	test('without the Enterprise batch scope, Set over many items falls back to one call each and says so once', async () => {
		const items = ['f1@example.com', 'f2@example.com', 'f3@example.com'].map((email) => ({
			email,
			occurredAt: 'x',
		}));
		const run = await bed.runNode(
			{
				...SUBSCRIBE,
				email: '={{ $json.email }}',
				subscriptionType: byId(101),
				options: { allowResubscribe: true },
			},
			items,
			{
				credentialId: 'hsPro00000000001',
			},
		);
		expect(run.error).toBeUndefined();
		const posts = bed.apiRequests().filter((request) => request.method === 'POST');
		expect(posts[0].path).toBe('/communication-preferences/2026-09/statuses/batch/write');
		expect(posts[0].status).toBe(403);
		expect(
			posts
				.slice(1)
				.map((request) => request.path)
				.sort(),
		).toEqual([
			'/communication-preferences/2026-09/statuses/f1%40example.com',
			'/communication-preferences/2026-09/statuses/f2%40example.com',
			'/communication-preferences/2026-09/statuses/f3%40example.com',
		]);
		for (const { email } of items)
			expect(bed.hubspot.state.getStatus(email, 101)!.status).toBe('SUBSCRIBED');
		expect(
			run.hints('HubSpot').filter((hint) => /refused the batch endpoint/.test(hint.message)),
		).toHaveLength(1);
	});

	test('UNSUBSCRIBED is recorded with its legal basis', async () => {
		bed.hubspot.setStatus('carol@example.com', 101, 'SUBSCRIBED');
		await bed.runNode({
			...SUBSCRIBE,
			statusState: 'UNSUBSCRIBED',
			legalBasisExplanation: 'Unsubscribed in Loops',
			email: 'carol@example.com',
			subscriptionType: byId(101),
		});
		const stored = bed.hubspot.state.getStatus('carol@example.com', 101)!;
		expect(stored.status).toBe('UNSUBSCRIBED');
		expect(stored.legalBasisExplanation).toBe('Unsubscribed in Loops');
	});

	test('Dry Run reads the current status and shows the exact request, writing nothing', async () => {
		bed.hubspot.setStatus('dan@example.com', 101, 'SUBSCRIBED');
		const writesBefore = bed.hubspot.state.writesFor('dan@example.com').length;
		const run = await bed.runNode({
			...SUBSCRIBE,
			statusState: 'UNSUBSCRIBED',
			legalBasisExplanation: 'Asked by phone',
			email: 'dan@example.com',
			subscriptionType: byId(101),
			dryRun: true,
		});
		expect(bed.apiRequests().every((request) => request.method === 'GET')).toBe(true);
		expect(bed.hubspot.state.getStatus('dan@example.com', 101)!.status).toBe('SUBSCRIBED');
		expect(bed.hubspot.state.writesFor('dan@example.com')).toHaveLength(writesBefore);
		const [preview] = run.json('HubSpot');
		expect(preview).toEqual(
			expect.objectContaining({
				dryRun: true,
				email: 'dan@example.com',
				subscriptionId: 101,
				subscriptionName: 'Marketing Information',
				currentStatus: 'SUBSCRIBED',
				newStatus: 'UNSUBSCRIBED',
				wouldChange: true,
				request: {
					method: 'POST',
					path: '/communication-preferences/2026-09/statuses/dan%40example.com',
					body: {
						subscriptionId: 101,
						statusState: 'UNSUBSCRIBED',
						channel: 'EMAIL',
						legalBasis: 'CONSENT_WITH_NOTICE',
						legalBasisExplanation: 'Asked by phone',
					},
				},
			}),
		);
	});

	test("Dry Run over many items reads in one batch call and shows each item's batch input", async () => {
		const run = await bed.runNode(
			{ ...SUBSCRIBE, email: '={{ $json.email }}', subscriptionType: byId(101), dryRun: true },
			[{ email: 'e1@example.com' }, { email: 'e2@example.com' }],
		);
		const requests = bed.apiRequests();
		// reads only: one batch read of both addresses' statuses and one of their opt-outs of all (and the
		// account's types), no write of any kind
		expect(
			requests.filter((request) => request.path.endsWith('/statuses/batch/read')),
		).toHaveLength(1);
		expect(
			requests.filter((request) => request.path.endsWith('/statuses/batch/unsubscribe-all/read')),
		).toHaveLength(1);
		expect(
			requests.every((request) => request.method === 'GET' || /\/read$/.test(request.path)),
		).toBe(true);
		const previews = run.json('HubSpot');
		expect(previews[1].request).toEqual(
			expect.objectContaining({
				method: 'POST',
				path: '/communication-preferences/2026-09/statuses/batch/write',
				sentInBatch: true,
				body: {
					inputs: [
						expect.objectContaining({ subscriberIdString: 'e2@example.com', subscriptionId: 101 }),
					],
				},
			}),
		);
		expect(previews[1].requestsWithoutBatchScope).toEqual([
			expect.objectContaining({
				method: 'POST',
				path: '/communication-preferences/2026-09/statuses/e2%40example.com',
			}),
		]);
		for (const email of ['e1@example.com', 'e2@example.com']) {
			expect(bed.hubspot.state.getStatus(email, 101)?.status ?? 'NOT_SPECIFIED').toBe(
				'NOT_SPECIFIED',
			);
			expect(bed.hubspot.state.writesFor(email)).toHaveLength(0);
		}
	});
});

describe('bad input is refused before any request', () => {
	// Literal empty required fields never reach the node: n8n itself refuses to run the
	// workflow. What reaches it is data mapped by expressions, as here.
	const cases: Array<[string, IDataObject, IDataObject, RegExp, string]> = [
		[
			'a malformed email',
			{ email: '={{ $json.value }}' },
			{ value: 'not-an-email' },
			/Item 1: "not-an-email" is not a valid email address/,
			'Email',
		],
		[
			'an empty email',
			{ email: '={{ $json.value }}' },
			{ value: '' },
			/Item 1: the email address is empty/,
			'Email',
		],
		[
			'a non-numeric subscription ID',
			{ subscriptionType: { __rl: true, mode: 'id', value: '={{ $json.value }}' } },
			{ value: 'newsletter' },
			/Item 1: "newsletter" is not a subscription type ID/,
			'Subscription Type',
		],
		[
			'a missing legal basis',
			{ legalBasis: '={{ $json.value }}' },
			{ value: '' },
			/Item 1: the legal basis is missing/,
			'Legal Basis',
		],
		[
			'an unknown legal basis',
			{ legalBasis: '={{ $json.value }}' },
			{ value: 'BECAUSE' },
			/Item 1: "BECAUSE" is not a legal basis/,
			'Legal Basis',
		],
		[
			'an empty explanation',
			{ legalBasisExplanation: '={{ $json.value }}' },
			{ value: '' },
			/Item 1: the legal basis explanation is empty/,
			'Legal Basis Explanation',
		],
		[
			'an unknown status',
			{ statusState: '={{ $json.value }}' },
			{ value: 'MAYBE' },
			/Item 1: "MAYBE" is not a subscription status/,
			'Status',
		],
	];

	test.each(cases)('%s', async (_label, override, item, message, field) => {
		const run = await bed.runNode(
			{ ...SUBSCRIBE, email: 'ok@example.com', subscriptionType: byId(101), ...override },
			[item],
		);
		const error = run.error as unknown as {
			name: string;
			message: string;
			description: string;
			context: { itemIndex: number };
		};
		expect(error.name).toBe('NodeOperationError');
		expect(error.message).toMatch(message);
		expect(error.description).toContain(`Field "${field}"`);
		expect(error.context.itemIndex).toBe(0);
		expect(bed.hubspot.requests).toHaveLength(0);
	});

	test("the item number in the message is the failing item's", async () => {
		const run = await bed.runNode(
			{ ...SUBSCRIBE, email: '={{ $json.email }}', subscriptionType: byId(101) },
			[{ email: 'fine@example.com' }, { email: 'fine2@example.com' }, { email: 'nope' }],
		);
		expect((run.error as Error).message).toMatch(/^Item 3: "nope"/);
		expect(bed.hubspot.requests).toHaveLength(0);
	});

	test('a subscription type mapped from the data that the account lacks or archived is refused, with nothing written', async () => {
		for (const [id, message] of [
			[999, /subscription type 999 does not exist/],
			[104, /subscription type 104 \("Old Newsletter"\) is archived/],
		] as const) {
			bed.reset();
			const run = await bed.runNode(
				{
					...SUBSCRIBE,
					email: 'ok@example.com',
					subscriptionType: { __rl: true, mode: 'id', value: '={{ $json.type }}' },
					legalBasisExplanation: 'x',
				},
				[{ type: id }],
			);
			expect((run.error as Error).message).toMatch(message);
			expect(bed.apiRequests().filter((request) => request.method !== 'GET')).toHaveLength(0);
		}
	});

	test("a type picked in the editor is written without reading the account's list first", async () => {
		const run = await bed.runNode({
			...SUBSCRIBE,
			email: 'one@example.com',
			subscriptionType: fromList(102, 'Product Updates · Account (default brand)'),
			legalBasisExplanation: 'x',
			options: { allowResubscribe: true },
		});
		expect(bed.apiRequests().map((request) => `${request.method} ${request.path}`)).toEqual([
			'POST /communication-preferences/2026-09/statuses/one%40example.com',
		]);
		expect(run.json('HubSpot')[0]).toEqual(
			expect.objectContaining({
				subscriptionId: 102,
				subscriptionName: 'Product Updates',
				status: 'SUBSCRIBED',
			}),
		);
	});

	test('with Continue On Fail, each bad item becomes its own error item and the good ones are written', async () => {
		const items = [
			{ email: 'good1@example.com', id: '101' },
			{ email: 'broken', id: '101' },
			{ email: 'good2@example.com', id: 'abc' },
			{ email: 'good3@example.com', id: '999' },
			{ email: 'good4@example.com', id: '102' },
		];
		const run = await bed.runNode(
			{
				...SUBSCRIBE,
				legalBasisExplanation: 'Imported with consent',
				email: '={{ $json.email }}',
				subscriptionType: { __rl: true, mode: 'id', value: '={{ $json.id }}' },
			},
			items,
			{ continueOnFail: true },
		);
		expect(run.error).toBeUndefined();
		const output = run.output('HubSpot');
		expect(output.map((item) => item.pairedItem)).toEqual(items.map((_, item) => ({ item })));
		expect(output[0].json.status).toBe('SUBSCRIBED');
		expect(output[1].json.error).toMatch(/Item 2: "broken" is not a valid email address/);
		expect(output[2].json.error).toMatch(/Item 3: "abc" is not a subscription type ID/);
		expect(output[3].json.error).toMatch(/Item 4: subscription type 999 does not exist/);
		expect(output[4].json.status).toBe('SUBSCRIBED');
		const written = bed
			.apiRequests()
			.filter((request) => request.method === 'POST')
			.flatMap((request) =>
				(request.body as { inputs: Array<{ subscriberIdString: string }> }).inputs.map(
					(input) => input.subscriberIdString,
				),
			);
		expect(written.sort()).toEqual(['good1@example.com', 'good4@example.com']);
	});
});

describe('Subscription Status → Batch Write', () => {
	test('each item carries its own type, status and evidence; a partly failing batch fails only its own items', async () => {
		const items = [
			{
				email: 'a@example.com',
				subscriptionId: 101,
				status: 'SUBSCRIBED',
				basis: 'CONSENT_WITH_NOTICE',
				why: 'DOI 1',
			},
			{
				email: 'b@example.com',
				subscriptionId: 102,
				status: 'NOT_SPECIFIED',
				basis: 'LEGITIMATE_INTEREST_CLIENT',
				why: 'Reset',
			},
			// HubSpot refuses this one: with the account's GDPR setting on, an explanation is required
			{
				email: 'c@example.com',
				subscriptionId: 101,
				status: 'SUBSCRIBED',
				basis: 'NON_GDPR',
				why: '',
			},
			{
				email: 'd@example.com',
				subscriptionId: 201,
				status: 'SUBSCRIBED',
				basis: 'CONSENT_WITH_NOTICE',
				why: 'Brand DOI',
			},
		];
		const run = await bed.runNode(
			{
				resource: 'subscriptionStatus',
				operation: 'batchWrite',
				email: '={{ $json.email }}',
				subscriptionType: { __rl: true, mode: 'id', value: '={{ $json.subscriptionId }}' },
				statusState: '={{ $json.status }}',
				legalBasis: '={{ $json.basis }}',
				legalBasisExplanation: '={{ $json.why }}',
			},
			items,
			{ continueOnFail: true },
		);
		const batches = writesTo('/statuses/batch/write');
		expect(batches).toHaveLength(1);
		expect((batches[0].body as { inputs: unknown[] }).inputs).toHaveLength(4);
		expect(batches[0].status).toBe(207);

		const output = run.json('HubSpot');
		expect(output[0]).toEqual(
			expect.objectContaining({
				email: 'a@example.com',
				status: 'SUBSCRIBED',
				legalBasisExplanation: 'DOI 1',
			}),
		);
		expect(output[1]).toEqual(
			expect.objectContaining({ email: 'b@example.com', status: 'NOT_SPECIFIED' }),
		);
		expect(output[2].error).toMatch(/^HubSpot: /);
		expect(output[2].category).toBe('VALIDATION_ERROR');
		expect(output[3]).toEqual(
			expect.objectContaining({
				email: 'd@example.com',
				subscriptionName: 'Acme Outdoor Newsletter',
				brandId: 12345,
			}),
		);
		expect(bed.hubspot.state.getStatus('c@example.com', 101)?.status ?? 'NOT_SPECIFIED').toBe(
			'NOT_SPECIFIED',
		);
		expect(bed.hubspot.state.getStatus('d@example.com', 201, 12345)!.status).toBe('SUBSCRIBED');
	});

	test("without Continue On Fail, a partly failing batch stops the node with the failed item's index", async () => {
		const run = await bed.runNode(
			{
				resource: 'subscriptionStatus',
				operation: 'batchWrite',
				email: '={{ $json.email }}',
				subscriptionType: byId(101),
				statusState: 'SUBSCRIBED',
				legalBasis: '={{ $json.basis }}',
				legalBasisExplanation: '={{ $json.why }}',
			},
			[
				{ email: 'x1@example.com', basis: 'CONSENT_WITH_NOTICE', why: 'ok' },
				{ email: 'x2@example.com', basis: 'NON_GDPR', why: '' },
			],
		);
		const error = run.error as unknown as { name: string; context: { itemIndex: number } };
		expect(error.name).toBe('NodeApiError');
		expect(error.context.itemIndex).toBe(1);
		expect(bed.hubspot.state.getStatus('x1@example.com', 101)!.status).toBe('SUBSCRIBED');
	});

	test('a resubscribe after an opt-out, with Allow Resubscribe, records the renewed consent', async () => {
		bed.hubspot.setStatus('back@example.com', 101, 'UNSUBSCRIBED');
		const run = await bed.runNode({
			...SUBSCRIBE,
			options: { allowResubscribe: true },
			legalBasisExplanation: 'Person asked to be resubscribed by email on 2026-11-20',
			email: 'back@example.com',
			subscriptionType: byId(101),
		});
		expect(run.json('HubSpot')[0].setStatusSuccessReason).toBe('RESUBSCRIBE_OCCURRED');
		expect(bed.hubspot.state.getStatus('back@example.com', 101)!.status).toBe('SUBSCRIBED');
	});
});

describe('Subscription Status → Get and Get Many', () => {
	beforeEach(() => {
		bed.hubspot.setStatus('g1@example.com', 101, 'SUBSCRIBED', {
			legalBasis: 'CONSENT_WITH_NOTICE',
			legalBasisExplanation: 'form',
		});
		bed.hubspot.setStatus('g2@example.com', 102, 'UNSUBSCRIBED');
	});

	test.each(['2026-09', '2026-03', 'v4'])('Get reads one address (%s)', async (apiVersion) => {
		const run = await bed.runNode({
			resource: 'subscriptionStatus',
			operation: 'get',
			apiVersion,
			email: 'g1@example.com',
			options: { businessUnitId: 0 },
		});
		const [request] = bed.apiRequests();
		expect(request.path).toBe(`/communication-preferences/${apiVersion}/statuses/g1%40example.com`);
		expect(request.query).toEqual({ channel: 'EMAIL', businessUnitId: '0' });
		const [item] = run.json('HubSpot');
		expect(item.email).toBe('g1@example.com');
		expect(item.brandId).toBe(0);
		expect(item.statuses).toEqual(
			expect.arrayContaining([
				expect.objectContaining({
					subscriptionId: 101,
					subscriptionName: 'Marketing Information',
					status: 'SUBSCRIBED',
					legalBasis: 'CONSENT_WITH_NOTICE',
				}),
			]),
		);
	});

	test("Get Many reads every item's address in one batch call, one output item per input", async () => {
		const run = await bed.runNode(
			{ resource: 'subscriptionStatus', operation: 'getAll', email: '={{ $json.email }}' },
			[{ email: 'g1@example.com' }, { email: 'g2@example.com' }, { email: 'G1@example.com' }],
		);
		const requests = bed.apiRequests();
		expect(requests).toHaveLength(1);
		expect(requests[0].path).toBe('/communication-preferences/2026-09/statuses/batch/read');
		expect(requests[0].body).toEqual({ inputs: ['g1@example.com', 'g2@example.com'] });
		const output = run.json('HubSpot');
		expect(output).toHaveLength(3);
		const statusOf = (item: Record<string, unknown>, id: number) =>
			(item.statuses as Array<{ subscriptionId: number; status: string }>).find(
				(status) => status.subscriptionId === id,
			)?.status;
		expect(statusOf(output[0], 101)).toBe('SUBSCRIBED');
		expect(statusOf(output[1], 102)).toBe('UNSUBSCRIBED');
		expect(statusOf(output[2], 101)).toBe('SUBSCRIBED');
	});

	test('without the Enterprise batch scopes, auto falls back to one call per address and says so once', async () => {
		const run = await bed.runNode(
			{ resource: 'subscriptionStatus', operation: 'getAll', email: '={{ $json.email }}' },
			[{ email: 'g1@example.com' }, { email: 'g2@example.com' }],
			{ credentialId: 'hsPro00000000001' },
		);
		const requests = bed.apiRequests();
		expect(requests[0].status).toBe(403);
		expect(requests.slice(1).map((request) => request.path)).toEqual([
			'/communication-preferences/2026-09/statuses/g1%40example.com',
			'/communication-preferences/2026-09/statuses/g2%40example.com',
		]);
		expect(run.json('HubSpot')).toHaveLength(2);
		const hints = run.hints('HubSpot').map((hint) => hint.message);
		expect(hints.filter((hint) => /batch endpoint/.test(hint))).toHaveLength(1);
	});

	test('"Always" batch without the scopes fails with HubSpot\'s MISSING_SCOPES error', async () => {
		const run = await bed.runNode(
			{
				resource: 'subscriptionStatus',
				operation: 'getAll',
				email: 'g1@example.com',
				requestSettings: { batchMode: 'always' },
			},
			[{}],
			{ credentialId: 'hsPro00000000001' },
		);
		const error = run.error as unknown as { httpCode: string; errorResponse: { category: string } };
		expect(error.httpCode).toBe('403');
		expect(error.errorResponse.category).toBe('MISSING_SCOPES');
	});
});

describe('OAuth2', () => {
	test('an expired access token is refreshed by n8n and the write goes through', async () => {
		bed.hubspot.expireAccessToken('oauth-access-token-initial');
		const run = await bed.runNode(
			{
				...SUBSCRIBE,
				legalBasisExplanation: 'DOI',
				email: 'oauth@example.com',
				subscriptionType: byId(101),
			},
			[{}],
			{ auth: 'oAuth2' },
		);
		expect(run.error).toBeUndefined();
		expect(bed.hubspot.state.getStatus('oauth@example.com', 101)!.status).toBe('SUBSCRIBED');
		expect(bed.hubspot.requests.some((request) => request.path === '/oauth/v1/token')).toBe(true);
		const stored = bed.n8n.credentials.read('hsOAuth000000001').oauthTokenData as {
			access_token: string;
		};
		expect(stored.access_token).not.toBe('oauth-access-token-initial');
		expect(JSON.stringify(run.run)).not.toContain(stored.access_token);
	});
});

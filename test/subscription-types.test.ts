import { Bed } from './support/fixtures';

const bed = new Bed();
beforeAll(async () => await bed.start());
afterAll(async () => await bed.stop());
beforeEach(() => bed.reset());

describe('Subscription Type → Get Many', () => {
	test.each([
		['privateAppToken', '2026-09'],
		['privateAppToken', '2026-03'],
		['privateAppToken', 'v4'],
		['oAuth2', '2026-09'],
		['oAuth2', 'v4'],
	] as const)("lists the account's types (%s, %s)", async (auth, apiVersion) => {
		const run = await bed.runNode(
			{ resource: 'subscriptionType', operation: 'getAll', apiVersion },
			[{}],
			{ auth },
		);
		expect(run.error).toBeUndefined();
		const names = run.json('HubSpot').map((type) => type.name);
		expect(names).toEqual(
			expect.arrayContaining([
				'Marketing Information',
				'Product Updates',
				'Acme Outdoor Newsletter',
			]),
		);
		const [request] = bed.apiRequests();
		expect(request.method).toBe('GET');
		expect(request.path).toBe(`/communication-preferences/${apiVersion}/definitions`);
		expect(request.headers.authorization).toBe(
			auth === 'oAuth2' ? 'Bearer oauth-access-token-initial' : 'Bearer pat-standin-enterprise',
		);
		// every output item is paired to the input item that asked
		expect(
			run.output('HubSpot').every((item) => (item.pairedItem as { item: number }).item === 0),
		).toBe(true);
	});

	test('filters by brand, keeps only active types, and includes translations', async () => {
		const run = await bed.runNode({
			resource: 'subscriptionType',
			operation: 'getAll',
			filters: { businessUnitId: 12345, activeOnly: true, includeTranslations: true },
		});
		const [request] = bed.apiRequests();
		expect(request.query).toEqual({ businessUnitId: '12345', includeTranslations: 'true' });
		const types = run.json('HubSpot');
		expect(types.map((type) => type.id).sort()).toEqual(['201', '202']);
		expect(types.every((type) => type.businessUnitId === 12345 && type.isActive === true)).toBe(
			true,
		);

		const all = await bed.runNode({
			resource: 'subscriptionType',
			operation: 'getAll',
			filters: { activeOnly: true, includeTranslations: true },
		});
		const ids = all.json('HubSpot').map((type) => type.id);
		expect(ids).not.toContain('104'); // "Old Newsletter" is archived
		const marketing = all.json('HubSpot').find((type) => type.id === '101')!;
		expect(marketing.subscriptionTranslations).toEqual(
			expect.arrayContaining([expect.objectContaining({ languageCode: 'de' })]),
		);
	});

	test('limit returns only the first types', async () => {
		const run = await bed.runNode({
			resource: 'subscriptionType',
			operation: 'getAll',
			returnAll: false,
			limit: 2,
		});
		expect(run.json('HubSpot')).toHaveLength(2);
	});

	test("a wrong token is a NodeApiError with HubSpot's message, category and correlation ID, and no token", async () => {
		const run = await bed.runNode({ resource: 'subscriptionType', operation: 'getAll' }, [{}], {
			credentialId: 'hsWrongToken0001',
		});
		const error = run.error as unknown as {
			name: string;
			message: string;
			description: string;
			httpCode: string;
			errorResponse: Record<string, unknown>;
		};
		expect(error).toBeDefined();
		expect(error.name).toBe('NodeApiError');
		expect(error.httpCode).toBe('401');
		expect(error.errorResponse.category).toBe('INVALID_AUTHENTICATION');
		expect(error.errorResponse.correlationId).toMatch(/^[0-9a-f-]{36}$/);
		expect(error.description).toContain(String(error.errorResponse.correlationId));
		expect(error.message).toMatch(/^HubSpot: /);
		const serialized =
			JSON.stringify(run.run) + JSON.stringify(error) + String((error as unknown as Error).stack);
		expect(serialized).not.toContain('pat-na1-not-a-real-token-0000');
	});
});

describe('dropdowns', () => {
	const node = {
		id: 'n',
		name: 'HubSpot',
		type: 'n8n-nodes-hubspot-subscriptions.hubSpotSubscriptions',
		typeVersion: 1,
		position: [0, 0] as [number, number],
		parameters: {
			authentication: 'privateAppToken',
			resource: 'subscriptionStatus',
			operation: 'set',
		},
		credentials: { hubSpotSubscriptionsApi: { id: 'hsEnterprise0001', name: 'HubSpot' } },
	};

	test('the subscription type list shows name and brand, marks internal types, and leaves out archived ones', async () => {
		const result = (await bed.n8n.loadOptions(node, {
			type: 'listSearch',
			name: 'searchSubscriptionTypes',
		})) as {
			results: Array<{ name: string; value: string }>;
		};
		const names = result.results.map((entry) => entry.name);
		expect(names).toContain('Marketing Information · Account (default brand)');
		expect(names).toContain('Acme Outdoor Newsletter · Brand 12345');
		expect(names).toContain('One to One · Account (default brand) · internal');
		// HubSpot takes no status for an archived type, so a write never offers one
		expect(result.results.map((entry) => entry.value)).not.toContain('104');
		expect(result.results).toHaveLength(5);
		expect(result.results.find((entry) => entry.name.startsWith('Product Updates'))!.value).toBe(
			'102',
		);
	});

	test('search narrows the list, and a chosen brand narrows it to that brand', async () => {
		const found = (await bed.n8n.loadOptions(node, {
			type: 'listSearch',
			name: 'searchSubscriptionTypes',
			filter: 'acme',
		})) as { results: Array<{ value: string }> };
		expect(found.results.map((entry) => entry.value).sort()).toEqual(['201', '202']);

		const branded = (await bed.n8n.loadOptions(
			node,
			{ type: 'loadOptions', name: 'getSubscriptionTypes' },
			{ ...node.parameters, options: { businessUnitId: 12345 } },
		)) as Array<{ value: string }>;
		expect(branded.map((entry) => entry.value).sort()).toEqual(['201', '202']);
		expect(bed.apiRequests().at(-1)!.query.businessUnitId).toBe('12345');
	});

	test("brands are the ones the account's types belong to", async () => {
		const brands = (await bed.n8n.loadOptions(node, {
			type: 'loadOptions',
			name: 'getBrands',
		})) as Array<{
			name: string;
			value: number;
		}>;
		expect(brands).toEqual([
			{ name: 'Account (default brand) (0)', value: 0 },
			{ name: 'Brand 12345 (12345)', value: 12345 },
		]);
	});

	test('dropdowns work with the OAuth2 credential too', async () => {
		const oauthNode = {
			...node,
			parameters: { ...node.parameters, authentication: 'oAuth2' },
			credentials: {
				hubSpotSubscriptionsOAuth2Api: { id: 'hsOAuth000000001', name: 'HubSpot OAuth2' },
			},
		};
		const options = (await bed.n8n.loadOptions(
			oauthNode,
			{ type: 'loadOptions', name: 'getSubscriptionTypes' },
			oauthNode.parameters,
		)) as unknown[];
		expect(options.length).toBe(5); // the active types
		expect(bed.apiRequests().at(-1)!.headers.authorization).toBe(
			'Bearer oauth-access-token-initial',
		);
	});
});

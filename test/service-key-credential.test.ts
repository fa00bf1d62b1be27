import { testCredential } from './harness/credential-test';
import { ENTERPRISE_TOKEN, SCOPES, SERVICE_KEY_TOKEN } from './hubspot-standin';
import { Bed, SUBSCRIBE, byId } from './support/fixtures';

const SERVICE_KEY_CREDENTIAL = 'hsServiceKey0001';

const bed = new Bed();
beforeAll(async () => {
	await bed.start();
	bed.n8n.addCredential({
		id: SERVICE_KEY_CREDENTIAL,
		name: 'HubSpot Service Key',
		type: 'hubSpotSubscriptionsApi',
		data: { accessToken: SERVICE_KEY_TOKEN, baseUrl: bed.hubspot.url },
	});
});
afterAll(async () => await bed.stop());
beforeEach(() => bed.reset());

// Mutation that turns this red (tried): in credentials/HubSpotSubscriptionsApi.credentials.ts send
// the token without "Bearer " (`Authorization: '={{$credentials.accessToken}}'`): the stand-in,
// like HubSpot, answers 401 and the run fails.
describe('the token credential with a HubSpot Service Key', () => {
	test('reads and writes subscription statuses, sending the key as a Bearer token', async () => {
		const types = await bed.runNode({ resource: 'subscriptionType', operation: 'getAll' }, [{}], {
			credentialId: SERVICE_KEY_CREDENTIAL,
		});
		expect(types.error).toBeUndefined();
		expect(types.json('HubSpot').length).toBeGreaterThan(3);

		const set = await bed.runNode(
			{ ...SUBSCRIBE, email: 'key@example.com', subscriptionType: byId(101) },
			[{ occurredAt: 'now' }],
			{
				credentialId: SERVICE_KEY_CREDENTIAL,
			},
		);
		expect(set.error).toBeUndefined();
		expect(set.json('HubSpot')[0]).toMatchObject({
			email: 'key@example.com',
			status: 'SUBSCRIBED',
		});

		const requests = bed.apiRequests();
		expect(requests.length).toBeGreaterThanOrEqual(2);
		for (const request of requests)
			expect(request.headers.authorization).toBe(`Bearer ${SERVICE_KEY_TOKEN}`);
		// The key never shows in the node's output.
		expect(JSON.stringify([types.json('HubSpot'), set.json('HubSpot')])).not.toContain(
			SERVICE_KEY_TOKEN,
		);
	});
});

// Mutations that turn these red (tried): point the credential's test request at a path that needs
// a scope the keys lack (e.g. '/communication-preferences/v4/statuses/batch/read'): the OK cases
// and the 401/403 cases change; drop "Bearer " from `authenticate`: every case but the unknown key
// and the wrong host fails.
describe("the token credential's Test button (n8n's credential test request, run by n8n-core)", () => {
	const data = (accessToken: string) => ({ accessToken, baseUrl: bed.hubspot.url });

	test('a Service Key with the communication preferences scope passes', async () => {
		const result = await testCredential(
			bed.n8n,
			'hubSpotSubscriptionsApi',
			data(SERVICE_KEY_TOKEN),
		);
		expect(result).toEqual({ status: 'OK', message: 'Connection successful!' });
		const [request] = bed.apiRequests();
		expect(request.method).toBe('GET');
		expect(request.path).toBe('/communication-preferences/v4/definitions');
		expect(request.headers.authorization).toBe(`Bearer ${SERVICE_KEY_TOKEN}`);
	});

	test('an existing private app token passes the same way', async () => {
		const result = await testCredential(bed.n8n, 'hubSpotSubscriptionsApi', data(ENTERPRISE_TOKEN));
		expect(result.status).toBe('OK');
		expect(bed.apiRequests()[0].headers.authorization).toBe(`Bearer ${ENTERPRISE_TOKEN}`);
	});

	test('a key HubSpot does not know fails (401)', async () => {
		const result = await testCredential(
			bed.n8n,
			'hubSpotSubscriptionsApi',
			data('pat-na1-00000000-0000-4000-8000-000000000000'),
		);
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/HTTP status code: 401/);
	});

	test('a Service Key without a communication preferences scope fails (403)', async () => {
		const contactsOnly = 'pat-eu1-0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0';
		bed.hubspot.addToken(contactsOnly, [SCOPES.contactsRead, SCOPES.contactsWrite]);
		const result = await testCredential(bed.n8n, 'hubSpotSubscriptionsApi', data(contactsOnly));
		expect(result.status).toBe('Error');
		expect(result.message).toMatch(/HTTP status code: 403/);
		expect(bed.apiRequests()[0].headers.authorization).toBe(`Bearer ${contactsOnly}`);
	});

	test('a wrong API Base URL fails without hanging', async () => {
		const result = await testCredential(bed.n8n, 'hubSpotSubscriptionsApi', {
			accessToken: SERVICE_KEY_TOKEN,
			baseUrl: 'http://127.0.0.1:9/',
		});
		expect(result.status).toBe('Error');
		expect(result.message).not.toContain(SERVICE_KEY_TOKEN);
	});
});

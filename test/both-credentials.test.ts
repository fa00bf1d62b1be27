import type { IDataObject } from 'n8n-workflow';

import { Bed, SUBSCRIBE, byId, type Authentication } from './support/fixtures';

const bed = new Bed();
beforeAll(async () => await bed.start());
afterAll(async () => await bed.stop());
beforeEach(() => bed.reset());

/** Every operation once with each credential: the token HubSpot receives is the credential's. */
const OPERATIONS: Array<[string, IDataObject, IDataObject[], (json: IDataObject[]) => void]> = [
	[
		'Subscription Type → Get Many',
		{ resource: 'subscriptionType', operation: 'getAll' },
		[{}],
		(json) => expect(json.length).toBeGreaterThan(3),
	],
	[
		'Subscription Status → Get',
		{ resource: 'subscriptionStatus', operation: 'get', email: 'a@example.com' },
		[{}],
		(json) => expect(json[0].statuses).toHaveLength(5),
	],
	[
		'Subscription Status → Get Many',
		{ resource: 'subscriptionStatus', operation: 'getAll', email: '={{ $json.email }}' },
		[{ email: 'a@example.com' }, { email: 'b@example.com' }],
		(json) => expect(json.map((item) => item.email)).toEqual(['a@example.com', 'b@example.com']),
	],
	[
		'Subscription Status → Set',
		{ ...SUBSCRIBE, email: 'a@example.com', subscriptionType: byId(101) },
		[{ occurredAt: 'now' }],
		(json) => expect(json[0].status).toBe('SUBSCRIBED'),
	],
	[
		'Subscription Status → Batch Write',
		{
			...SUBSCRIBE,
			operation: 'batchWrite',
			email: '={{ $json.email }}',
			subscriptionType: byId(102),
		},
		[
			{ email: 'a@example.com', occurredAt: 'x' },
			{ email: 'b@example.com', occurredAt: 'y' },
		],
		(json) => expect(json.map((item) => item.status)).toEqual(['SUBSCRIBED', 'SUBSCRIBED']),
	],
	[
		'Unsubscribe All → Unsubscribe',
		{ resource: 'unsubscribeAll', operation: 'unsubscribe', email: 'a@example.com' },
		[{}],
		(json) => expect(json[0].unsubscribedFromAll).toBe(true),
	],
	[
		'Unsubscribe All → Get Status',
		{ resource: 'unsubscribeAll', operation: 'getStatus', email: 'a@example.com' },
		[{}],
		(json) => expect(json[0].unsubscribedFromAll).toBe(false),
	],
	[
		'Unsubscribe All → Batch Unsubscribe',
		{ resource: 'unsubscribeAll', operation: 'batchUnsubscribe', email: '={{ $json.email }}' },
		[{ email: 'a@example.com' }, { email: 'b@example.com' }],
		(json) => expect(json.map((item) => item.unsubscribedFromAll)).toEqual([true, true]),
	],
	[
		'Unsubscribe All → Batch Get Status',
		{ resource: 'unsubscribeAll', operation: 'batchGetStatus', email: '={{ $json.email }}' },
		[{ email: 'a@example.com' }, { email: 'b@example.com' }],
		(json) => expect(json.map((item) => item.unsubscribedFromAll)).toEqual([false, false]),
	],
	[
		'Contact → Record External Double Opt-In',
		{
			resource: 'contact',
			operation: 'recordExternalDoubleOptIn',
			email: 'a@example.com',
			confirmedAt: '2026-11-20T10:00:00Z',
			source: 'Loops',
			confirmedAtProperty: 'double_opt_in_confirmed_at',
			sourceProperty: 'double_opt_in_source',
			evidenceProperty: 'message',
		},
		[{}],
		(json) => expect(json[0].contactId).toEqual(expect.any(String)),
	],
	// Mutation that turns this row red: in actions/router.ts, drop `generate` from `preferenceLink`.
	[
		'Preference Link → Generate',
		{ resource: 'preferenceLink', operation: 'generate', email: 'a@example.com' },
		[{}],
		(json) => expect(json[0].unsubscribeAllUrl).toEqual(expect.any(String)),
	],
];

const TOKENS: Record<Authentication, string> = {
	privateAppToken: 'Bearer pat-standin-enterprise',
	oAuth2: 'Bearer oauth-access-token-initial',
};

describe.each(['privateAppToken', 'oAuth2'] as const)('with the %s credential', (auth) => {
	test.each(OPERATIONS)('%s', async (_label, parameters, items, check) => {
		const run = await bed.runNode(parameters, items, { auth });
		expect(run.error).toBeUndefined();
		check(run.json('HubSpot'));
		expect(bed.apiRequests().length).toBeGreaterThan(0);
		for (const request of bed.apiRequests())
			expect(request.headers.authorization).toBe(TOKENS[auth]);
	});
});

import { readFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INode } from 'n8n-workflow';

import { Bed, hubspotNodeDefinition } from './support/fixtures';
import { loopsPayloads, newSigningSecret, post, signedLoopsDelivery } from './trigger-helpers';

const bed = new Bed();
beforeAll(async () => await bed.start());
afterAll(async () => await bed.stop());
beforeEach(() => bed.reset());

const upserts = () =>
	bed.apiRequests().filter((request) => request.path === '/crm/v3/objects/contacts/batch/upsert');
const propertyCreations = () =>
	bed
		.apiRequests()
		.filter(
			(request) => request.method === 'POST' && request.path === '/crm/v3/properties/contacts',
		);

/** Uses the two custom properties the stand-in account already has, plus HubSpot's "message". */
const RECORD = {
	resource: 'contact',
	operation: 'recordExternalDoubleOptIn',
	email: '={{ $json.email }}',
	confirmedAt: '={{ $json.occurredAt }}',
	source: 'Loops',
	evidence: '=Loops webhook {{ $json.webhookId }}',
	confirmedAtProperty: 'double_opt_in_confirmed_at',
	sourceProperty: 'double_opt_in_source',
	evidenceProperty: 'message',
};

// The node must never send HubSpot's read-only confirmation status, in any test of this file.
afterEach(() => {
	for (const request of bed.apiRequests()) {
		expect(request.rawBody).not.toContain('hs_emailconfirmationstatus');
		expect(request.rawBody).not.toContain('READ_ONLY_VALUE');
	}
	expect(bed.apiRequests().filter((request) => request.status === 400)).toEqual([]);
});

describe('Contact → Record External Double Opt-In', () => {
	test.each(['privateAppToken', 'oAuth2'] as const)(
		'records time, source and evidence on the contact, creating it (%s)',
		async (auth) => {
			bed.hubspot.seedContact('known@example.com', { firstname: 'Known' });
			const run = await bed.runNode(
				RECORD,
				[
					{ email: 'New@Example.com', occurredAt: '2026-11-20T10:15:00+01:00', webhookId: 'msg_1' },
					{ email: 'known@example.com', occurredAt: 1763633700, webhookId: 'msg_2' },
				],
				{ auth },
			);
			expect(run.error).toBeUndefined();
			const [first, second] = run.json('HubSpot');
			expect(first).toEqual({
				email: 'New@Example.com',
				contactId: expect.any(String),
				newContact: true,
				confirmedAt: '2026-11-20T09:15:00.000Z',
				source: 'Loops',
				evidence: 'Loops webhook msg_1',
			});
			expect(second).toEqual(
				expect.objectContaining({ newContact: false, confirmedAt: '2025-11-20T10:15:00.000Z' }),
			);
			const contact = bed.hubspot.state.contactByEmail('new@example.com')!;
			expect(contact.properties).toEqual(
				expect.objectContaining({
					double_opt_in_confirmed_at: '2026-11-20T09:15:00.000Z',
					double_opt_in_source: 'Loops',
					message: 'Loops webhook msg_1',
				}),
			);
			expect(bed.hubspot.state.contactByEmail('known@example.com')!.properties.firstname).toBe(
				'Known',
			);
			const [call] = upserts();
			expect(call.body).toEqual({
				inputs: [
					{
						idProperty: 'email',
						id: 'New@Example.com',
						properties: {
							double_opt_in_confirmed_at: '2026-11-20T09:15:00.000Z',
							double_opt_in_source: 'Loops',
							message: 'Loops webhook msg_1',
						},
					},
					{
						idProperty: 'email',
						id: 'known@example.com',
						properties: {
							double_opt_in_confirmed_at: '2025-11-20T10:15:00.000Z',
							double_opt_in_source: 'Loops',
							message: 'Loops webhook msg_2',
						},
					},
				],
			});
		},
	);

	test('250 items are upserted in 3 calls (100, 100, 50), each result paired to its item', async () => {
		const items = Array.from({ length: 250 }, (_, index) => ({
			email: `doi${index}@example.com`,
			occurredAt: '2026-11-20T10:00:00Z',
			webhookId: `msg_${index}`,
		}));
		const run = await bed.runNode(RECORD, items);
		expect(
			upserts().map((request) => (request.body as { inputs: unknown[] }).inputs.length),
		).toEqual([100, 100, 50]);
		const output = run.output('HubSpot');
		expect(output).toHaveLength(250);
		output.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.email).toBe(`doi${index}@example.com`);
			expect(item.json.evidence).toBe(`Loops webhook msg_${index}`);
		});
		expect(bed.hubspot.state.contacts.length).toBeGreaterThanOrEqual(250);
	});

	test('the same address twice goes into two calls (HubSpot refuses duplicate IDs in one)', async () => {
		const run = await bed.runNode(RECORD, [
			{ email: 'twice@example.com', occurredAt: '2026-11-20T10:00:00Z', webhookId: 'a' },
			{ email: 'TWICE@example.com', occurredAt: '2026-11-21T10:00:00Z', webhookId: 'b' },
		]);
		expect(upserts()).toHaveLength(2);
		expect(run.json('HubSpot').map((item) => item.newContact)).toEqual([true, false]);
	});

	// Before the creation test: the node keeps the account's property list for five minutes.
	test('without the create option, a missing property is a clear error before any write', async () => {
		const run = await bed.runNode({ ...RECORD, confirmedAtProperty: 'external_double_opt_in_at' }, [
			{ email: 'x@example.com', occurredAt: '2026-11-20T10:00:00Z' },
		]);
		const error = run.error as unknown as { message: string; description: string };
		expect(error.message).toBe(
			'The contact property "external_double_opt_in_at" does not exist in this HubSpot account',
		);
		expect(error.description).toMatch(/Create the Properties if They Are Missing/);
		expect(upserts()).toHaveLength(0);
	});

	test('creates the three properties once, says so, and never again', async () => {
		const defaults = {
			...RECORD,
			confirmedAtProperty: 'external_double_opt_in_at',
			sourceProperty: 'external_double_opt_in_source',
			evidenceProperty: 'external_double_opt_in_evidence',
			createMissingProperties: true,
		};
		const first = await bed.runNode(defaults, [
			{ email: 'p1@example.com', occurredAt: '2026-11-20T10:00:00Z', webhookId: 'x' },
		]);
		expect(first.error).toBeUndefined();
		expect(propertyCreations().map((request) => (request.body as { name: string }).name)).toEqual([
			'external_double_opt_in_at',
			'external_double_opt_in_source',
			'external_double_opt_in_evidence',
		]);
		expect(propertyCreations().map((request) => request.body)).toEqual([
			expect.objectContaining({
				type: 'datetime',
				fieldType: 'date',
				groupName: 'contactinformation',
			}),
			expect.objectContaining({
				type: 'string',
				fieldType: 'text',
				groupName: 'contactinformation',
			}),
			expect.objectContaining({
				type: 'string',
				fieldType: 'textarea',
				groupName: 'contactinformation',
			}),
		]);
		expect(first.json('HubSpot')[0].propertiesCreated).toEqual([
			'external_double_opt_in_at',
			'external_double_opt_in_source',
			'external_double_opt_in_evidence',
		]);
		expect(
			first
				.hints('HubSpot')
				.map((hint) => hint.message)
				.join(),
		).toMatch(/Created the contact properties/);
		expect(
			bed.hubspot.state.contactByEmail('p1@example.com')!.properties.external_double_opt_in_at,
		).toBe('2026-11-20T10:00:00.000Z');

		const before = propertyCreations().length;
		const second = await bed.runNode(defaults, [
			{ email: 'p2@example.com', occurredAt: '2026-11-20T11:00:00Z', webhookId: 'y' },
		]);
		expect(propertyCreations()).toHaveLength(before);
		expect(second.json('HubSpot')[0].propertiesCreated).toBeUndefined();
		expect(
			bed.hubspot.state.contactByEmail('p2@example.com')!.properties.external_double_opt_in_source,
		).toBe('Loops');
	});

	test('a read-only property such as the confirmation status is refused before anything is sent', async () => {
		for (const field of ['confirmedAtProperty', 'sourceProperty'] as const) {
			bed.reset();
			const run = await bed.runNode({ ...RECORD, [field]: 'hs_emailconfirmationstatus' }, [
				{ email: 'x@example.com', occurredAt: '2026-11-20T10:00:00Z' },
			]);
			expect((run.error as Error).message).toBe(
				'The contact property "hs_emailconfirmationstatus" is read-only: no API may set it',
			);
			expect(upserts()).toHaveLength(0);
		}
	});

	// Mutation that turns this red: delete the refuseNeverWritten(...) call in
	// recordExternalDoubleOptIn.operation.ts. The node then asks HubSpot for the contact
	// properties first and leaves the refusal to HubSpot's metadata.
	test('the node refuses the confirmation status by name, with no request reaching HubSpot', async () => {
		for (const field of ['confirmedAtProperty', 'sourceProperty', 'evidenceProperty'] as const) {
			bed.reset();
			const run = await bed.runNode(
				{ ...RECORD, createMissingProperties: true, [field]: 'hs_emailconfirmationstatus' },
				[{ email: 'x@example.com', occurredAt: '2026-11-20T10:00:00Z' }],
			);
			const error = run.error as unknown as { message: string; description: string };
			expect(error.message).toBe(
				'The contact property "hs_emailconfirmationstatus" is read-only: no API may set it',
			);
			expect(error.description).toMatch(/^Field "(Confirmed At|Source|Evidence) Property": /);
			expect(bed.apiRequests()).toEqual([]);
		}
	});

	test('the stand-in itself refuses a write of the confirmation status, as HubSpot does', async () => {
		// Proof that the guard above has something to guard against (sent here by hand, not by the node).
		const response = await fetch(`${bed.hubspot.url}/crm/v3/objects/contacts/batch/upsert`, {
			method: 'POST',
			headers: {
				authorization: 'Bearer pat-standin-enterprise',
				'content-type': 'application/json',
			},
			body: JSON.stringify({
				inputs: [
					{
						idProperty: 'email',
						id: 'x@example.com',
						properties: { hs_emailconfirmationstatus: 'Customer marked confirmed' },
					},
				],
			}),
		});
		expect(response.status).toBe(400);
		expect(JSON.stringify(await response.json())).toContain('READ_ONLY_VALUE');
		bed.hubspot.requests.length = 0; // keep the file-wide guard about the node's own requests
	});

	const badInputs: Array<[string, Record<string, unknown>, RegExp, string]> = [
		['a malformed email', { email: 'nope' }, /"nope" is not a valid email address/, 'Email'],
		['a missing time', { occurredAt: '' }, /the confirmation time is missing/, 'Confirmed At'],
		[
			'a time that is not one',
			{ occurredAt: 'yesterday-ish' },
			/"yesterday-ish" is not a time/,
			'Confirmed At',
		],
		[
			'evidence longer than a HubSpot text value',
			{ webhookId: 'x'.repeat(65_536) },
			/has 65,550 characters, more than the 65,536 HubSpot takes/,
			'Evidence',
		],
	];
	test.each(badInputs)(
		'%s is refused before any request',
		async (_label, override, message, field) => {
			const run = await bed.runNode(RECORD, [
				{ email: 'ok@example.com', occurredAt: '2026-11-20T10:00:00Z', ...override },
			]);
			const error = run.error as unknown as { message: string; description: string };
			expect(error.message).toMatch(/^Item 1: /);
			expect(error.message).toMatch(message);
			expect(error.description).toContain(`Field "${field}"`);
			expect(bed.apiRequests()).toHaveLength(0);
		},
	);

	test('an empty source is refused before any request', async () => {
		const run = await bed.runNode({ ...RECORD, source: '={{ $json.system }}' }, [
			{ email: 'ok@example.com', occurredAt: '2026-11-20T10:00:00Z', system: '' },
		]);
		expect((run.error as Error).message).toMatch(/Item 1: the source is empty/);
		expect(bed.apiRequests()).toHaveLength(0);
	});

	test('with Continue On Fail, bad items become error items and the rest are recorded', async () => {
		const run = await bed.runNode(
			RECORD,
			[
				{ email: 'fine@example.com', occurredAt: '2026-11-20T10:00:00Z', webhookId: '1' },
				{ email: 'broken', occurredAt: '2026-11-20T10:00:00Z', webhookId: '2' },
				{ email: 'late@example.com', occurredAt: '', webhookId: '3' },
			],
			{ continueOnFail: true },
		);
		const output = run.json('HubSpot');
		expect(output[0].contactId).toEqual(expect.any(String));
		expect(output[1].error).toMatch(/Item 2: "broken"/);
		expect(output[2].error).toMatch(/Item 3: the confirmation time is missing/);
		expect((upserts()[0].body as { inputs: unknown[] }).inputs).toHaveLength(1);
	});

	test('an address HubSpot refuses fails alone: the all-or-nothing call is halved until it is found', async () => {
		// A well-formed address HubSpot still refuses (its checks go further than the node's): the
		// whole call is refused with it.
		bed.hubspot.state.refusedAddresses.add('refused@example.com');
		const items = Array.from({ length: 250 }, (_, index) => ({
			email: index === 37 ? 'refused@example.com' : `doi${index}@example.com`,
			occurredAt: '2026-11-20T10:00:00Z',
			webhookId: `msg_${index}`,
		}));
		const run = await bed.runNode(RECORD, items, { continueOnFail: true });
		const output = run.output('HubSpot');
		expect(output).toHaveLength(250);
		output.forEach((item, index) => expect(item.pairedItem).toEqual({ item: index }));
		expect(output[37].json.error).toMatch(/Email address refused@example\.com is invalid/);
		expect(output.filter((item) => item.json.error)).toHaveLength(1);
		for (let index = 0; index < 250; index++) {
			const contact = bed.hubspot.state.contactByEmail(`doi${index}@example.com`);
			if (index === 37) expect(contact).toBeUndefined();
			else expect(contact?.properties.double_opt_in_confirmed_at).toBe('2026-11-20T10:00:00.000Z');
		}
		const refused = upserts().filter((request) => request.status === 400);
		// Item 37 lies in items 0–99, then 0–49, 25–49, 25–37, 32–37, 35–37 and finally alone:
		// each refused call is sent again as two halves, the good half is written.
		expect(refused.map((request) => (request.body as { inputs: unknown[] }).inputs.length)).toEqual(
			[100, 50, 25, 13, 6, 3, 1],
		);
		expect(upserts()).toHaveLength(3 + 2 * 6);
		bed.hubspot.requests.length = 0; // the 400s are this test's point; keep the file-wide guard for the others
	});

	test('a refusal that concerns a property is not split: every input would get it again', async () => {
		const items = Array.from({ length: 150 }, (_, index) => ({
			email: `p${index}@example.com`,
			occurredAt: '2026-11-20T10:00:00Z',
			webhookId: `m${index}`,
		}));
		// The property list is read (and cached) first; the property then disappears, as when someone archives it.
		await bed.runNode(RECORD, items.slice(0, 1));
		bed.hubspot.state.archiveContactProperty('double_opt_in_source');
		const run = await bed.runNode(RECORD, items, { continueOnFail: true });
		const output = run.json('HubSpot');
		expect(output).toHaveLength(150);
		expect(output.every((item) => /Property values were not valid/.test(String(item.error)))).toBe(
			true,
		);
		expect(
			upserts().map((request) => (request.body as { inputs: unknown[] }).inputs.length),
		).toEqual([1, 100, 50]);
		bed.hubspot.requests.length = 0;
	});

	test('the property dropdowns list writable date-time and text properties, never read-only ones', async () => {
		const node = hubspotNodeDefinition(RECORD);
		const dates = (await bed.n8n.loadOptions(node, {
			type: 'loadOptions',
			name: 'getDateTimeContactProperties',
		})) as Array<{ value: string; name: string }>;
		const texts = (await bed.n8n.loadOptions(node, {
			type: 'loadOptions',
			name: 'getTextContactProperties',
		})) as Array<{ value: string; name: string }>;
		expect(dates.map((option) => option.value)).toContain('double_opt_in_confirmed_at');
		expect(dates.map((option) => option.value)).not.toContain('createdate');
		expect(dates.find((option) => option.value === 'double_opt_in_confirmed_at')!.name).toMatch(
			/\(double_opt_in_confirmed_at\)$/,
		);
		expect(texts.map((option) => option.value)).toEqual(
			expect.arrayContaining(['double_opt_in_source', 'firstname', 'message']),
		);
		for (const list of [dates, texts]) {
			expect(list.map((option) => option.value)).not.toContain('hs_emailconfirmationstatus');
			expect(list.map((option) => option.value)).not.toContain('hs_object_id');
		}
		expect(bed.apiRequests().map((request) => request.path)).toEqual([
			'/crm/v3/properties/contacts',
			'/crm/v3/properties/contacts',
		]);
	});
});

describe('examples/loops-double-opt-in-to-hubspot-same-minute.json', () => {
	test('a signed Loops confirmation ends with the contact recorded and the statuses SUBSCRIBED with the evidence', async () => {
		const secret = newSigningSecret();
		bed.n8n.addCredential({
			id: 'loopsSigning0001',
			name: 'Loops webhook signing secret',
			type: 'loopsWebhookSigningApi',
			data: { signingSecret: secret },
		});
		bed.n8n.addCredential({
			id: 'hsSandbox0000001',
			name: 'HubSpot sandbox',
			type: 'hubSpotSubscriptionsApi',
			data: { accessToken: 'pat-standin-enterprise', baseUrl: bed.hubspot.url },
		});
		const example = JSON.parse(
			readFileSync(
				join(__dirname, '..', 'examples', 'loops-double-opt-in-to-hubspot-same-minute.json'),
				'utf8',
			),
		) as { name: string; nodes: INode[]; connections: Record<string, never> };
		const nodes = example.nodes.filter((node) => node.type !== 'n8n-nodes-base.stickyNote');
		const url = await bed.n8n.serveWebhook(
			{ name: example.name, nodes, connections: example.connections },
			'Loops Trigger',
		);

		const eventTime = Math.floor(Date.now() / 1000) - 3;
		const delivery = signedLoopsDelivery(
			secret,
			loopsPayloads.contactCreated('Grace@Example.com', 'accepted', eventTime),
		);
		expect((await post(url, delivery.body, delivery.headers)).status).toBe(200);
		const run = await bed.n8n.webhookRuns.at(-1)!.run;
		expect(run.status).toBe('success');

		const confirmedAt = new Date(eventTime * 1000).toISOString();
		const contact = bed.hubspot.state.contactByEmail('grace@example.com')!;
		expect(contact.properties).toEqual(
			expect.objectContaining({
				external_double_opt_in_at: confirmedAt,
				external_double_opt_in_source: 'Loops',
				external_double_opt_in_evidence: `Loops contact.created, webhook ID ${delivery.id}`,
			}),
		);
		for (const id of [101, 102]) {
			const status = bed.hubspot.state.getStatus('grace@example.com', id)!;
			expect(status.status).toBe('SUBSCRIBED');
			expect(status.legalBasis).toBe('CONSENT_WITH_NOTICE');
			expect(status.legalBasisExplanation).toBe(
				`Double opt-in confirmed in Loops at ${confirmedAt}; evidence: Loops contact.created, webhook ID ${delivery.id}. Recorded on the contact in external_double_opt_in_at. [event time ${confirmedAt}]`,
			);
		}

		// a pending opt-in starts nothing in HubSpot
		const pending = signedLoopsDelivery(
			secret,
			loopsPayloads.contactCreated('pending@example.com', 'pending'),
		);
		expect((await post(url, pending.body, pending.headers)).status).toBe(200);
		await bed.n8n.webhookRuns.at(-1)!.run;
		expect(bed.hubspot.state.contactByEmail('pending@example.com')).toBeUndefined();
		expect(bed.hubspot.state.getStatus('pending@example.com', 101)?.status ?? 'NOT_SPECIFIED').toBe(
			'NOT_SPECIFIED',
		);
	});
});

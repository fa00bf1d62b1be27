import type { IDataObject } from 'n8n-workflow';

import { Bed, asSavedByTheEditor } from './support/fixtures';
import { LINK_HOST } from './hubspot-standin/commprefs';

// A one-second rate window (HubSpot's is ten seconds) keeps the pacing test short; the node
// learns the window from the stand-in's X-HubSpot-RateLimit-* headers, as it would from HubSpot.
const bed = new Bed();
beforeAll(async () => await bed.start({ rateLimit: { maxRequests: 10, windowMs: 1000 } }));
afterAll(async () => await bed.stop());
beforeEach(() => {
	bed.reset();
	bed.hubspot.clearFaults();
});

const GENERATE = (extra: IDataObject = {}): IDataObject => ({
	resource: 'preferenceLink',
	operation: 'generate',
	email: '={{ $json.email }}',
	...extra,
});

const linkCalls = () =>
	bed.apiRequests().filter((request) => request.path.endsWith('/links/generate'));

describe('Preference Link → Generate', () => {
	// Mutation that turns this red: in transport/requests.ts generateLinksRequest(), drop
	// `channel: CHANNEL` from qs (HubSpot and the stand-in require it: 400), or build the path
	// with '/link/generate'.
	test.each(['2026-09', '2026-03', 'v4'] as const)(
		'one address: one POST to %s links/generate, its links out',
		async (apiVersion) => {
			const run = await bed.runNode(GENERATE({ apiVersion }), [{ email: 'ada@example.com' }]);
			expect(run.error).toBeUndefined();
			const calls = bed.apiRequests();
			expect(
				calls.map((call) => [call.method, call.path, call.query, call.body, call.status]),
			).toEqual([
				[
					'POST',
					`/communication-preferences/${apiVersion}/links/generate`,
					{ channel: 'EMAIL', businessUnitId: '0' },
					{ subscriberIdString: 'ada@example.com' },
					200,
				],
			]);
			const [item] = run.output('HubSpot');
			expect(item.pairedItem).toEqual({ item: 0 });
			expect(item.json).toEqual({
				email: 'ada@example.com',
				subscriberIdString: 'ada@example.com',
				managePreferencesUrl: expect.stringMatching(new RegExp(`^${LINK_HOST}/`)),
				unsubscribeAllUrl: expect.stringMatching(new RegExp(`^${LINK_HOST}/`)),
				brandId: 0,
			});
			// no type chosen: HubSpot returns no single-type link
			expect(item.json).not.toHaveProperty('unsubscribeSingleUrl');
		},
	);

	// Mutation that turns this red: in generate.operation.ts execute(), answer every call
	// with `setup.outcomes.succeed(inputs[0].itemIndex, …)` (outputs not paired to their inputs:
	// n8n-core then reports an item without a result), or loop over `inputs.slice(0, 1)`.
	test('several items: one call each, every output paired to its input', async () => {
		const items = ['p0@example.com', 'p1@example.com', 'p2@example.com', 'p3@example.com'].map(
			(email) => ({ email }),
		);
		const run = await bed.runNode(GENERATE(), items);
		expect(run.error).toBeUndefined();
		expect(
			linkCalls()
				.map((call) => (call.body as IDataObject).subscriberIdString)
				.sort(),
		).toEqual(items.map((item) => item.email));
		expect(bed.apiRequests()).toHaveLength(items.length);
		const output = run.output('HubSpot');
		expect(output).toHaveLength(items.length);
		output.forEach((item, index) => {
			expect(item.pairedItem).toEqual({ item: index });
			expect(item.json.email).toBe(items[index].email);
			expect(item.json.subscriberIdString).toBe(items[index].email);
		});
		// each address has its own links
		expect(new Set(output.map((item) => item.json.unsubscribeAllUrl)).size).toBe(items.length);
	});

	// Mutation that turns this red: in transport/requests.ts generateLinksRequest(), leave out
	// `body.subscriptionId` (no unsubscribeSingleUrl comes back), or send it as
	// `String(input.subscriptionId)` (HubSpot takes an int64: the stand-in answers 400).
	test('with a subscription type and a language: the type as an integer, and an unsubscribeSingleUrl', async () => {
		const run = await bed.runNode(
			GENERATE({ options: { subscriptionType: '101', language: 'de' } }),
			[{ email: 'Bea@Example.com' }],
		);
		expect(run.error).toBeUndefined();
		expect(linkCalls().map((call) => call.body)).toEqual([
			{ subscriberIdString: 'Bea@Example.com', language: 'de', subscriptionId: 101 },
		]);
		const [json] = run.json('HubSpot');
		expect(json.unsubscribeSingleUrl).toEqual(expect.stringContaining('subscriptionId=101'));
		expect(json.managePreferencesUrl).toEqual(expect.stringContaining('languagePreference=de'));
	});

	// Mutation that turns this red: in generate.operation.ts parseInputs(), read the brand as
	// `DEFAULT_BRAND` always (ignore options.businessUnitId).
	test('the brand goes into the query, and the output names it', async () => {
		const run = await bed.runNode(GENERATE({ options: { businessUnitId: 12345 } }), [
			{ email: 'cy@example.com' },
		]);
		expect(run.error).toBeUndefined();
		expect(linkCalls().map((call) => call.query)).toEqual([
			{ channel: 'EMAIL', businessUnitId: '12345' },
		]);
		const [json] = run.json('HubSpot');
		expect(json.brandId).toBe(12345);
		expect(json.managePreferencesUrl).toEqual(expect.stringContaining('businessUnitId=12345'));
	});

	// Mutation that turns this red: in generate.operation.ts parseInputs(), pass the address on
	// unchecked (`email: String(parameters.get('email', itemIndex))`): the good item's request
	// goes out before the bad one fails (and the bad one reaches HubSpot with Continue On Fail).
	test('a malformed address is refused before any request, naming the item and the field', async () => {
		const run = await bed.runNode(GENERATE(), [
			{ email: 'fine@example.com' },
			{ email: 'no at sign' },
		]);
		expect(run.error?.message).toMatch(/Item 2: "no at sign" is not a valid email address/);
		expect(run.error?.description).toMatch(/Field "Email"/);
		expect(bed.apiRequests()).toEqual([]);
	});

	// Mutation that turns this red: in helpers/validation.ts optionalLanguage(), return the text
	// without testing LANGUAGE_TAG.
	test('a language that is no language code is refused before any request', async () => {
		const run = await bed.runNode(GENERATE({ options: { language: 'German please' } }), [
			{ email: 'dee@example.com' },
		]);
		expect(run.error?.message).toMatch(/Item 1: "German please" is not a language code/);
		expect(run.error?.description).toMatch(
			/Field "Language": give a language code such as en, de or pt-br/,
		);
		expect(bed.apiRequests()).toEqual([]);
	});

	// Mutation that turns this red: in generate.operation.ts parseInputs(), send the chosen type as
	// is (`subscriptionId: chosenType as number`) instead of through requireSubscriptionId().
	test('a subscription type that is no ID is refused before any request', async () => {
		const run = await bed.runNode(GENERATE({ options: { subscriptionType: 'Newsletter' } }), [
			{ email: 'eve@example.com' },
		]);
		expect(run.error?.message).toMatch(/Item 1: "Newsletter" is not a subscription type ID/);
		expect(run.error?.description).toMatch(/Field "Subscription Type"/);
		expect(bed.apiRequests()).toEqual([]);
	});

	// Mutation that turns this red: in generate.operation.ts execute(), swallow the error
	// (`setup.outcomes.succeed(input.itemIndex, { email: input.email })` in the catch).
	test("HubSpot's refusal (an unknown subscription type) fails the run with HubSpot's words", async () => {
		const run = await bed.runNode(GENERATE({ options: { subscriptionType: '999' } }), [
			{ email: 'fay@example.com' },
		]);
		expect(run.error).toBeDefined();
		expect(`${run.error?.message} ${run.error?.description ?? ''}`).toMatch(
			/No subscription definition exists with id 999/,
		);
		expect(linkCalls().map((call) => call.status)).toEqual([400]);
	});

	// Mutation that turns this red: in generate.operation.ts execute(), drop the try/catch
	// (the 400 then stops the node even with Continue On Fail, and no item pairs with the error).
	test("with Continue On Fail, HubSpot's refusal is that item's paired error; the others get their links", async () => {
		const run = await bed.runNode(
			GENERATE({ options: { subscriptionType: '={{ $json.type }}' } }),
			[
				{ email: 'gil@example.com', type: 101 },
				{ email: 'hal@example.com', type: 999 },
				{ email: 'ivy@example.com', type: 102 },
			],
			{ continueOnFail: true },
		);
		expect(run.error).toBeUndefined();
		const output = run.output('HubSpot');
		expect(output.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
		expect(output[0].json.unsubscribeSingleUrl).toEqual(
			expect.stringContaining('subscriptionId=101'),
		);
		expect(output[2].json.unsubscribeSingleUrl).toEqual(
			expect.stringContaining('subscriptionId=102'),
		);
		expect(output[1].json).toEqual(
			expect.objectContaining({
				error: expect.stringMatching(/.+/),
				httpCode: '400',
				category: 'VALIDATION_ERROR',
			}),
		);
		expect(`${output[1].json.error} ${output[1].json.description ?? ''}`).toMatch(
			/No subscription definition exists with id 999/,
		);
		expect(output[1].json).not.toHaveProperty('managePreferencesUrl');
		expect(linkCalls()).toHaveLength(3);
	});

	// Mutations that turn this red: in transport/index.ts decide(), answer a 5xx with
	// `{ kind: 'fail' }` (no retry); or drop `changesNothing: true` from generateLinksRequest()
	// (the hint then calls the retry a resent write).
	test('a server error is retried, and the item still gets its links; the hint calls it a read', async () => {
		bed.hubspot.injectFault({ kind: 'status', status: 503, path: /links\/generate/, times: 1 });
		const run = await bed.runNode(GENERATE(), [{ email: 'jo@example.com' }]);
		expect(run.error).toBeUndefined();
		expect(linkCalls().map((call) => call.status)).toEqual([503, 200]);
		expect(run.json('HubSpot')).toEqual([
			expect.objectContaining({ email: 'jo@example.com', unsubscribeAllUrl: expect.any(String) }),
		]);
		const hints = run
			.hints('HubSpot')
			.map((hint) => hint.message)
			.join('\n');
		expect(hints).toMatch(/1 reads retried after a server or network error/);
		expect(hints).not.toMatch(/writes were sent again/);
	});

	// Mutation that turns this red: in transport/index.ts request(), take no slot in the rate
	// window (`release = () => {}` instead of `await scheduler.acquire()`): 25 calls then go out
	// at once and the stand-in answers 429 to the eleventh.
	test("many items: one call each, within HubSpot's rate window (no 429)", async () => {
		const items = Array.from({ length: 25 }, (_, index) => ({
			email: `paced${index}@example.com`,
		}));
		const run = await bed.runNode(GENERATE(), items);
		expect(run.error).toBeUndefined();
		expect(run.output('HubSpot')).toHaveLength(25);
		const calls = linkCalls();
		expect(calls).toHaveLength(25);
		expect(calls.filter((call) => call.status === 429)).toEqual([]);
		const arrivals = calls.map((call) => call.receivedAt).sort((a, b) => a - b);
		arrivals.forEach((at, index) => {
			if (index >= 10) expect(at - arrivals[index - 10]).toBeGreaterThanOrEqual(1000);
		});
	});

	// Mutation that turns this red: add `{ ...dryRunField, displayOptions }` back to
	// generate.operation.ts's description. Generating links writes nothing, so like the other
	// reads it offers no Dry Run (the editor would otherwise keep a switch that does nothing).
	test('offers no Dry Run: it writes nothing', () => {
		const saved = asSavedByTheEditor({ ...GENERATE(), dryRun: true } as never);
		expect(saved).not.toHaveProperty('dryRun');
	});
});

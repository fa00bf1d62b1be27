import { Bed } from './support/fixtures';

const bed = new Bed();
beforeAll(async () => await bed.start());
afterAll(async () => await bed.stop());

/**
 * 1,000 items, 5% of them malformed in the ways real exports are: a broken address, a
 * subscription type the account does not have, empty fields. The 950 good ones are
 * written; the 50 bad ones come out as error items that say what is wrong, and none of
 * them is sent to HubSpot.
 */
test('1,000 items with 50 bad ones: 950 written, 50 clear errors, nothing bad sent', async () => {
	const kinds = [
		'bad email',
		'unknown type',
		'empty email',
		'empty type',
		'empty legal basis',
	] as const;
	const items = Array.from({ length: 1000 }, (_, index) => {
		const item = {
			email: `member${index}@example.com`,
			subscriptionId: '101',
			legalBasis: 'CONSENT_WITH_NOTICE',
			bad: '',
		};
		if (index % 20 !== 7) return item;
		const kind = kinds[Math.floor(index / 20) % kinds.length];
		if (kind === 'bad email') item.email = `member${index}.example.com`;
		if (kind === 'unknown type') item.subscriptionId = '999999';
		if (kind === 'empty email') item.email = '';
		if (kind === 'empty type') item.subscriptionId = '';
		if (kind === 'empty legal basis') item.legalBasis = '';
		item.bad = kind;
		return item;
	});
	const run = await bed.runNode(
		{
			resource: 'subscriptionStatus',
			operation: 'batchWrite',
			email: '={{ $json.email }}',
			subscriptionType: { __rl: true, mode: 'id', value: '={{ $json.subscriptionId }}' },
			statusState: 'SUBSCRIBED',
			legalBasis: '={{ $json.legalBasis }}',
			legalBasisExplanation: 'Imported from the 2026 newsletter export with recorded consent',
		},
		items,
		{ continueOnFail: true },
	);
	expect(run.error).toBeUndefined();
	const output = run.output('HubSpot');
	expect(output).toHaveLength(1000);

	const expectedMessage: Record<string, RegExp> = {
		'bad email': /is not a valid email address/,
		'unknown type': /subscription type 999999 does not exist in this HubSpot account/,
		'empty email': /the email address is empty/,
		'empty type': /no subscription type is chosen/,
		'empty legal basis': /the legal basis is missing/,
	};
	let good = 0;
	output.forEach((item, index) => {
		expect(item.pairedItem).toEqual({ item: index });
		const input = items[index];
		if (input.bad) {
			expect(item.json.error).toMatch(new RegExp(`^Item ${index + 1}: `));
			expect(item.json.error).toMatch(expectedMessage[input.bad]);
			expect(item.json.description).toMatch(/^Field "/);
		} else {
			good++;
			expect(item.json).toEqual(
				expect.objectContaining({ email: input.email, status: 'SUBSCRIBED', subscriptionId: 101 }),
			);
		}
	});
	expect(good).toBe(950);

	const sent = bed
		.apiRequests()
		.filter((request) => request.path.endsWith('/batch/write'))
		.flatMap(
			(request) =>
				(request.body as { inputs: Array<{ subscriberIdString: string; subscriptionId: number }> })
					.inputs,
		);
	expect(sent).toHaveLength(950);
	expect(
		sent.every(
			(input) =>
				input.subscriptionId === 101 && /^member\d+@example\.com$/.test(input.subscriberIdString),
		),
	).toBe(true);
	expect(bed.apiRequests().filter((request) => request.path.endsWith('/batch/write'))).toHaveLength(
		10,
	);
	expect(bed.hubspot.state.allWrites).toHaveLength(950);
});

import type { IDataObject } from 'n8n-workflow';

import { Bed, byId, CREDENTIAL_IDS, hubspotNodeDefinition } from './support/fixtures';
import type { TestWorkflow } from './harness/n8n';

// The Retry Later output: items that still fail for a passing reason after the request
// settings' retries leave the run on a second output instead of failing it; everything else
// stays an error. A short retry budget keeps these tests fast.
const bed = new Bed();
beforeAll(async () => await bed.start({ rateLimit: { maxRequests: 100, windowMs: 1000 } }));
afterAll(async () => await bed.stop());
beforeEach(() => {
	bed.reset();
	bed.hubspot.clearFaults();
});

const QUICK = { maxAttempts: 2, maxRetryWaitSeconds: 1, batchMode: 'never' };

const SET = (extra: IDataObject = {}): IDataObject => ({
	resource: 'subscriptionStatus',
	operation: 'set',
	email: '={{ $json.email }}',
	subscriptionType: byId(102),
	statusState: 'SUBSCRIBED',
	legalBasis: 'CONSENT_WITH_NOTICE',
	legalBasisExplanation: '=Double opt-in confirmed ({{ $json.evidence }})',
	retryLaterOutput: true,
	maxRetryRounds: 3,
	requestSettings: QUICK,
	...extra,
});

const items = (count: number, prefix: string) =>
	Array.from({ length: count }, (_, index) => ({
		email: `${prefix}${index}@example.com`,
		evidence: `event ${index}`,
		occurredAt: `2026-12-01T10:00:0${index}.000Z`,
	}));

test('an outage (503 on every write) sends every item to Retry Later as it came in, paired, round 1', async () => {
	bed.hubspot.injectFault({ kind: 'status', status: 503, path: /\/statuses\//, untilMs: 60_000 });
	const input = items(3, 'outage');
	const run = await bed.runNode(SET(), input);
	expect(run.error).toBeUndefined();
	expect(run.output('HubSpot', 0)).toEqual([]);
	const later = run.output('HubSpot', 1);
	expect(later).toHaveLength(3);
	later.forEach((item, index) => {
		expect(item.pairedItem).toEqual({ item: index });
		// The item keeps its own fields (event time, evidence) for the next round.
		expect(item.json).toMatchObject(input[index]);
		expect(item.json.retryLater).toMatchObject({ round: 1, httpCode: '503' });
	});
	expect(bed.hubspot.state.allWrites).toEqual([]);
});

test("HubSpot's daily limit goes to Retry Later too, with the policy named", async () => {
	bed.hubspot.injectFault({
		kind: 'rateLimit',
		policy: 'DAILY',
		path: /\/statuses\//,
		untilMs: 60_000,
	});
	const run = await bed.runNode(SET(), items(2, 'daily'));
	expect(run.error).toBeUndefined();
	expect(run.json('HubSpot', 0)).toEqual([]);
	expect(run.json('HubSpot', 1).map((json) => json.retryLater)).toEqual([
		expect.objectContaining({ round: 1, httpCode: '429', policyName: 'DAILY' }),
		expect.objectContaining({ round: 1, httpCode: '429', policyName: 'DAILY' }),
	]);
});

test('only the failing item goes to Retry Later; the others are written and stay on Done', async () => {
	bed.hubspot.injectFault({
		kind: 'status',
		status: 502,
		path: /mixed1%40example\.com/,
		untilMs: 60_000,
	});
	const run = await bed.runNode(SET(), items(3, 'mixed'));
	expect(run.error).toBeUndefined();
	const done = run.output('HubSpot', 0);
	expect(done.map((item) => item.pairedItem)).toEqual([{ item: 0 }, { item: 2 }]);
	expect(done.map((item) => item.json.status)).toEqual(['SUBSCRIBED', 'SUBSCRIBED']);
	const later = run.output('HubSpot', 1);
	expect(later.map((item) => item.pairedItem)).toEqual([{ item: 1 }]);
	expect(bed.hubspot.state.getStatus('mixed1@example.com', 102)?.status).not.toBe('SUBSCRIBED');
});

test('a permanent error (401, a bad token) stays an error and never goes to Retry Later', async () => {
	const run = await bed.runNode(SET(), items(2, 'perm'), {
		credentialId: CREDENTIAL_IDS.wrongToken,
	});
	expect(run.error?.message).toMatch(/HubSpot/);
	expect(bed.hubspot.state.allWrites).toEqual([]);
	const cof = await bed.runNode(SET(), items(2, 'perm'), {
		credentialId: CREDENTIAL_IDS.wrongToken,
		continueOnFail: true,
	});
	expect(cof.output('HubSpot', 1)).toEqual([]);
	expect(cof.json('HubSpot', 0).map((json) => json.httpCode)).toEqual(['401', '401']);
});

test('an item that has used its rounds fails for good ("gave up") instead of looping again', async () => {
	bed.hubspot.injectFault({ kind: 'status', status: 503, path: /\/statuses\//, untilMs: 60_000 });
	const [item] = items(1, 'tired');
	const run = await bed.runNode(SET(), [{ ...item, retryLater: { round: 3, reason: 'earlier' } }]);
	expect(run.error?.message).toMatch(/gave up after 3 Retry Later rounds/);
	const cof = await bed.runNode(SET(), [{ ...item, retryLater: { round: 3, reason: 'earlier' } }], {
		continueOnFail: true,
	});
	expect(cof.output('HubSpot', 1)).toEqual([]);
	expect(cof.json('HubSpot', 0)[0].error).toMatch(/gave up after 3 Retry Later rounds/);
});

test('without the option the node has one output and an outage fails the run as before', async () => {
	bed.hubspot.injectFault({ kind: 'status', status: 503, path: /\/statuses\//, untilMs: 60_000 });
	const run = await bed.runNode(SET({ retryLaterOutput: false }), items(1, 'plain'));
	expect(run.error?.message).toMatch(/HubSpot/);
});

/** HubSpot node → Retry Later → NoOp (where a Wait node would be) → back into the HubSpot node. */
function loopWorkflow(parameters: IDataObject): TestWorkflow {
	const hubspot = hubspotNodeDefinition(parameters);
	return {
		name: 'retry-loop',
		nodes: [
			hubspot,
			{
				id: 'wait',
				name: 'Wait',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [400, 200],
				parameters: {},
			},
		],
		connections: {
			HubSpot: { main: [[], [{ node: 'Wait', type: 'main', index: 0 }]] },
			Wait: { main: [[{ node: 'HubSpot', type: 'main', index: 0 }]] },
		},
	};
}

test('the loop lands every write once HubSpot recovers, keeping the item through the rounds', async () => {
	// The first four write requests fail (two items, two attempts each): round 2 goes through.
	// Allow Resubscribe on keeps the resubscribe guard's reads out of the count.
	bed.hubspot.injectFault({ kind: 'status', status: 503, path: /\/statuses\//, times: 4 });
	const input = items(2, 'loop');
	const run = await bed.n8n.run(loopWorkflow(SET({ options: { allowResubscribe: true } })), {
		start: 'HubSpot',
		items: input,
	});
	expect(run.error).toBeUndefined();
	const runs = run.run.data.resultData.runData.HubSpot;
	expect(runs).toHaveLength(2);
	const done = run.output('HubSpot', 0);
	expect(done.map((item) => item.json.email)).toEqual(['loop0@example.com', 'loop1@example.com']);
	for (const { email } of input)
		expect(bed.hubspot.state.getStatus(email, 102)?.status).toBe('SUBSCRIBED');
	// Each address changed once: the failed attempts wrote nothing.
	expect(
		bed.hubspot.state.allWrites.filter((write) => write.reason !== 'NO_STATUS_CHANGE'),
	).toHaveLength(2);
	expect(bed.hubspot.state.allWrites.map((write) => write.legalBasisExplanation)).toEqual([
		'Double opt-in confirmed (event 0)',
		'Double opt-in confirmed (event 1)',
	]);
});

test('a loop against a HubSpot that never recovers ends after Max Retry Later Rounds', async () => {
	bed.hubspot.injectFault({ kind: 'status', status: 503, path: /\/statuses\//, untilMs: 120_000 });
	const run = await bed.n8n.run(loopWorkflow(SET({ maxRetryRounds: 2 })), {
		start: 'HubSpot',
		items: items(1, 'never'),
	});
	// Round 0 (the first run), then two rounds through the loop, then the final error.
	expect(run.run.data.resultData.runData.HubSpot).toHaveLength(3);
	expect(run.error?.message).toMatch(/gave up after 2 Retry Later rounds/);
	expect(bed.hubspot.state.allWrites).toEqual([]);
});

test('Unsubscribe All sends its items to Retry Later in an outage too', async () => {
	bed.hubspot.injectFault({ kind: 'status', status: 503, untilMs: 60_000 });
	const withdrawals = await bed.runNode(
		{
			resource: 'unsubscribeAll',
			operation: 'batchUnsubscribe',
			email: '={{ $json.email }}',
			retryLaterOutput: true,
			requestSettings: QUICK,
		},
		items(2, 'withdraw'),
	);
	expect(withdrawals.error).toBeUndefined();
	expect(
		withdrawals
			.json('HubSpot', 1)
			.map((json) => [json.email, (json.retryLater as IDataObject).round]),
	).toEqual([
		['withdraw0@example.com', 1],
		['withdraw1@example.com', 1],
	]);
	expect(bed.hubspot.state.allWrites).toEqual([]);
});

test('Record External Double Opt-In sends its items to Retry Later when HubSpot is down, its property check included', async () => {
	bed.hubspot.injectFault({ kind: 'status', status: 503, untilMs: 60_000 });
	const confirmations = await bed.runNode(
		{
			resource: 'contact',
			operation: 'recordExternalDoubleOptIn',
			email: '={{ $json.email }}',
			confirmedAt: '={{ $json.occurredAt }}',
			source: 'Loops',
			evidence: '={{ $json.evidence }}',
			retryLaterOutput: true,
			requestSettings: QUICK,
		},
		items(2, 'confirm'),
	);
	expect(confirmations.error).toBeUndefined();
	expect(confirmations.output('HubSpot', 1).map((item) => item.pairedItem)).toEqual([
		{ item: 0 },
		{ item: 1 },
	]);
	expect(bed.hubspot.state.contactByEmail('confirm0@example.com')).toBeUndefined();
});

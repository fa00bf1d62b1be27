import { randomBytes } from 'node:crypto';

import type { INode } from 'n8n-workflow';
import { Webhook as ReferenceWebhook } from 'standardwebhooks';

import { replayMemory } from '../nodes/common/webhookSecurity';
import { LoopsTrigger } from '../nodes/LoopsTrigger/LoopsTrigger.node';
import { decodeSigningSecret, verifyStandardWebhook } from '../nodes/LoopsTrigger/standardWebhooks';
import { N8nTestInstance, type TestWorkflow } from './harness/n8n';
import { HUBSPOT_NODE, PACKAGE } from './harness/types';
import { ENTERPRISE_TOKEN, startHubSpotStandIn, type StandIn } from './hubspot-standin';
import {
	loopsPayloads,
	newSigningSecret,
	nowSeconds,
	post,
	signedLoopsDelivery,
	standardWebhookSignature,
} from './trigger-helpers';

// The Standard Webhooks specification's published test vector (reference libraries'
// "sign function works" test, libraries/javascript/src/webhook.test.ts).
const VECTOR = {
	secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
	id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
	timestamp: 1614265330,
	payload: '{"test": 2432232314}',
	signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
};

const SECRET = newSigningSecret();

describe('Standard Webhooks verification (unit)', () => {
	it("the test signer reproduces the specification's published signature", () => {
		expect(
			standardWebhookSignature(VECTOR.secret, VECTOR.id, VECTOR.timestamp, VECTOR.payload),
		).toBe(VECTOR.signature);
	});

	it('the verifier accepts the published vector, and refuses it 301 s later or with another body', () => {
		const decoded = decodeSigningSecret(VECTOR.secret);
		if (!('key' in decoded)) throw new Error(decoded.problem);
		const request = {
			webhookId: VECTOR.id,
			timestamp: String(VECTOR.timestamp),
			signature: VECTOR.signature,
			rawBody: Buffer.from(VECTOR.payload),
		};
		expect(verifyStandardWebhook(decoded.key, request, 300, VECTOR.timestamp)).toEqual({
			ok: true,
			webhookId: VECTOR.id,
			timestamp: VECTOR.timestamp,
		});
		expect(verifyStandardWebhook(decoded.key, request, 300, VECTOR.timestamp + 301)).toEqual({
			ok: false,
			reason: 'timestamp-outside-tolerance',
		});
		expect(
			verifyStandardWebhook(
				decoded.key,
				{ ...request, rawBody: Buffer.from('{"test": 2432232315}') },
				300,
				VECTOR.timestamp,
			),
		).toEqual({ ok: false, reason: 'no-matching-signature' });
		// The bare base64 (no whsec_ prefix) is the same key, as in the reference libraries.
		expect(decodeSigningSecret(VECTOR.secret.slice('whsec_'.length))).toEqual(decoded);
	});

	it('skips other signature versions and malformed entries', () => {
		const decoded = decodeSigningSecret(VECTOR.secret) as { key: Buffer };
		const signature = `v1a,${VECTOR.signature.slice(3)} v2,${VECTOR.signature.slice(3)} v1,!!notbase64 ${VECTOR.signature}`;
		const request = {
			webhookId: VECTOR.id,
			timestamp: String(VECTOR.timestamp),
			signature,
			rawBody: Buffer.from(VECTOR.payload),
		};
		expect(verifyStandardWebhook(decoded.key, request, 300, VECTOR.timestamp).ok).toBe(true);
		const onlyOthers = {
			...request,
			signature: `v1a,${VECTOR.signature.slice(3)} v2,${VECTOR.signature.slice(3)}`,
		};
		expect(verifyStandardWebhook(decoded.key, onlyOthers, 300, VECTOR.timestamp).ok).toBe(false);
	});

	it('rejects unusable secrets with an explanation', () => {
		expect(decodeSigningSecret('')).toHaveProperty('problem');
		expect(decodeSigningSecret('whsec_')).toHaveProperty('problem');
		expect(decodeSigningSecret('whsec_not base64!')).toHaveProperty('problem');
		expect(decodeSigningSecret(`whsec_${Buffer.alloc(8).toString('base64')}`)).toHaveProperty(
			'problem',
		);
		expect(decodeSigningSecret(SECRET)).toHaveProperty('key');
	});

	it('the credential test checks the format', async () => {
		const test = new LoopsTrigger().methods.credentialTest.loopsSigningSecretFormat;
		const run = async (signingSecret: string) =>
			await test.call({} as never, {
				id: 'x',
				name: 'x',
				type: 'loopsWebhookSigningApi',
				data: { signingSecret },
			});
		expect((await run(SECRET)).status).toBe('OK');
		expect((await run('whsec_abc')).status).toBe('Error');
	});
});

describe('Loops Trigger through n8n-core (real HTTP on 127.0.0.1)', () => {
	let hs: StandIn;
	let n8n: N8nTestInstance;
	let url: string;
	let workflow: TestWorkflow;

	const trigger = (
		parameters: INode['parameters'] = {},
		webhookId = `loops-${randomBytes(4).toString('hex')}`,
	): INode => ({
		id: webhookId,
		name: 'Loops Trigger',
		type: `${PACKAGE}.loopsTrigger`,
		typeVersion: 1,
		position: [0, 0],
		webhookId,
		parameters,
		credentials: {
			loopsWebhookSigningApi: { id: 'loopsTest0000001', name: 'Loops signing secret' },
		},
	});

	const hubspotSet: INode = {
		id: 'hs-set',
		name: 'Subscribe in HubSpot',
		type: HUBSPOT_NODE,
		typeVersion: 1,
		position: [300, 0],
		parameters: {
			authentication: 'privateAppToken',
			resource: 'subscriptionStatus',
			operation: 'set',
			email: '={{ $json.email }}',
			subscriptionType: { __rl: true, mode: 'id', value: '101' },
			statusState: 'SUBSCRIBED',
			legalBasis: 'CONSENT_WITH_NOTICE',
			legalBasisExplanation:
				'=Confirmed in Loops ({{ $json.event }}) at {{ $json.occurredAt }}, webhook {{ $json.webhookId }}',
		},
		credentials: { hubSpotSubscriptionsApi: { id: 'hsTest0000000001', name: 'HubSpot stand-in' } },
	};

	const build = (parameters: INode['parameters'] = {}): TestWorkflow => ({
		name: 'loops-test',
		nodes: [trigger(parameters), hubspotSet],
		connections: {
			'Loops Trigger': { main: [[{ node: 'Subscribe in HubSpot', type: 'main', index: 0 }]] },
		},
	});

	beforeAll(async () => {
		hs = await startHubSpotStandIn();
		n8n = new N8nTestInstance();
		n8n.addCredential({
			id: 'loopsTest0000001',
			name: 'Loops signing secret',
			type: 'loopsWebhookSigningApi',
			data: { signingSecret: SECRET },
		});
		n8n.addCredential({
			id: 'hsTest0000000001',
			name: 'HubSpot stand-in',
			type: 'hubSpotSubscriptionsApi',
			data: { accessToken: ENTERPRISE_TOKEN, baseUrl: hs.url },
		});
		workflow = build();
		url = await n8n.serveWebhook(workflow, 'Loops Trigger');
	});

	afterAll(async () => {
		await n8n.close();
		await hs.close();
	});

	beforeEach(() => {
		hs.reset();
		n8n.webhookRuns.length = 0;
		replayMemory.clear();
	});

	const settle = async () =>
		await Promise.all(n8n.webhookRuns.map(async (entry) => await entry.run));

	it('a correctly signed contact.created starts the workflow with the normalized fields, and HubSpot is written', async () => {
		const eventTime = nowSeconds() - 3;
		const delivery = signedLoopsDelivery(
			SECRET,
			loopsPayloads.contactCreated('New.Person@Example.com', 'accepted', eventTime),
		);
		const answer = await post(url, delivery.body, delivery.headers);
		expect(answer.status).toBe(200);
		expect(answer.body).toEqual({ received: true, started: true });
		expect(n8n.webhookRuns).toHaveLength(1);
		const [run] = await settle();
		expect(run.status).toBe('success');
		const [item] = run.json('Loops Trigger');
		expect(item).toMatchObject({
			event: 'contact.created',
			email: 'new.person@example.com',
			contactId: 'cm4itta800003ow9hhekzk94o',
			subscribed: true,
			optInStatus: 'accepted',
			occurredAt: new Date(eventTime * 1000).toISOString(),
			webhookId: delivery.id,
		});
		expect(item).not.toHaveProperty('mailingListId');
		expect(item.payload).toEqual(JSON.parse(delivery.body));
		const status = hs.state.getStatus('new.person@example.com', 101);
		expect(status).toMatchObject({ status: 'SUBSCRIBED', legalBasis: 'CONSENT_WITH_NOTICE' });
		expect(status?.legalBasisExplanation).toContain(delivery.id);
	});

	it('list events carry mailingListId and what they say about the subscription', async () => {
		const delivery = signedLoopsDelivery(
			SECRET,
			loopsPayloads.listEvent('contact.mailingList.unsubscribed', 'a@example.com', 'list123'),
		);
		expect((await post(url, delivery.body, delivery.headers)).status).toBe(200);
		const [run] = await settle();
		expect(run.json('Loops Trigger')[0]).toMatchObject({
			event: 'contact.mailingList.unsubscribed',
			email: 'a@example.com',
			subscribed: false,
			mailingListId: 'list123',
			mailingListName: 'Newsletter',
		});
		expect(run.json('Loops Trigger')[0]).not.toHaveProperty('optInStatus');
	});

	it('confirmedOptIn is true only for contact.created with optInStatus accepted; list subscriptions are unknown; bounces are deliverability events', async () => {
		// Mutation that turns it red: in events.ts confirmedOptInFor return true for
		// contact.mailingList.subscribed (or drop the === 'accepted' check for contact.created).
		const hardBounce = {
			eventName: 'email.hardBounced',
			eventTime: nowSeconds(),
			webhookSchemaVersion: '1.0.0',
			sourceType: 'campaign',
			campaignId: 'cmp1',
			contactIdentity: { id: 'c9', email: 'gone@example.com', userId: null },
			email: { id: 'em1', emailMessageId: 'm1', subject: 'Hi' },
		};
		const cases: Array<[object, object]> = [
			[
				loopsPayloads.contactCreated('acc@example.com', 'accepted'),
				{
					confirmedOptIn: true,
					optInStatus: 'accepted',
					optInStatusSource: 'payload',
					deliverability: false,
				},
			],
			[
				loopsPayloads.contactCreated('pend@example.com', 'pending'),
				{ confirmedOptIn: false, optInStatus: 'pending' },
			],
			[
				loopsPayloads.contactCreated('api@example.com', null),
				{ confirmedOptIn: false, optInStatus: null },
			],
			[
				loopsPayloads.listEvent('contact.mailingList.subscribed', 'list@example.com'),
				{ confirmedOptIn: 'unknown', deliverability: false },
			],
			[
				loopsPayloads.contactUnsubscribed('out@example.com'),
				{ confirmedOptIn: false, subscribed: false, deliverability: false },
			],
			[hardBounce, { event: 'email.hardBounced', confirmedOptIn: false, deliverability: true }],
		];
		const local = build({ events: ['*'] });
		const localUrl = await n8n.serveWebhook(local, 'Loops Trigger');
		for (const [payload, expected] of cases) {
			n8n.webhookRuns.length = 0;
			const delivery = signedLoopsDelivery(SECRET, payload);
			expect((await post(localUrl, delivery.body, delivery.headers)).status).toBe(200);
			const [run] = await settle();
			const item = run.json('Loops Trigger')[0];
			expect(item).toMatchObject(expected);
			if ((payload as { eventName: string }).eventName === 'contact.mailingList.subscribed') {
				expect(item).not.toHaveProperty('optInStatus');
			}
		}
	});

	it('verifies the raw bytes: a body whose JSON re-serializes differently still passes', async () => {
		const body = `{ "eventName" : "contact.unsubscribed",\n  "eventTime": ${nowSeconds()}, "webhookSchemaVersion":"1.0.0",\n  "contactIdentity": {"id": "c1", "email": "zoë@example.com", "userId": null}, "note": "\\u00e9t\\u00e9" }`;
		const delivery = signedLoopsDelivery(SECRET, body);
		const answer = await post(url, delivery.body, delivery.headers);
		expect(answer.status).toBe(200);
		const [run] = await settle();
		expect(run.json('Loops Trigger')[0]).toMatchObject({
			event: 'contact.unsubscribed',
			email: 'zoë@example.com',
			subscribed: false,
		});
	});

	it('a delivery signed by the Standard Webhooks reference library starts the workflow; its signature with another secret is refused', async () => {
		// standardwebhooks (npm) is the specification's own JavaScript library, as senders use it.
		const payload = JSON.stringify(loopsPayloads.contactCreated('reference@example.com'));
		const sign = (secret: string, id: string) => {
			const sentAt = new Date();
			return {
				'content-type': 'application/json',
				'webhook-id': id,
				'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
				'webhook-signature': new ReferenceWebhook(secret).sign(id, sentAt, payload),
			};
		};
		const forged = await post(url, payload, sign(newSigningSecret(), 'msg_reference_forged'));
		expect(forged.status).toBe(401);
		expect(n8n.webhookRuns).toHaveLength(0);
		const genuine = await post(url, payload, sign(SECRET, 'msg_reference_1'));
		expect(genuine.status).toBe(200);
		expect(n8n.webhookRuns).toHaveLength(1);
		const [run] = await settle();
		expect(run.json('Loops Trigger')[0]).toMatchObject({
			email: 'reference@example.com',
			webhookId: 'msg_reference_1',
		});
		expect(hs.state.getStatus('reference@example.com', 101)).toMatchObject({
			status: 'SUBSCRIBED',
		});
	});

	it('several signatures (a secret rotation) pass when one of them is valid', async () => {
		const other = newSigningSecret();
		const payload = loopsPayloads.contactUnsubscribed('rotate@example.com');
		const base = signedLoopsDelivery(SECRET, payload);
		const wrong = standardWebhookSignature(
			other,
			base.id,
			base.headers['webhook-timestamp'],
			base.body,
		);
		const headers = {
			...base.headers,
			'webhook-signature': `${wrong} v1a,AAAA ${base.headers['webhook-signature']}`,
		};
		expect((await post(url, base.body, headers)).status).toBe(200);
		expect(n8n.webhookRuns).toHaveLength(1);
		await settle();
	});

	describe('refusals: HTTP 401, the same generic body, nothing runs, HubSpot untouched', () => {
		const payload = () => loopsPayloads.contactCreated('refused@example.com');
		const cases: Array<[string, () => { body: string; headers: Record<string, string> }]> = [
			[
				'a wrong signature',
				() =>
					signedLoopsDelivery(SECRET, payload(), {
						signature: `v1,${randomBytes(32).toString('base64')}`,
					}),
			],
			[
				'a signature made with another secret',
				() => signedLoopsDelivery(newSigningSecret(), payload()),
			],
			[
				'a stale timestamp (5 min 1 s old)',
				() => signedLoopsDelivery(SECRET, payload(), { timestamp: nowSeconds() - 301 }),
			],
			[
				// 30 s past the tolerance: the clock moves on while the request travels, so 1 s could
				// fall back inside it on a busy machine.
				'a future timestamp (5 min 30 s ahead)',
				() => signedLoopsDelivery(SECRET, payload(), { timestamp: nowSeconds() + 330 }),
			],
			// signed over the very string sent, so only the timestamp's format can refuse it
			[
				'a non-numeric timestamp',
				() => signedLoopsDelivery(SECRET, payload(), { timestamp: `${nowSeconds()}.0` }),
			],
			...(['webhook-id', 'webhook-timestamp', 'webhook-signature'] as const).map(
				(header): [string, () => { body: string; headers: Record<string, string> }] => [
					`a missing ${header} header`,
					() => {
						const delivery = signedLoopsDelivery(SECRET, payload());
						const headers = { ...delivery.headers };
						delete headers[header];
						return { ...delivery, headers };
					},
				],
			),
			[
				'an altered body',
				() => {
					const delivery = signedLoopsDelivery(SECRET, payload());
					return {
						...delivery,
						body: delivery.body.replace('refused@example.com', 'attacker@example.com'),
					};
				},
			],
			[
				'another webhook-id than the one signed',
				() => {
					const delivery = signedLoopsDelivery(SECRET, payload());
					return { ...delivery, headers: { ...delivery.headers, 'webhook-id': 'msg_other' } };
				},
			],
			[
				'a truncated signature',
				() => {
					const delivery = signedLoopsDelivery(SECRET, payload());
					return {
						...delivery,
						headers: {
							...delivery.headers,
							'webhook-signature': delivery.headers['webhook-signature'].slice(0, 20),
						},
					};
				},
			],
			[
				'a signature without the v1 prefix',
				() => {
					const delivery = signedLoopsDelivery(SECRET, payload());
					return {
						...delivery,
						headers: {
							...delivery.headers,
							'webhook-signature': delivery.headers['webhook-signature'].slice(3),
						},
					};
				},
			],
		];

		it.each(cases)('%s', async (_name, make) => {
			const delivery = make();
			const answer = await post(url, delivery.body, delivery.headers);
			expect(answer.status).toBe(401);
			expect(answer.body).toEqual({ message: 'Unauthorized' });
			expect(answer.text).not.toMatch(/signature|timestamp|secret|whsec/i);
			expect(n8n.webhookRuns).toHaveLength(0);
			expect(hs.requests).toHaveLength(0);
		});
	});

	it('a replayed webhook-id is acknowledged (200) but does not start the workflow again', async () => {
		const delivery = signedLoopsDelivery(SECRET, loopsPayloads.contactCreated('once@example.com'));
		const first = await post(url, delivery.body, delivery.headers);
		const second = await post(url, delivery.body, delivery.headers);
		expect(first.status).toBe(200);
		expect(second.status).toBe(200);
		expect(second.body).toEqual({ received: true, duplicate: true });
		expect(n8n.webhookRuns).toHaveLength(1);
		await settle();
		expect(hs.state.writesFor('once@example.com')).toHaveLength(1);
		// A retry with a fresh timestamp but the same id is the same event, too.
		const retry = signedLoopsDelivery(SECRET, JSON.parse(delivery.body) as object, {
			id: delivery.id,
			timestamp: nowSeconds() + 1,
		});
		expect((await post(url, retry.body, retry.headers)).status).toBe(200);
		expect(n8n.webhookRuns).toHaveLength(1);
	});

	it('a refused copy does not use up the id: the genuine delivery still runs', async () => {
		const genuine = signedLoopsDelivery(SECRET, loopsPayloads.contactCreated('first@example.com'));
		const forged = {
			...genuine,
			headers: {
				...genuine.headers,
				'webhook-signature': `v1,${randomBytes(32).toString('base64')}`,
			},
		};
		expect((await post(url, forged.body, forged.headers)).status).toBe(401);
		expect((await post(url, genuine.body, genuine.headers)).status).toBe(200);
		expect(n8n.webhookRuns).toHaveLength(1);
		await settle();
	});

	describe('event filter', () => {
		let filtered: N8nTestInstance;
		let onlyCreated: string;
		let anyEvent: string;

		beforeAll(async () => {
			filtered = new N8nTestInstance();
			filtered.addCredential({
				id: 'loopsTest0000001',
				name: 'Loops signing secret',
				type: 'loopsWebhookSigningApi',
				data: { signingSecret: SECRET },
			});
			const only = trigger(
				{ events: ['contact.created'], options: { toleranceSeconds: 60 } },
				'loops-only-created',
			);
			onlyCreated = await filtered.serveWebhook(
				{ nodes: [only], connections: {} },
				'Loops Trigger',
			);
			const any = trigger({ events: ['*'] }, 'loops-any');
			anyEvent = await filtered.serveWebhook({ nodes: [any], connections: {} }, 'Loops Trigger');
		});

		afterAll(async () => await filtered.close());

		beforeEach(() => {
			filtered.webhookRuns.length = 0;
		});

		it('a verified event that is not selected is acknowledged and starts nothing', async () => {
			const delivery = signedLoopsDelivery(
				SECRET,
				loopsPayloads.contactUnsubscribed('x@example.com'),
			);
			const answer = await post(onlyCreated, delivery.body, delivery.headers);
			expect(answer.status).toBe(200);
			expect(answer.body).toEqual({ received: true, started: false });
			expect(filtered.webhookRuns).toHaveLength(0);
		});

		it('the selected event starts the workflow', async () => {
			const delivery = signedLoopsDelivery(SECRET, loopsPayloads.contactCreated('y@example.com'));
			expect((await post(onlyCreated, delivery.body, delivery.headers)).status).toBe(200);
			expect(filtered.webhookRuns).toHaveLength(1);
		});

		it('"Any Event" accepts the test event and events Loops may add later', async () => {
			for (const payload of [
				loopsPayloads.testEvent(),
				{
					eventName: 'contact.somethingNew',
					eventTime: nowSeconds(),
					webhookSchemaVersion: '1.1.0',
				},
			]) {
				const delivery = signedLoopsDelivery(SECRET, payload);
				expect((await post(anyEvent, delivery.body, delivery.headers)).status).toBe(200);
			}
			expect(filtered.webhookRuns).toHaveLength(2);
			const [test] = await Promise.all(filtered.webhookRuns.map(async (entry) => await entry.run));
			expect(test.json('Loops Trigger')[0]).toMatchObject({
				event: 'testing.testEvent',
				email: null,
				contactId: null,
				subscribed: null,
			});
		});

		it('the tolerance option narrows the window', async () => {
			const delivery = signedLoopsDelivery(SECRET, loopsPayloads.contactCreated('z@example.com'), {
				timestamp: nowSeconds() - 120,
			});
			expect((await post(onlyCreated, delivery.body, delivery.headers)).status).toBe(401);
			expect(filtered.webhookRuns).toHaveLength(0);
		});
	});

	it('an unusable secret in the credential refuses every request', async () => {
		const broken = new N8nTestInstance();
		broken.addCredential({
			id: 'loopsTest0000001',
			name: 'Loops signing secret',
			type: 'loopsWebhookSigningApi',
			data: { signingSecret: 'whsec_' },
		});
		const brokenUrl = await broken.serveWebhook(
			{ nodes: [trigger({}, 'loops-broken')], connections: {} },
			'Loops Trigger',
		);
		// With an empty key anyone could sign; the node must not accept that.
		const delivery = signedLoopsDelivery(
			'whsec_',
			loopsPayloads.contactCreated('empty@example.com'),
		);
		expect((await post(brokenUrl, delivery.body, delivery.headers)).status).toBe(401);
		expect(broken.webhookRuns).toHaveLength(0);
		await broken.close();
	});
});

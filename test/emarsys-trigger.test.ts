import type { INode } from 'n8n-workflow';

import { replayMemory } from '../nodes/common/webhookSecurity';
import { EmarsysTrigger } from '../nodes/EmarsysTrigger/EmarsysTrigger.node';
import { verifyHmacJwt } from '../nodes/EmarsysTrigger/jwt';
import { parseEventTime, parseOptIn } from '../nodes/EmarsysTrigger/payload';
import { N8nTestInstance } from './harness/n8n';
import { HUBSPOT_NODE, PACKAGE } from './harness/types';
import { ENTERPRISE_TOKEN, startHubSpotStandIn, type StandIn } from './hubspot-standin';
import { sign as referenceJwtSign } from 'jsonwebtoken';

import { hmacJwt, nowSeconds, post, unsignedJwt } from './trigger-helpers';

const JWT_SECRET = 'emarsys-preset-jwt-secret-0123456789';
const HEADER_SECRET = 'shared-header-value-9f8e7d6c5b4a';

const contact = (overrides: Record<string, unknown> = {}) => ({
	event_time: '2026-11-20T10:00:00Z',
	email_address: 'Confirmed@Example.com',
	optin: '1',
	first_name: 'Ada',
	event_data: { form_id: 42, source: 'newsletter-footer' },
	...overrides,
});

const json = { 'content-type': 'application/json' };

describe('JWT verification (unit)', () => {
	const key = Buffer.from(JWT_SECRET);
	const options = {
		key,
		allowedAlgorithms: ['HS256', 'HS384', 'HS512'] as const,
		clockSkewSeconds: 30,
	};
	const verify = (token: string, extra: Partial<Parameters<typeof verifyHmacJwt>[1]> = {}) =>
		verifyHmacJwt(token, {
			...options,
			allowedAlgorithms: [...options.allowedAlgorithms],
			...extra,
		});

	it('accepts HS256, HS384 and HS512 tokens signed with the secret', () => {
		for (const alg of ['HS256', 'HS384', 'HS512'] as const) {
			expect(verify(hmacJwt({ sub: 'emarsys', iat: nowSeconds() }, JWT_SECRET, alg))).toMatchObject(
				{ ok: true, claims: { sub: 'emarsys' } },
			);
		}
	});

	it('accepts the HS256 example of RFC 7515 Appendix A.1, and refuses it once expired', () => {
		// RFC 7515 Appendix A.1: HS256 with the octet key below (base64url), header {"typ":"JWT",\r\n "alg":"HS256"}.
		const rfcKey = Buffer.from(
			'AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow',
			'base64url',
		);
		const token =
			'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';
		expect(
			verifyHmacJwt(token, {
				key: rfcKey,
				allowedAlgorithms: ['HS256'],
				clockSkewSeconds: 0,
				nowSeconds: 1300819370,
			}),
		).toMatchObject({
			ok: true,
			claims: { iss: 'joe', exp: 1300819380 },
		});
		expect(
			verifyHmacJwt(token, {
				key: rfcKey,
				allowedAlgorithms: ['HS256'],
				clockSkewSeconds: 0,
				nowSeconds: 1300819380,
			}),
		).toEqual({
			ok: false,
			reason: 'expired',
		});
	});

	it('refuses alg none, unlisted and asymmetric algorithms, crit headers and malformed tokens', () => {
		expect(verify(unsignedJwt({ sub: 'x' }))).toEqual({
			ok: false,
			reason: 'algorithm-not-allowed',
		});
		expect(verify(hmacJwt({}, JWT_SECRET, 'HS512'), { allowedAlgorithms: ['HS256'] })).toEqual({
			ok: false,
			reason: 'algorithm-not-allowed',
		});
		// Key confusion: an "RS256" token MACed with the secret must not pass.
		const [, payload] = hmacJwt({}, JWT_SECRET).split('.');
		const rsHeader = Buffer.from(JSON.stringify({ alg: 'RS256', typ: 'JWT' })).toString(
			'base64url',
		);
		expect(verify(`${rsHeader}.${payload}.c2ln`)).toEqual({
			ok: false,
			reason: 'algorithm-not-allowed',
		});
		expect(verify(hmacJwt({}, JWT_SECRET, 'HS256', { crit: ['exp'] }))).toEqual({
			ok: false,
			reason: 'unsupported-header',
		});
		for (const bad of ['', 'abc', 'a.b', 'a.b.c.d', '!!!.e30.sig', `${hmacJwt({}, JWT_SECRET)}=`]) {
			expect(verify(bad).ok).toBe(false);
		}
	});

	it('checks exp, nbf and iat with the clock skew, and a maximum age when asked', () => {
		// One clock for the token and the check: a second ticking between them must not matter.
		const now = nowSeconds();
		const verifyAtNow = (token: string, extra: Partial<Parameters<typeof verifyHmacJwt>[1]> = {}) =>
			verify(token, { nowSeconds: now, ...extra });
		expect(verifyAtNow(hmacJwt({ exp: now - 31 }, JWT_SECRET))).toEqual({
			ok: false,
			reason: 'expired',
		});
		expect(verifyAtNow(hmacJwt({ exp: now - 10 }, JWT_SECRET)).ok).toBe(true);
		expect(verifyAtNow(hmacJwt({ nbf: now + 31 }, JWT_SECRET))).toEqual({
			ok: false,
			reason: 'not-yet-valid',
		});
		expect(verifyAtNow(hmacJwt({ iat: now + 31 }, JWT_SECRET))).toEqual({
			ok: false,
			reason: 'issued-in-future',
		});
		expect(verifyAtNow(hmacJwt({ exp: 'tomorrow' }, JWT_SECRET))).toEqual({
			ok: false,
			reason: 'malformed',
		});
		expect(verifyAtNow(hmacJwt({ iat: now - 600 }, JWT_SECRET), { maxAgeSeconds: 300 })).toEqual({
			ok: false,
			reason: 'too-old',
		});
		expect(verifyAtNow(hmacJwt({ iat: now - 60 }, JWT_SECRET), { maxAgeSeconds: 300 }).ok).toBe(
			true,
		);
		// The maximum age is for tokens without exp; a token with exp is held to its exp.
		expect(
			verifyAtNow(hmacJwt({ iat: now - 600, exp: now + 60 }, JWT_SECRET), { maxAgeSeconds: 300 })
				.ok,
		).toBe(true);
		// A token with neither exp nor iat would never expire: refused unless the caller allows it.
		expect(verifyAtNow(hmacJwt({}, JWT_SECRET), { maxAgeSeconds: 300 })).toEqual({
			ok: false,
			reason: 'no-lifetime',
		});
		expect(verifyAtNow(hmacJwt({}, JWT_SECRET), { allowWithoutLifetime: true }).ok).toBe(true);
	});

	it('reads Emarsys opt-in values and event times', () => {
		expect([1, '1', 2, '2', '', null, undefined, true, 'false', 'x'].map(parseOptIn)).toEqual([
			true,
			true,
			false,
			false,
			null,
			null,
			null,
			true,
			false,
			null,
		]);
		expect(parseEventTime('2021-04-01T17:08:44Z')).toBe('2021-04-01T17:08:44.000Z');
		expect(parseEventTime(1617296924)).toBe('2021-04-01T17:08:44.000Z');
		expect(parseEventTime('1617296924000')).toBe('2021-04-01T17:08:44.000Z');
		expect(parseEventTime('not a date')).toBeUndefined();
	});

	it('the credential tests check what they can', async () => {
		const { credentialTest } = new EmarsysTrigger().methods;
		const call = async (
			fn: (typeof credentialTest)[keyof typeof credentialTest],
			data: Record<string, unknown>,
		) =>
			(await fn.call({} as never, { id: 'x', name: 'x', type: 'x', data: data as never })).status;
		expect(await call(credentialTest.emarsysJwtSecretFormat, { secret: JWT_SECRET })).toBe('OK');
		expect(await call(credentialTest.emarsysJwtSecretFormat, { secret: '' })).toBe('Error');
		expect(
			await call(credentialTest.emarsysJwtSecretFormat, {
				secret: 'no base64!',
				keyEncoding: 'base64',
			}),
		).toBe('Error');
		expect(
			await call(credentialTest.emarsysJwtSecretFormat, { secret: JWT_SECRET, algorithms: [] }),
		).toBe('Error');
		expect(
			await call(credentialTest.emarsysHeaderFormat, { headerName: 'X-Secret', headerSecret: 'v' }),
		).toBe('OK');
		expect(
			await call(credentialTest.emarsysHeaderFormat, { headerName: 'X Secret', headerSecret: 'v' }),
		).toBe('Error');
		expect(
			await call(credentialTest.emarsysBasicAuthFormat, { user: 'emarsys', password: 'p' }),
		).toBe('OK');
		expect(await call(credentialTest.emarsysBasicAuthFormat, { user: 'a:b', password: 'p' })).toBe(
			'Error',
		);
	});
});

describe('Emarsys Trigger through n8n-core (real HTTP on 127.0.0.1)', () => {
	let hs: StandIn;
	let n8n: N8nTestInstance;
	const urls: Record<string, string> = {};

	const trigger = (webhookId: string, parameters: INode['parameters']): INode => ({
		id: webhookId,
		name: 'Emarsys Trigger',
		type: `${PACKAGE}.emarsysTrigger`,
		typeVersion: 1,
		position: [0, 0],
		webhookId,
		parameters,
		credentials: {
			emarsysWebhookJwtApi: { id: 'emarsysJwt000001', name: 'Emarsys JWT' },
			emarsysWebhookHeaderApi: { id: 'emarsysHdr000001', name: 'Emarsys header' },
			emarsysWebhookBasicAuthApi: { id: 'emarsysBasic0001', name: 'Emarsys basic' },
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
			legalBasisExplanation: '=Double opt-in confirmed in Emarsys at {{ $json.occurredAt }}',
		},
		credentials: { hubSpotSubscriptionsApi: { id: 'hsTest0000000001', name: 'HubSpot stand-in' } },
	};

	const serve = async (key: string, parameters: INode['parameters']) => {
		urls[key] = await n8n.serveWebhook(
			{
				name: `emarsys-${key}`,
				nodes: [trigger(`emarsys-${key}`, parameters), hubspotSet],
				connections: {
					'Emarsys Trigger': { main: [[{ node: 'Subscribe in HubSpot', type: 'main', index: 0 }]] },
				},
			},
			'Emarsys Trigger',
		);
	};

	beforeAll(async () => {
		hs = await startHubSpotStandIn();
		n8n = new N8nTestInstance();
		n8n.addCredential({
			id: 'emarsysJwt000001',
			name: 'Emarsys JWT',
			type: 'emarsysWebhookJwtApi',
			data: { secret: JWT_SECRET },
		});
		n8n.addCredential({
			id: 'emarsysHdr000001',
			name: 'Emarsys header',
			type: 'emarsysWebhookHeaderApi',
			data: { headerName: 'X-Emarsys-Secret', headerSecret: HEADER_SECRET },
		});
		n8n.addCredential({
			id: 'emarsysBasic0001',
			name: 'Emarsys basic',
			type: 'emarsysWebhookBasicAuthApi',
			data: { user: 'emarsys', password: 'b4sic-p4ss' },
		});
		n8n.addCredential({
			id: 'hsTest0000000001',
			name: 'HubSpot stand-in',
			type: 'hubSpotSubscriptionsApi',
			data: { accessToken: ENTERPRISE_TOKEN, baseUrl: hs.url },
		});
		await serve('jwt', { authentication: 'jwt' });
		await serve('jwtCustom', {
			authentication: 'jwt',
			options: {
				jwtHeaderName: 'X-Emarsys-Token',
				includeJwtClaims: true,
				emailField: 'contact_email',
				optInField: 'field_31',
			},
		});
		await serve('header', { authentication: 'headerAuth' });
		await serve('basic', { authentication: 'basicAuth' });
		await serve('ipOnly', { authentication: 'jwt', options: { restrictToEmarsysIps: true } });
		await serve('ipPlusLocal', {
			authentication: 'jwt',
			options: { restrictToEmarsysIps: true, additionalAllowedIps: '192.0.2.1, 127.0.0.1' },
		});
		await serve('dedupe', { authentication: 'jwt', options: { ignoreRepeatedDeliveries: true } });
		await serve('noDedupe', {
			authentication: 'jwt',
			options: { ignoreRepeatedDeliveries: false },
		});
		await serve('untimedAllowed', {
			authentication: 'jwt',
			options: { allowTokensWithoutLifetime: true },
		});
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
	const bearer = (token: string) => ({ ...json, authorization: `Bearer ${token}` });

	it('a valid HS256 token starts the workflow with the contact as sent plus the normalized fields', async () => {
		const token = hmacJwt(
			{ iss: 'emarsys', iat: nowSeconds(), exp: nowSeconds() + 60 },
			JWT_SECRET,
			'HS256',
		);
		const body = contact({ deduplication_id: 'dedup-1', ems_program_id: 777 });
		const answer = await post(urls.jwt, JSON.stringify(body), bearer(token));
		expect(answer.status).toBe(200);
		expect(answer.body).toEqual({ received: true, started: true, contacts: 1 });
		expect(n8n.webhookRuns).toHaveLength(1);
		const [run] = await settle();
		expect(run.status).toBe('success');
		const [item] = run.json('Emarsys Trigger');
		expect(item).toMatchObject({
			...body,
			email: 'confirmed@example.com',
			optIn: true,
			occurredAt: '2026-11-20T10:00:00.000Z',
			deduplicationId: 'dedup-1',
		});
		expect(item.event_data).toEqual({ form_id: 42, source: 'newsletter-footer' });
		expect(item).not.toHaveProperty('jwtClaims');
		expect(hs.state.getStatus('confirmed@example.com', 101)).toMatchObject({
			status: 'SUBSCRIBED',
			legalBasis: 'CONSENT_WITH_NOTICE',
		});
	});

	it('tokens from a reference JWT library (jsonwebtoken) pass while valid, and are refused once expired or signed with another secret', async () => {
		const body = JSON.stringify(contact());
		const valid = referenceJwtSign({ iss: 'emarsys' }, JWT_SECRET, {
			algorithm: 'HS256',
			expiresIn: 60,
		});
		const expired = referenceJwtSign({ iss: 'emarsys', iat: nowSeconds() - 600 }, JWT_SECRET, {
			algorithm: 'HS256',
			expiresIn: 60,
		});
		const forged = referenceJwtSign({ iss: 'emarsys' }, 'another-secret', {
			algorithm: 'HS256',
			expiresIn: 60,
		});
		expect((await post(urls.jwt, body, bearer(expired))).status).toBe(401);
		expect((await post(urls.jwt, body, bearer(forged))).status).toBe(401);
		expect(n8n.webhookRuns).toHaveLength(0);
		expect((await post(urls.jwt, body, bearer(valid))).status).toBe(200);
		const [run] = await settle();
		expect(run.status).toBe('success');
		expect(run.json('Emarsys Trigger')[0]).toMatchObject({
			email: 'confirmed@example.com',
			optIn: true,
		});
	});

	it('a valid HS512 token in a custom header, with configured field names and the claims added', async () => {
		const token = hmacJwt({ sub: 'preset-1', iat: nowSeconds() }, JWT_SECRET, 'HS512');
		const body = {
			contact_email: 'custom@example.com',
			field_31: 2,
			email_address: 'ignored@example.com',
			event_data: {},
		};
		const answer = await post(urls.jwtCustom, JSON.stringify(body), {
			...json,
			'x-emarsys-token': token,
		});
		expect(answer.status).toBe(200);
		const [run] = await settle();
		const [item] = run.json('Emarsys Trigger');
		expect(item).toMatchObject({
			email: 'custom@example.com',
			optIn: false,
			jwtClaims: { sub: 'preset-1' },
		});
		expect(item).not.toHaveProperty('deduplicationId');
		// No event_time: the arrival time stands in.
		expect(item.occurredAt).toBe(item.receivedAt);
	});

	it('an empty opt-in reads as null, the email falls back to `email`, and a missing email is null', async () => {
		const token = hmacJwt({ iat: nowSeconds() }, JWT_SECRET);
		const answer = await post(
			urls.jwt,
			JSON.stringify({ email: 'fallback@example.com', optin: '' }),
			bearer(token),
		);
		expect(answer.status).toBe(200);
		const [run] = await settle();
		expect(run.json('Emarsys Trigger')[0]).toMatchObject({
			email: 'fallback@example.com',
			optIn: null,
		});

		expect(
			(
				await post(
					urls.jwt,
					JSON.stringify({ optin: 1, first_name: 'Nobody' }),
					bearer(hmacJwt({ iat: nowSeconds() }, JWT_SECRET)),
				)
			).status,
		).toBe(200);
		const withoutEmail = (await settle()).at(-1)!;
		expect(withoutEmail.json('Emarsys Trigger')[0]).toMatchObject({
			email: null,
			optIn: true,
			first_name: 'Nobody',
		});
	});

	it('an array body (several contacts in one request) gives one item per contact', async () => {
		const token = hmacJwt({ iat: nowSeconds() }, JWT_SECRET);
		const body = [
			contact({ email_address: 'one@example.com' }),
			contact({ email_address: 'two@example.com', optin: 2 }),
		];
		expect((await post(urls.jwt, JSON.stringify(body), bearer(token))).status).toBe(200);
		const [run] = await settle();
		expect(run.json('Emarsys Trigger').map((item) => [item.email, item.optIn])).toEqual([
			['one@example.com', true],
			['two@example.com', false],
		]);
	});

	describe('refusals: HTTP 401, the same generic body, nothing runs, HubSpot untouched', () => {
		const now = () => nowSeconds();
		const cases: Array<[string, string, () => Record<string, string>]> = [
			['an expired token', 'jwt', () => bearer(hmacJwt({ exp: now() - 120 }, JWT_SECRET))],
			[
				'a token whose nbf is in the future',
				'jwt',
				() => bearer(hmacJwt({ nbf: now() + 600 }, JWT_SECRET)),
			],
			[
				'a token signed with another secret',
				'jwt',
				() => bearer(hmacJwt({ iat: nowSeconds() }, 'another-secret')),
			],
			[
				'an HS512 token signed with another secret',
				'jwt',
				() => bearer(hmacJwt({ iat: nowSeconds() }, 'another-secret', 'HS512')),
			],
			['an unsigned token (alg none)', 'jwt', () => bearer(unsignedJwt({ iss: 'emarsys' }))],
			[
				'a token with its claims altered',
				'jwt',
				() => {
					const [header, , signature] = hmacJwt({ sub: 'a', iat: nowSeconds() }, JWT_SECRET).split(
						'.',
					);
					return bearer(
						`${header}.${Buffer.from('{"sub":"b"}').toString('base64url')}.${signature}`,
					);
				},
			],
			['no Authorization header', 'jwt', () => json],
			[
				'a Basic header instead of a token',
				'jwt',
				() => ({ ...json, authorization: `Basic ${Buffer.from('a:b').toString('base64')}` }),
			],
			[
				'the token in the wrong header',
				'jwtCustom',
				() => bearer(hmacJwt({ iat: nowSeconds() }, JWT_SECRET)),
			],
			[
				'a wrong shared header value',
				'header',
				() => ({ ...json, 'x-emarsys-secret': `${HEADER_SECRET}x` }),
			],
			[
				'a shared header value that is a prefix',
				'header',
				() => ({ ...json, 'x-emarsys-secret': HEADER_SECRET.slice(0, 8) }),
			],
			['no shared header', 'header', () => json],
			[
				'a wrong basic-auth password',
				'basic',
				() => ({
					...json,
					authorization: `Basic ${Buffer.from('emarsys:wrong').toString('base64')}`,
				}),
			],
			[
				'a wrong basic-auth user',
				'basic',
				() => ({
					...json,
					authorization: `Basic ${Buffer.from('other:b4sic-p4ss').toString('base64')}`,
				}),
			],
			['no basic-auth header', 'basic', () => json],
			[
				'a valid token from an address outside the Emarsys allowlist',
				'ipOnly',
				() => bearer(hmacJwt({ iat: nowSeconds() }, JWT_SECRET)),
			],
		];

		it.each(cases)('%s', async (_name, key, headers) => {
			const answer = await post(urls[key], JSON.stringify(contact()), headers());
			expect(answer.status).toBe(401);
			expect(answer.body).toEqual({ message: 'Unauthorized' });
			expect(n8n.webhookRuns).toHaveLength(0);
			expect(hs.requests).toHaveLength(0);
		});
	});

	it('the shared header and basic auth pass with the right values', async () => {
		expect(
			(
				await post(urls.header, JSON.stringify(contact()), {
					...json,
					'X-Emarsys-Secret': HEADER_SECRET,
				})
			).status,
		).toBe(200);
		const basic = `Basic ${Buffer.from('emarsys:b4sic-p4ss').toString('base64')}`;
		expect(
			(await post(urls.basic, JSON.stringify(contact()), { ...json, authorization: basic })).status,
		).toBe(200);
		expect(n8n.webhookRuns).toHaveLength(2);
		await settle();
	});

	it('with the allowlist on, an extra allowed address (this test client) passes', async () => {
		const answer = await post(
			urls.ipPlusLocal,
			JSON.stringify(contact()),
			bearer(hmacJwt({ iat: nowSeconds() }, JWT_SECRET)),
		);
		expect(answer.status).toBe(200);
		expect(n8n.webhookRuns).toHaveLength(1);
		await settle();
	});

	it('the allowlist does not replace authentication: an allowed address still needs a valid token', async () => {
		const answer = await post(
			urls.ipPlusLocal,
			JSON.stringify(contact()),
			bearer(hmacJwt({ iat: nowSeconds() }, 'wrong')),
		);
		expect(answer.status).toBe(401);
		expect(n8n.webhookRuns).toHaveLength(0);
	});

	it('with Ignore Repeated Deliveries, a repeated deduplication_id is acknowledged and starts nothing', async () => {
		const token = hmacJwt({ iat: nowSeconds() }, JWT_SECRET);
		const body = JSON.stringify(contact({ deduplication_id: 'retry-me' }));
		expect((await post(urls.dedupe, body, bearer(token))).status).toBe(200);
		const again = await post(urls.dedupe, body, bearer(token));
		expect(again.status).toBe(200);
		expect(again.body).toEqual({ received: true, duplicate: true });
		expect(n8n.webhookRuns).toHaveLength(1);
		// Turned off, the same request runs again (HubSpot answers NO_STATUS_CHANGE).
		expect((await post(urls.noDedupe, body, bearer(token))).status).toBe(200);
		expect((await post(urls.noDedupe, body, bearer(token))).status).toBe(200);
		expect(n8n.webhookRuns).toHaveLength(3);
		await settle();
	});

	describe('safe by default (replay)', () => {
		// Mutation: in EmarsysTrigger.node.ts, `options.ignoreRepeatedDeliveries !== false` → `=== true`
		// (the old default, off): the repeat starts a second run and this test fails.
		it('Emarsys replay with defaults runs once', async () => {
			const token = hmacJwt({ iat: nowSeconds() }, JWT_SECRET);
			const body = JSON.stringify(contact({ deduplication_id: 'replayed-1' }));
			const first = await post(urls.jwt, body, bearer(token));
			expect(first.body).toEqual({ received: true, started: true, contacts: 1 });
			const replay = await post(urls.jwt, body, bearer(token));
			expect(replay.status).toBe(200);
			expect(replay.body).toEqual({ received: true, duplicate: true });
			expect(n8n.webhookRuns).toHaveLength(1);
			const [run] = await settle();
			expect(run.status).toBe('success');
			expect(
				hs.requests.filter(
					(request) => request.method === 'POST' && !/\/read$/.test(request.path.split('?')[0]),
				),
			).toHaveLength(1);
		});

		// Mutation: in authentication.ts, DEFAULT_MAX_TOKEN_AGE_SECONDS = 5 * 60 → 0 (no age limit, as before): the old
		// token is accepted and this test fails. The 4-minute-old token shows the limit is not lower.
		it('a token without exp older than 5 minutes (from iat) is refused with the defaults', async () => {
			const body = JSON.stringify(contact());
			const old = await post(
				urls.jwt,
				body,
				bearer(hmacJwt({ iat: nowSeconds() - 6 * 60 }, JWT_SECRET)),
			);
			expect(old.status).toBe(401);
			expect(old.body).toEqual({ message: 'Unauthorized' });
			expect(n8n.webhookRuns).toHaveLength(0);
			expect(
				(await post(urls.jwt, body, bearer(hmacJwt({ iat: nowSeconds() - 4 * 60 }, JWT_SECRET))))
					.status,
			).toBe(200);
			expect(n8n.webhookRuns).toHaveLength(1);
			await settle();
		});

		// Mutation: in jwt.ts, prefix the check `options.allowWithoutLifetime !== true` with `false &&`
		// (tokens with neither claim pass, as before): the default workflow answers 200 and this test fails.
		it('a token with neither exp nor iat is refused by default and accepted with the option', async () => {
			const body = JSON.stringify(contact());
			const untimed = hmacJwt({ iss: 'emarsys' }, JWT_SECRET);
			const refused = await post(urls.jwt, body, bearer(untimed));
			expect(refused.status).toBe(401);
			expect(n8n.webhookRuns).toHaveLength(0);
			const accepted = await post(urls.untimedAllowed, body, bearer(untimed));
			expect(accepted.status).toBe(200);
			expect(n8n.webhookRuns).toHaveLength(1);
			const [run] = await settle();
			expect(run.json('Emarsys Trigger')[0]).toMatchObject({ email: 'confirmed@example.com' });
		});
	});

	it('an authenticated request whose body is not JSON is answered 400 and starts nothing', async () => {
		const answer = await post(urls.jwt, 'email=a@example.com', {
			'content-type': 'text/plain',
			authorization: `Bearer ${hmacJwt({ iat: nowSeconds() }, JWT_SECRET)}`,
		});
		expect(answer.status).toBe(400);
		expect(n8n.webhookRuns).toHaveLength(0);
	});
});

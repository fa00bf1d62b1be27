import { request as httpRequest } from 'node:http';
import {
	DEFAULT_SUBSCRIPTION_IDS as IDS,
	ENTERPRISE_TOKEN,
	PRO_TOKEN,
	SCOPES,
	SECOND_BRAND_ID,
	SOURCE_PUBLIC_API,
	SUPPORTED_VERSIONS,
	startHubSpotStandIn,
	type StandIn,
	type StandInOptions,
} from './hubspot-standin';

interface Res {
	status: number;
	headers: Record<string, string | string[] | undefined>;
	text: string;
	/** Parsed JSON body (or the raw text when not JSON). */
	body: any; // eslint-disable-line
	ms: number;
}

interface CallOpts {
	token?: string | null;
	body?: unknown;
	form?: Record<string, string>;
	timeoutMs?: number;
	rawBody?: string;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function call(s: StandIn, method: string, path: string, o: CallOpts = {}): Promise<Res> {
	const headers: Record<string, string> = {};
	const token = o.token === undefined ? ENTERPRISE_TOKEN : o.token;
	if (token !== null) headers.authorization = `Bearer ${token}`;
	let payload: string | undefined;
	if (o.rawBody !== undefined) {
		payload = o.rawBody;
		headers['content-type'] = 'application/json';
	} else if (o.form) {
		payload = new URLSearchParams(o.form).toString();
		headers['content-type'] = 'application/x-www-form-urlencoded';
	} else if (o.body !== undefined) {
		payload = JSON.stringify(o.body);
		headers['content-type'] = 'application/json';
	}
	const started = Date.now();
	return new Promise((resolve, reject) => {
		const req = httpRequest(`${s.url}${path}`, { method, headers, agent: false }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (c: Buffer) => chunks.push(c));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let body: unknown = text;
				try {
					body = JSON.parse(text);
				} catch {
					/* not JSON */
				}
				resolve({
					status: res.statusCode ?? 0,
					headers: res.headers,
					text,
					body,
					ms: Date.now() - started,
				});
			});
			res.on('error', reject);
		});
		req.on('error', reject);
		if (o.timeoutMs) req.setTimeout(o.timeoutMs, () => req.destroy(new Error('client timeout')));
		if (payload !== undefined) req.write(payload);
		req.end();
	});
}

const basis = {
	legalBasis: 'CONSENT_WITH_NOTICE',
	legalBasisExplanation: 'Confirmed double opt-in on 2026-11-20 via the signup form.',
};

function statusBody(
	subscriptionId: number,
	statusState: string,
	extra: Record<string, unknown> = basis,
): Record<string, unknown> {
	return { subscriptionId, statusState, channel: 'EMAIL', ...extra };
}

describe('HubSpot stand-in', () => {
	let s: StandIn;
	beforeAll(async () => {
		s = await startHubSpotStandIn();
	});
	afterAll(async () => {
		await s.close();
	});
	beforeEach(() => s.reset());

	describe.each(SUPPORTED_VERSIONS.map((v) => [v]))('endpoints of version %s', (version) => {
		const p = `/communication-preferences/${version}`;

		test('GET definitions: ActionResponse of SubscriptionDefinitions with string ids', async () => {
			const r = await call(s, 'GET', `${p}/definitions`);
			expect(r.status).toBe(200);
			expect(r.body.status).toBe('COMPLETE');
			expect(r.body.startedAt).toMatch(ISO);
			expect(r.body.completedAt).toMatch(ISO);
			expect(r.body.results).toHaveLength(6);
			const marketing = r.body.results.find((d: { id: string }) => d.id === String(IDS.marketing));
			expect(marketing).toEqual({
				id: '101',
				name: 'Marketing Information',
				description: 'Marketing offers and updates.',
				purpose: 'Marketing',
				communicationMethod: 'Email',
				isActive: true,
				isDefault: true,
				isInternal: false,
				businessUnitId: 0,
				createdAt: expect.stringMatching(ISO),
				updatedAt: expect.stringMatching(ISO),
			});
			expect(r.body.results.some((d: { isActive: boolean }) => !d.isActive)).toBe(true);
			expect(r.body.results.some((d: { isInternal: boolean }) => d.isInternal)).toBe(true);
		});

		test('GET statuses/{email}: NOT_SPECIFIED for an address never written, email URL-decoded', async () => {
			const r = await call(
				s,
				'GET',
				`${p}/statuses/${encodeURIComponent('A+b@Example.com')}?channel=EMAIL`,
			);
			expect(r.status).toBe(200);
			expect(r.body.results.length).toBe(5); // active types of both brands
			for (const st of r.body.results) {
				expect(st.subscriberIdString).toBe('a+b@example.com');
				expect(st.status).toBe('NOT_SPECIFIED');
				expect(st.channel).toBe('EMAIL');
				expect(typeof st.subscriptionId).toBe('number');
			}
		});

		test('POST statuses/{email}: sets one status and records source, timestamp, legal basis', async () => {
			const r = await call(s, 'POST', `${p}/statuses/${encodeURIComponent('a+b@x.com')}`, {
				body: statusBody(IDS.marketing, 'SUBSCRIBED'),
			});
			expect(r.status).toBe(200);
			expect(r.body.results).toHaveLength(1);
			expect(r.body.results[0]).toEqual({
				channel: 'EMAIL',
				source: SOURCE_PUBLIC_API,
				status: 'SUBSCRIBED',
				subscriberIdString: 'a+b@x.com',
				subscriptionId: IDS.marketing,
				timestamp: expect.stringMatching(ISO),
				businessUnitId: 0,
				legalBasis: 'CONSENT_WITH_NOTICE',
				legalBasisExplanation: basis.legalBasisExplanation,
				setStatusSuccessReason: 'REQUESTED_CHANGE_OCCURRED',
				subscriptionName: 'Marketing Information',
			});
			expect(s.state.getStatus('a+b@x.com', IDS.marketing)?.status).toBe('SUBSCRIBED');
		});

		test('GET + POST statuses/{email}/unsubscribe-all', async () => {
			const before = await call(s, 'GET', `${p}/statuses/a%40x.com/unsubscribe-all?channel=EMAIL`);
			expect(before.status).toBe(200);
			expect(before.body.results).toEqual([]);
			const post = await call(s, 'POST', `${p}/statuses/a%40x.com/unsubscribe-all?channel=EMAIL`);
			expect(post.status).toBe(200);
			expect(post.body.results).toEqual([]);
			const after = await call(s, 'GET', `${p}/statuses/a%40x.com/unsubscribe-all?channel=EMAIL`);
			expect(after.body.results).toEqual([
				{
					channel: 'EMAIL',
					status: 'UNSUBSCRIBED',
					subscriberIdString: 'a@x.com',
					timestamp: expect.stringMatching(ISO),
					wideStatusType: 'PORTAL_WIDE',
					businessUnitId: 0,
				},
			]);
		});

		test('batch read, write, unsubscribe-all and unsubscribe-all/read', async () => {
			const w = await call(s, 'POST', `${p}/statuses/batch/write`, {
				body: {
					inputs: [
						{ subscriberIdString: 'b1@x.com', ...statusBody(IDS.productUpdates, 'SUBSCRIBED') },
					],
				},
			});
			expect(w.status).toBe(200);
			expect(w.body.results[0]).toMatchObject({
				subscriberIdString: 'b1@x.com',
				subscriptionId: IDS.productUpdates,
				status: 'SUBSCRIBED',
			});
			const r = await call(s, 'POST', `${p}/statuses/batch/read?channel=EMAIL`, {
				body: { inputs: ['b1@x.com', 'b2@x.com'] },
			});
			expect(r.status).toBe(200);
			expect(
				r.body.results.map((x: { subscriberIdString: string }) => x.subscriberIdString),
			).toEqual(['b1@x.com', 'b2@x.com']);
			const b1 = r.body.results[0].statuses.find(
				(x: { subscriptionId: number }) => x.subscriptionId === IDS.productUpdates,
			);
			expect(b1.status).toBe('SUBSCRIBED');
			const u = await call(s, 'POST', `${p}/statuses/batch/unsubscribe-all?channel=EMAIL`, {
				body: { inputs: ['b2@x.com'] },
			});
			expect(u.status).toBe(200);
			expect(u.body.results).toEqual([{ subscriberIdString: 'b2@x.com' }]);
			const ur = await call(s, 'POST', `${p}/statuses/batch/unsubscribe-all/read?channel=EMAIL`, {
				body: { inputs: ['b1@x.com', 'b2@x.com'] },
			});
			expect(ur.status).toBe(200);
			expect(ur.body.results[0]).toEqual({ subscriberIdString: 'b1@x.com', wideStatuses: [] });
			expect(ur.body.results[1].wideStatuses).toEqual([
				expect.objectContaining({
					wideStatusType: 'PORTAL_WIDE',
					status: 'UNSUBSCRIBED',
					businessUnitId: 0,
				}),
			]);
		});
	});

	test('any other version, and unknown paths, answer 404', async () => {
		for (const v of ['v3', 'v5', '2025-09', '2026-04']) {
			const r = await call(s, 'GET', `/communication-preferences/${v}/definitions`);
			expect(r.status).toBe(404);
			expect(r.body.status).toBe('error');
		}
		expect((await call(s, 'GET', '/crm/v3/objects/deals')).status).toBe(404);
		expect((await call(s, 'DELETE', '/communication-preferences/v4/definitions')).status).toBe(405);
	});

	describe('authentication', () => {
		test('missing Authorization → 401 INVALID_AUTHENTICATION with HubSpot body', async () => {
			const r = await call(s, 'GET', '/communication-preferences/v4/definitions', { token: null });
			expect(r.status).toBe(401);
			expect(r.body).toEqual({
				status: 'error',
				message: expect.stringContaining('Authentication credentials not found'),
				correlationId: expect.stringMatching(UUID),
				category: 'INVALID_AUTHENTICATION',
			});
			expect(r.headers['x-hubspot-correlation-id']).toBe(r.body.correlationId);
		});

		test('unknown token → 401, and the token is never echoed', async () => {
			const secret = 'pat-na1-this-should-never-come-back-0123456789';
			const r = await call(s, 'POST', '/communication-preferences/v4/statuses/a%40x.com', {
				token: secret,
				body: statusBody(IDS.marketing, 'SUBSCRIBED'),
			});
			expect(r.status).toBe(401);
			expect(r.body.category).toBe('INVALID_AUTHENTICATION');
			expect(r.text).not.toContain(secret);
			expect(JSON.stringify(r.headers)).not.toContain(secret);
			expect(s.state.writesFor('a@x.com')).toEqual([]);
		});

		test('a non-Bearer scheme is refused', async () => {
			const r = await new Promise<number>((resolve, reject) => {
				const req = httpRequest(
					`${s.url}/communication-preferences/v4/definitions`,
					{ headers: { authorization: `Basic ${ENTERPRISE_TOKEN}` }, agent: false },
					(res) => {
						res.resume();
						resolve(res.statusCode ?? 0);
					},
				);
				req.on('error', reject);
				req.end();
			});
			expect(r).toBe(401);
		});

		test('expireAccessToken → 401 EXPIRED_AUTHENTICATION on every later use', async () => {
			s.expireAccessToken(PRO_TOKEN);
			for (let i = 0; i < 2; i++) {
				const r = await call(s, 'GET', '/communication-preferences/v4/definitions', {
					token: PRO_TOKEN,
				});
				expect(r.status).toBe(401);
				expect(r.body.category).toBe('EXPIRED_AUTHENTICATION');
				expect(r.body.message).toMatch(
					/^The OAuth token used to make this call expired \d+ minute\(s\) ago\.$/,
				);
				expect(r.text).not.toContain(PRO_TOKEN);
			}
			expect((await call(s, 'GET', '/communication-preferences/v4/definitions')).status).toBe(200);
		});
	});

	describe('scopes', () => {
		test('batch endpoints without the Enterprise batch scopes → 403 MISSING_SCOPES', async () => {
			const r = await call(s, 'POST', '/communication-preferences/v4/statuses/batch/write', {
				token: PRO_TOKEN,
				body: {
					inputs: [{ subscriberIdString: 'a@x.com', ...statusBody(IDS.marketing, 'SUBSCRIBED') }],
				},
			});
			expect(r.status).toBe(403);
			expect(r.body).toMatchObject({
				status: 'error',
				category: 'MISSING_SCOPES',
				message: expect.stringContaining("hasn't been granted all required scopes"),
				correlationId: expect.stringMatching(UUID),
				context: { requiredGranularScopes: [SCOPES.batchWrite] },
				errors: [
					{
						message: 'One or more of the following scopes are required.',
						context: { requiredGranularScopes: [SCOPES.batchWrite] },
					},
				],
			});
			expect(s.state.writesFor('a@x.com')).toEqual([]);
			for (const path of ['batch/read', 'batch/unsubscribe-all', 'batch/unsubscribe-all/read']) {
				const x = await call(
					s,
					'POST',
					`/communication-preferences/v4/statuses/${path}?channel=EMAIL`,
					{ token: PRO_TOKEN, body: { inputs: ['a@x.com'] } },
				);
				expect(x.status).toBe(403);
			}
			expect(s.state.isUnsubscribedFromAll('a@x.com')).toBe(false);
			// the same token may use the single-address endpoints
			const single = await call(s, 'POST', '/communication-preferences/v4/statuses/a%40x.com', {
				token: PRO_TOKEN,
				body: statusBody(IDS.marketing, 'SUBSCRIBED'),
			});
			expect(single.status).toBe(200);
		});

		test('read-only token cannot write; read_write can do both; dated scope names work on dated versions', async () => {
			s.addToken('ro', [SCOPES.read]);
			s.addToken('rw', [SCOPES.readWrite]);
			s.addToken('dated', ['subscriptions-status-write', 'subscriptions-definition-read']);
			expect(
				(
					await call(s, 'GET', '/communication-preferences/v4/statuses/a%40x.com?channel=EMAIL', {
						token: 'ro',
					})
				).status,
			).toBe(200);
			const w = await call(s, 'POST', '/communication-preferences/v4/statuses/a%40x.com', {
				token: 'ro',
				body: statusBody(IDS.marketing, 'SUBSCRIBED'),
			});
			expect(w.status).toBe(403);
			expect(w.body.context.requiredGranularScopes).toEqual([SCOPES.write, SCOPES.readWrite]);
			expect(
				(
					await call(
						s,
						'POST',
						'/communication-preferences/v4/statuses/a%40x.com/unsubscribe-all?channel=EMAIL',
						{ token: 'ro' },
					)
				).status,
			).toBe(403);
			expect(
				(
					await call(s, 'POST', '/communication-preferences/v4/statuses/a%40x.com', {
						token: 'rw',
						body: statusBody(IDS.marketing, 'SUBSCRIBED'),
					})
				).status,
			).toBe(200);
			expect(
				(await call(s, 'GET', '/communication-preferences/v4/definitions', { token: 'rw' })).status,
			).toBe(200);
			expect(
				(
					await call(s, 'POST', '/communication-preferences/2026-09/statuses/c%40x.com', {
						token: 'dated',
						body: statusBody(IDS.marketing, 'SUBSCRIBED'),
					})
				).status,
			).toBe(200);
			expect(
				(
					await call(s, 'POST', '/communication-preferences/v4/statuses/c%40x.com', {
						token: 'dated',
						body: statusBody(IDS.productUpdates, 'SUBSCRIBED'),
					})
				).status,
			).toBe(403);
		});
	});

	// Mutations that turn this red (stand-in code): in server.ts drop the route's `scopeSets`
	// (read AND write then gets 403), or in commprefs.ts generateLinks() skip the unknown-type check.
	describe('links/generate', () => {
		const path = (version: string, query = '?channel=EMAIL') =>
			`/communication-preferences/${version}/links/generate${query}`;

		test('read_write, or read AND write (dated: also the status read AND write pair); read alone → 403', async () => {
			s.addToken('ro', [SCOPES.read]);
			s.addToken('r+w', [SCOPES.read, SCOPES.write]);
			s.addToken('dated-pair', [SCOPES.datedStatusRead, SCOPES.datedStatusWrite]);
			const body = { subscriberIdString: 'a@x.com' };
			expect((await call(s, 'POST', path('v4'), { token: 'ro', body })).status).toBe(403);
			expect((await call(s, 'POST', path('v4'), { token: 'r+w', body })).status).toBe(200);
			expect((await call(s, 'POST', path('2026-03'), { token: 'dated-pair', body })).status).toBe(
				200,
			);
			expect((await call(s, 'POST', path('v4'), { token: 'dated-pair', body })).status).toBe(403);
		});

		test('links per address and brand; unsubscribeSingleUrl only with a type; 400s; nothing written', async () => {
			const plain = await call(s, 'POST', path('2026-03'), {
				body: { subscriberIdString: 'A@x.com' },
			});
			expect(plain.status).toBe(200);
			expect(Object.keys(plain.body).sort()).toEqual([
				'managePreferencesUrl',
				'subscriberIdString',
				'unsubscribeAllUrl',
			]);
			const single = await call(
				s,
				'POST',
				path('2026-03', `?channel=EMAIL&businessUnitId=${SECOND_BRAND_ID}`),
				{
					body: { subscriberIdString: 'a@x.com', subscriptionId: IDS.brandNewsletter },
				},
			);
			expect(single.body.unsubscribeSingleUrl).toContain(`subscriptionId=${IDS.brandNewsletter}`);
			expect(single.body.unsubscribeAllUrl).not.toBe(plain.body.unsubscribeAllUrl);
			expect(
				(await call(s, 'POST', path('v4', ''), { body: { subscriberIdString: 'a@x.com' } })).status,
			).toBe(400);
			expect(
				(await call(s, 'POST', path('v4'), { body: { subscriberIdString: 'not an address' } }))
					.status,
			).toBe(400);
			expect(
				(
					await call(s, 'POST', path('v4'), {
						body: { subscriberIdString: 'a@x.com', subscriptionId: '101' },
					})
				).status,
			).toBe(400);
			const unknown = await call(s, 'POST', path('v4'), {
				body: { subscriberIdString: 'a@x.com', subscriptionId: 999 },
			});
			expect(unknown.status).toBe(400);
			expect(unknown.body.category).toBe('VALIDATION_ERROR');
			expect(s.state.writesFor('a@x.com')).toEqual([]);
		});
	});

	describe('validation (400 VALIDATION_ERROR, nothing written)', () => {
		const url = '/communication-preferences/v4/statuses/v%40x.com';
		const bad: Array<[string, unknown, RegExp]> = [
			[
				'subscriptionId as a string',
				statusBody(IDS.marketing, 'SUBSCRIBED', { ...basis, subscriptionId: '101' }),
				/subscriptionId must be an integer/,
			],
			[
				'subscriptionId as a float',
				statusBody(1.5, 'SUBSCRIBED'),
				/subscriptionId must be an integer/,
			],
			[
				'missing subscriptionId',
				{ statusState: 'SUBSCRIBED', channel: 'EMAIL', ...basis },
				/subscriptionId is required/,
			],
			['unknown statusState', statusBody(IDS.marketing, 'subscribed'), /statusState/],
			[
				'unknown legalBasis',
				statusBody(IDS.marketing, 'SUBSCRIBED', {
					legalBasis: 'CONSENT',
					legalBasisExplanation: 'x',
				}),
				/legalBasis/,
			],
			[
				'unknown channel',
				statusBody(IDS.marketing, 'SUBSCRIBED', { ...basis, channel: 'SMS' }),
				/channel/,
			],
			[
				'missing legal basis while GDPR is on',
				statusBody(IDS.marketing, 'SUBSCRIBED', {}),
				/legalBasis and legalBasisExplanation are required/,
			],
			[
				'missing explanation while GDPR is on',
				statusBody(IDS.marketing, 'SUBSCRIBED', { legalBasis: 'NON_GDPR' }),
				/legalBasisExplanation/,
			],
			[
				'unknown subscription ID',
				statusBody(999999, 'SUBSCRIBED'),
				/No subscription definition exists with id 999999/,
			],
			['inactive subscription type', statusBody(IDS.retiredNewsletter, 'SUBSCRIBED'), /not active/],
		];
		test.each(bad)('%s', async (_name, body, message) => {
			const r = await call(s, 'POST', url, { body });
			expect(r.status).toBe(400);
			expect(r.body.status).toBe('error');
			expect(r.body.category).toBe('VALIDATION_ERROR');
			expect(r.body.correlationId).toMatch(UUID);
			expect(r.body.message).toMatch(message);
			expect(s.state.writesFor('v@x.com')).toEqual([]);
		});

		test('malformed email in the path', async () => {
			for (const e of ['not-an-email', 'a@b', 'a b@x.com']) {
				const r = await call(
					s,
					'POST',
					`/communication-preferences/v4/statuses/${encodeURIComponent(e)}`,
					{ body: statusBody(IDS.marketing, 'SUBSCRIBED') },
				);
				expect(r.status).toBe(400);
				expect(r.body.message).toMatch(/not a valid email address/);
			}
			expect(
				(await call(s, 'GET', '/communication-preferences/v4/statuses/nope?channel=EMAIL')).status,
			).toBe(400);
		});

		test('channel=EMAIL missing or wrong where required; bad businessUnitId / verbose', async () => {
			const paths = [
				['GET', '/communication-preferences/v4/statuses/a%40x.com'],
				['GET', '/communication-preferences/v4/statuses/a%40x.com/unsubscribe-all'],
				['POST', '/communication-preferences/v4/statuses/a%40x.com/unsubscribe-all'],
			];
			for (const [m, path] of paths) {
				const missing = await call(s, m, path);
				expect(missing.status).toBe(400);
				expect(missing.body.message).toMatch(/channel/);
				const wrong = await call(s, m, `${path}?channel=email`);
				expect(wrong.status).toBe(400);
			}
			const batchMissing = await call(
				s,
				'POST',
				'/communication-preferences/v4/statuses/batch/read',
				{ body: { inputs: ['a@x.com'] } },
			);
			expect(batchMissing.status).toBe(400);
			expect(
				(
					await call(
						s,
						'GET',
						'/communication-preferences/v4/statuses/a%40x.com?channel=EMAIL&businessUnitId=abc',
					)
				).status,
			).toBe(400);
			expect(
				(
					await call(
						s,
						'POST',
						'/communication-preferences/v4/statuses/a%40x.com/unsubscribe-all?channel=EMAIL&verbose=yes',
					)
				).status,
			).toBe(400);
			expect(s.state.isUnsubscribedFromAll('a@x.com')).toBe(false);
		});

		test('invalid JSON and missing inputs', async () => {
			const r = await call(s, 'POST', url, { rawBody: '{"subscriptionId": 101,' });
			expect(r.status).toBe(400);
			expect(r.body.message).toMatch(/Invalid input JSON/);
			const b = await call(s, 'POST', '/communication-preferences/v4/statuses/batch/write', {
				body: { input: [] },
			});
			expect(b.status).toBe(400);
			expect(b.body.message).toMatch(/inputs/);
		});

		test('a schema error in any batch input rejects the whole batch', async () => {
			const r = await call(s, 'POST', '/communication-preferences/v4/statuses/batch/write', {
				body: {
					inputs: [
						{ subscriberIdString: 'ok@x.com', ...statusBody(IDS.marketing, 'SUBSCRIBED') },
						{
							subscriberIdString: 'bad@x.com',
							...statusBody(IDS.marketing, 'SUBSCRIBED', { ...basis, subscriptionId: '101' }),
						},
					],
				},
			});
			expect(r.status).toBe(400);
			expect(r.body.errors[0].in).toBe('inputs[1].subscriptionId');
			expect(s.state.writesFor('ok@x.com')).toEqual([]);
		});

		test('too many batch inputs → 400 naming the limit', async () => {
			const small = await startHubSpotStandIn({ maxBatchInputs: 3 });
			try {
				const r = await call(
					small,
					'POST',
					'/communication-preferences/v4/statuses/batch/read?channel=EMAIL',
					{ body: { inputs: ['a@x.com', 'b@x.com', 'c@x.com', 'd@x.com'] } },
				);
				expect(r.status).toBe(400);
				expect(r.body.category).toBe('VALIDATION_ERROR');
				expect(r.body.message).toMatch(/limit is 3/);
				expect(r.body.context.maxInputs).toEqual(['3']);
				const ok = await call(
					small,
					'POST',
					'/communication-preferences/v4/statuses/batch/read?channel=EMAIL',
					{ body: { inputs: ['a@x.com', 'b@x.com', 'c@x.com'] } },
				);
				expect(ok.status).toBe(200);
			} finally {
				await small.close();
			}
			const r100 = await call(
				s,
				'POST',
				'/communication-preferences/v4/statuses/batch/unsubscribe-all?channel=EMAIL',
				{
					body: { inputs: Array.from({ length: 101 }, (_, i) => `u${i}@x.com`) },
				},
			);
			expect(r100.status).toBe(400);
			expect(r100.body.message).toMatch(/101 were given, the limit is 100/);
			expect(s.state.isUnsubscribedFromAll('u0@x.com')).toBe(false);
		});
	});

	describe('partial batch failure (207)', () => {
		test('batch write: good inputs applied, one error per failed input naming it', async () => {
			const r = await call(s, 'POST', '/communication-preferences/2026-09/statuses/batch/write', {
				body: {
					inputs: [
						{ subscriberIdString: 'good@x.com', ...statusBody(IDS.marketing, 'SUBSCRIBED') },
						{ subscriberIdString: 'good@x.com', ...statusBody(777, 'SUBSCRIBED') },
						{ subscriberIdString: 'not-an-email', ...statusBody(IDS.marketing, 'SUBSCRIBED') },
						{ subscriberIdString: 'nobasis@x.com', ...statusBody(IDS.marketing, 'SUBSCRIBED', {}) },
					],
				},
			});
			expect(r.status).toBe(207);
			expect(r.body.status).toBe('COMPLETE');
			expect(r.body.results).toHaveLength(1);
			expect(r.body.results[0]).toMatchObject({
				subscriberIdString: 'good@x.com',
				status: 'SUBSCRIBED',
			});
			expect(r.body.numErrors).toBe(3);
			expect(r.body.errors).toHaveLength(3);
			expect(r.body.errors[0]).toMatchObject({
				status: 'error',
				category: 'VALIDATION_ERROR',
				context: { subscriberIdString: ['good@x.com'], subscriptionId: ['777'] },
			});
			expect(r.body.errors[1].context.subscriberIdString).toEqual(['not-an-email']);
			expect(r.body.errors[2].context.subscriberIdString).toEqual(['nobasis@x.com']);
			expect(s.state.getStatus('good@x.com', IDS.marketing)?.status).toBe('SUBSCRIBED');
			expect(s.state.writesFor('nobasis@x.com')).toEqual([]);
		});

		test('batch read / unsubscribe-all with a malformed address', async () => {
			const r = await call(
				s,
				'POST',
				'/communication-preferences/v4/statuses/batch/read?channel=EMAIL',
				{ body: { inputs: ['a@x.com', 'broken'] } },
			);
			expect(r.status).toBe(207);
			expect(r.body.results).toHaveLength(1);
			expect(r.body.errors[0].context).toEqual({ subscriberIdString: ['broken'] });
			const u = await call(
				s,
				'POST',
				'/communication-preferences/v4/statuses/batch/unsubscribe-all?channel=EMAIL&verbose=true',
				{ body: { inputs: ['broken', 'a@x.com'] } },
			);
			expect(u.status).toBe(207);
			expect(u.body.results[0].subscriberIdString).toBe('a@x.com');
			expect(u.body.results[0].statuses.length).toBeGreaterThan(0);
			expect(s.state.isUnsubscribedFromAll('a@x.com')).toBe(true);
		});
	});

	describe('consent semantics', () => {
		const url = (e: string) => `/communication-preferences/v4/statuses/${encodeURIComponent(e)}`;

		test('writing the same status again → NO_STATUS_CHANGE, timestamp kept, history records both', async () => {
			const first = await call(s, 'POST', url('n@x.com'), {
				body: statusBody(IDS.marketing, 'SUBSCRIBED'),
			});
			const again = await call(s, 'POST', url('n@x.com'), {
				body: statusBody(IDS.marketing, 'SUBSCRIBED'),
			});
			expect(again.status).toBe(200);
			expect(again.body.results[0].setStatusSuccessReason).toBe('NO_STATUS_CHANGE');
			expect(again.body.results[0].timestamp).toBe(first.body.results[0].timestamp);
			const writes = s.state.writesFor('N@x.com');
			expect(writes.map((w) => w.reason)).toEqual([
				'REQUESTED_CHANGE_OCCURRED',
				'NO_STATUS_CHANGE',
			]);
			expect(writes[0]).toMatchObject({
				legalBasis: 'CONSENT_WITH_NOTICE',
				legalBasisExplanation: basis.legalBasisExplanation,
				source: SOURCE_PUBLIC_API,
				via: url('n@x.com'),
			});
			expect(writes[0].timestamp).toMatch(ISO);
		});

		test('status belongs to the address: no contact needed, and it is there when one is created later', async () => {
			await call(s, 'POST', url('later@x.com'), { body: statusBody(IDS.marketing, 'SUBSCRIBED') });
			expect(s.state.contacts).toEqual([]);
			await call(s, 'POST', '/crm/v3/objects/contacts/batch/upsert', {
				body: {
					inputs: [{ idProperty: 'email', id: 'later@x.com', properties: { firstname: 'Lea' } }],
				},
			});
			expect(s.state.getStatus('later@x.com', IDS.marketing)?.status).toBe('SUBSCRIBED');
		});

		test('resubscribe after UNSUBSCRIBED needs legal basis even with GDPR off', async () => {
			const noGdpr = await startHubSpotStandIn({ gdprEnabled: false });
			try {
				const u = await call(noGdpr, 'POST', url('r@x.com'), {
					body: statusBody(IDS.marketing, 'UNSUBSCRIBED', {}),
				});
				expect(u.status).toBe(200);
				expect(u.body.results[0].legalBasis).toBeNull();
				const refused = await call(noGdpr, 'POST', url('r@x.com'), {
					body: statusBody(IDS.marketing, 'SUBSCRIBED', {}),
				});
				expect(refused.status).toBe(400);
				expect(refused.body.message).toMatch(
					/resubscribing requires legalBasis and legalBasisExplanation/,
				);
				expect(noGdpr.state.getStatus('r@x.com', IDS.marketing)?.status).toBe('UNSUBSCRIBED');
				const ok = await call(noGdpr, 'POST', url('r@x.com'), {
					body: statusBody(IDS.marketing, 'SUBSCRIBED'),
				});
				expect(ok.status).toBe(200);
				expect(ok.body.results[0].setStatusSuccessReason).toBe('RESUBSCRIBE_OCCURRED');
				// a first-time subscribe needs no legal basis when GDPR is off
				const fresh = await call(noGdpr, 'POST', url('fresh@x.com'), {
					body: statusBody(IDS.marketing, 'SUBSCRIBED', {}),
				});
				expect(fresh.status).toBe(200);
			} finally {
				await noGdpr.close();
			}
		});

		test('resubscribe after opt-out of all lifts the opt-out for that brand only', async () => {
			s.optOutOfAll('o@x.com', 0);
			s.optOutOfAll('o@x.com', SECOND_BRAND_ID);
			const refused = await call(s, 'POST', url('o@x.com'), {
				body: statusBody(IDS.productUpdates, 'SUBSCRIBED', { legalBasis: 'CONSENT_WITH_NOTICE' }),
			});
			expect(refused.status).toBe(400);
			const ok = await call(s, 'POST', url('o@x.com'), {
				body: statusBody(IDS.productUpdates, 'SUBSCRIBED'),
			});
			expect(ok.body.results[0]).toMatchObject({
				status: 'SUBSCRIBED',
				setStatusSuccessReason: 'RESUBSCRIBE_OCCURRED',
				businessUnitId: 0,
			});
			expect(s.state.isUnsubscribedFromAll('o@x.com', 0)).toBe(false);
			expect(s.state.isUnsubscribedFromAll('o@x.com', SECOND_BRAND_ID)).toBe(true);
			expect(s.state.getStatus('o@x.com', IDS.marketing)?.status).toBe('UNSUBSCRIBED');
			expect(s.state.getStatus('o@x.com', IDS.brandNewsletter)?.status).toBe('UNSUBSCRIBED');
			// unsubscribing while opted out changes nothing
			const noop = await call(s, 'POST', url('o@x.com'), {
				body: statusBody(IDS.brandEvents, 'UNSUBSCRIBED'),
			});
			expect(noop.body.results[0].setStatusSuccessReason).toBe('NO_STATUS_CHANGE');
		});

		test('a status write for a brand-12345 type belongs to that brand', async () => {
			const r = await call(s, 'POST', url('brand@x.com'), {
				body: statusBody(IDS.brandNewsletter, 'SUBSCRIBED'),
			});
			expect(r.body.results[0].businessUnitId).toBe(SECOND_BRAND_ID);
			const g0 = await call(s, 'GET', `${url('brand@x.com')}?channel=EMAIL&businessUnitId=0`);
			expect(g0.body.results).toHaveLength(3); // the active brand-0 types
			expect(g0.body.results.every((x: { businessUnitId: number }) => x.businessUnitId === 0)).toBe(
				true,
			);
			expect(g0.body.results.every((x: { status: string }) => x.status === 'NOT_SPECIFIED')).toBe(
				true,
			);
			const g1 = await call(
				s,
				'GET',
				`${url('brand@x.com')}?channel=EMAIL&businessUnitId=${SECOND_BRAND_ID}`,
			);
			expect(
				g1.body.results.find(
					(x: { subscriptionId: number }) => x.subscriptionId === IDS.brandNewsletter,
				).status,
			).toBe('SUBSCRIBED');
			expect(s.state.statusesOf('brand@x.com', SECOND_BRAND_ID)).toHaveLength(2);
			expect(s.state.getStatus('brand@x.com', IDS.brandNewsletter, 0)).toBeUndefined();
		});
	});

	describe('unsubscribe-all per brand', () => {
		test('without businessUnitId: PORTAL_WIDE for brand 0; every brand-0 type reads UNSUBSCRIBED; brand 12345 untouched', async () => {
			await call(s, 'POST', '/communication-preferences/v4/statuses/p%40x.com', {
				body: statusBody(IDS.brandNewsletter, 'SUBSCRIBED'),
			});
			const r = await call(
				s,
				'POST',
				'/communication-preferences/v4/statuses/p%40x.com/unsubscribe-all?channel=EMAIL&verbose=true',
			);
			expect(r.status).toBe(200);
			expect(r.body.results.length).toBe(3); // active brand-0 types
			for (const st of r.body.results) {
				expect(st).toMatchObject({
					status: 'UNSUBSCRIBED',
					businessUnitId: 0,
					setStatusSuccessReason: 'UNSUBSCRIBE_FROM_ALL_OCCURRED',
				});
			}
			const all = await call(
				s,
				'GET',
				'/communication-preferences/v4/statuses/p%40x.com?channel=EMAIL',
			);
			const byId = Object.fromEntries(
				all.body.results.map((x: { subscriptionId: number; status: string }) => [
					x.subscriptionId,
					x.status,
				]),
			);
			expect(byId).toEqual({
				[IDS.marketing]: 'UNSUBSCRIBED',
				[IDS.productUpdates]: 'UNSUBSCRIBED',
				[IDS.oneToOne]: 'UNSUBSCRIBED',
				[IDS.brandNewsletter]: 'SUBSCRIBED',
				[IDS.brandEvents]: 'NOT_SPECIFIED',
			});
			const again = await call(
				s,
				'POST',
				'/communication-preferences/v4/statuses/p%40x.com/unsubscribe-all?channel=EMAIL&verbose=true',
			);
			expect(again.body.results).toHaveLength(3);
			expect(
				again.body.results.every(
					(x: { setStatusSuccessReason: string }) =>
						x.setStatusSuccessReason === 'NO_STATUS_CHANGE',
				),
			).toBe(true);
		});

		test('with businessUnitId=12345: BUSINESS_UNIT_WIDE, GET filters by brand', async () => {
			const r = await call(
				s,
				'POST',
				`/communication-preferences/2026-03/statuses/q%40x.com/unsubscribe-all?channel=EMAIL&businessUnitId=${SECOND_BRAND_ID}`,
			);
			expect(r.body.results).toEqual([]);
			const g = await call(
				s,
				'GET',
				'/communication-preferences/2026-03/statuses/q%40x.com/unsubscribe-all?channel=EMAIL',
			);
			expect(g.body.results).toEqual([
				expect.objectContaining({
					wideStatusType: 'BUSINESS_UNIT_WIDE',
					businessUnitId: SECOND_BRAND_ID,
				}),
			]);
			const g0 = await call(
				s,
				'GET',
				'/communication-preferences/2026-03/statuses/q%40x.com/unsubscribe-all?channel=EMAIL&businessUnitId=0',
			);
			expect(g0.body.results).toEqual([]);
			expect(s.state.getStatus('q@x.com', IDS.brandEvents)?.status).toBe('UNSUBSCRIBED');
			expect(s.state.getStatus('q@x.com', IDS.marketing)?.status).toBe('NOT_SPECIFIED');
			const w = s.state.writesFor('q@x.com');
			expect(w).toEqual([
				expect.objectContaining({
					kind: 'unsubscribe-all',
					businessUnitId: SECOND_BRAND_ID,
					reason: 'UNSUBSCRIBE_FROM_ALL_OCCURRED',
				}),
			]);
		});
	});

	test('definitions filters: businessUnitId and includeTranslations', async () => {
		const brand = await call(
			s,
			'GET',
			`/communication-preferences/v4/definitions?businessUnitId=${SECOND_BRAND_ID}`,
		);
		expect(brand.body.results.map((d: { id: string }) => d.id)).toEqual(['201', '202']);
		expect(brand.body.results[0].subscriptionTranslations).toBeUndefined();
		const tr = await call(
			s,
			'GET',
			'/communication-preferences/v4/definitions?includeTranslations=true&businessUnitId=0',
		);
		const m = tr.body.results.find((d: { id: string }) => d.id === '101');
		expect(m.subscriptionTranslations).toEqual([
			expect.objectContaining({
				subscriptionId: 101,
				languageCode: 'de',
				name: 'Marketinginformationen',
				createdAt: expect.any(Number),
			}),
			expect.objectContaining({ languageCode: 'fr' }),
		]);
		expect(tr.body.results.every((d: { businessUnitId: number }) => d.businessUnitId === 0)).toBe(
			true,
		);
	});

	describe('rate limits', () => {
		let clock = 1_800_000_000_000;
		const now = () => clock;
		let rl: StandIn;
		const start = async (o: StandInOptions) => {
			clock = 1_800_000_000_000;
			rl = await startHubSpotStandIn({ now, ...o });
		};
		afterEach(async () => {
			await rl.close();
		});

		test('rolling window per token: headers, 429 body, refused requests count for nothing and change nothing', async () => {
			await start({ rateLimit: { maxRequests: 3, windowMs: 1000 } });
			const remaining: string[] = [];
			for (let i = 0; i < 3; i++) {
				const r = await call(rl, 'POST', '/communication-preferences/v4/statuses/w%40x.com', {
					body: statusBody(IDS.marketing, i % 2 ? 'UNSUBSCRIBED' : 'SUBSCRIBED'),
				});
				expect(r.status).toBe(200);
				expect(r.headers['x-hubspot-ratelimit-max']).toBe('3');
				expect(r.headers['x-hubspot-ratelimit-interval-milliseconds']).toBe('1000');
				remaining.push(r.headers['x-hubspot-ratelimit-remaining'] as string);
			}
			expect(remaining).toEqual(['2', '1', '0']);
			const writesBefore = rl.state.writesFor('w@x.com').length;
			for (let i = 0; i < 4; i++) {
				clock += 100;
				const r = await call(rl, 'POST', '/communication-preferences/v4/statuses/w%40x.com', {
					body: statusBody(IDS.marketing, 'UNSUBSCRIBED'),
				});
				expect(r.status).toBe(429);
				expect(r.body).toEqual({
					status: 'error',
					message: 'You have reached your ten_secondly_rolling limit.',
					errorType: 'RATE_LIMIT',
					correlationId: expect.stringMatching(UUID),
					policyName: 'TEN_SECONDLY_ROLLING',
					requestId: expect.stringMatching(UUID),
				});
				expect(r.headers['x-hubspot-ratelimit-remaining']).toBe('0');
			}
			expect(rl.state.writesFor('w@x.com')).toHaveLength(writesBefore);
			// another token has its own window
			expect(
				(await call(rl, 'GET', '/communication-preferences/v4/definitions', { token: PRO_TOKEN }))
					.status,
			).toBe(200);
			// the window rolls: once the first three are older than windowMs, a full budget again (429s did not count)
			clock += 700;
			const after = await call(rl, 'GET', '/communication-preferences/v4/definitions');
			expect(after.status).toBe(200);
			expect(after.headers['x-hubspot-ratelimit-remaining']).toBe('2');
		});

		test('headers on error responses of authenticated calls too; none when rateLimit is false', async () => {
			await start({ rateLimit: { maxRequests: 5, windowMs: 1000 } });
			const r = await call(
				rl,
				'POST',
				'/communication-preferences/v4/statuses/batch/read?channel=EMAIL',
				{ token: PRO_TOKEN, body: { inputs: [] } },
			);
			expect(r.status).toBe(403);
			expect(r.headers['x-hubspot-ratelimit-remaining']).toBe('4');
			await rl.close();
			await start({ rateLimit: false });
			const free = await call(rl, 'GET', '/communication-preferences/v4/definitions');
			expect(free.status).toBe(200);
			expect(free.headers['x-hubspot-ratelimit-max']).toBeUndefined();
		});

		test('daily limit: -Daily headers, then DAILY 429 that waiting seconds does not clear', async () => {
			await start({ rateLimit: { maxRequests: 100, windowMs: 1000, dailyLimit: 2 } });
			const a = await call(rl, 'GET', '/communication-preferences/v4/definitions');
			expect(a.headers['x-hubspot-ratelimit-daily']).toBe('2');
			expect(a.headers['x-hubspot-ratelimit-daily-remaining']).toBe('1');
			await call(rl, 'GET', '/communication-preferences/v4/definitions');
			clock += 5000;
			const c = await call(rl, 'GET', '/communication-preferences/v4/definitions');
			expect(c.status).toBe(429);
			expect(c.body.policyName).toBe('DAILY');
			expect(c.body.message).toBe('You have reached your daily limit.');
			expect(c.headers['x-hubspot-ratelimit-daily-remaining']).toBe('0');
			clock += 24 * 3600 * 1000;
			expect((await call(rl, 'GET', '/communication-preferences/v4/definitions')).status).toBe(200);
		});

		test('default limit is 100 requests per 10 s', async () => {
			await start({});
			const r = await call(rl, 'GET', '/communication-preferences/v4/definitions');
			expect(r.headers['x-hubspot-ratelimit-max']).toBe('100');
			expect(r.headers['x-hubspot-ratelimit-interval-milliseconds']).toBe('10000');
		});
	});

	describe('faults', () => {
		const write = (e: string, st = 'SUBSCRIBED') =>
			call(s, 'POST', `/communication-preferences/v4/statuses/${encodeURIComponent(e)}`, {
				body: statusBody(IDS.marketing, st),
			});

		test('status fault: HTML 503 page twice for matching requests, then normal; no state change', async () => {
			s.injectFault({
				kind: 'status',
				status: 503,
				method: 'POST',
				path: /\/statuses\//,
				times: 2,
			});
			const other = await call(s, 'GET', '/communication-preferences/v4/definitions');
			expect(other.status).toBe(200);
			for (let i = 0; i < 2; i++) {
				const r = await write('f@x.com');
				expect(r.status).toBe(503);
				expect(r.headers['content-type']).toMatch(/text\/html/);
				expect(r.text).toMatch(/<html/);
			}
			expect(s.state.writesFor('f@x.com')).toEqual([]);
			expect((await write('f@x.com')).status).toBe(200);
			expect(s.requests.map((x) => x.status)).toEqual([200, 503, 503, 200]);
		});

		test('status fault with a custom body and headers; faults consumed in order; clearFaults', async () => {
			s.injectFault({
				kind: 'status',
				status: 500,
				body: '{"status":"error","message":"boom"}',
				headers: { 'x-test': '1' },
			});
			s.injectFault({ kind: 'status', status: 502 });
			s.injectFault({ kind: 'status', status: 504 });
			const a = await call(s, 'GET', '/communication-preferences/v4/definitions');
			expect(a.status).toBe(500);
			expect(a.body.message).toBe('boom');
			expect(a.headers['x-test']).toBe('1');
			expect((await call(s, 'GET', '/communication-preferences/v4/definitions')).status).toBe(502);
			expect(s.pendingFaults).toHaveLength(1);
			s.clearFaults();
			expect((await call(s, 'GET', '/communication-preferences/v4/definitions')).status).toBe(200);
		});

		test('rateLimit fault: HubSpot 429 body and headers with Retry-After', async () => {
			s.injectFault({ kind: 'rateLimit', policy: 'TEN_SECONDLY_ROLLING', retryAfterSeconds: 2 });
			s.injectFault({ kind: 'rateLimit', policy: 'DAILY' });
			s.injectFault({ kind: 'rateLimit', policy: 'SECONDLY' });
			const a = await write('rl@x.com');
			expect(a.status).toBe(429);
			expect(a.body).toMatchObject({
				status: 'error',
				errorType: 'RATE_LIMIT',
				policyName: 'TEN_SECONDLY_ROLLING',
				message: 'You have reached your ten_secondly_rolling limit.',
			});
			expect(a.headers['retry-after']).toBe('2');
			expect(a.headers['x-hubspot-ratelimit-remaining']).toBe('0');
			const b = await write('rl@x.com');
			expect(b.body).toMatchObject({
				policyName: 'DAILY',
				message: 'You have reached your daily limit.',
			});
			const c = await write('rl@x.com');
			expect(c.body.policyName).toBe('SECONDLY');
			expect(s.state.writesFor('rl@x.com')).toEqual([]);
		});

		test('reset: socket destroyed without an answer; not applied by default', async () => {
			s.injectFault({ kind: 'reset', path: 'statuses/' });
			await expect(write('x1@x.com')).rejects.toThrow(/socket hang up|ECONNRESET/);
			expect(s.state.writesFor('x1@x.com')).toEqual([]);
			expect(s.requests[0].status).toBe(0);
			expect((await write('x1@x.com')).body.results[0].setStatusSuccessReason).toBe(
				'REQUESTED_CHANGE_OCCURRED',
			);
		});

		test('reset with applyBeforeFault: write applied, so a re-send is NO_STATUS_CHANGE', async () => {
			s.injectFault({ kind: 'reset', method: 'POST', applyBeforeFault: true });
			await expect(write('x2@x.com')).rejects.toThrow();
			expect(s.state.getStatus('x2@x.com', IDS.marketing)?.status).toBe('SUBSCRIBED');
			const resend = await write('x2@x.com');
			expect(resend.status).toBe(200);
			expect(resend.body.results[0].setStatusSuccessReason).toBe('NO_STATUS_CHANGE');
		});

		test('stall: held that long, then answered normally (applied at the end of the stall)', async () => {
			s.injectFault({ kind: 'stall', ms: 150 });
			const pending = write('st@x.com');
			await new Promise((r) => setTimeout(r, 50));
			expect(s.state.writesFor('st@x.com')).toEqual([]);
			const r = await pending;
			expect(r.status).toBe(200);
			expect(r.ms).toBeGreaterThanOrEqual(140);
			expect(s.state.getStatus('st@x.com', IDS.marketing)?.status).toBe('SUBSCRIBED');
		});

		test('stall with applyBeforeFault: applied at once, answer held', async () => {
			s.injectFault({ kind: 'stall', ms: 120, applyBeforeFault: true });
			const pending = write('st2@x.com');
			await new Promise((r) => setTimeout(r, 40));
			expect(s.state.getStatus('st2@x.com', IDS.marketing)?.status).toBe('SUBSCRIBED');
			expect((await pending).status).toBe(200);
		});

		test('stall Infinity: never answered; close() ends the socket', async () => {
			const own = await startHubSpotStandIn();
			own.injectFault({ kind: 'stall', ms: Infinity });
			const pending = call(own, 'GET', '/communication-preferences/v4/definitions');
			const outcome = pending.then(
				() => 'answered',
				() => 'socket closed',
			);
			await new Promise((r) => setTimeout(r, 50));
			expect(own.requests[0].status).toBeNull();
			await own.close();
			expect(await outcome).toBe('socket closed');
			expect(own.requests[0].status).toBe(0);
		});

		test('stall Infinity with a client timeout; reset() drops the held request', async () => {
			s.injectFault({ kind: 'stall', ms: Infinity });
			await expect(
				call(s, 'GET', '/communication-preferences/v4/definitions', { timeoutMs: 80 }),
			).rejects.toThrow(/client timeout/);
			s.reset();
			expect(s.requests).toEqual([]);
			expect((await call(s, 'GET', '/communication-preferences/v4/definitions')).status).toBe(200);
		});

		test('storm: that share of matching requests refused with 429 TEN_SECONDLY_ROLLING for the stretch', async () => {
			s.injectFault({ kind: 'storm', ratio: 0.5, durationMs: 60_000, path: /\/statuses\// });
			const statuses: number[] = [];
			for (let i = 0; i < 10; i++) statuses.push((await write(`storm${i}@x.com`)).status);
			expect(statuses.filter((x) => x === 429)).toHaveLength(5);
			expect(statuses.filter((x) => x === 200)).toHaveLength(5);
			expect((await call(s, 'GET', '/communication-preferences/v4/definitions')).status).toBe(200);
			const refusedEmails = statuses
				.map((st, i) => (st === 429 ? `storm${i}@x.com` : null))
				.filter((x): x is string => x !== null);
			for (const e of refusedEmails) expect(s.state.writesFor(e)).toEqual([]);
		});

		// A clock the test moves, not real sleeps: the outcome cannot depend on how busy the machine is.
		// Mutation that turns this red: in faults.ts, drop the storm's `now + fault.durationMs` expiry.
		test('storm ends after durationMs; untilMs bounds a fault in time', async () => {
			let clock = 1_800_000_000_000;
			const timed = await startHubSpotStandIn({ now: () => clock });
			try {
				const definitions = async () =>
					(await call(timed, 'GET', '/communication-preferences/v4/definitions')).status;
				timed.injectFault({ kind: 'storm', ratio: 1, durationMs: 60 });
				expect(await definitions()).toBe(429);
				clock += 59;
				expect(await definitions()).toBe(429);
				clock += 1;
				expect(await definitions()).toBe(200);
				timed.injectFault({ kind: 'status', status: 500, untilMs: 60 });
				expect(await definitions()).toBe(500);
				clock += 59;
				expect(await definitions()).toBe(500);
				clock += 1;
				expect(await definitions()).toBe(200);
			} finally {
				await timed.close();
			}
		});
	});

	describe('OAuth refresh at /oauth/v1/token', () => {
		let clock = 1_800_000_000_000;
		let o: StandIn;
		const oauth = {
			clientId: 'client-1',
			clientSecret: 'secret-1',
			refreshTokens: { 'rt-1': [SCOPES.read, SCOPES.write] },
		};
		beforeAll(async () => {
			o = await startHubSpotStandIn({ oauth, now: () => clock });
		});
		afterAll(async () => {
			await o.close();
		});
		const form = (over: Record<string, string> = {}) => ({
			grant_type: 'refresh_token',
			client_id: 'client-1',
			client_secret: 'secret-1',
			refresh_token: 'rt-1',
			...over,
		});

		test('refresh mints a bearer access token with the refresh token scopes, which expires after expires_in', async () => {
			const r = await call(o, 'POST', '/oauth/v1/token', { token: null, form: form() });
			expect(r.status).toBe(200);
			expect(r.body).toEqual({
				token_type: 'bearer',
				refresh_token: 'rt-1',
				access_token: expect.any(String),
				expires_in: 1800,
			});
			const at = r.body.access_token as string;
			expect(
				(
					await call(o, 'POST', '/communication-preferences/v4/statuses/oa%40x.com', {
						token: at,
						body: statusBody(IDS.marketing, 'SUBSCRIBED'),
					})
				).status,
			).toBe(200);
			expect(
				(
					await call(o, 'POST', '/communication-preferences/v4/statuses/batch/read?channel=EMAIL', {
						token: at,
						body: { inputs: [] },
					})
				).status,
			).toBe(403);
			clock += 1801 * 1000;
			const expired = await call(o, 'GET', '/communication-preferences/v4/definitions', {
				token: at,
			});
			expect(expired.status).toBe(401);
			expect(expired.body.category).toBe('EXPIRED_AUTHENTICATION');
		});

		test('bad client, secret or refresh token → 400 as HubSpot answers', async () => {
			const badClient = await call(o, 'POST', '/oauth/v1/token', {
				token: null,
				form: form({ client_id: 'nope' }),
			});
			expect(badClient.status).toBe(400);
			expect(badClient.body).toEqual({
				status: 'BAD_CLIENT_ID',
				message: 'missing or unknown client id',
				correlationId: expect.stringMatching(UUID),
			});
			const badSecret = await call(o, 'POST', '/oauth/v1/token', {
				token: null,
				form: form({ client_secret: 'nope' }),
			});
			expect(badSecret.status).toBe(400);
			expect(badSecret.body.status).toBe('BAD_CLIENT_SECRET');
			expect(badSecret.text).not.toContain('secret-1');
			const badRt = await call(o, 'POST', '/oauth/v1/token', {
				token: null,
				form: form({ refresh_token: 'rt-unknown' }),
			});
			expect(badRt.status).toBe(400);
			expect(badRt.body).toMatchObject({
				status: 'BAD_REFRESH_TOKEN',
				message: 'missing or invalid refresh token',
			});
			const badGrant = await call(o, 'POST', '/oauth/v1/token', {
				token: null,
				form: form({ grant_type: 'password' }),
			});
			expect(badGrant.status).toBe(400);
		});
	});

	describe('CRM endpoints', () => {
		test('GET /crm/v3/properties/contacts: HubSpot property shape, read-only hs_emailconfirmationstatus', async () => {
			const r = await call(s, 'GET', '/crm/v3/properties/contacts');
			expect(r.status).toBe(200);
			const names = r.body.results.map((p: { name: string }) => p.name);
			expect(names).toEqual(
				expect.arrayContaining([
					'email',
					'firstname',
					'lastname',
					'hs_emailconfirmationstatus',
					'createdate',
				]),
			);
			const conf = r.body.results.find(
				(p: { name: string }) => p.name === 'hs_emailconfirmationstatus',
			);
			expect(conf).toMatchObject({
				label: 'Marketing email confirmation status',
				type: 'enumeration',
				fieldType: 'select',
				groupName: 'emailinformation',
				hidden: false,
				formField: false,
				calculated: false,
				hasUniqueValue: false,
				modificationMetadata: { archivable: false, readOnlyDefinition: true, readOnlyValue: true },
				createdAt: expect.stringMatching(ISO),
				updatedAt: expect.stringMatching(ISO),
			});
			expect(conf.options.map((x: { label: string }) => x.label)).toContain(
				'Customer marked confirmed',
			);
			expect(r.body.results.some((p: { type: string }) => p.type === 'datetime')).toBe(true);
			expect(r.body.results.some((p: { type: string }) => p.type === 'string')).toBe(true);
		});

		test('CRM scopes', async () => {
			s.addToken('none', [SCOPES.read]);
			s.addToken('schemas', [SCOPES.schemasRead]);
			expect((await call(s, 'GET', '/crm/v3/properties/contacts', { token: 'none' })).status).toBe(
				403,
			);
			expect(
				(await call(s, 'GET', '/crm/v3/properties/contacts', { token: 'schemas' })).status,
			).toBe(200);
			const p = await call(s, 'POST', '/crm/v3/properties/contacts', {
				token: 'schemas',
				body: {
					name: 'x_y',
					label: 'X',
					type: 'string',
					fieldType: 'text',
					groupName: 'contactinformation',
				},
			});
			expect(p.status).toBe(403);
			expect(p.body.context.requiredGranularScopes).toEqual([SCOPES.schemasWrite]);
			const u = await call(s, 'POST', '/crm/v3/objects/contacts/batch/upsert', {
				token: 'schemas',
				body: { inputs: [] },
			});
			expect(u.status).toBe(403);
			expect(u.body.context.requiredGranularScopes).toEqual([SCOPES.contactsWrite]);
		});

		test('POST /crm/v3/properties/contacts: 201, 409 on an existing name, 400 on bad type/fieldType', async () => {
			const body = {
				name: 'doi_confirmed_at',
				label: 'DOI confirmed at',
				type: 'datetime',
				fieldType: 'date',
				groupName: 'contactinformation',
				description: 'When.',
			};
			const c = await call(s, 'POST', '/crm/v3/properties/contacts', { body });
			expect(c.status).toBe(201);
			expect(c.body).toMatchObject({
				name: 'doi_confirmed_at',
				type: 'datetime',
				fieldType: 'date',
				modificationMetadata: { readOnlyValue: false, readOnlyDefinition: false, archivable: true },
			});
			expect(s.state.contactProperties.some((p) => p.name === 'doi_confirmed_at')).toBe(true);
			const dup = await call(s, 'POST', '/crm/v3/properties/contacts', { body });
			expect(dup.status).toBe(409);
			expect(dup.body).toMatchObject({
				status: 'error',
				category: 'OBJECT_ALREADY_EXISTS',
				correlationId: expect.stringMatching(UUID),
			});
			expect(
				(
					await call(s, 'POST', '/crm/v3/properties/contacts', {
						body: { ...body, name: 'a1', type: 'timestamp' },
					})
				).status,
			).toBe(400);
			const mismatch = await call(s, 'POST', '/crm/v3/properties/contacts', {
				body: { ...body, name: 'a2', type: 'bool', fieldType: 'text' },
			});
			expect(mismatch.status).toBe(400);
			expect(mismatch.body.category).toBe('VALIDATION_ERROR');
			expect(
				(
					await call(s, 'POST', '/crm/v3/properties/contacts', {
						body: { ...body, name: 'a3', fieldType: 'dropdown' },
					})
				).status,
			).toBe(400);
			expect(
				(
					await call(s, 'POST', '/crm/v3/properties/contacts', {
						body: { ...body, name: 'Bad Name' },
					})
				).status,
			).toBe(400);
		});

		test('batch upsert by email: creates, then updates; datetime ISO or epoch ms', async () => {
			const first = await call(s, 'POST', '/crm/v3/objects/contacts/batch/upsert', {
				body: {
					inputs: [
						{
							idProperty: 'email',
							id: 'Ann@X.com',
							properties: { firstname: 'Ann', double_opt_in_confirmed_at: '2026-11-20T10:00:00Z' },
						},
						{
							idProperty: 'email',
							id: 'bob@x.com',
							properties: { double_opt_in_confirmed_at: 1763632800000 },
						},
					],
				},
			});
			expect(first.status).toBe(200);
			expect(first.body.status).toBe('COMPLETE');
			expect(first.body.results[0]).toEqual({
				id: expect.stringMatching(/^\d+$/),
				properties: expect.objectContaining({
					email: 'ann@x.com',
					firstname: 'Ann',
					double_opt_in_confirmed_at: '2026-11-20T10:00:00.000Z',
				}),
				createdAt: expect.stringMatching(ISO),
				updatedAt: expect.stringMatching(ISO),
				archived: false,
				new: true,
			});
			expect(first.body.results[1].properties.double_opt_in_confirmed_at).toBe(
				new Date(1763632800000).toISOString(),
			);
			const second = await call(s, 'POST', '/crm/v3/objects/contacts/batch/upsert', {
				body: {
					inputs: [{ idProperty: 'email', id: 'ann@x.com', properties: { lastname: 'Lee' } }],
				},
			});
			expect(second.body.results[0]).toMatchObject({
				id: first.body.results[0].id,
				new: false,
				properties: { firstname: 'Ann', lastname: 'Lee' },
			});
			expect(s.state.contacts).toHaveLength(2);
		});

		test('batch upsert: one bad input rejects the whole call with HubSpot validation errors', async () => {
			const cases: Array<[Record<string, unknown>, string, RegExp]> = [
				[{ nope_prop: 'x' }, 'PROPERTY_DOESNT_EXIST', /Property \\"nope_prop\\" does not exist/],
				[
					{ hs_emailconfirmationstatus: 'Customer marked confirmed' },
					'READ_ONLY_VALUE',
					/hs_emailconfirmationstatus is a read only property; its value cannot be set\./,
				],
				[
					{ double_opt_in_confirmed_at: 'yesterday' },
					'INVALID_LONG',
					/yesterday was not a valid long\./,
				],
				[{ lifecyclestage: 'vip' }, 'INVALID_OPTION', /vip was not one of the allowed options/],
				[{ date_of_birth: '2000-01-01T10:00:00Z' }, 'INVALID_DATE', /not midnight/],
			];
			for (const [properties, code, message] of cases) {
				const r = await call(s, 'POST', '/crm/v3/objects/contacts/batch/upsert', {
					body: {
						inputs: [
							{ idProperty: 'email', id: 'good@x.com', properties: { firstname: 'G' } },
							{ idProperty: 'email', id: 'bad@x.com', properties },
						],
					},
				});
				expect(r.status).toBe(400);
				expect(r.body.status).toBe('error');
				expect(r.body.category).toBe('VALIDATION_ERROR');
				expect(r.body.message.startsWith('Property values were not valid: [')).toBe(true);
				expect(r.body.message).toMatch(message);
				const embedded = JSON.parse(
					r.body.message.slice('Property values were not valid: '.length),
				);
				expect(embedded[0]).toMatchObject({ isValid: false, error: code });
				expect(r.body.errors[0]).toMatchObject({
					code,
					context: { propertyName: [expect.any(String)] },
				});
			}
			expect(s.state.contacts).toEqual([]);
		});

		test('batch upsert: at most 100 inputs, duplicates refused', async () => {
			const inputs = Array.from({ length: 101 }, (_, i) => ({
				idProperty: 'email',
				id: `c${i}@x.com`,
				properties: {},
			}));
			const r = await call(s, 'POST', '/crm/v3/objects/contacts/batch/upsert', {
				body: { inputs },
			});
			expect(r.status).toBe(400);
			expect(r.body.message).toMatch(/limit is 100/);
			const d = await call(s, 'POST', '/crm/v3/objects/contacts/batch/upsert', {
				body: { inputs: [inputs[0], { ...inputs[0], id: 'C0@x.com' }] },
			});
			expect(d.status).toBe(400);
			expect(d.body.message).toMatch(/Duplicate IDs/);
			expect(s.state.contacts).toEqual([]);
		});
	});

	describe('inspection and control', () => {
		test('requests are recorded with method, path, parsed query and body, lower-cased headers, status and times', async () => {
			await call(
				s,
				'POST',
				'/communication-preferences/v4/statuses/rec%40x.com/unsubscribe-all?channel=EMAIL&verbose=true',
			);
			await call(s, 'POST', '/communication-preferences/v4/statuses/rec%40x.com', {
				body: statusBody(IDS.marketing, 'SUBSCRIBED'),
			});
			expect(s.requests).toHaveLength(2);
			const [a, b] = s.requests;
			expect(a).toMatchObject({
				method: 'POST',
				path: '/communication-preferences/v4/statuses/rec%40x.com/unsubscribe-all',
				query: { channel: 'EMAIL', verbose: 'true' },
				status: 200,
			});
			expect(a.headers.authorization).toBe(`Bearer ${ENTERPRISE_TOKEN}`);
			expect(b.body).toEqual(statusBody(IDS.marketing, 'SUBSCRIBED'));
			expect(b.rawBody).toBe(JSON.stringify(statusBody(IDS.marketing, 'SUBSCRIBED')));
			expect(b.headers['content-type']).toBe('application/json');
			expect(b.respondedAt).toBeGreaterThanOrEqual(b.receivedAt);
			expect(b.status).toBe(200);
		});

		test('GET /_standin/state and POST /_standin/reset (no auth)', async () => {
			await call(s, 'POST', '/communication-preferences/v4/statuses/ctl%40x.com', {
				body: statusBody(IDS.marketing, 'SUBSCRIBED'),
			});
			s.optOutOfAll('ctl2@x.com', SECOND_BRAND_ID);
			s.seedContact('ctl@x.com', { firstname: 'C' });
			const st = await call(s, 'GET', '/_standin/state', { token: null });
			expect(st.status).toBe(200);
			expect(st.body.requestCount).toBe(1);
			expect(st.body.statuses).toEqual(
				expect.arrayContaining([
					expect.objectContaining({
						subscriberIdString: 'ctl@x.com',
						subscriptionId: IDS.marketing,
						status: 'SUBSCRIBED',
					}),
				]),
			);
			expect(st.body.wideStatuses).toEqual([
				expect.objectContaining({
					subscriberIdString: 'ctl2@x.com',
					wideStatusType: 'BUSINESS_UNIT_WIDE',
				}),
			]);
			expect(st.body.contacts[0].properties.firstname).toBe('C');
			expect(st.text).not.toContain(ENTERPRISE_TOKEN);
			const rs = await call(s, 'POST', '/_standin/reset', { token: null });
			expect(rs.status).toBe(200);
			expect(s.requests).toEqual([]);
			expect(s.state.statusesOf('ctl@x.com').every((x) => x.status === 'NOT_SPECIFIED')).toBe(true);
			expect(s.state.contacts).toEqual([]);
		});

		// Mutation that turns it red: in OutageSwitch.take, return undefined for mode 'daily-limit'
		// (or drop `this.outageSwitch.take(...) ??` from onRequest).
		test('POST /_standin/outage: 503 or the daily-limit 429 on every request until switched off; arrivals recorded', async () => {
			const on = await call(s, 'POST', '/_standin/outage', {
				token: null,
				body: { mode: 'http-503' },
			});
			expect(on.body).toMatchObject({ mode: 'http-503', scope: 'all', refused: 0 });
			const read = await call(
				s,
				'GET',
				'/communication-preferences/v4/statuses/out%40x.com?channel=EMAIL',
			);
			const write = await call(s, 'POST', '/communication-preferences/v4/statuses/out%40x.com', {
				body: statusBody(IDS.marketing, 'SUBSCRIBED'),
			});
			expect([read.status, write.status]).toEqual([503, 503]);
			await call(s, 'POST', '/_standin/outage', {
				token: null,
				body: { mode: 'daily-limit', scope: 'writes' },
			});
			expect(
				(await call(s, 'GET', '/communication-preferences/v4/statuses/out%40x.com?channel=EMAIL'))
					.status,
			).toBe(200);
			const daily = await call(s, 'POST', '/communication-preferences/v4/statuses/out%40x.com', {
				body: statusBody(IDS.marketing, 'SUBSCRIBED'),
			});
			expect(daily.status).toBe(429);
			expect(daily.body).toMatchObject({
				errorType: 'RATE_LIMIT',
				policyName: 'DAILY',
				message: 'You have reached your daily limit.',
			});
			expect((await call(s, 'GET', '/_standin/outage', { token: null })).body).toMatchObject({
				mode: 'daily-limit',
				scope: 'writes',
				refused: 1,
			});
			expect(s.state.writesFor('out@x.com')).toEqual([]);
			expect(
				(await call(s, 'POST', '/_standin/outage', { token: null, body: { mode: 'down' } })).status,
			).toBe(400);
			await call(s, 'POST', '/_standin/outage', { token: null, body: { mode: 'off' } });
			const after = await call(s, 'POST', '/communication-preferences/v4/statuses/out%40x.com', {
				body: statusBody(IDS.marketing, 'SUBSCRIBED'),
			});
			expect(after.status).toBe(200);
			expect(
				s.requests
					.filter((r) => r.path.includes('out%40x.com'))
					.map((r) => `${r.method} ${r.status}`),
			).toEqual(['GET 503', 'POST 503', 'GET 200', 'POST 429', 'POST 200']);
			expect(s.outage.mode).toBe('off');
		});

		test('seed helpers: setStatus pre-sets UNSUBSCRIBED, which a later SUBSCRIBED treats as a resubscribe', async () => {
			s.setStatus('seeded@x.com', IDS.marketing, 'UNSUBSCRIBED');
			const r = await call(s, 'POST', '/communication-preferences/v4/statuses/seeded%40x.com', {
				body: statusBody(IDS.marketing, 'SUBSCRIBED'),
			});
			expect(r.body.results[0].setStatusSuccessReason).toBe('RESUBSCRIBE_OCCURRED');
		});

		test('latencyMs delays every response', async () => {
			const slow = await startHubSpotStandIn({ latencyMs: [40, 60] });
			try {
				const r = await call(slow, 'GET', '/communication-preferences/v4/definitions');
				expect(r.status).toBe(200);
				expect(r.ms).toBeGreaterThanOrEqual(38);
			} finally {
				await slow.close();
			}
		});

		test('custom options: tokens, definitions, port', async () => {
			const probe = await startHubSpotStandIn();
			const freePort = probe.port; // a port known to be free once the probe is closed
			await probe.close();
			const custom = await startHubSpotStandIn({
				port: freePort,
				tokens: { 'my-token': [SCOPES.read] },
				definitions: [{ id: 5, name: 'Only type' }],
			});
			try {
				expect(custom.port).toBe(freePort);
				expect(custom.url).toBe(`http://127.0.0.1:${freePort}`);
				expect(
					(await call(custom, 'GET', '/communication-preferences/v4/definitions')).status,
				).toBe(401);
				const r = await call(custom, 'GET', '/communication-preferences/v4/definitions', {
					token: 'my-token',
				});
				expect(r.body.results).toEqual([
					expect.objectContaining({
						id: '5',
						name: 'Only type',
						businessUnitId: 0,
						isActive: true,
					}),
				]);
				expect(custom.acceptedTokens()).toEqual({ 'my-token': [SCOPES.read] });
			} finally {
				await custom.close();
			}
		});
	});
});

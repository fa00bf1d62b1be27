/**
 * The HTTP side of the stand-in: recording, faults, auth, rate limits, scopes, routing, latency.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { randomBytes, randomUUID } from 'node:crypto';
import * as commprefs from './commprefs';
import * as crm from './crm';
import type { HandlerContext } from './context';
import {
	errorBody,
	expiredAuthentication,
	htmlErrorPage,
	invalidAuthentication,
	methodNotAllowed,
	missingScopes,
	notFound,
	rateLimited,
	serverErrorBody,
	type HttpReply,
} from './errors';
import {
	FaultBook,
	OutageSwitch,
	type FaultAction,
	type OutageMode,
	type OutageScope,
	type OutageState,
} from './faults';
import { RateLimiter } from './ratelimit';
import { SCOPES, defaultDefinitions, defaultTokens } from './seed';
import { StandInState } from './state';
import type {
	Contact,
	Fault,
	LegalBasis,
	PublicStatus,
	RecordedRequest,
	StandInOptions,
	StatusState,
} from './types';

export interface StandIn {
	/** e.g. 'http://127.0.0.1:41234' */
	url: string;
	port: number;
	/** Every request received (control requests under /_standin excluded), in arrival order. */
	requests: RecordedRequest[];
	state: StandInState;
	injectFault(fault: Fault): void;
	clearFaults(): void;
	/** Faults still waiting to be consumed. */
	readonly pendingFaults: Fault[];
	/**
	 * An outage until switched off ('off'): every request (scope 'all', the default) or every write
	 * answers 503 ('http-503') or HubSpot's daily-limit 429 ('daily-limit'). Also over HTTP:
	 * POST /_standin/outage {"mode", "scope"}, GET /_standin/outage.
	 */
	setOutage(mode: OutageMode | 'off', scope?: OutageScope): OutageState;
	readonly outage: OutageState;
	/** Every later use of this token answers 401 EXPIRED_AUTHENTICATION. */
	expireAccessToken(token: string): void;
	/** Accept another Bearer token with these scopes. */
	addToken(token: string, scopes: string[]): void;
	/** Bearer tokens currently accepted (and not expired), with their scopes. */
	acceptedTokens(): Record<string, string[]>;
	/** Seed: set a type's status for an address directly (no validation). */
	setStatus(
		email: string,
		subscriptionId: number,
		status: StatusState,
		opts?: { legalBasis?: LegalBasis; legalBasisExplanation?: string; source?: string },
	): PublicStatus;
	/** Seed: opt an address out of all email of a brand (default 0, the Account brand). */
	optOutOfAll(email: string, businessUnitId?: number): PublicStatus[];
	/** Seed: create or update a contact without validation. */
	seedContact(email: string, properties?: Record<string, string>): Contact;
	/** Back to the seed: state, tokens, rate-limit counters, requests and faults cleared; stalled requests dropped. */
	reset(): void;
	close(): Promise<void>;
}

interface TokenInfo {
	scopes: string[];
	/** epoch ms after which the token is expired */
	expiresAt?: number;
}

interface Route {
	method: string;
	pattern: RegExp;
	params: string[];
	handler: (ctx: HandlerContext) => HttpReply;
	/** Any one of these scopes grants access. */
	scopes: (version: string) => string[];
	/** Sets of scopes that grant access only together (e.g. read AND write). */
	scopeSets?: (version: string) => string[][];
}

const V4_READ = [SCOPES.read, SCOPES.readWrite];
const V4_WRITE = [SCOPES.write, SCOPES.readWrite];

function versioned(v4: string[], dated: string[]): (version: string) => string[] {
	return (version) => (version === 'v4' ? v4 : [...v4, ...dated]);
}

const COMM_ROUTES: Route[] = [
	{
		method: 'GET',
		pattern: /^\/definitions$/,
		params: [],
		handler: commprefs.getDefinitions,
		scopes: versioned(V4_READ, [SCOPES.datedDefinitionRead]),
	},
	{
		method: 'POST',
		pattern: /^\/statuses\/batch\/unsubscribe-all\/read$/,
		params: [],
		handler: commprefs.batchUnsubscribeAllRead,
		scopes: versioned([SCOPES.batchRead], [SCOPES.datedBatchRead]),
	},
	{
		method: 'POST',
		pattern: /^\/statuses\/batch\/unsubscribe-all$/,
		params: [],
		handler: commprefs.batchUnsubscribeAll,
		scopes: versioned([SCOPES.batchWrite], [SCOPES.datedBatchWrite]),
	},
	{
		method: 'POST',
		pattern: /^\/statuses\/batch\/read$/,
		params: [],
		handler: commprefs.batchRead,
		scopes: versioned([SCOPES.batchRead], [SCOPES.datedBatchRead]),
	},
	{
		method: 'POST',
		pattern: /^\/statuses\/batch\/write$/,
		params: [],
		handler: commprefs.batchWrite,
		scopes: versioned([SCOPES.batchWrite], [SCOPES.datedBatchWrite]),
	},
	{
		method: 'GET',
		pattern: /^\/statuses\/([^/]+)\/unsubscribe-all$/,
		params: ['email'],
		handler: commprefs.getUnsubscribeAll,
		scopes: versioned(V4_READ, [SCOPES.datedStatusRead]),
	},
	{
		method: 'POST',
		pattern: /^\/statuses\/([^/]+)\/unsubscribe-all$/,
		params: ['email'],
		handler: commprefs.postUnsubscribeAll,
		scopes: versioned(V4_WRITE, [SCOPES.datedStatusWrite]),
	},
	{
		method: 'GET',
		pattern: /^\/statuses\/([^/]+)$/,
		params: ['email'],
		handler: commprefs.getStatuses,
		scopes: versioned(V4_READ, [SCOPES.datedStatusRead]),
	},
	{
		method: 'POST',
		pattern: /^\/statuses\/([^/]+)$/,
		params: ['email'],
		handler: commprefs.postStatus,
		scopes: versioned(V4_WRITE, [SCOPES.datedStatusWrite]),
	},
	// HubSpot's v4 guide: communication_preferences.read_write, or .read AND .write. For the dated versions
	// HubSpot names no scope for this endpoint: the stand-in also takes their status read AND write pair.
	{
		method: 'POST',
		pattern: /^\/links\/generate$/,
		params: [],
		handler: commprefs.generateLinks,
		scopes: () => [SCOPES.readWrite],
		scopeSets: (version) => [
			[SCOPES.read, SCOPES.write],
			...(version === 'v4' ? [] : [[SCOPES.datedStatusRead, SCOPES.datedStatusWrite]]),
		],
	},
];

const CRM_ROUTES: Route[] = [
	{
		method: 'GET',
		pattern: /^\/crm\/v3\/properties\/contacts$/,
		params: [],
		handler: crm.listProperties,
		scopes: () => [SCOPES.contactsRead, SCOPES.schemasRead],
	},
	{
		method: 'POST',
		pattern: /^\/crm\/v3\/properties\/contacts$/,
		params: [],
		handler: crm.createProperty,
		scopes: () => [SCOPES.schemasWrite],
	},
	{
		method: 'POST',
		pattern: /^\/crm\/v3\/objects\/contacts\/batch\/upsert$/,
		params: [],
		handler: crm.batchUpsertContacts,
		scopes: () => [SCOPES.contactsWrite],
	},
];

const COMM_PREFIX = /^\/communication-preferences\/([^/]+)(\/.*)?$/;

function parseQuery(qs: string): Record<string, string> {
	const out: Record<string, string> = {};
	for (const [k, v] of new URLSearchParams(qs)) if (!(k in out)) out[k] = v;
	return out;
}

function readBody(req: IncomingMessage): Promise<string> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
		req.on('error', reject);
	});
}

function sleep(ms: number): Promise<void> {
	return ms > 0 ? new Promise((r) => setTimeout(r, ms)) : Promise.resolve();
}

interface Incoming {
	method: string;
	rawPath: string;
	query: Record<string, string>;
	headers: IncomingMessage['headers'];
	rawBody: string;
}

class StandInServer implements StandIn {
	url = '';
	port = 0;
	readonly requests: RecordedRequest[] = [];
	readonly state: StandInState;
	private readonly clock: () => number;
	private readonly faults: FaultBook;
	private readonly outageSwitch: OutageSwitch;
	private readonly limiter: RateLimiter;
	private readonly seedTokens: Record<string, string[]>;
	private tokens = new Map<string, TokenInfo>();
	private readonly server: Server;
	private readonly sockets = new Set<Socket>();
	private readonly stalls = new Set<{
		timer?: NodeJS.Timeout;
		res: ServerResponse;
		record: RecordedRequest;
	}>();
	private readonly latency: [number, number];
	private readonly maxBatchInputs: number;
	private closing = false;

	constructor(private readonly options: StandInOptions) {
		this.clock = options.now ?? Date.now;
		this.state = new StandInState(
			options.definitions ?? defaultDefinitions(),
			this.clock,
			options.gdprEnabled ?? true,
		);
		this.faults = new FaultBook(this.clock);
		this.outageSwitch = new OutageSwitch(this.clock);
		this.limiter = new RateLimiter(
			options.rateLimit === undefined ? { maxRequests: 100, windowMs: 10000 } : options.rateLimit,
			this.clock,
		);
		this.seedTokens = options.tokens ?? defaultTokens();
		this.resetTokens();
		this.latency = options.latencyMs ?? [0, 0];
		this.maxBatchInputs = options.maxBatchInputs ?? 100;
		this.server = createServer((req, res) => {
			this.onRequest(req, res).catch((e) => {
				if (!res.headersSent && !res.destroyed) {
					res.writeHead(500, { 'content-type': 'application/json;charset=utf-8' });
					res.end(
						JSON.stringify(
							errorBody(
								'INTERNAL_ERROR',
								`stand-in internal error: ${e instanceof Error ? e.message : String(e)}`,
							),
						),
					);
				}
			});
		});
		this.server.on('connection', (s: Socket) => {
			this.sockets.add(s);
			s.on('close', () => this.sockets.delete(s));
		});
	}

	async listen(): Promise<void> {
		const host = this.options.host ?? '127.0.0.1';
		await new Promise<void>((resolve, reject) => {
			this.server.once('error', reject);
			this.server.listen(this.options.port ?? 0, host, () => {
				this.server.off('error', reject);
				resolve();
			});
		});
		const addr = this.server.address();
		if (addr === null || typeof addr === 'string') throw new Error('stand-in: no TCP address');
		this.port = addr.port;
		this.url = `http://${host.includes(':') ? `[${host}]` : host}:${addr.port}`;
	}

	private resetTokens(): void {
		this.tokens = new Map(Object.entries(this.seedTokens).map(([t, s]) => [t, { scopes: [...s] }]));
	}

	// ------------------------------------------------------------ public API

	injectFault(fault: Fault): void {
		this.faults.inject(fault);
	}

	clearFaults(): void {
		this.faults.clear();
	}

	get pendingFaults(): Fault[] {
		return this.faults.pending;
	}

	setOutage(mode: OutageMode | 'off', scope?: OutageScope): OutageState {
		return this.outageSwitch.set(mode, scope);
	}

	get outage(): OutageState {
		return this.outageSwitch.state;
	}

	expireAccessToken(token: string): void {
		const info = this.tokens.get(token) ?? { scopes: [] };
		info.expiresAt = Math.min(info.expiresAt ?? Infinity, this.clock());
		this.tokens.set(token, info);
	}

	addToken(token: string, scopes: string[]): void {
		this.tokens.set(token, { scopes: [...scopes] });
	}

	acceptedTokens(): Record<string, string[]> {
		const now = this.clock();
		const out: Record<string, string[]> = {};
		for (const [t, info] of this.tokens)
			if (info.expiresAt === undefined || now < info.expiresAt) out[t] = [...info.scopes];
		return out;
	}

	setStatus(
		email: string,
		subscriptionId: number,
		status: StatusState,
		opts?: { legalBasis?: LegalBasis; legalBasisExplanation?: string; source?: string },
	): PublicStatus {
		return this.state.setStatus(email, subscriptionId, status, opts);
	}

	optOutOfAll(email: string, businessUnitId = 0): PublicStatus[] {
		return this.state.optOutOfAll(email, businessUnitId);
	}

	seedContact(email: string, properties: Record<string, string> = {}): Contact {
		return this.state.seedContact(email, properties);
	}

	reset(): void {
		this.dropStalls();
		this.state.reset();
		this.faults.clear();
		this.outageSwitch.set('off');
		this.limiter.reset();
		this.resetTokens();
		this.requests.length = 0;
	}

	async close(): Promise<void> {
		this.closing = true;
		this.dropStalls();
		await new Promise<void>((resolve) => {
			this.server.close(() => resolve());
			this.server.closeAllConnections();
			for (const s of this.sockets) s.destroy();
		});
	}

	private dropStalls(): void {
		for (const st of this.stalls) {
			if (st.timer) clearTimeout(st.timer);
			st.record.status = 0;
			st.record.respondedAt = this.clock();
			st.res.destroy();
		}
		this.stalls.clear();
	}

	// ------------------------------------------------------------ request pipeline

	private async onRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
		const rawUrl = req.url ?? '/';
		const q = rawUrl.indexOf('?');
		const rawPath = q >= 0 ? rawUrl.slice(0, q) : rawUrl;
		const query = parseQuery(q >= 0 ? rawUrl.slice(q + 1) : '');
		const rawBody = await readBody(req);
		const method = (req.method ?? 'GET').toUpperCase();
		const incoming: Incoming = { method, rawPath, query, headers: req.headers, rawBody };

		if (rawPath === '/_standin' || rawPath.startsWith('/_standin/')) {
			this.send(res, this.control(incoming));
			return;
		}

		let body: unknown = rawBody;
		if (rawBody !== '') {
			try {
				body = JSON.parse(rawBody);
			} catch {
				body = rawBody;
			}
		}
		const record: RecordedRequest = {
			method,
			path: rawPath,
			query,
			headers: { ...req.headers },
			body,
			rawBody,
			status: null,
			receivedAt: this.clock(),
			respondedAt: null,
		};
		this.requests.push(record);

		const fault = this.outageSwitch.take(method, rawPath) ?? this.faults.take(method, rawPath);
		if (fault) {
			await this.applyFault(fault, incoming, record, res);
			return;
		}
		const reply = this.process(incoming);
		await this.delay();
		this.finish(res, record, reply);
	}

	private async applyFault(
		fault: FaultAction,
		incoming: Incoming,
		record: RecordedRequest,
		res: ServerResponse,
	): Promise<void> {
		switch (fault.kind) {
			case 'status': {
				const text =
					fault.body ??
					(fault.status >= 502 && fault.status <= 504
						? htmlErrorPage(fault.status)
						: JSON.stringify(serverErrorBody(fault.status)));
				const contentType = text.trimStart().startsWith('<')
					? 'text/html; charset=utf-8'
					: 'application/json;charset=utf-8';
				await this.delay();
				this.finish(res, record, {
					status: fault.status,
					body: null,
					text,
					contentType,
					headers: fault.headers,
				});
				return;
			}
			case 'rateLimit': {
				const headers = this.limiter.headersFor(this.bearer(incoming.headers), true);
				if (fault.retryAfterSeconds !== undefined)
					headers['Retry-After'] = String(fault.retryAfterSeconds);
				await this.delay();
				this.finish(res, record, rateLimited(fault.policy, headers));
				return;
			}
			case 'storm': {
				const headers = this.limiter.headersFor(this.bearer(incoming.headers), true);
				await this.delay();
				this.finish(res, record, rateLimited('TEN_SECONDLY_ROLLING', headers));
				return;
			}
			case 'reset': {
				if (fault.applyBeforeFault) this.process(incoming);
				record.status = 0;
				record.respondedAt = this.clock();
				res.destroy();
				return;
			}
			case 'stall': {
				const early = fault.applyBeforeFault ? this.process(incoming) : undefined;
				const entry: { timer?: NodeJS.Timeout; res: ServerResponse; record: RecordedRequest } = {
					res,
					record,
				};
				this.stalls.add(entry);
				if (fault.ms === Infinity) return; // held until reset() / close()
				entry.timer = setTimeout(() => {
					this.stalls.delete(entry);
					if (this.closing) return;
					// The server finishes the work even if the client has given up meanwhile.
					const reply = early ?? this.process(incoming);
					this.finish(res, record, reply);
				}, fault.ms);
				return;
			}
		}
	}

	private async delay(): Promise<void> {
		const [a, b] = this.latency;
		if (b <= 0 && a <= 0) return;
		await sleep(a + Math.random() * Math.max(0, b - a));
	}

	private finish(res: ServerResponse, record: RecordedRequest, reply: HttpReply): void {
		record.status = reply.status;
		record.respondedAt = this.clock();
		this.send(res, reply);
	}

	private send(res: ServerResponse, reply: HttpReply): void {
		if (res.destroyed || res.headersSent) return;
		const headers: Record<string, string> = { ...(reply.headers ?? {}) };
		let payload: string;
		if (reply.text !== undefined) {
			payload = reply.text;
			headers['content-type'] = reply.contentType ?? 'text/plain; charset=utf-8';
		} else if (reply.body === undefined || reply.status === 204) {
			payload = '';
		} else {
			payload = JSON.stringify(reply.body);
			headers['content-type'] = 'application/json;charset=utf-8';
			const cid = (reply.body as { correlationId?: unknown } | null)?.correlationId;
			headers['x-hubspot-correlation-id'] = typeof cid === 'string' ? cid : randomUUID();
		}
		res.writeHead(reply.status, headers);
		res.end(payload);
	}

	private bearer(headers: IncomingMessage['headers']): string | undefined {
		const h = headers.authorization;
		if (typeof h !== 'string') return undefined;
		const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
		return m ? m[1] : undefined;
	}

	/** Route, authenticate, rate-limit, check scopes and run the handler. State changes happen here. */
	private process(inc: Incoming): HttpReply {
		if (inc.rawPath === '/oauth/v1/token') {
			return inc.method === 'POST' ? this.oauthToken(inc) : methodNotAllowed(inc.method);
		}
		const found = this.route(inc);
		if ('reply' in found) return found.reply;
		const { route, params, version } = found;

		const token = this.bearer(inc.headers);
		const info = token === undefined ? undefined : this.tokens.get(token);
		if (token === undefined || info === undefined) return invalidAuthentication();
		const now = this.clock();
		if (info.expiresAt !== undefined && now >= info.expiresAt)
			return expiredAuthentication(now - info.expiresAt);

		const rate = this.limiter.take(token);
		if (!rate.allowed) return rateLimited(rate.policy, rate.headers);
		const withRate = (r: HttpReply): HttpReply => ({
			...r,
			headers: { ...rate.headers, ...(r.headers ?? {}) },
		});

		const anyOf = route.scopes(version);
		const granted =
			anyOf.some((s) => info.scopes.includes(s)) ||
			(route.scopeSets?.(version) ?? []).some((set) => set.every((s) => info.scopes.includes(s)));
		if (!granted)
			return withRate(missingScopes([...anyOf, ...(route.scopeSets?.(version) ?? []).flat()]));

		const ctx: HandlerContext = {
			method: inc.method,
			path: inc.rawPath,
			params,
			query: inc.query,
			rawBody: inc.rawBody,
			state: this.state,
			maxBatchInputs: this.maxBatchInputs,
			clock: this.clock,
		};
		try {
			return withRate(route.handler(ctx));
		} catch (e) {
			return withRate({
				status: 500,
				body: errorBody(
					'INTERNAL_ERROR',
					`internal error: ${e instanceof Error ? e.message : String(e)}`,
				),
			});
		}
	}

	private route(
		inc: Incoming,
	): { route: Route; params: Record<string, string>; version: string } | { reply: HttpReply } {
		let routes: Route[];
		let sub: string;
		let version = '';
		const m = COMM_PREFIX.exec(inc.rawPath);
		if (m) {
			version = m[1];
			if (!(commprefs.SUPPORTED_VERSIONS as readonly string[]).includes(version))
				return { reply: notFound(inc.rawPath) };
			routes = COMM_ROUTES;
			sub = m[2] ?? '';
		} else {
			routes = CRM_ROUTES;
			sub = inc.rawPath;
		}
		let pathMatched = false;
		for (const r of routes) {
			const pm = r.pattern.exec(sub);
			if (!pm) continue;
			pathMatched = true;
			if (r.method !== inc.method) continue;
			const params: Record<string, string> = {};
			for (let i = 0; i < r.params.length; i++) {
				try {
					params[r.params[i]] = decodeURIComponent(pm[i + 1]);
				} catch {
					params[r.params[i]] = pm[i + 1];
				}
			}
			return { route: r, params, version };
		}
		return { reply: pathMatched ? methodNotAllowed(inc.method) : notFound(inc.rawPath) };
	}

	private oauthToken(inc: Incoming): HttpReply {
		const form = new URLSearchParams(inc.rawBody);
		const oauth = this.options.oauth;
		const fail = (status: string, message: string): HttpReply => ({
			status: 400,
			body: { status, message, correlationId: randomUUID() },
		});
		const grant = form.get('grant_type');
		if (grant !== 'refresh_token' && grant !== 'authorization_code') {
			return fail(
				'BAD_GRANT_TYPE',
				'grant_type must be one of [authorization_code, refresh_token]',
			);
		}
		if (!oauth || form.get('client_id') !== oauth.clientId)
			return fail('BAD_CLIENT_ID', 'missing or unknown client id');
		if (form.get('client_secret') !== oauth.clientSecret)
			return fail('BAD_CLIENT_SECRET', 'missing or invalid client secret');
		if (grant === 'authorization_code')
			return fail('BAD_AUTH_CODE', 'missing or invalid auth code');
		const refresh = form.get('refresh_token') ?? '';
		const scopes = oauth.refreshTokens?.[refresh];
		if (!scopes) return fail('BAD_REFRESH_TOKEN', 'missing or invalid refresh token');
		const ttl = this.options.oauthAccessTokenTtlSeconds ?? 1800;
		const access = `oat-standin-${randomBytes(24).toString('hex')}`;
		this.tokens.set(access, { scopes: [...scopes], expiresAt: this.clock() + ttl * 1000 });
		return {
			status: 200,
			body: { token_type: 'bearer', refresh_token: refresh, access_token: access, expires_in: ttl },
		};
	}

	private control(inc: Incoming): HttpReply {
		if (inc.rawPath === '/_standin/state' && inc.method === 'GET') {
			const requestsByStatus: Record<string, number> = {};
			for (const request of this.requests) {
				const key = String(request.status ?? 'pending');
				requestsByStatus[key] = (requestsByStatus[key] ?? 0) + 1;
			}
			const summaryOnly = inc.query.summary === 'true';
			const summary = {
				requestCount: this.requests.length,
				requestsByStatus,
				pendingFaults: this.faults.pending.length,
			};
			return {
				status: 200,
				body: summaryOnly
					? { ...summary, statusCount: this.state.snapshot().statuses.length }
					: { ...this.state.snapshot(), ...summary },
			};
		}
		if (inc.rawPath === '/_standin/outage') return this.outageControl(inc);
		if (inc.rawPath === '/_standin/reset' && inc.method === 'POST') {
			this.reset();
			return { status: 200, body: { status: 'ok' } };
		}
		return notFound(inc.rawPath);
	}

	/** GET: the outage switch; POST {"mode": "http-503" | "daily-limit" | "off", "scope": "all" | "writes"}: set it. */
	private outageControl(inc: Incoming): HttpReply {
		if (inc.method === 'GET') return { status: 200, body: this.outage };
		if (inc.method !== 'POST') return methodNotAllowed(inc.method);
		try {
			const body = JSON.parse(inc.rawBody || '{}') as {
				mode?: OutageMode | 'off';
				scope?: OutageScope;
			};
			return { status: 200, body: this.setOutage(body.mode ?? 'off', body.scope ?? 'all') };
		} catch (error) {
			return {
				status: 400,
				body: errorBody('VALIDATION_ERROR', error instanceof Error ? error.message : String(error)),
			};
		}
	}
}

/** Start a stand-in on 127.0.0.1 (random port by default). */
export async function startHubSpotStandIn(options: StandInOptions = {}): Promise<StandIn> {
	const s = new StandInServer(options);
	await s.listen();
	return s;
}

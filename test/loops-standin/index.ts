import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * Loops stand-in: the two Loops API endpoints the Loops Trigger's opt-in lookup uses, over real
 * HTTP on 127.0.0.1, written from Loops' documentation:
 *
 * - GET /api/v1/api-key → {"success": true, "teamName": …}, or 401 {"success": false, "message":
 *   "Invalid API key"} (https://loops.so/docs/api-reference/api-key);
 * - GET /api/v1/contacts/find?email=… → a list with the contact, empty when there is none; one of
 *   email or userId, not both (https://loops.so/docs/api-reference/find-contact);
 * - Bearer authentication, and Loops' rate limit of 10 requests per second per team, answered
 *   with 429 and the x-ratelimit-limit / x-ratelimit-remaining headers
 *   (https://loops.so/docs/api-reference/intro).
 *
 * Faults: failNext(status, times) answers the next contacts/find requests with that status.
 */

export interface LoopsContact {
	id: string;
	email: string;
	firstName?: string | null;
	lastName?: string | null;
	source?: string;
	subscribed: boolean;
	userGroup?: string;
	userId?: string | null;
	mailingLists?: Record<string, boolean>;
	optInStatus: 'accepted' | 'pending' | 'rejected' | null;
	[custom: string]: unknown;
}

export interface LoopsRecordedRequest {
	method: string;
	path: string;
	query: Record<string, string>;
	/** Whether the Authorization header carried a known key as a Bearer token. */
	authorized: boolean;
	at: number;
	status: number;
}

export interface LoopsStandIn {
	/** http://127.0.0.1:<port> */
	url: string;
	/** The credential's API Base URL: url + '/api'. */
	apiBaseUrl: string;
	readonly requests: LoopsRecordedRequest[];
	addContact(contact: Partial<LoopsContact> & { email: string }): LoopsContact;
	failNext(status: number, times?: number): void;
	reset(): void;
	close(): Promise<void>;
}

export const LOOPS_TEST_API_KEY = 'loops_test_key_7d1f0c2b9a8e4f65b3c1d2e0';
export const LOOPS_TEAM_NAME = 'Stand-in team';
export const LOOPS_RATE_LIMIT_PER_SECOND = 10;

function send(
	res: ServerResponse,
	status: number,
	body: unknown,
	headers: Record<string, string> = {},
) {
	res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', ...headers });
	res.end(JSON.stringify(body));
}

export async function startLoopsStandIn(
	options: { apiKeys?: string[] } = {},
): Promise<LoopsStandIn> {
	const keys = new Set(options.apiKeys ?? [LOOPS_TEST_API_KEY]);
	const contacts = new Map<string, LoopsContact>();
	const requests: LoopsRecordedRequest[] = [];
	const faults: number[] = [];
	const recentByKey = new Map<string, number[]>();
	let counter = 0;

	/** A sliding one-second window per key; refused requests do not count. True when over the limit. */
	const overLimit = (key: string, now: number) => {
		const recent = (recentByKey.get(key) ?? []).filter((at) => now - at < 1000);
		recentByKey.set(key, recent);
		if (recent.length >= LOOPS_RATE_LIMIT_PER_SECOND) return true;
		recent.push(now);
		return false;
	};

	const handle = (req: IncomingMessage, res: ServerResponse) => {
		const now = Date.now();
		const url = new URL(req.url ?? '/', 'http://127.0.0.1');
		const query = Object.fromEntries(url.searchParams.entries());
		const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
		const key = match && keys.has(match[1]) ? match[1] : undefined;
		const record = (status: number) =>
			requests.push({
				method: req.method ?? '',
				path: url.pathname,
				query,
				authorized: Boolean(key),
				at: now,
				status,
			});

		if (
			req.method !== 'GET' ||
			!['/api/v1/api-key', '/api/v1/contacts/find'].includes(url.pathname)
		) {
			record(404);
			return send(res, 404, { success: false, message: 'Not found' });
		}
		if (!key) {
			record(401);
			return send(res, 401, {
				success: false,
				message: 'Invalid API key',
				error: 'Invalid API key',
			});
		}
		if (overLimit(key, now)) {
			record(429);
			return send(
				res,
				429,
				{ success: false, message: 'Rate limit exceeded' },
				{ 'x-ratelimit-limit': String(LOOPS_RATE_LIMIT_PER_SECOND), 'x-ratelimit-remaining': '0' },
			);
		}
		if (url.pathname === '/api/v1/api-key') {
			record(200);
			return send(res, 200, { success: true, teamName: LOOPS_TEAM_NAME });
		}
		const fault = faults.shift();
		if (fault !== undefined) {
			record(fault);
			return send(res, fault, { success: false, message: `Injected fault ${fault}` });
		}
		const byEmail = url.searchParams.get('email');
		const byUserId = url.searchParams.get('userId');
		if ((byEmail === null) === (byUserId === null)) {
			record(400);
			return send(res, 400, { success: false, message: 'Provide one of email or userId.' });
		}
		const found =
			byEmail !== null
				? contacts.get(byEmail.trim().toLowerCase())
				: [...contacts.values()].find((contact) => contact.userId === byUserId);
		record(200);
		return send(res, 200, found ? [found] : []);
	};

	const server: Server = createServer(handle);
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

	return {
		url,
		apiBaseUrl: `${url}/api`,
		requests,
		addContact(contact) {
			const full: LoopsContact = {
				id: `cl_standin_${++counter}`,
				firstName: null,
				lastName: null,
				source: 'Form',
				subscribed: true,
				userGroup: '',
				userId: null,
				mailingLists: {},
				optInStatus: null,
				...contact,
			};
			contacts.set(full.email.trim().toLowerCase(), full);
			return full;
		},
		failNext(status, times = 1) {
			for (let i = 0; i < times; i++) faults.push(status);
		},
		reset() {
			contacts.clear();
			requests.length = 0;
			faults.length = 0;
			recentByKey.clear();
		},
		close: async () => await new Promise<void>((resolve) => server.close(() => resolve())),
	};
}

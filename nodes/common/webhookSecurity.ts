import { createHash, timingSafeEqual } from 'node:crypto';

import type { IWebhookFunctions } from 'n8n-workflow';

/**
 * Checks the verified webhook triggers share: the raw request bytes, headers, constant-time
 * comparisons and a bounded memory of delivery IDs. Their answers are in webhookTrigger.ts.
 */

/**
 * The request body exactly as it arrived. n8n keeps it as a Buffer in `req.rawBody` once it has
 * read the body; if it has not read it yet, `readRawBody()` does. Signatures are computed over
 * these bytes, never over JSON parsed and serialized again.
 */
export async function rawBodyOf(ctx: IWebhookFunctions): Promise<Buffer | undefined> {
	const req = ctx.getRequestObject();
	if (!Buffer.isBuffer(req.rawBody) && typeof req.readRawBody === 'function') {
		await req.readRawBody();
	}
	return Buffer.isBuffer(req.rawBody) ? req.rawBody : undefined;
}

/**
 * A header's value as Node's `message.headers` holds it, or undefined when it is missing or
 * empty. A header sent more than once is not one value here: Node keeps only the first
 * `authorization`, `content-type` and the other single-value headers it lists, and joins repeats
 * of every other header with ", " (https://nodejs.org/api/http.html#messageheaders). A joined
 * webhook-id, webhook-timestamp or shared-secret header then fails its check; joined
 * webhook-signature values read as one space-separated list, as Standard Webhooks sends several.
 */
export function singleHeader(ctx: IWebhookFunctions, name: string): string | undefined {
	const value = ctx.getHeaderData()[name.toLowerCase()];
	if (typeof value !== 'string' || value === '') return undefined;
	return value;
}

/**
 * Compares two secrets in constant time, whatever their lengths: both sides are hashed to 32
 * bytes first, so timingSafeEqual always gets equal-length buffers and the time taken does not
 * depend on how much of the value matched.
 */
export function secretsEqual(given: string | Buffer, expected: string | Buffer): boolean {
	const a = createHash('sha256').update(given).digest();
	const b = createHash('sha256').update(expected).digest();
	return timingSafeEqual(a, b);
}

/** Compares two MACs in constant time; different lengths never match. */
export function macsEqual(given: Buffer, expected: Buffer): boolean {
	return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Strict standard base64 (with or without padding); Buffer.from alone would skip bad characters. */
export function decodeBase64Strict(value: string): Buffer | undefined {
	if (!/^[A-Za-z0-9+/]+={0,2}$/.test(value) || value.replace(/=+$/, '').length % 4 === 1)
		return undefined;
	return Buffer.from(value, 'base64');
}

/** Strict base64url without padding, as JSON Web Tokens use it. */
export function decodeBase64UrlStrict(value: string): Buffer | undefined {
	if (!/^[A-Za-z0-9_-]*$/.test(value) || value.length % 4 === 1) return undefined;
	return Buffer.from(value, 'base64url');
}

/**
 * Remembers the delivery IDs a trigger node has already accepted, so a delivery sent twice (a
 * sender's retry, or a captured request replayed) starts the workflow once.
 *
 * Why module memory and not the workflow's static data: static data is one JSON object per
 * workflow that n8n reads when a request arrives and writes back as a whole; n8n does not
 * promise to save changes made inside `webhook()` (it varies between versions, and test
 * webhooks never save it), and two deliveries handled at the same time would overwrite each
 * other's additions. A map in this process is exact, costs no database write per event and is
 * bounded below. Its limits: it is per process and lost on restart. With several n8n processes
 * (queue mode with webhook processes, or several mains behind a load balancer) a repeat that
 * reaches another process is not recognised. Downstream writes must therefore stay idempotent,
 * as HubSpot's status writes are (a repeat answers NO_STATUS_CHANGE).
 */
export class ReplayMemory {
	private readonly nodes = new Map<string, Map<string, number>>();

	constructor(
		private readonly maxIdsPerNode = 10_000,
		private readonly maxNodes = 200,
	) {}

	/**
	 * Returns true when `id` was accepted by this node less than `ttlMs` ago; otherwise records it
	 * (with the time it may be forgotten) and returns false.
	 */
	seenBefore(nodeKey: string, id: string, ttlMs: number, now = Date.now()): boolean {
		let seen = this.nodes.get(nodeKey);
		if (seen) {
			// Most recently used node last, so the least recently used one is dropped first.
			this.nodes.delete(nodeKey);
			this.nodes.set(nodeKey, seen);
		} else {
			seen = new Map();
			this.nodes.set(nodeKey, seen);
			if (this.nodes.size > this.maxNodes) this.nodes.delete(this.nodes.keys().next().value!);
		}
		const forgetAt = seen.get(id);
		if (forgetAt !== undefined && forgetAt > now) return true;
		seen.delete(id);
		seen.set(id, now + ttlMs);
		// Drop expired entries from the oldest end, then the oldest ones beyond the bound.
		for (const [oldId, oldForgetAt] of seen) {
			if (oldForgetAt > now || seen.size <= 1) break;
			seen.delete(oldId);
		}
		while (seen.size > this.maxIdsPerNode) seen.delete(seen.keys().next().value!);
		return false;
	}

	/** Forgets one ID, so a later delivery with it is accepted again (a retry after a failed run). */
	forget(nodeKey: string, id: string) {
		this.nodes.get(nodeKey)?.delete(id);
	}

	/** Forgets everything (tests). */
	clear() {
		this.nodes.clear();
	}
}

/** One memory for every trigger node in this process, keyed by workflow and node. */
export const replayMemory = new ReplayMemory();

export function replayKey(ctx: IWebhookFunctions): string {
	return `${ctx.getWorkflow().id ?? ''}:${ctx.getNode().id}`;
}

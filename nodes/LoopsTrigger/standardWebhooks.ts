import { createHmac } from 'node:crypto';

import { decodeBase64Strict, macsEqual } from '../common/webhookSecurity';

/**
 * Verification of the Standard Webhooks signature scheme (https://www.standardwebhooks.com,
 * spec/standard-webhooks.md), which Loops uses for its outgoing webhooks:
 *
 * - headers `webhook-id`, `webhook-timestamp` (integer Unix seconds), `webhook-signature`
 *   (space-delimited `v1,<base64>` entries; several during a secret rotation, any match passes;
 *   other versions such as the asymmetric `v1a` are skipped);
 * - key: the secret after its `whsec_` prefix, base64-decoded (the spec asks for at least 24
 *   random bytes);
 * - signature: base64(HMAC-SHA256(key, `${id}.${timestamp}.` + the raw body bytes));
 * - a timestamp outside the tolerance, in either direction, is refused (the spec's reference
 *   libraries use 5 minutes).
 */

export const SECRET_PREFIX = 'whsec_';

/** The spec: "Random. At least 24 bytes (192 bits, 512 maximum)". */
export const MIN_KEY_BYTES = 24;
export const MAX_KEY_BYTES = 64;

export const DEFAULT_TOLERANCE_SECONDS = 5 * 60;

/** Why a request was refused. Kept for n8n's log; never sent to the caller. */
export type VerificationFailure =
	| 'missing-header'
	| 'malformed-timestamp'
	| 'timestamp-outside-tolerance'
	| 'malformed-id'
	| 'no-matching-signature';

export type VerificationResult =
	{ ok: true; webhookId: string; timestamp: number } | { ok: false; reason: VerificationFailure };

export interface SignedRequest {
	webhookId: string | undefined;
	timestamp: string | undefined;
	signature: string | undefined;
	rawBody: Buffer;
}

/**
 * The HMAC key of a signing secret, or an explanation of what is wrong with it. The `whsec_`
 * prefix is optional (the spec's reference libraries accept the bare base64 too).
 */
export function decodeSigningSecret(secret: unknown): { key: Buffer } | { problem: string } {
	if (typeof secret !== 'string' || secret.trim() === '')
		return { problem: 'The signing secret is empty.' };
	const trimmed = secret.trim();
	const encoded = trimmed.startsWith(SECRET_PREFIX) ? trimmed.slice(SECRET_PREFIX.length) : trimmed;
	const key = decodeBase64Strict(encoded);
	if (!key) {
		return {
			problem: 'The signing secret must be "whsec_" followed by base64, as Loops shows it.',
		};
	}
	if (key.length < MIN_KEY_BYTES || key.length > MAX_KEY_BYTES) {
		return {
			problem: `The signing secret decodes to ${key.length} bytes; Standard Webhooks secrets have ${MIN_KEY_BYTES} to ${MAX_KEY_BYTES}. Copy it again from Loops.`,
		};
	}
	return { key };
}

function mac(key: Buffer, webhookId: string, timestamp: string, rawBody: Buffer): Buffer {
	return createHmac('sha256', key)
		.update(`${webhookId}.${timestamp}.`, 'utf8')
		.update(rawBody)
		.digest();
}

export function verifyStandardWebhook(
	key: Buffer,
	request: SignedRequest,
	toleranceSeconds: number,
	nowSeconds = Math.floor(Date.now() / 1000),
): VerificationResult {
	const { webhookId, timestamp, signature, rawBody } = request;
	if (!webhookId || !timestamp || !signature) return { ok: false, reason: 'missing-header' };
	// A sanity bound only: the reference libraries put no limit on the id (nor refuse a "." in
	// it, which the spec asks senders to avoid), and Loops' ids are short opaque strings.
	if (webhookId.length > 1024) return { ok: false, reason: 'malformed-id' };
	if (!/^[0-9]{1,12}$/.test(timestamp)) return { ok: false, reason: 'malformed-timestamp' };
	const sentAt = Number(timestamp);
	if (Math.abs(nowSeconds - sentAt) > toleranceSeconds) {
		return { ok: false, reason: 'timestamp-outside-tolerance' };
	}
	const expected = mac(key, webhookId, timestamp, rawBody);
	let matched = false;
	// Bounded, so a huge header cannot make the node do unbounded work.
	for (const entry of signature.split(' ').slice(0, 32)) {
		const comma = entry.indexOf(',');
		if (comma < 0 || entry.slice(0, comma) !== 'v1') continue;
		const given = decodeBase64Strict(entry.slice(comma + 1));
		// Every entry is compared (no early exit), each in constant time.
		if (given && macsEqual(given, expected)) matched = true;
	}
	if (!matched) return { ok: false, reason: 'no-matching-signature' };
	return { ok: true, webhookId, timestamp: sentAt };
}

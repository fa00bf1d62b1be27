import { createHmac } from 'node:crypto';

import type { IDataObject } from 'n8n-workflow';

import { decodeBase64UrlStrict, macsEqual } from '../common/webhookSecurity';

/**
 * Verification of an HMAC-signed JSON Web Token (RFC 7519, JWS compact serialization RFC 7515,
 * algorithms RFC 7518 §3.2), with node:crypto only.
 *
 * Emarsys documents that a Webhook node preset can use "JWT authentication" with a "JWT Secret",
 * but not the token's header, algorithm or claims. This verifier therefore accepts what a
 * shared-secret JWT can be: HS256, HS384 or HS512 with the secret, `exp` / `nbf` / `iat` checked
 * when they are present, and a bounded lifetime: `exp`, or else `iat` plus a maximum age (a token
 * with neither only when the caller allows it). It refuses `alg: none`, every other algorithm
 * (RS*, ES*, PS* would need a public key; accepting them with the secret is the classic
 * key-confusion attack), tokens with a `crit` header (extensions this verifier does not
 * understand) and anything malformed.
 */

export const HMAC_ALGORITHMS = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' } as const;
export type HmacAlgorithm = keyof typeof HMAC_ALGORITHMS;

export type JwtFailure =
	| 'malformed'
	| 'algorithm-not-allowed'
	| 'unsupported-header'
	| 'bad-signature'
	| 'expired'
	| 'not-yet-valid'
	| 'issued-in-future'
	| 'too-old'
	| 'no-lifetime';

export type JwtResult =
	{ ok: true; header: IDataObject; claims: IDataObject } | { ok: false; reason: JwtFailure };

export interface JwtOptions {
	/** The shared secret's bytes. */
	key: Buffer;
	allowedAlgorithms: HmacAlgorithm[];
	/** Allowed difference between the sender's clock and this one, for exp, nbf and iat. */
	clockSkewSeconds: number;
	/**
	 * For a token without `exp`: when > 0, it is refused once its `iat` is older than this. A token
	 * with `exp` is held to its `exp` alone.
	 */
	maxAgeSeconds?: number;
	/** Whether a token with neither `exp` nor `iat` passes; it would otherwise be valid forever. */
	allowWithoutLifetime?: boolean;
	nowSeconds?: number;
}

/** Generous: a header value this long is not a token a Webhook node sends. */
const MAX_TOKEN_LENGTH = 8192;

function parseJsonObject(segment: string): IDataObject | undefined {
	const bytes = decodeBase64UrlStrict(segment);
	if (!bytes || bytes.length === 0) return undefined;
	try {
		const value: unknown = JSON.parse(bytes.toString('utf8'));
		return value !== null && typeof value === 'object' && !Array.isArray(value)
			? (value as IDataObject)
			: undefined;
	} catch {
		return undefined;
	}
}

/** A NumericDate claim (seconds since the epoch), or undefined when absent; NaN when malformed. */
function numericDate(claims: IDataObject, name: string): number | undefined {
	if (!(name in claims)) return undefined;
	const value = claims[name];
	return typeof value === 'number' && Number.isFinite(value) ? value : Number.NaN;
}

export function verifyHmacJwt(token: string, options: JwtOptions): JwtResult {
	if (token.length === 0 || token.length > MAX_TOKEN_LENGTH)
		return { ok: false, reason: 'malformed' };
	const parts = token.split('.');
	if (parts.length !== 3) return { ok: false, reason: 'malformed' };
	const [headerSegment, payloadSegment, signatureSegment] = parts;
	const header = parseJsonObject(headerSegment);
	if (!header) return { ok: false, reason: 'malformed' };

	// The algorithm comes from the token, so it is checked against the allow-list before anything
	// is verified with it; "none" and asymmetric algorithms are never in the list.
	const alg = header.alg;
	if (
		typeof alg !== 'string' ||
		!(options.allowedAlgorithms as string[]).includes(alg) ||
		!(alg in HMAC_ALGORITHMS)
	) {
		return { ok: false, reason: 'algorithm-not-allowed' };
	}
	if ('crit' in header) return { ok: false, reason: 'unsupported-header' };

	const signature = decodeBase64UrlStrict(signatureSegment);
	if (!signature) return { ok: false, reason: 'malformed' };
	const expected = createHmac(HMAC_ALGORITHMS[alg as HmacAlgorithm], options.key)
		.update(`${headerSegment}.${payloadSegment}`, 'ascii')
		.digest();
	if (!macsEqual(signature, expected)) return { ok: false, reason: 'bad-signature' };

	// Only a token with a valid signature gets its claims read.
	const claims = parseJsonObject(payloadSegment);
	if (!claims) return { ok: false, reason: 'malformed' };
	const now = options.nowSeconds ?? Math.floor(Date.now() / 1000);
	const skew = options.clockSkewSeconds;
	const exp = numericDate(claims, 'exp');
	const nbf = numericDate(claims, 'nbf');
	const iat = numericDate(claims, 'iat');
	if ([exp, nbf, iat].some((value) => value !== undefined && Number.isNaN(value)))
		return { ok: false, reason: 'malformed' };
	if (exp !== undefined && now >= exp + skew) return { ok: false, reason: 'expired' };
	if (nbf !== undefined && now + skew < nbf) return { ok: false, reason: 'not-yet-valid' };
	if (iat !== undefined && now + skew < iat) return { ok: false, reason: 'issued-in-future' };
	if (exp === undefined) {
		if (iat === undefined) {
			if (options.allowWithoutLifetime !== true) return { ok: false, reason: 'no-lifetime' };
		} else if (
			options.maxAgeSeconds &&
			options.maxAgeSeconds > 0 &&
			now - iat > options.maxAgeSeconds + skew
		) {
			return { ok: false, reason: 'too-old' };
		}
	}
	return { ok: true, header, claims };
}

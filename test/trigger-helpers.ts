import { createHmac, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';

/**
 * Test-side stand-ins for the senders: a Standard Webhooks signer (as Loops signs) and an HS*
 * JWT signer (as an Emarsys preset with "JWT authentication" is assumed to sign), both written
 * from the specifications, independent of the nodes' verifiers, plus a raw HTTP client.
 */

/** A signing secret as Standard Webhooks senders show it: "whsec_" + base64 of 32 random bytes. */
export function newSigningSecret(): string {
	return `whsec_${randomBytes(32).toString('base64')}`;
}

/**
 * The spec's scheme: key = base64-decode(secret without "whsec_"); content =
 * "{msg_id}.{timestamp}.{payload}"; signature = "v1," + base64(HMAC-SHA256(key, content)).
 */
export function standardWebhookSignature(
	secret: string,
	id: string,
	timestamp: number | string,
	body: Buffer | string,
) {
	const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
	const content = Buffer.concat([
		Buffer.from(`${id}.${timestamp}.`),
		Buffer.isBuffer(body) ? body : Buffer.from(body),
	]);
	return `v1,${createHmac('sha256', key).update(content).digest('base64')}`;
}

export function nowSeconds() {
	return Math.floor(Date.now() / 1000);
}

let webhookCounter = 0;

/** Headers and body of one Loops delivery, signed with `secret` (or as `overrides` say). */
export function signedLoopsDelivery(
	secret: string,
	payload: object | string,
	overrides: { id?: string; timestamp?: number | string; signature?: string } = {},
) {
	const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
	const id = overrides.id ?? `msg_test${Date.now().toString(36)}${++webhookCounter}`;
	const timestamp = overrides.timestamp ?? nowSeconds();
	const signature = overrides.signature ?? standardWebhookSignature(secret, id, timestamp, body);
	return {
		body,
		headers: {
			'content-type': 'application/json',
			'webhook-id': id,
			'webhook-timestamp': String(timestamp),
			'webhook-signature': signature,
		} as Record<string, string>,
		id,
	};
}

const b64url = (value: Buffer | string) => Buffer.from(value).toString('base64url');

/** RFC 7515 compact JWS with an HMAC algorithm (RFC 7518 §3.2). */
export function hmacJwt(
	claims: object,
	secret: Buffer | string,
	alg: 'HS256' | 'HS384' | 'HS512' = 'HS256',
	header: object = {},
) {
	const hash = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' }[alg];
	const signingInput = `${b64url(JSON.stringify({ alg, typ: 'JWT', ...header }))}.${b64url(JSON.stringify(claims))}`;
	return `${signingInput}.${createHmac(hash, secret).update(signingInput).digest('base64url')}`;
}

/** An unsigned token (alg "none"), as an attacker would send it. */
export function unsignedJwt(claims: object) {
	return `${b64url(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${b64url(JSON.stringify(claims))}.`;
}

export interface HttpAnswer {
	status: number;
	text: string;
	body: unknown;
	headers: Record<string, string | string[] | undefined>;
}

/** POSTs raw bytes exactly as given. */
export function post(
	url: string,
	body: string | Buffer,
	headers: Record<string, string> = {},
): Promise<HttpAnswer> {
	return new Promise((resolve, reject) => {
		const req = httpRequest(url, { method: 'POST', headers, agent: false }, (res) => {
			const chunks: Buffer[] = [];
			res.on('data', (chunk: Buffer) => chunks.push(chunk));
			res.on('end', () => {
				const text = Buffer.concat(chunks).toString('utf8');
				let parsed: unknown = text;
				try {
					parsed = JSON.parse(text);
				} catch {
					/* not JSON */
				}
				resolve({ status: res.statusCode ?? 0, text, body: parsed, headers: res.headers });
			});
			res.on('error', reject);
		});
		req.on('error', reject);
		req.end(body);
	});
}

/** Loops' documented example payloads (loops.so/docs/webhooks), with the given address. */
export const loopsPayloads = {
	contactCreated: (
		email: string,
		optInStatus: string | null = 'accepted',
		eventTime = nowSeconds(),
	) => ({
		eventName: 'contact.created',
		eventTime,
		webhookSchemaVersion: '1.0.0',
		contactIdentity: { id: 'cm4itta800003ow9hhekzk94o', email, userId: null },
		contact: {
			id: 'cm4itta800003ow9hhekzk94o',
			email,
			firstName: null,
			lastName: null,
			source: 'Form',
			subscribed: true,
			userGroup: '',
			userId: null,
			mailingLists: { cm4ittp2k000l12j3lgrzvlxt: true },
			optInStatus,
			favoriteColor: 'blue',
		},
	}),
	contactUnsubscribed: (email: string, eventTime = nowSeconds()) => ({
		eventName: 'contact.unsubscribed',
		eventTime,
		webhookSchemaVersion: '1.0.0',
		contactIdentity: { id: 'cm4ittmhq0011ow9h6fb460yw', email, userId: null },
	}),
	listEvent: (
		eventName: 'contact.mailingList.subscribed' | 'contact.mailingList.unsubscribed',
		email: string,
		listId = 'cm4ittp2k000l12j3lgrzvlxt',
		eventTime = nowSeconds(),
	) => ({
		eventName,
		eventTime,
		webhookSchemaVersion: '1.0.0',
		contactIdentity: { id: 'cm4ittmhq0011ow9h6fb460yw', email, userId: null },
		mailingList: { id: listId, name: 'Newsletter', description: null, isPublic: true },
	}),
	testEvent: (eventTime = nowSeconds()) => ({
		eventName: 'testing.testEvent',
		eventTime,
		message: 'test',
		webhookSchemaVersion: '1.0.0',
	}),
};

export async function until(condition: () => boolean, timeoutMs = 5000) {
	const started = Date.now();
	while (!condition()) {
		if (Date.now() - started > timeoutMs) throw new Error('Timed out waiting');
		await new Promise((resolve) => setTimeout(resolve, 10));
	}
}

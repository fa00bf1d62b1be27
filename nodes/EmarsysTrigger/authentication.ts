import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	INodeCredentialTestResult,
	IWebhookFunctions,
} from 'n8n-workflow';

import { decodeBase64Strict, secretsEqual, singleHeader } from '../common/webhookSecurity';
import { HMAC_ALGORITHMS, type HmacAlgorithm, verifyHmacJwt } from './jwt';

/**
 * How the Emarsys Trigger decides whether a request comes from the user's Emarsys preset: the
 * optional address allowlist, then the JWT, shared header or basic authentication of the chosen
 * credential. Also the credential tests, which can only check that a secret is usable.
 */

/** Emarsys' published source addresses of the Webhook node (help.emarsys.com, "Nodes: Webhook node"). */
export const EMARSYS_WEBHOOK_IPS = ['34.89.173.3', '35.246.249.205', '34.89.137.140'];

export const DEFAULT_CLOCK_SKEW_SECONDS = 30;
/** The lifetime of a token without exp, counted from its iat. */
export const DEFAULT_MAX_TOKEN_AGE_SECONDS = 5 * 60;

export type Authentication = 'jwt' | 'headerAuth' | 'basicAuth';

const CREDENTIAL_OF: Record<Authentication, string> = {
	jwt: 'emarsysWebhookJwtApi',
	headerAuth: 'emarsysWebhookHeaderApi',
	basicAuth: 'emarsysWebhookBasicAuthApi',
};

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** `reason` is for n8n's log only ("address", "configuration", "missing", "mismatch" or a JWT failure). */
export type AuthCheck = { ok: true; claims?: IDataObject } | { ok: false; reason: string };

/**
 * Runs every check the options and the chosen authentication ask for, and logs a failure
 * (a warning when the credential itself is unusable, so every request would fail).
 */
export async function authenticateRequest(
	ctx: IWebhookFunctions,
	authentication: Authentication,
	options: IDataObject,
): Promise<AuthCheck> {
	const check = await checkRequest(ctx, authentication, options);
	if (check.ok) return check;
	if (check.reason === 'configuration') {
		ctx.logger.warn('Emarsys Trigger: the credential is not usable; every request is refused', {
			node: ctx.getNode().name,
		});
	} else {
		ctx.logger.debug('Emarsys Trigger refused a request', {
			node: ctx.getNode().name,
			reason: check.reason,
		});
	}
	return check;
}

async function checkRequest(
	ctx: IWebhookFunctions,
	authentication: Authentication,
	options: IDataObject,
): Promise<AuthCheck> {
	if (
		options.restrictToEmarsysIps === true &&
		!isAllowedAddress(ctx, options.additionalAllowedIps)
	) {
		return { ok: false, reason: 'address' };
	}
	const credentialType = CREDENTIAL_OF[authentication];
	if (!credentialType) return { ok: false, reason: 'configuration' };
	const credentials = await ctx.getCredentials(credentialType);
	if (authentication === 'jwt') return checkJwt(ctx, credentials, options);
	if (authentication === 'headerAuth') return checkSharedHeader(ctx, credentials);
	return checkBasicAuth(ctx, credentials);
}

function checkJwt(
	ctx: IWebhookFunctions,
	credentials: ICredentialDataDecryptedObject,
	options: IDataObject,
): AuthCheck {
	const key = jwtKey(credentials);
	const algorithms = allowedAlgorithms(credentials);
	if (!key || algorithms.length === 0) return { ok: false, reason: 'configuration' };
	const token = tokenFrom(singleHeader(ctx, stringOption(options.jwtHeaderName, 'Authorization')));
	if (!token) return { ok: false, reason: 'missing' };
	const skew = Number(options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS);
	const result = verifyHmacJwt(token, {
		key,
		allowedAlgorithms: algorithms,
		clockSkewSeconds: Number.isFinite(skew) && skew >= 0 ? skew : DEFAULT_CLOCK_SKEW_SECONDS,
		maxAgeSeconds: positiveOption(options.maxTokenAgeSeconds, DEFAULT_MAX_TOKEN_AGE_SECONDS),
		allowWithoutLifetime: options.allowTokensWithoutLifetime === true,
	});
	return result.ok ? { ok: true, claims: result.claims } : { ok: false, reason: result.reason };
}

function checkSharedHeader(
	ctx: IWebhookFunctions,
	credentials: ICredentialDataDecryptedObject,
): AuthCheck {
	const name = typeof credentials.headerName === 'string' ? credentials.headerName.trim() : '';
	const expected = typeof credentials.headerSecret === 'string' ? credentials.headerSecret : '';
	if (!HEADER_NAME.test(name) || expected === '') return { ok: false, reason: 'configuration' };
	const given = singleHeader(ctx, name);
	if (given === undefined) return { ok: false, reason: 'missing' };
	return secretsEqual(given, expected) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

function checkBasicAuth(
	ctx: IWebhookFunctions,
	credentials: ICredentialDataDecryptedObject,
): AuthCheck {
	const expectedUser = typeof credentials.user === 'string' ? credentials.user : '';
	const expectedPassword = typeof credentials.password === 'string' ? credentials.password : '';
	if (expectedUser === '' || expectedPassword === '') return { ok: false, reason: 'configuration' };
	const header = singleHeader(ctx, 'authorization');
	const match = header ? /^Basic\s+(\S+)\s*$/i.exec(header) : null;
	const decoded = match ? decodeBase64Strict(match[1])?.toString('utf8') : undefined;
	const colon = decoded?.indexOf(':') ?? -1;
	if (!decoded || colon < 0) return { ok: false, reason: 'missing' };
	// Both compared, whatever the first result, so the time taken does not tell which one differed.
	const userMatches = secretsEqual(decoded.slice(0, colon), expectedUser);
	const passwordMatches = secretsEqual(decoded.slice(colon + 1), expectedPassword);
	return userMatches && passwordMatches ? { ok: true } : { ok: false, reason: 'mismatch' };
}

function jwtKey(credentials: ICredentialDataDecryptedObject): Buffer | undefined {
	const secret = credentials.secret;
	if (typeof secret !== 'string' || secret === '') return undefined;
	if (credentials.keyEncoding === 'base64') {
		const key = decodeBase64Strict(secret.trim());
		return key && key.length > 0 ? key : undefined;
	}
	return Buffer.from(secret, 'utf8');
}

function allowedAlgorithms(credentials: ICredentialDataDecryptedObject): HmacAlgorithm[] {
	const value = credentials.algorithms ?? Object.keys(HMAC_ALGORITHMS);
	const list = Array.isArray(value) ? value : String(value).split(',');
	return list
		.map((entry) => String(entry).trim())
		.filter((entry): entry is HmacAlgorithm => entry in HMAC_ALGORITHMS);
}

/** The token of "Bearer <token>" (any case), or a bare token; anything else (e.g. Basic) is none. */
function tokenFrom(header: string | undefined): string | undefined {
	if (!header) return undefined;
	const value = header.trim();
	const bearer = /^Bearer\s+(\S+)$/i.exec(value);
	if (bearer) return bearer[1];
	return /^[A-Za-z0-9_.-]+$/.test(value) ? value : undefined;
}

/** The client address as n8n's Express sees it (its proxy settings decide whether forwarded headers count). */
function isAllowedAddress(ctx: IWebhookFunctions, additional: unknown): boolean {
	const raw = ctx.getRequestObject().ip ?? ctx.getRequestObject().socket?.remoteAddress ?? '';
	const address = normalizeAddress(raw);
	const extra =
		typeof additional === 'string'
			? additional.split(',').map(normalizeAddress).filter(Boolean)
			: [];
	return [...EMARSYS_WEBHOOK_IPS, ...extra].includes(address);
}

function normalizeAddress(address: string): string {
	const trimmed = address.trim().toLowerCase();
	return trimmed.startsWith('::ffff:') && trimmed.includes('.')
		? trimmed.slice('::ffff:'.length)
		: trimmed;
}

function positiveOption(value: unknown, fallback: number): number {
	const number = Number(value);
	return Number.isFinite(number) && number > 0 ? number : fallback;
}

export function stringOption(value: unknown, fallback: string): string {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
}

// Emarsys cannot confirm these secrets for us: the credential tests check that they are usable,
// so a missing value is found before real requests are refused.
export const credentialTest = {
	async emarsysJwtSecretFormat(
		this: ICredentialTestFunctions,
		credential: ICredentialsDecrypted,
	): Promise<INodeCredentialTestResult> {
		const key = jwtKey(credential.data ?? {});
		if (!key) return { status: 'Error', message: 'The JWT secret is empty or not valid base64.' };
		if (allowedAlgorithms(credential.data ?? {}).length === 0) {
			return { status: 'Error', message: 'Allow at least one algorithm.' };
		}
		return {
			status: 'OK',
			message: 'The secret is usable. Send a test contact from Emarsys to confirm it.',
		};
	},
	async emarsysHeaderFormat(
		this: ICredentialTestFunctions,
		credential: ICredentialsDecrypted,
	): Promise<INodeCredentialTestResult> {
		const { headerName, headerSecret } = credential.data ?? {};
		if (typeof headerName !== 'string' || !HEADER_NAME.test(headerName.trim())) {
			return {
				status: 'Error',
				message: 'The header name is empty or contains characters a header name cannot have.',
			};
		}
		if (typeof headerSecret !== 'string' || headerSecret === '') {
			return { status: 'Error', message: 'The header value is empty.' };
		}
		return { status: 'OK', message: 'The header is usable.' };
	},
	async emarsysBasicAuthFormat(
		this: ICredentialTestFunctions,
		credential: ICredentialsDecrypted,
	): Promise<INodeCredentialTestResult> {
		const { user, password } = credential.data ?? {};
		if (typeof user !== 'string' || user === '' || user.includes(':')) {
			return {
				status: 'Error',
				message: 'The user is empty or contains ":", which basic authentication cannot carry.',
			};
		}
		if (typeof password !== 'string' || password === '') {
			return { status: 'Error', message: 'The password is empty.' };
		}
		return { status: 'OK', message: 'User and password are usable.' };
	},
};

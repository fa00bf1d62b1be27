import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	ICredentialTestFunctions,
	IDataObject,
	IHookFunctions,
	INodeCredentialTestResult,
	INodeType,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import {
	acknowledge,
	decodeBase64Strict,
	rawBodyOf,
	refuse,
	replayKey,
	replayMemory,
	secretsEqual,
	singleHeader,
} from '../common/webhookSecurity';
import { HMAC_ALGORITHMS, type HmacAlgorithm, verifyHmacJwt } from './jwt';
import { contactsOf, DEFAULT_EMAIL_FIELD, DEFAULT_OPT_IN_FIELD, normalizeEmarsysContact } from './payload';

/** Emarsys' published source addresses of the Webhook node (help.emarsys.com, "Nodes: Webhook node"). */
export const EMARSYS_WEBHOOK_IPS = ['34.89.173.3', '35.246.249.205', '34.89.137.140'];

const DEFAULT_CLOCK_SKEW_SECONDS = 30;
/** The lifetime of a token without exp, counted from its iat. */
const DEFAULT_MAX_TOKEN_AGE_SECONDS = 5 * 60;
/** How long a deduplication ID is remembered when Ignore Repeated Deliveries is on. */
const DEDUPLICATION_MEMORY_MS = 24 * 60 * 60 * 1000;

type Authentication = 'jwt' | 'headerAuth' | 'basicAuth';

const CREDENTIAL_OF: Record<Authentication, string> = {
	jwt: 'emarsysWebhookJwtApi',
	headerAuth: 'emarsysWebhookHeaderApi',
	basicAuth: 'emarsysWebhookBasicAuthApi',
};

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export class EmarsysTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Emarsys Trigger',
		name: 'emarsysTrigger',
		icon: { light: 'file:emarsys.svg', dark: 'file:emarsys.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{ "Webhook node, " + ({ jwt: "JWT", headerAuth: "header", basicAuth: "basic auth" })[$parameter["authentication"]] }}',
		description:
			'Starts the workflow when the Webhook node of an Emarsys Automation Center or Interactions program sends a contact, after checking its authentication',
		defaults: { name: 'Emarsys Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [
			{
				name: 'emarsysWebhookJwtApi',
				required: true,
				testedBy: 'emarsysJwtSecretFormat',
				displayOptions: { show: { authentication: ['jwt'] } },
			},
			{
				name: 'emarsysWebhookHeaderApi',
				required: true,
				testedBy: 'emarsysHeaderFormat',
				displayOptions: { show: { authentication: ['headerAuth'] } },
			},
			{
				name: 'emarsysWebhookBasicAuthApi',
				required: true,
				testedBy: 'emarsysBasicAuthFormat',
				displayOptions: { show: { authentication: ['basicAuth'] } },
			},
		],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				// Empty, so n8n answers with the webhookResponse webhook() returns; without it n8n 1.x
				// and 2.x answer a started run with the text "firstEntryJson".
				responseData: '',
				path: 'emarsys',
			},
		],
		activationMessage:
			'Put this workflow\'s production URL into the Emarsys Webhook node preset (Automations → Webhook Node Presets) with the same authentication.',
		properties: [
			{
				displayName:
					'Emarsys has no API for webhooks: create a Webhook node preset in Emarsys (Automations → Webhook Node Presets) with this node\'s production URL and the same authentication, then end a program (e.g. the Double Opt-In node\'s confirmed path) in a Webhook node that uses the preset. Emarsys sends one request per contact reaching that node.',
				name: 'setupNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{
						name: 'JWT',
						value: 'jwt',
						description: 'The preset\'s "JWT authentication" with a JWT Secret (HS256/384/512)',
					},
					{
						name: 'Shared Header',
						value: 'headerAuth',
						description: 'A header with a secret value sent with every request',
					},
					{
						name: 'Basic Auth',
						value: 'basicAuth',
						description: 'HTTP basic authentication with a user and password',
					},
				],
				default: 'jwt',
				description: 'How requests prove they come from your Emarsys preset. Requests that fail get HTTP 401 and start nothing.',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add Option',
				default: {},
				options: [
					{
						displayName: 'Additional Allowed IPs',
						name: 'additionalAllowedIps',
						type: 'string',
						default: '',
						placeholder: 'e.g. 203.0.113.7, 2001:db8::1',
						description:
							'With Only Emarsys IPs on: more client addresses to accept besides Emarsys\' (comma-separated, exact addresses)',
					},
					{
						displayName: 'Allow Tokens Without Expiry or Issue Time',
						name: 'allowTokensWithoutLifetime',
						type: 'boolean',
						default: false,
						displayOptions: { show: { '/authentication': ['jwt'] } },
						description:
							'Whether a token that carries neither exp nor iat is accepted. Such a token never expires: anyone who captures one can send requests with it for as long as the secret is unchanged.',
					},
					{
						displayName: 'Clock Skew (Seconds)',
						name: 'clockSkewSeconds',
						type: 'number',
						typeOptions: { minValue: 0, maxValue: 600 },
						default: DEFAULT_CLOCK_SKEW_SECONDS,
						displayOptions: { show: { '/authentication': ['jwt'] } },
						description: 'Allowed difference between Emarsys\' clock and this server\'s when checking the token\'s exp, nbf and iat',
					},
					{
						displayName: 'Email Field',
						name: 'emailField',
						type: 'string',
						default: DEFAULT_EMAIL_FIELD,
						description:
							'The field of the request that holds the email address (as named in the preset). If it is missing, email_address, email, emailAddress and 3 are tried.',
					},
					{
						displayName: 'Ignore Repeated Deliveries',
						name: 'ignoreRepeatedDeliveries',
						type: 'boolean',
						default: true,
						description:
							'Whether a request whose deduplication_id this node accepted in the last 24 hours is acknowledged without starting the workflow again (on unless turned off). Emarsys does not document this field; it has no effect when requests do not carry it.',
					},
					{
						displayName: 'Include JWT Claims',
						name: 'includeJwtClaims',
						type: 'boolean',
						default: false,
						displayOptions: { show: { '/authentication': ['jwt'] } },
						description: 'Whether to add the verified token\'s claims to each item under "jwtClaims"',
					},
					{
						displayName: 'JWT Header',
						name: 'jwtHeaderName',
						type: 'string',
						default: 'Authorization',
						displayOptions: { show: { '/authentication': ['jwt'] } },
						description:
							'The header that carries the token, as "Bearer &lt;token&gt;" or the bare token. Emarsys does not document which header it uses; Authorization is assumed.',
					},
					{
						displayName: 'Max Token Age (Seconds)',
						name: 'maxTokenAgeSeconds',
						type: 'number',
						typeOptions: { minValue: 1 },
						default: DEFAULT_MAX_TOKEN_AGE_SECONDS,
						displayOptions: { show: { '/authentication': ['jwt'] } },
						description:
							'For a token without exp: refused once it was issued (iat) longer ago than this. A token with exp is held to its exp.',
					},
					{
						displayName: 'Only Emarsys IPs',
						name: 'restrictToEmarsysIps',
						type: 'boolean',
						default: false,
						description:
							'Whether to refuse requests from addresses other than Emarsys\' published ones (34.89.173.3, 35.246.249.205, 34.89.137.140), in addition to the authentication. Behind a reverse proxy, n8n sees the proxy\'s address unless its proxy settings (N8N_PROXY_HOPS) are set.',
					},
					{
						displayName: 'Opt-In Field',
						name: 'optInField',
						type: 'string',
						default: DEFAULT_OPT_IN_FIELD,
						description:
							'The field that holds the Emarsys opt-in (field 31: 1 = true, 2 = false, empty = unknown). If it is missing, optin, opt_in, optIn and 31 are tried.',
					},
				],
			},
		],
	};

	methods = {
		credentialTest: {
			// Emarsys cannot confirm these secrets for us: check that they are usable, so a missing
			// value is found before real requests are refused.
			async emarsysJwtSecretFormat(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const key = jwtKey(credential.data ?? {});
				if (!key) return { status: 'Error', message: 'The JWT secret is empty or not valid base64.' };
				if (allowedAlgorithms(credential.data ?? {}).length === 0) {
					return { status: 'Error', message: 'Allow at least one algorithm.' };
				}
				return { status: 'OK', message: 'The secret is usable. Send a test contact from Emarsys to confirm it.' };
			},
			async emarsysHeaderFormat(
				this: ICredentialTestFunctions,
				credential: ICredentialsDecrypted,
			): Promise<INodeCredentialTestResult> {
				const { headerName, headerSecret } = credential.data ?? {};
				if (typeof headerName !== 'string' || !HEADER_NAME.test(headerName.trim())) {
					return { status: 'Error', message: 'The header name is empty or contains characters a header name cannot have.' };
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
					return { status: 'Error', message: 'The user is empty or contains ":", which basic authentication cannot carry.' };
				}
				if (typeof password !== 'string' || password === '') {
					return { status: 'Error', message: 'The password is empty.' };
				}
				return { status: 'OK', message: 'User and password are usable.' };
			},
		},
	};

	// Emarsys has no API to register webhooks: the endpoint lives in a Webhook node preset set up
	// by hand, so there is nothing to check, create or delete in Emarsys on activation.
	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async create(this: IHookFunctions): Promise<boolean> {
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return true;
			},
		},
	};

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		const receivedAt = new Date();
		const options = this.getNodeParameter('options', {}) as IDataObject;
		const authentication = this.getNodeParameter('authentication', 'jwt') as Authentication;

		if (options.restrictToEmarsysIps === true && !isAllowedAddress(this, options.additionalAllowedIps)) {
			this.logger.debug('Emarsys Trigger refused a request', { node: this.getNode().name, reason: 'address' });
			return refuse(this);
		}

		const credentialType = CREDENTIAL_OF[authentication];
		if (!credentialType) return refuse(this);
		const credentials = await this.getCredentials(credentialType);
		const check = authenticate(this, authentication, credentials, options);
		if (!check.ok) {
			if (check.reason === 'configuration') {
				this.logger.warn('Emarsys Trigger: the credential is not usable; every request is refused', {
					node: this.getNode().name,
				});
			} else {
				this.logger.debug('Emarsys Trigger refused a request', { node: this.getNode().name, reason: check.reason });
			}
			return refuse(this);
		}

		// Authenticated: from here on the answers may say what happened.
		const contacts = contactsOf(await bodyOf(this));
		if (!contacts) {
			const res = this.getResponseObject();
			res.writeHead(400, { 'Content-Type': 'application/json; charset=utf-8' });
			res.end(JSON.stringify({ message: 'The body is not a JSON object' }));
			return { noWebhookResponse: true };
		}

		const emailField = stringOption(options.emailField, DEFAULT_EMAIL_FIELD);
		const optInField = stringOption(options.optInField, DEFAULT_OPT_IN_FIELD);
		let items = contacts.map((contact) => {
			const json = normalizeEmarsysContact(contact, { emailField, optInField, receivedAt });
			if (check.claims && options.includeJwtClaims === true) json.jwtClaims = check.claims;
			return json;
		});

		// On unless turned off: an option the user never added is absent from `options`.
		if (options.ignoreRepeatedDeliveries !== false) {
			items = items.filter(
				(json) =>
					typeof json.deduplicationId !== 'string' ||
					!replayMemory.seenBefore(replayKey(this), json.deduplicationId, DEDUPLICATION_MEMORY_MS),
			);
			if (items.length === 0) return acknowledge({ received: true, duplicate: true });
		}

		return {
			webhookResponse: { received: true, started: true, contacts: items.length },
			workflowData: [items.map((json) => ({ json }))],
		};
	}
}

/** `reason` is for n8n's log only ("configuration", "missing", "mismatch" or a JWT failure). */
type AuthCheck = { ok: true; claims?: IDataObject } | { ok: false; reason: string };

function authenticate(
	ctx: IWebhookFunctions,
	authentication: Authentication,
	credentials: ICredentialDataDecryptedObject,
	options: IDataObject,
): AuthCheck {
	if (authentication === 'jwt') {
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

	if (authentication === 'headerAuth') {
		const name = typeof credentials.headerName === 'string' ? credentials.headerName.trim() : '';
		const expected = typeof credentials.headerSecret === 'string' ? credentials.headerSecret : '';
		if (!HEADER_NAME.test(name) || expected === '') return { ok: false, reason: 'configuration' };
		const given = singleHeader(ctx, name);
		if (given === undefined) return { ok: false, reason: 'missing' };
		return secretsEqual(given, expected) ? { ok: true } : { ok: false, reason: 'mismatch' };
	}

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
	return list.map((entry) => String(entry).trim()).filter((entry): entry is HmacAlgorithm => entry in HMAC_ALGORITHMS);
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
	const extra = typeof additional === 'string' ? additional.split(',').map(normalizeAddress).filter(Boolean) : [];
	return [...EMARSYS_WEBHOOK_IPS, ...extra].includes(address);
}

function normalizeAddress(address: string): string {
	const trimmed = address.trim().toLowerCase();
	return trimmed.startsWith('::ffff:') && trimmed.includes('.') ? trimmed.slice('::ffff:'.length) : trimmed;
}

function positiveOption(value: unknown, fallback: number): number {
	const number = Number(value);
	return Number.isFinite(number) && number > 0 ? number : fallback;
}

function stringOption(value: unknown, fallback: string): string {
	return typeof value === 'string' && value.trim() !== '' ? value.trim() : fallback;
}

/** The parsed JSON body; n8n parses it when the content type says JSON, otherwise the raw bytes are read. */
async function bodyOf(ctx: IWebhookFunctions): Promise<unknown> {
	const body: unknown = ctx.getRequestObject().body;
	if (body !== null && typeof body === 'object' && (Array.isArray(body) || Object.keys(body).length > 0)) return body;
	const raw = await rawBodyOf(ctx);
	if (!raw || raw.length === 0) return body;
	try {
		return JSON.parse(raw.toString('utf8')) as unknown;
	} catch {
		return undefined;
	}
}

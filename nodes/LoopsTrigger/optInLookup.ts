import type { IDataObject, IHttpRequestOptions, IWebhookFunctions } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

/**
 * The optional opt-in lookup of the Loops Trigger.
 *
 * A `contact.mailingList.subscribed` payload carries no opt-in status, and Loops sends it also for
 * contacts added to a list through its API, where double opt-in does not apply
 * (https://loops.so/docs/contacts/double-opt-in). With a Loops API key the trigger asks Loops for
 * the contact (GET /v1/contacts/find?email=, https://loops.so/docs/api-reference/find-contact) and
 * reports its `optInStatus`.
 *
 * What `confirmedOptIn: true` means here: the person confirmed a double opt-in with Loops at some
 * time, and is still subscribed to the audience. Loops does not say which lists that confirmation
 * covered, so it is not proof of consent to this list; the examples therefore set only the list's
 * own type SUBSCRIBED and never record a new double opt-in from it. Any failure leaves
 * `confirmedOptIn: 'unknown'`, never true.
 */

export const LOOPS_API_CREDENTIAL = 'loopsApi';
export const DEFAULT_LOOPS_API_BASE_URL = 'https://app.loops.so/api';
const FIND_CONTACT_PATH = '/v1/contacts/find';

/**
 * Loops allows 10 requests per second per team (https://loops.so/docs/api-reference/intro). The
 * lookups leave one at a time, at least 125 ms apart (8 per second): the margin keeps a pair that a
 * stalled event loop sends together from making 11 arrive within one second.
 */
export const MIN_SPACING_MS = 125;
const MAX_ATTEMPTS = 3;
const TIMEOUT_MS = 5_000;
const RATE_LIMIT_WAIT_MS = 1_000;
const BACKOFF_MS = 400;

/** Only this event lacks an opt-in status that a lookup can supply. */
export function needsOptInLookup(item: IDataObject): boolean {
	return item.event === 'contact.mailingList.subscribed';
}

/**
 * Lets requests made with one credential leave one at a time, at least MIN_SPACING_MS apart, in
 * this process. Each caller waits for the one before it and measures from the moment that one
 * really left, so requests delayed by a busy event loop do not bunch up afterwards. Other n8n
 * processes, and other users of the same Loops team, are not counted; Loops' 429 is then retried
 * and, if it persists, reported.
 */
export class RequestSpacer {
	private readonly queues = new Map<string, Promise<void>>();

	private readonly lastLeft = new Map<string, number>();

	constructor(private readonly spacingMs = MIN_SPACING_MS) {}

	async take(key: string): Promise<void> {
		let done!: () => void;
		const mine = new Promise<void>((resolve) => (done = resolve));
		const before = this.queues.get(key) ?? Promise.resolve();
		const turn = before.then(async () => await mine);
		this.queues.set(key, turn);
		await before;
		const wait = (this.lastLeft.get(key) ?? 0) + this.spacingMs - Date.now();
		if (wait > 0) await sleep(wait);
		this.lastLeft.set(key, Date.now());
		if (this.queues.get(key) === turn) this.queues.delete(key);
		if (this.lastLeft.size > 1_000) this.forgetIdle();
		done();
	}

	private forgetIdle() {
		const now = Date.now();
		for (const [key, left] of this.lastLeft)
			if (now - left > this.spacingMs && !this.queues.has(key)) this.lastLeft.delete(key);
	}

	clear() {
		this.queues.clear();
		this.lastLeft.clear();
	}
}

export const lookupSpacer = new RequestSpacer();

interface Answer {
	statusCode: number;
	body: unknown;
}

type Lookup =
	| { outcome: 'found'; contact: IDataObject }
	| { outcome: 'not-found' }
	| { outcome: 'failed'; reason: string; httpStatus?: number };

/** One GET of contacts/find; HTTP errors come back as answers, network errors are thrown. */
async function findOnce(ctx: IWebhookFunctions, baseUrl: string, email: string): Promise<Answer> {
	const options: IHttpRequestOptions = {
		method: 'GET',
		url: `${baseUrl}${FIND_CONTACT_PATH}`,
		qs: { email },
		headers: { Accept: 'application/json' },
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		timeout: TIMEOUT_MS,
	};
	const response = (await ctx.helpers.httpRequestWithAuthentication.call(
		ctx,
		LOOPS_API_CREDENTIAL,
		options,
	)) as Answer;
	return { statusCode: Number(response.statusCode), body: response.body };
}

/** The contact with exactly this address in Loops' answer (a list; empty when there is none). */
function pickContact(body: unknown, email: string): Lookup {
	if (!Array.isArray(body))
		return {
			outcome: 'failed',
			reason: 'Loops answered with something other than a list of contacts',
		};
	const contact = body.find(
		(entry): entry is IDataObject =>
			entry !== null &&
			typeof entry === 'object' &&
			typeof (entry as IDataObject).email === 'string' &&
			((entry as IDataObject).email as string).trim().toLowerCase() === email,
	);
	return contact ? { outcome: 'found', contact } : { outcome: 'not-found' };
}

/** Why a failed answer failed, in words that never contain the request's headers. */
function describeStatus(statusCode: number): string {
	if (statusCode === 401 || statusCode === 403)
		return `Loops refused the API key (HTTP ${statusCode}); check the Loops API credential`;
	if (statusCode === 429) return "Loops' rate limit (HTTP 429) persisted after the retries";
	return `Loops answered HTTP ${statusCode}`;
}

function describeNetworkError(error: unknown): string {
	const code =
		(error as { code?: unknown; cause?: { code?: unknown } })?.code ??
		(error as { cause?: { code?: unknown } })?.cause?.code;
	return typeof code === 'string' && /^[A-Z_]+$/.test(code)
		? `Loops could not be reached (${code})`
		: 'Loops could not be reached';
}

/**
 * Looks the address up with bounded retries: a 429 waits a second (Loops' window), a 5xx or a
 * network failure waits a little longer each time; at most MAX_ATTEMPTS requests in all.
 */
async function lookUp(
	ctx: IWebhookFunctions,
	baseUrl: string,
	email: string,
	spacingKey: string,
): Promise<Lookup> {
	let last: { reason: string; httpStatus?: number } = { reason: 'not tried' };
	for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
		await lookupSpacer.take(spacingKey);
		let wait = BACKOFF_MS * attempt;
		try {
			const answer = await findOnce(ctx, baseUrl, email);
			if (answer.statusCode >= 200 && answer.statusCode < 300)
				return pickContact(answer.body, email);
			last = { reason: describeStatus(answer.statusCode), httpStatus: answer.statusCode };
			if (answer.statusCode === 429) wait = RATE_LIMIT_WAIT_MS;
			else if (answer.statusCode < 500) return { outcome: 'failed', ...last };
		} catch (error) {
			last = { reason: describeNetworkError(error) };
		}
		if (attempt < MAX_ATTEMPTS) await sleep(wait);
	}
	return { outcome: 'failed', ...last, reason: `${last.reason} (${MAX_ATTEMPTS} attempts)` };
}

function baseUrlOf(credentials: IDataObject): string {
	const given =
		typeof credentials.baseUrl === 'string' && credentials.baseUrl.trim() !== ''
			? credentials.baseUrl.trim()
			: DEFAULT_LOOPS_API_BASE_URL;
	return given.replace(/\/+$/, '');
}

/** Removes the key from a text, should any library ever echo it. */
function withoutSecret(text: string, secret: unknown): string {
	return typeof secret === 'string' && secret.length >= 4
		? text.split(secret).join('[API key]')
		: text;
}

/**
 * Adds the looked-up opt-in status to a `contact.mailingList.subscribed` item. Never throws: when
 * the lookup cannot be made or fails, `confirmedOptIn` stays 'unknown' and `optInLookup` says why.
 */
export async function addLookedUpOptInStatus(
	ctx: IWebhookFunctions,
	item: IDataObject,
): Promise<void> {
	if (!needsOptInLookup(item)) return;
	if (typeof item.email !== 'string' || item.email === '') {
		item.optInLookup = {
			outcome: 'failed',
			reason: 'The event carries no email address to look up',
		};
		return;
	}
	let credentials: IDataObject;
	try {
		credentials = (await ctx.getCredentials(LOOPS_API_CREDENTIAL)) as IDataObject;
	} catch {
		item.optInLookup = {
			outcome: 'failed',
			reason: 'No usable Loops API credential is selected on the trigger',
		};
		return;
	}
	const spacingKey =
		ctx.getNode().credentials?.[LOOPS_API_CREDENTIAL]?.id ?? baseUrlOf(credentials);
	const result = await lookUp(ctx, baseUrlOf(credentials), item.email, spacingKey);
	applyLookup(item, result, credentials.apiKey);
}

function applyLookup(item: IDataObject, result: Lookup, apiKey: unknown) {
	if (result.outcome === 'failed') {
		item.optInLookup = {
			outcome: 'failed',
			reason: withoutSecret(result.reason, apiKey),
			...(result.httpStatus !== undefined ? { httpStatus: result.httpStatus } : {}),
		};
		return;
	}
	item.optInStatusSource = 'lookup';
	if (result.outcome === 'not-found') {
		item.optInStatus = null;
		item.confirmedOptIn = false;
		item.optInLookup = { outcome: 'not-found', reason: 'Loops has no contact with this address' };
		return;
	}
	const status = result.contact.optInStatus;
	item.optInStatus = typeof status === 'string' ? status : null;
	const unsubscribed = result.contact.subscribed === false;
	item.confirmedOptIn = status === 'accepted' && !unsubscribed;
	item.optInLookup = unsubscribed
		? { outcome: 'found', reason: 'The contact is unsubscribed from the audience in Loops now' }
		: { outcome: 'found' };
}

import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { rawBodyOf } from '../common/webhookSecurity';

/**
 * What an Emarsys Webhook node sends (help.emarsys.com, "Nodes: Webhook node"): one POST per
 * contact reaching the node, a flat JSON object of the preset's contact fields (e.g.
 * `email_address`) and `event_time`, and optionally an `event_data` object one level down.
 * A third-party connector also reports `deduplication_id` and `ems_program_id`; Emarsys does not
 * document them, so they are used only when present.
 */

export const DEFAULT_EMAIL_FIELD = 'email_address';
/** Tried after the configured field: common names, and Emarsys' system field ID 3 (email). */
export const EMAIL_FALLBACKS = ['email_address', 'email', 'emailAddress', '3'];

export const DEFAULT_OPT_IN_FIELD = 'optin';
/** Emarsys' opt-in is system field 31; its text ID in the API is "optin". */
export const OPT_IN_FALLBACKS = ['optin', 'opt_in', 'optIn', '31'];

function firstPresent(body: IDataObject, names: string[]): { found: boolean; value: unknown } {
	for (const name of names) {
		if (name && Object.prototype.hasOwnProperty.call(body, name))
			return { found: true, value: body[name] };
	}
	return { found: false, value: undefined };
}

/**
 * Emarsys' opt-in field (31) holds 1 (true), 2 (false) or nothing. Booleans and "true"/"false"
 * are read too; anything else is unknown (null).
 */
export function parseOptIn(value: unknown): boolean | null {
	if (value === true || value === false) return value;
	const text =
		typeof value === 'number'
			? String(value)
			: typeof value === 'string'
				? value.trim().toLowerCase()
				: '';
	if (text === '1' || text === 'true') return true;
	if (text === '2' || text === 'false') return false;
	return null;
}

/** ISO 8601 for an Emarsys time: an ISO string (as documented), or Unix seconds / milliseconds. */
export function parseEventTime(value: unknown): string | undefined {
	if (typeof value === 'number' || (typeof value === 'string' && /^\d+$/.test(value.trim()))) {
		const number = Number(value);
		if (!Number.isFinite(number) || number <= 0) return undefined;
		return new Date(number < 1e11 ? number * 1000 : number).toISOString();
	}
	if (typeof value === 'string' && value.trim() !== '') {
		const time = Date.parse(value);
		return Number.isNaN(time) ? undefined : new Date(time).toISOString();
	}
	return undefined;
}

export interface NormalizeOptions {
	emailField: string;
	optInField: string;
	receivedAt: Date;
}

/**
 * The contact's fields and `event_data` as sent, plus normalized `email`, `optIn`,
 * `occurredAt`, `receivedAt` and (when sent) `deduplicationId`. The normalized names win over
 * fields of the same name in the body.
 */
export function normalizeEmarsysContact(body: IDataObject, options: NormalizeOptions): IDataObject {
	const email = firstPresent(body, [options.emailField, ...EMAIL_FALLBACKS]).value;
	const optIn = firstPresent(body, [options.optInField, ...OPT_IN_FALLBACKS]);
	const receivedAt = options.receivedAt.toISOString();
	const json: IDataObject = {
		...body,
		email: typeof email === 'string' && email.trim() !== '' ? email.trim().toLowerCase() : null,
		optIn: optIn.found ? parseOptIn(optIn.value) : null,
		occurredAt: parseEventTime(body.event_time) ?? receivedAt,
		receivedAt,
	};
	const deduplicationId = body.deduplication_id ?? body.deduplicationId;
	if (typeof deduplicationId === 'string' || typeof deduplicationId === 'number') {
		json.deduplicationId = String(deduplicationId);
	}
	return json;
}

/** The contacts of one request: a JSON object is one contact; an array (not documented) is several. */
export function contactsOf(body: unknown): IDataObject[] | undefined {
	const isObject = (value: unknown): value is IDataObject =>
		value !== null && typeof value === 'object' && !Array.isArray(value);
	if (isObject(body)) return [body];
	if (Array.isArray(body) && body.length > 0 && body.every(isObject)) return body;
	return undefined;
}

/** The parsed JSON body; n8n parses it when the content type says JSON, otherwise the raw bytes are read. */
export async function bodyOf(ctx: IWebhookFunctions): Promise<unknown> {
	const body: unknown = ctx.getRequestObject().body;
	if (
		body !== null &&
		typeof body === 'object' &&
		(Array.isArray(body) || Object.keys(body).length > 0)
	)
		return body;
	const raw = await rawBodyOf(ctx);
	if (!raw || raw.length === 0) return body;
	try {
		return JSON.parse(raw.toString('utf8')) as unknown;
	} catch {
		return undefined;
	}
}

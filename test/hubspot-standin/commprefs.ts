/**
 * Communication Preferences (subscriptions) endpoints, v4 and dated versions (same shapes).
 */
import { createHash } from 'node:crypto';
import { validationError, type ErrorDetail, type HttpReply } from './errors';
import {
	batchTooLarge,
	boolQuery,
	intQuery,
	isPlainObject,
	iso,
	parseJsonBody,
	type HandlerContext,
	type Parsed,
} from './context';
import { isValidEmail, normalizeEmail, type StatusWriteOutcome } from './state';
import type { LegalBasis, PublicStatus, StatusState } from './types';

export const SUPPORTED_VERSIONS = ['v4', '2026-03', '2026-09'] as const;

export const STATUS_STATES: StatusState[] = ['SUBSCRIBED', 'UNSUBSCRIBED', 'NOT_SPECIFIED'];
export const LEGAL_BASES: LegalBasis[] = [
	'CONSENT_WITH_NOTICE',
	'LEGITIMATE_INTEREST_CLIENT',
	'LEGITIMATE_INTEREST_OTHER',
	'LEGITIMATE_INTEREST_PQL',
	'NON_GDPR',
	'PERFORMANCE_OF_CONTRACT',
	'PROCESS_AND_STORE',
];

interface StatusRequest {
	subscriberIdString?: string;
	subscriptionId: number;
	statusState: StatusState;
	channel: 'EMAIL';
	legalBasis?: LegalBasis;
	legalBasisExplanation?: string;
}

function envelope(
	startedAt: string,
	ctx: HandlerContext,
	results: unknown[],
	errors: unknown[] = [],
): HttpReply {
	const body: Record<string, unknown> = {
		status: 'COMPLETE',
		results,
		startedAt,
		completedAt: iso(ctx.clock),
	};
	if (errors.length > 0) {
		body.errors = errors;
		body.numErrors = errors.length;
	}
	return { status: errors.length > 0 ? 207 : 200, body };
}

/** One entry of errors[] for a failed batch input (HubSpot's StandardError). */
function batchError(
	message: string,
	context: Record<string, string[]>,
	subCategory?: string,
): Record<string, unknown> {
	const e: Record<string, unknown> = {
		status: 'error',
		category: 'VALIDATION_ERROR',
		message,
		context,
		errors: [],
		links: {},
	};
	if (subCategory) e.subCategory = subCategory;
	return e;
}

function invalidEmail(email: string): HttpReply {
	return validationError(`Invalid subscriberIdString: '${email}' is not a valid email address.`, [
		{
			message: `'${email}' is not a valid email address`,
			in: 'subscriberIdString',
			code: 'INVALID_EMAIL',
		},
	]);
}

function channelQuery(ctx: HandlerContext): Parsed<'EMAIL'> {
	const raw = ctx.query.channel;
	if (raw === undefined || raw === '') {
		return {
			ok: false,
			reply: validationError(
				"Required query parameter 'channel' is missing. Currently, the only supported channel type is EMAIL.",
				[{ message: "Query parameter 'channel' is required", in: 'channel', code: 'REQUIRED' }],
			),
		};
	}
	if (raw !== 'EMAIL') {
		return {
			ok: false,
			reply: validationError(
				`Invalid value '${raw}' for query parameter 'channel': not one of the values accepted for Enum class: [EMAIL]`,
				[{ message: `'${raw}' is not one of [EMAIL]`, in: 'channel', code: 'INVALID_ENUM' }],
			),
		};
	}
	return { ok: true, value: 'EMAIL' };
}

function pathEmail(ctx: HandlerContext): Parsed<string> {
	const email = ctx.params.email ?? '';
	if (!isValidEmail(email)) return { ok: false, reply: invalidEmail(email) };
	return { ok: true, value: normalizeEmail(email) };
}

/** Strict schema check of a (Partial)PublicStatusRequest: types and enums exactly as HubSpot's schema. */
function checkStatusRequest(
	v: unknown,
	where: string,
	withSubscriber: boolean,
): { value?: StatusRequest; errors: ErrorDetail[] } {
	const errors: ErrorDetail[] = [];
	const at = (f: string) => (where ? `${where}.${f}` : f);
	if (!isPlainObject(v)) {
		return {
			errors: [
				{
					message: `${where || 'body'} must be a JSON object`,
					in: where || 'body',
					code: 'INVALID_TYPE',
				},
			],
		};
	}
	if (withSubscriber && typeof v.subscriberIdString !== 'string') {
		errors.push({
			message: `${at('subscriberIdString')} is required and must be a string`,
			in: at('subscriberIdString'),
			code: v.subscriberIdString === undefined ? 'REQUIRED' : 'INVALID_TYPE',
		});
	}
	if (v.subscriptionId === undefined || v.subscriptionId === null) {
		errors.push({
			message: `${at('subscriptionId')} is required`,
			in: at('subscriptionId'),
			code: 'REQUIRED',
		});
	} else if (typeof v.subscriptionId !== 'number' || !Number.isInteger(v.subscriptionId)) {
		errors.push({
			message: `${at('subscriptionId')} must be an integer (int64), got ${JSON.stringify(v.subscriptionId)}`,
			in: at('subscriptionId'),
			code: 'INVALID_INTEGER',
		});
	}
	if (v.statusState === undefined || v.statusState === null) {
		errors.push({
			message: `${at('statusState')} is required`,
			in: at('statusState'),
			code: 'REQUIRED',
		});
	} else if (
		typeof v.statusState !== 'string' ||
		!STATUS_STATES.includes(v.statusState as StatusState)
	) {
		errors.push({
			message: `${JSON.stringify(v.statusState)} is not one of the values accepted for ${at('statusState')}: [${STATUS_STATES.join(', ')}]`,
			in: at('statusState'),
			code: 'INVALID_ENUM',
		});
	}
	if (v.channel === undefined || v.channel === null) {
		errors.push({ message: `${at('channel')} is required`, in: at('channel'), code: 'REQUIRED' });
	} else if (v.channel !== 'EMAIL') {
		errors.push({
			message: `${JSON.stringify(v.channel)} is not one of the values accepted for ${at('channel')}: [EMAIL]`,
			in: at('channel'),
			code: 'INVALID_ENUM',
		});
	}
	if (
		v.legalBasis !== undefined &&
		v.legalBasis !== null &&
		(typeof v.legalBasis !== 'string' || !LEGAL_BASES.includes(v.legalBasis as LegalBasis))
	) {
		errors.push({
			message: `${JSON.stringify(v.legalBasis)} is not one of the values accepted for ${at('legalBasis')}: [${LEGAL_BASES.join(', ')}]`,
			in: at('legalBasis'),
			code: 'INVALID_ENUM',
		});
	}
	if (
		v.legalBasisExplanation !== undefined &&
		v.legalBasisExplanation !== null &&
		typeof v.legalBasisExplanation !== 'string'
	) {
		errors.push({
			message: `${at('legalBasisExplanation')} must be a string`,
			in: at('legalBasisExplanation'),
			code: 'INVALID_TYPE',
		});
	}
	if (errors.length > 0) return { errors };
	return {
		errors,
		value: {
			subscriberIdString: withSubscriber ? (v.subscriberIdString as string) : undefined,
			subscriptionId: v.subscriptionId as number,
			statusState: v.statusState as StatusState,
			channel: 'EMAIL',
			legalBasis: (v.legalBasis ?? undefined) as LegalBasis | undefined,
			legalBasisExplanation: (v.legalBasisExplanation ?? undefined) as string | undefined,
		},
	};
}

function schemaReply(errors: ErrorDetail[]): HttpReply {
	const msg =
		errors.length === 1
			? `Invalid input JSON: ${errors[0].message}`
			: `Invalid input JSON: ${errors.length} errors: ${errors.map((e) => e.message).join('; ')}`;
	return validationError(msg, errors);
}

/** Read `{inputs: [...]}` with the batch size limit; `item` checks one input's type. */
function batchInputs(ctx: HandlerContext, item: 'string' | 'object'): Parsed<unknown[]> {
	const parsed = parseJsonBody(ctx);
	if (!parsed.ok) return parsed;
	const body = parsed.value;
	if (!isPlainObject(body) || !Array.isArray(body.inputs)) {
		return {
			ok: false,
			reply: schemaReply([
				{ message: 'inputs is required and must be an array', in: 'inputs', code: 'REQUIRED' },
			]),
		};
	}
	if (body.inputs.length > ctx.maxBatchInputs)
		return { ok: false, reply: batchTooLarge(body.inputs.length, ctx.maxBatchInputs) };
	if (item === 'string') {
		const bad = body.inputs.findIndex((x) => typeof x !== 'string');
		if (bad >= 0) {
			return {
				ok: false,
				reply: schemaReply([
					{
						message: `inputs[${bad}] must be a string (an email address)`,
						in: `inputs[${bad}]`,
						code: 'INVALID_TYPE',
					},
				]),
			};
		}
	}
	return { ok: true, value: body.inputs };
}

function statusFailure(outcome: Extract<StatusWriteOutcome, { ok: false }>): HttpReply {
	return validationError(outcome.message, [{ message: outcome.message, code: outcome.code }]);
}

// ------------------------------------------------------------------ handlers

export function getDefinitions(ctx: HandlerContext): HttpReply {
	const startedAt = iso(ctx.clock);
	const bu = intQuery(ctx, 'businessUnitId');
	if (!bu.ok) return bu.reply;
	const tr = boolQuery(ctx, 'includeTranslations');
	if (!tr.ok) return tr.reply;
	const results = ctx.state
		.definitionSeeds()
		.filter((d) => bu.value === undefined || (d.businessUnitId ?? 0) === bu.value)
		.map((d) => ctx.state.toDefinition(d, tr.value));
	return envelope(startedAt, ctx, results);
}

export function getStatuses(ctx: HandlerContext): HttpReply {
	const startedAt = iso(ctx.clock);
	const email = pathEmail(ctx);
	if (!email.ok) return email.reply;
	const ch = channelQuery(ctx);
	if (!ch.ok) return ch.reply;
	const bu = intQuery(ctx, 'businessUnitId');
	if (!bu.ok) return bu.reply;
	return envelope(startedAt, ctx, ctx.state.statusesOf(email.value, bu.value));
}

export function postStatus(ctx: HandlerContext): HttpReply {
	const startedAt = iso(ctx.clock);
	const email = pathEmail(ctx);
	if (!email.ok) return email.reply;
	const parsed = parseJsonBody(ctx);
	if (!parsed.ok) return parsed.reply;
	const checked = checkStatusRequest(parsed.value, '', false);
	if (!checked.value) return schemaReply(checked.errors);
	const outcome = ctx.state.applyStatusWrite({
		email: email.value,
		subscriptionId: checked.value.subscriptionId,
		statusState: checked.value.statusState,
		legalBasis: checked.value.legalBasis,
		legalBasisExplanation: checked.value.legalBasisExplanation,
		via: ctx.path,
	});
	if (!outcome.ok) return statusFailure(outcome);
	return envelope(startedAt, ctx, [outcome.status]);
}

export function getUnsubscribeAll(ctx: HandlerContext): HttpReply {
	const startedAt = iso(ctx.clock);
	const email = pathEmail(ctx);
	if (!email.ok) return email.reply;
	const ch = channelQuery(ctx);
	if (!ch.ok) return ch.reply;
	const bu = intQuery(ctx, 'businessUnitId');
	if (!bu.ok) return bu.reply;
	const verbose = boolQuery(ctx, 'verbose');
	if (!verbose.ok) return verbose.reply;
	return envelope(startedAt, ctx, ctx.state.wideStatusesOf(email.value, bu.value));
}

export function postUnsubscribeAll(ctx: HandlerContext): HttpReply {
	const startedAt = iso(ctx.clock);
	const email = pathEmail(ctx);
	if (!email.ok) return email.reply;
	const ch = channelQuery(ctx);
	if (!ch.ok) return ch.reply;
	const bu = intQuery(ctx, 'businessUnitId');
	if (!bu.ok) return bu.reply;
	const verbose = boolQuery(ctx, 'verbose');
	if (!verbose.ok) return verbose.reply;
	const statuses = ctx.state.applyUnsubscribeAll(email.value, bu.value ?? 0, ctx.path);
	return envelope(startedAt, ctx, verbose.value ? statuses : []);
}

/**
 * The shared loop of the batch calls keyed by address: an invalid address becomes an error entry,
 * a repeated one is answered once (HubSpot dedupes the inputs of a batch call).
 */
function perAddress<T>(
	ctx: HandlerContext,
	startedAt: string,
	answer: (email: string) => T,
): HttpReply {
	const inputs = batchInputs(ctx, 'string');
	if (!inputs.ok) return inputs.reply;
	const results: T[] = [];
	const errors: unknown[] = [];
	const seen = new Set<string>();
	for (const raw of inputs.value as string[]) {
		if (!isValidEmail(raw)) {
			errors.push(
				batchError(
					`Invalid email address: '${raw}'`,
					{ subscriberIdString: [raw] },
					'INVALID_EMAIL',
				),
			);
			continue;
		}
		const email = normalizeEmail(raw);
		if (seen.has(email)) continue;
		seen.add(email);
		results.push(answer(email));
	}
	return envelope(startedAt, ctx, results, errors);
}

export function batchRead(ctx: HandlerContext): HttpReply {
	const startedAt = iso(ctx.clock);
	const ch = channelQuery(ctx);
	if (!ch.ok) return ch.reply;
	const bu = intQuery(ctx, 'businessUnitId');
	if (!bu.ok) return bu.reply;
	return perAddress(ctx, startedAt, (email) => ({
		subscriberIdString: email,
		statuses: ctx.state.statusesOf(email, bu.value),
	}));
}

export function batchWrite(ctx: HandlerContext): HttpReply {
	const startedAt = iso(ctx.clock);
	const inputs = batchInputs(ctx, 'object');
	if (!inputs.ok) return inputs.reply;
	// Deserialisation of the whole body comes first: a type or enum error anywhere rejects the call.
	const requests: StatusRequest[] = [];
	const schemaErrors: ErrorDetail[] = [];
	inputs.value.forEach((v, i) => {
		const c = checkStatusRequest(v, `inputs[${i}]`, true);
		if (c.value) requests.push(c.value);
		schemaErrors.push(...c.errors);
	});
	if (schemaErrors.length > 0) return schemaReply(schemaErrors);
	const results: PublicStatus[] = [];
	const errors: unknown[] = [];
	for (const r of requests) {
		const raw = r.subscriberIdString as string;
		const context = { subscriberIdString: [raw], subscriptionId: [String(r.subscriptionId)] };
		if (!isValidEmail(raw)) {
			errors.push(batchError(`Invalid email address: '${raw}'`, context, 'INVALID_EMAIL'));
			continue;
		}
		const outcome = ctx.state.applyStatusWrite({
			email: raw,
			subscriptionId: r.subscriptionId,
			statusState: r.statusState,
			legalBasis: r.legalBasis,
			legalBasisExplanation: r.legalBasisExplanation,
			via: ctx.path,
		});
		if (outcome.ok) results.push(outcome.status);
		else errors.push(batchError(outcome.message, context, outcome.code));
	}
	return envelope(startedAt, ctx, results, errors);
}

export function batchUnsubscribeAll(ctx: HandlerContext): HttpReply {
	const startedAt = iso(ctx.clock);
	const ch = channelQuery(ctx);
	if (!ch.ok) return ch.reply;
	const bu = intQuery(ctx, 'businessUnitId');
	if (!bu.ok) return bu.reply;
	const verbose = boolQuery(ctx, 'verbose');
	if (!verbose.ok) return verbose.reply;
	return perAddress(ctx, startedAt, (email) => {
		const statuses = ctx.state.applyUnsubscribeAll(email, bu.value ?? 0, ctx.path);
		return verbose.value ? { subscriberIdString: email, statuses } : { subscriberIdString: email };
	});
}

export function batchUnsubscribeAllRead(ctx: HandlerContext): HttpReply {
	const startedAt = iso(ctx.clock);
	const ch = channelQuery(ctx);
	if (!ch.ok) return ch.reply;
	const bu = intQuery(ctx, 'businessUnitId');
	if (!bu.ok) return bu.reply;
	return perAddress(ctx, startedAt, (email) => ({
		subscriberIdString: email,
		wideStatuses: ctx.state.wideStatusesOf(email, bu.value),
	}));
}

// ------------------------------------------------------------------ preference links

/** Where the stand-in's pages would live (a name that cannot resolve: the links are never opened). */
export const LINK_HOST = 'https://preferences.hubspot-standin.invalid';

/** Checks the body of `POST {v}/links/generate`: `{subscriberIdString, language?, subscriptionId?}`. */
function checkLinkRequest(v: unknown): {
	value?: { email: string; language?: string; subscriptionId?: number };
	errors: ErrorDetail[];
} {
	if (!isPlainObject(v))
		return {
			errors: [{ message: 'body must be a JSON object', in: 'body', code: 'INVALID_TYPE' }],
		};
	const errors: ErrorDetail[] = [];
	if (typeof v.subscriberIdString !== 'string') {
		errors.push({
			message: 'subscriberIdString is required and must be a string',
			in: 'subscriberIdString',
			code:
				v.subscriberIdString === undefined || v.subscriberIdString === null
					? 'REQUIRED'
					: 'INVALID_TYPE',
		});
	}
	if (v.language !== undefined && v.language !== null && typeof v.language !== 'string') {
		errors.push({ message: 'language must be a string', in: 'language', code: 'INVALID_TYPE' });
	}
	const id = v.subscriptionId;
	if (id !== undefined && id !== null && (typeof id !== 'number' || !Number.isInteger(id))) {
		errors.push({
			message: `subscriptionId must be an integer (int64), got ${JSON.stringify(id)}`,
			in: 'subscriptionId',
			code: 'INVALID_INTEGER',
		});
	}
	if (errors.length > 0) return { errors };
	return {
		errors,
		value: {
			email: v.subscriberIdString as string,
			language: (v.language ?? undefined) as string | undefined,
			subscriptionId: (id ?? undefined) as number | undefined,
		},
	};
}

/** A stable stand-in token per address and brand (HubSpot's own token format is not published). */
function linkToken(email: string, businessUnitId: number): string {
	return createHash('sha256').update(`${email}|${businessUnitId}`).digest('base64url').slice(0, 32);
}

/**
 * `POST {v}/links/generate?channel=EMAIL[&businessUnitId]`: the address's preference-center and
 * unsubscribe-all links, plus unsubscribeSingleUrl when a subscription type is named (HubSpot's
 * guide: the type "must be included to return an unsubscribeSingleUrl link"). Changes no state.
 */
export function generateLinks(ctx: HandlerContext): HttpReply {
	const ch = channelQuery(ctx);
	if (!ch.ok) return ch.reply;
	const bu = intQuery(ctx, 'businessUnitId');
	if (!bu.ok) return bu.reply;
	const parsed = parseJsonBody(ctx);
	if (!parsed.ok) return parsed.reply;
	const checked = checkLinkRequest(parsed.value);
	if (!checked.value) return schemaReply(checked.errors);
	const { email: raw, language, subscriptionId } = checked.value;
	if (!isValidEmail(raw)) return invalidEmail(raw);
	if (
		subscriptionId !== undefined &&
		!ctx.state.definitionSeeds().some((d) => Number(d.id) === subscriptionId)
	) {
		const message = `No subscription definition exists with id ${subscriptionId}.`;
		return validationError(message, [
			{ message, in: 'subscriptionId', code: 'UNKNOWN_SUBSCRIPTION' },
		]);
	}
	const email = normalizeEmail(raw);
	const businessUnitId = bu.value ?? 0;
	const query = new URLSearchParams({ d: linkToken(email, businessUnitId), v: '3' });
	if (businessUnitId !== 0) query.set('businessUnitId', String(businessUnitId));
	if (language) query.set('languagePreference', language);
	const page = (name: string, extra: Record<string, string> = {}) =>
		`${LINK_HOST}/hs/manage-preferences/${name}?${new URLSearchParams({ ...Object.fromEntries(query), ...extra })}`;
	const body: Record<string, unknown> = {
		subscriberIdString: email,
		managePreferencesUrl: page('unsubscribe'),
		unsubscribeAllUrl: page('unsubscribe-all'),
	};
	if (subscriptionId !== undefined)
		body.unsubscribeSingleUrl = page('unsubscribe-single', {
			subscriptionId: String(subscriptionId),
		});
	return { status: 200, body };
}

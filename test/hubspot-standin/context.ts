/**
 * What a route handler gets, and small parsing helpers shared by the handlers.
 */
import type { StandInState } from './state';
import { validationError, type ErrorDetail, type HttpReply } from './errors';

export interface HandlerContext {
	method: string;
	path: string;
	/** Path parameters (already URL-decoded). */
	params: Record<string, string>;
	query: Record<string, string>;
	rawBody: string;
	state: StandInState;
	maxBatchInputs: number;
	clock: () => number;
}

export type Parsed<T> = { ok: true; value: T } | { ok: false; reply: HttpReply };

export function iso(clock: () => number): string {
	return new Date(clock()).toISOString();
}

/** Parse a JSON request body the way HubSpot's endpoints do: malformed JSON is a 400 VALIDATION_ERROR. */
export function parseJsonBody(ctx: HandlerContext): Parsed<unknown> {
	if (ctx.rawBody.trim() === '') {
		return {
			ok: false,
			reply: validationError('Invalid input JSON: the request body is empty.', [
				{ message: 'Request body is required', in: 'body', code: 'REQUIRED' },
			]),
		};
	}
	try {
		return { ok: true, value: JSON.parse(ctx.rawBody) };
	} catch (e) {
		const detail = e instanceof Error ? e.message : String(e);
		return {
			ok: false,
			reply: validationError(`Invalid input JSON on line 1: ${detail}`, [
				{ message: detail, in: 'body', code: 'INVALID_JSON' },
			]),
		};
	}
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
	return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Integer query parameter (>= 0) such as businessUnitId; undefined when absent. */
export function intQuery(ctx: HandlerContext, name: string): Parsed<number | undefined> {
	const raw = ctx.query[name];
	if (raw === undefined) return { ok: true, value: undefined };
	if (!/^\d{1,15}$/.test(raw)) {
		return {
			ok: false,
			reply: validationError(
				`Invalid value '${raw}' for query parameter '${name}': expected an integer.`,
				[{ message: `'${raw}' is not a valid integer`, in: name, code: 'INVALID_INTEGER' }],
			),
		};
	}
	return { ok: true, value: Number(raw) };
}

/** Boolean query parameter such as verbose / includeTranslations; default false. */
export function boolQuery(ctx: HandlerContext, name: string): Parsed<boolean> {
	const raw = ctx.query[name];
	if (raw === undefined || raw === '') return { ok: true, value: false };
	const v = raw.toLowerCase();
	if (v === 'true') return { ok: true, value: true };
	if (v === 'false') return { ok: true, value: false };
	return {
		ok: false,
		reply: validationError(
			`Invalid value '${raw}' for query parameter '${name}': expected true or false.`,
			[{ message: `'${raw}' is not a valid boolean`, in: name, code: 'INVALID_BOOLEAN' }],
		),
	};
}

export function batchTooLarge(count: number, max: number): HttpReply {
	const details: ErrorDetail[] = [
		{ message: `inputs must contain at most ${max} items`, in: 'inputs', code: 'TOO_MANY_INPUTS' },
	];
	return validationError(
		`Too many inputs: ${count} were given, the limit is ${max} inputs per batch request.`,
		details,
		{
			maxInputs: [String(max)],
			receivedInputs: [String(count)],
		},
	);
}

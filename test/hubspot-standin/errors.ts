/**
 * HubSpot-shaped error bodies. Sources for each shape are in README.md ("HubSpot facts").
 * No body ever contains the caller's token.
 */
import { randomUUID } from 'node:crypto';
import type { RateLimitPolicy } from './types';

export interface HttpReply {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
	/** Raw text body (e.g. an HTML error page); wins over `body`. */
	text?: string;
	contentType?: string;
}

export interface ErrorDetail {
	message: string;
	in?: string;
	code?: string;
	subCategory?: string;
	context?: Record<string, unknown>;
}

export function errorBody(
	category: string,
	message: string,
	extra: {
		errors?: ErrorDetail[];
		context?: Record<string, unknown>;
		links?: Record<string, string>;
		subCategory?: string;
	} = {},
): Record<string, unknown> {
	const body: Record<string, unknown> = { status: 'error', message, correlationId: randomUUID() };
	if (extra.errors) body.errors = extra.errors;
	if (extra.context) body.context = extra.context;
	if (extra.links) body.links = extra.links;
	if (extra.subCategory) body.subCategory = extra.subCategory;
	body.category = category;
	return body;
}

export function validationError(
	message: string,
	errors?: ErrorDetail[],
	context?: Record<string, unknown>,
): HttpReply {
	return { status: 400, body: errorBody('VALIDATION_ERROR', message, { errors, context }) };
}

export const AUTH_NOT_FOUND_MESSAGE =
	'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview';

export function invalidAuthentication(): HttpReply {
	return { status: 401, body: errorBody('INVALID_AUTHENTICATION', AUTH_NOT_FOUND_MESSAGE) };
}

export function expiredAuthentication(expiredForMs: number): HttpReply {
	const minutes = Math.max(0, Math.floor(expiredForMs / 60000));
	return {
		status: 401,
		body: errorBody(
			'EXPIRED_AUTHENTICATION',
			`The OAuth token used to make this call expired ${minutes} minute(s) ago.`,
		),
	};
}

export const MISSING_SCOPES_MESSAGE =
	"This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.";

export function missingScopes(requiredGranularScopes: string[]): HttpReply {
	return {
		status: 403,
		body: errorBody('MISSING_SCOPES', MISSING_SCOPES_MESSAGE, {
			errors: [
				{
					message: 'One or more of the following scopes are required.',
					context: { requiredGranularScopes },
				},
			],
			context: { requiredGranularScopes },
			links: { scopes: 'https://developers.hubspot.com/scopes' },
		}),
	};
}

export function notFound(path: string): HttpReply {
	return {
		status: 404,
		body: errorBody('OBJECT_NOT_FOUND', `Resource not found: ${path}`),
	};
}

export function methodNotAllowed(method: string): HttpReply {
	return {
		status: 405,
		body: errorBody('VALIDATION_ERROR', `HTTP method ${method} is not supported by this URL`),
	};
}

const RATE_LIMIT_MESSAGES: Record<RateLimitPolicy, string> = {
	TEN_SECONDLY_ROLLING: 'You have reached your ten_secondly_rolling limit.',
	DAILY: 'You have reached your daily limit.',
	SECONDLY: 'You have reached your secondly limit.',
};

export function rateLimited(policy: RateLimitPolicy, headers: Record<string, string>): HttpReply {
	return {
		status: 429,
		headers,
		body: {
			status: 'error',
			message: RATE_LIMIT_MESSAGES[policy],
			errorType: 'RATE_LIMIT',
			correlationId: randomUUID(),
			policyName: policy,
			requestId: randomUUID(),
		},
	};
}

/** The 5xx page HubSpot's edge serves when the API behind it is unreachable. */
export function htmlErrorPage(status: number): string {
	const title =
		status === 502
			? 'Bad Gateway'
			: status === 503
				? 'Service Unavailable'
				: status === 504
					? 'Gateway Timeout'
					: 'Error';
	return (
		'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>' +
		`${status} ${title}</title></head><body><h1>${status} ${title}</h1>` +
		'<p>The server encountered a temporary error and could not complete your request.</p>' +
		'<p>Please try again in 30 seconds.</p></body></html>\n'
	);
}

export function serverErrorBody(status: number): Record<string, unknown> {
	return errorBody('INTERNAL_ERROR', status === 500 ? 'internal error' : `HTTP ${status}`);
}

import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	JsonObject,
} from 'n8n-workflow';
import { NodeApiError, sleep } from 'n8n-workflow';

import {
	DEFAULT_BASE_URL,
	PUBLIC_APP_CREDENTIAL_TYPE,
	PRIVATE_APP_CREDENTIAL_TYPE,
} from '../helpers/constants';
import type { StandardError } from '../helpers/interfaces';
import { schedulerFor, type RateWindowScheduler, type Slot } from './scheduler';

export * from './requests';

type Context = IExecuteFunctions | ILoadOptionsFunctions;

export interface RequestSettings {
	/** The app's budget per 10-second window (HubSpot: 100, or 190 on Professional/Enterprise). */
	maxRequestsPer10Seconds: number;
	/** Attempts per request, the first one included. */
	maxAttempts: number;
	/**
	 * Total time one request may spend waiting after its first attempt failed: back-off sleeps,
	 * 429 pauses and the time its retries wait for a slot in the rate window.
	 */
	maxRetryWaitMs: number;
	timeoutMs: number;
	maxConcurrent: number;
}

export const DEFAULT_REQUEST_SETTINGS: RequestSettings = {
	maxRequestsPer10Seconds: 100,
	maxAttempts: 5,
	maxRetryWaitMs: 60_000,
	timeoutMs: 30_000,
	maxConcurrent: 10,
};

export interface HubSpotRequest {
	method: IHttpRequestMethods;
	/** Path below the API host, e.g. '/communication-preferences/2026-09/definitions'. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject | IDataObject[];
	itemIndex?: number;
	/** Error statuses that are an answer here rather than a failure (e.g. 409 when creating). */
	acceptStatuses?: number[];
	/** A POST that changes nothing in HubSpot (e.g. generating links): sending it again is no resent write. */
	changesNothing?: boolean;
}

export interface HubSpotResponse<T> {
	statusCode: number;
	body: T;
}

/** What happened on the wire during one execution; reported to the user as a hint. */
export interface TransportStats {
	requests: number;
	/** Answers with HTTP 429, retried or not. */
	http429: number;
	/** Of those, the ones waited out and sent again. */
	retried429: number;
	retries: number;
	/** Writes sent again after a lost response or a server error (safe: each sets a value, so twice is once). */
	resends: number;
}

interface RawResponse {
	statusCode: number;
	headers: Record<string, unknown>;
	body: unknown;
}

/** The parts of a failed HTTP call worth deciding on. Never holds request headers. */
interface FailedCall {
	statusCode?: number;
	headers?: Record<string, unknown>;
	body?: unknown;
	code?: string;
	message: string;
}

const TRANSIENT_STATUS = new Set([500, 502, 503, 504]);
const LOST_RESPONSE_CODES = new Set([
	'ECONNRESET',
	'ECONNABORTED',
	'ETIMEDOUT',
	'EPIPE',
	'ECONNREFUSED',
	'ERR_SOCKET_CONNECTION_TIMEOUT',
]);

/**
 * True for a failure that may pass if the same request is sent later: HubSpot's rate limits
 * (the daily one included), server errors and lost connections. Everything else (a refused
 * input, missing scopes, a bad token) fails the same way again.
 */
export function isTransientFailure(error: unknown): boolean {
	if (!(error instanceof NodeApiError)) return false;
	const response = (error.errorResponse ?? {}) as JsonObject;
	const status = Number(error.httpCode ?? response.httpCode);
	if (status === 429 || TRANSIENT_STATUS.has(status)) return true;
	if (Number.isFinite(status) && status > 0) return false;
	const code = typeof response.code === 'string' ? response.code : error.httpCode;
	if (typeof code === 'string' && LOST_RESPONSE_CODES.has(code)) return true;
	return isLostResponse({ message: String(response.message ?? error.message ?? '') });
}

/**
 * The one door to HubSpot. Every request goes through n8n's authenticated request helper
 * (so OAuth2 refresh, proxies and n8n's own credential handling apply), waits for a slot
 * in the app's rate window, and is retried on 429 and transient server or network faults
 * within the bounds of the request settings.
 */
export class HubSpotTransport {
	readonly stats: TransportStats = {
		requests: 0,
		http429: 0,
		retried429: 0,
		retries: 0,
		resends: 0,
	};

	private baseUrl: string | undefined;

	private scheduler: RateWindowScheduler | undefined;

	private dailyLimitError: NodeApiError | undefined;

	constructor(
		private readonly ctx: Context,
		private readonly settings: RequestSettings = DEFAULT_REQUEST_SETTINGS,
	) {}

	/** The credential the node is set to use (execute and load-options contexts read it differently). */
	get credentialType(): string {
		const authentication =
			'getCurrentNodeParameter' in this.ctx
				? this.ctx.getCurrentNodeParameter('authentication')
				: this.ctx.getNodeParameter('authentication', 0, 'privateAppToken');
		return authentication === 'oAuth2' ? PUBLIC_APP_CREDENTIAL_TYPE : PRIVATE_APP_CREDENTIAL_TYPE;
	}

	/** Identifies the HubSpot app this node talks to (credential and host), for caches. */
	async accountKey(): Promise<string> {
		await this.prepare();
		return this.schedulerKey!;
	}

	private schedulerKey: string | undefined;

	private async prepare() {
		if (this.baseUrl !== undefined && this.scheduler) return;
		const credentials = await this.ctx.getCredentials(this.credentialType);
		const baseUrl = String(credentials.baseUrl || DEFAULT_BASE_URL).replace(/\/+$/, '');
		this.baseUrl = baseUrl;
		const credentialId = this.ctx.getNode().credentials?.[this.credentialType]?.id ?? 'default';
		this.schedulerKey = `${this.credentialType}:${credentialId}:${baseUrl}`;
		this.scheduler = schedulerFor(this.schedulerKey, {
			maxRequests: this.settings.maxRequestsPer10Seconds,
			windowMs: 10_000,
			maxConcurrent: this.settings.maxConcurrent,
		});
	}

	async request<T = IDataObject>(request: HubSpotRequest): Promise<HubSpotResponse<T>> {
		await this.prepare();
		const scheduler = this.scheduler!;
		let waitedMs = 0;
		let retry: { failure: FailedCall; resend: boolean; pauseAll: boolean } | undefined;
		for (let attempt = 1; ; attempt++) {
			if (this.dailyLimitError) throw this.dailyLimitError;
			let release: Slot | undefined;
			if (retry) {
				// A retry's time in the rate window counts towards Max Retry Wait; the first
				// attempt's does not (a large run queues its requests for as long as it takes).
				const queuedAt = Date.now();
				release = await scheduler.acquireWithin(this.settings.maxRetryWaitMs - waitedMs);
				waitedMs += Date.now() - queuedAt;
				if (!release) throw this.toNodeApiError(retry.failure, request, 'exhausted');
			} else {
				release = await scheduler.acquire();
			}
			if (this.dailyLimitError) {
				// The daily limit was reached while this request waited: do not send it.
				release();
				throw this.dailyLimitError;
			}
			if (retry) this.countRetry(request, retry);
			this.stats.requests++;
			const outcome = await this.sendHoldingSlot(request, release);
			if ('response' in outcome) {
				const daily =
					outcome.response.statusCode === 429 && policyName(outcome.response.body) === 'DAILY';
				scheduler.observeHeaders(outcome.response.headers, release.seq, daily);
				if (isAnswer(outcome.response, request)) {
					return { statusCode: outcome.response.statusCode, body: outcome.response.body as T };
				}
			}
			const failure = 'response' in outcome ? failureOf(outcome.response) : outcome.failure;
			const decision = this.decide(failure, attempt, waitedMs);
			if (decision.kind === 'fail') throw this.toNodeApiError(failure, request, decision.reason);
			retry = { failure, resend: decision.resend, pauseAll: decision.pauseAll };
			if (decision.pauseAll) scheduler.pause(decision.waitMs);
			const sleptFrom = Date.now();
			await sleep(decision.waitMs);
			waitedMs += Date.now() - sleptFrom;
		}
	}

	/** Counted when the retry is really sent, not when it is decided (it may give up waiting). */
	private countRetry(request: HubSpotRequest, retry: { resend: boolean; pauseAll: boolean }) {
		this.stats.retries++;
		if (retry.resend && request.method !== 'GET' && !request.changesNothing) this.stats.resends++;
		if (retry.pauseAll) this.stats.retried429++;
	}

	/** Sends once; the rate-window slot is given back when the answer (or the failure) arrives. */
	private async sendHoldingSlot(
		request: HubSpotRequest,
		release: () => void,
	): Promise<{ response: RawResponse } | { failure: FailedCall }> {
		try {
			return { response: await this.send(request) };
		} catch (error) {
			return { failure: describeFailure(error) };
		} finally {
			release();
		}
	}

	/**
	 * HTTP errors come back as responses (status, headers and body intact: the rate-limit
	 * headers matter). Only for OAuth2 is a 401 sent once more the ordinary way, so that
	 * n8n refreshes the access token and retries with the new one.
	 */
	private async send(request: HubSpotRequest): Promise<RawResponse> {
		const options = this.toHttpOptions(request);
		const response = (await this.ctx.helpers.httpRequestWithAuthentication.call(
			this.ctx,
			this.credentialType,
			{
				...options,
				ignoreHttpStatusErrors: true,
			},
		)) as RawResponse;
		response.headers = plainHeaders(response.headers) ?? {};
		if (response.statusCode !== 401 || this.credentialType !== PUBLIC_APP_CREDENTIAL_TYPE)
			return response;
		const refreshed = (await this.ctx.helpers.httpRequestWithAuthentication.call(
			this.ctx,
			this.credentialType,
			options,
		)) as RawResponse;
		refreshed.headers = plainHeaders(refreshed.headers) ?? {};
		return refreshed;
	}

	private toHttpOptions(request: HubSpotRequest): IHttpRequestOptions {
		const options: IHttpRequestOptions = {
			method: request.method,
			url: `${this.baseUrl}${request.path}`,
			json: true,
			returnFullResponse: true,
			timeout: this.settings.timeoutMs,
			headers: { Accept: 'application/json' },
		};
		if (request.qs && Object.keys(request.qs).length) options.qs = request.qs;
		if (request.body !== undefined) options.body = request.body as IDataObject;
		return options;
	}

	private decide(
		failure: FailedCall,
		attempt: number,
		waitedMs: number,
	):
		| { kind: 'fail'; reason?: string }
		| { kind: 'retry'; waitMs: number; resend: boolean; pauseAll: boolean } {
		const { statusCode } = failure;
		const attemptsLeft = attempt < this.settings.maxAttempts;

		if (statusCode === 429) {
			this.stats.http429++;
			const policy = policyName(failure.body);
			if (policy === 'DAILY') {
				return { kind: 'fail', reason: 'daily' };
			}
			const waitMs = retryAfterMs(failure.headers) ?? this.rateLimitWait(attempt);
			if (!attemptsLeft || waitedMs + waitMs > this.settings.maxRetryWaitMs) {
				return { kind: 'fail', reason: 'exhausted' };
			}
			return { kind: 'retry', waitMs, resend: false, pauseAll: true };
		}

		const lostResponse = statusCode === undefined && isLostResponse(failure);
		if ((statusCode !== undefined && TRANSIENT_STATUS.has(statusCode)) || lostResponse) {
			const waitMs = backoffWithJitter(attempt);
			if (!attemptsLeft || waitedMs + waitMs > this.settings.maxRetryWaitMs) {
				return { kind: 'fail', reason: 'exhausted' };
			}
			// A 5xx or a lost response may hide a write that HubSpot applied.
			return { kind: 'retry', waitMs, resend: true, pauseAll: false };
		}

		return { kind: 'fail' };
	}

	/** Without Retry-After, wait a tenth of the window, doubling per attempt, up to a window. */
	private rateLimitWait(attempt: number) {
		const windowMs = this.scheduler?.effectiveWindowMs ?? 10_000;
		const base = Math.min(windowMs, (windowMs / 10) * 2 ** (attempt - 1));
		return Math.round(base * (0.8 + Math.random() * 0.4));
	}

	/** One failed input of a batch call that otherwise went through (HTTP 207). */
	batchInputError(error: StandardError, itemIndex: number): NodeApiError {
		const message = error.message ?? 'HubSpot did not accept this input';
		const details = [
			error.category && `Category: ${error.category}`,
			error.subCategory && `Subcategory: ${error.subCategory}`,
		]
			.filter(Boolean)
			.join(' · ');
		return new NodeApiError(
			this.ctx.getNode(),
			{
				message,
				category: error.category ?? null,
				subCategory: error.subCategory ?? null,
				context: (error.context as JsonObject) ?? null,
				errors: (error.errors as JsonObject[]) ?? null,
			},
			{ message: `HubSpot: ${message}`, description: details || undefined, itemIndex },
		);
	}

	private toNodeApiError(failure: FailedCall, request: HubSpotRequest, reason?: string) {
		const body = isObject(failure.body) ? failure.body : undefined;
		const hubspotMessage =
			(body && typeof body.message === 'string' && body.message) ||
			(typeof failure.body === 'string' && failure.body.trim().startsWith('<')
				? `HubSpot answered HTTP ${failure.statusCode} with an HTML page`
				: undefined) ||
			failure.message;
		const category = body && typeof body.category === 'string' ? body.category : undefined;
		const correlationId =
			body && typeof body.correlationId === 'string' ? body.correlationId : undefined;
		const details: string[] = [];
		if (category) details.push(`Category: ${category}`);
		if (correlationId) details.push(`Correlation ID: ${correlationId}`);
		if (reason === 'daily') {
			details.unshift(
				"HubSpot's daily request limit for this app is used up. It resets at midnight in the account's time zone; this request was not retried.",
			);
		} else if (reason === 'exhausted') {
			details.unshift(
				`Gave up after ${this.settings.maxAttempts} attempts or ${Number(
					(this.settings.maxRetryWaitMs / 1000).toFixed(1),
				)} s of waiting (see the node's Request Settings).`,
			);
		}
		const errorResponse: JsonObject = {
			message: hubspotMessage,
			httpCode: failure.statusCode ?? null,
			category: category ?? null,
			subCategory: body && typeof body.subCategory === 'string' ? body.subCategory : null,
			correlationId: correlationId ?? null,
			policyName: policyName(failure.body) ?? null,
			errors: body && Array.isArray(body.errors) ? (body.errors as JsonObject[]) : null,
			context: body && isObject(body.context) ? (body.context as JsonObject) : null,
			request: `${request.method} ${request.path}`,
		};
		if (failure.code) errorResponse.code = failure.code;
		const error = new NodeApiError(this.ctx.getNode(), errorResponse, {
			message: `HubSpot: ${hubspotMessage}`,
			description: details.join(' · ') || undefined,
			httpCode: failure.statusCode ? String(failure.statusCode) : undefined,
			itemIndex: request.itemIndex,
		});
		if (reason === 'daily') this.dailyLimitError = error;
		return error;
	}
}

/** A 2xx, or an error status this request takes as an answer. */
function isAnswer(response: RawResponse, request: HubSpotRequest) {
	return (
		(response.statusCode >= 200 && response.statusCode < 300) ||
		request.acceptStatuses?.includes(response.statusCode) === true
	);
}

function failureOf(response: RawResponse): FailedCall {
	return {
		statusCode: response.statusCode,
		headers: response.headers,
		body: response.body,
		message: `HTTP ${response.statusCode}`,
	};
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function policyName(body: unknown): string | undefined {
	return isObject(body) && typeof body.policyName === 'string' ? body.policyName : undefined;
}

function retryAfterMs(headers: Record<string, unknown> | undefined): number | undefined {
	const value = headers?.['retry-after'];
	if (value === undefined || value === null || value === '') return undefined;
	const seconds = Number(value);
	if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
	const date = Date.parse(String(value));
	return Number.isFinite(date) ? Math.max(0, date - Date.now()) : undefined;
}

function backoffWithJitter(attempt: number) {
	const base = Math.min(8_000, 250 * 2 ** (attempt - 1));
	return Math.round(base / 2 + Math.random() * (base / 2));
}

function isLostResponse(failure: FailedCall) {
	if (failure.code && LOST_RESPONSE_CODES.has(failure.code)) return true;
	return /socket hang up|timeout|network error|aborted/i.test(failure.message);
}

function plainHeaders(headers: unknown): Record<string, unknown> | undefined {
	if (!headers || typeof headers !== 'object') return undefined;
	const source =
		typeof (headers as { toJSON?: () => unknown }).toJSON === 'function'
			? ((headers as { toJSON: () => unknown }).toJSON() as Record<string, unknown>)
			: (headers as Record<string, unknown>);
	const result: Record<string, unknown> = {};
	for (const [name, value] of Object.entries(source)) result[name.toLowerCase()] = value;
	return result;
}

/**
 * n8n wraps request failures differently across versions (NodeApiError around an
 * AxiosError, or the AxiosError itself). Pull out status, headers and body, and drop
 * everything else: the request config holds the Authorization header.
 */
function describeFailure(error: unknown): FailedCall {
	const candidates: unknown[] = [];
	let current: unknown = error;
	for (let depth = 0; depth < 4 && isObject(current); depth++) {
		candidates.push(current);
		current = (current as { cause?: unknown }).cause;
	}
	let statusCode: number | undefined;
	let headers: Record<string, unknown> | undefined;
	let body: unknown;
	let code: string | undefined;
	for (const candidate of candidates as Array<Record<string, unknown>>) {
		const response = isObject(candidate.response) ? candidate.response : undefined;
		if (response) {
			statusCode ??= typeof response.status === 'number' ? response.status : undefined;
			headers ??= plainHeaders(response.headers);
			body ??= response.data;
		}
		if (typeof candidate.code === 'string' && !code) code = candidate.code;
	}
	for (const candidate of candidates as Array<Record<string, unknown>>) {
		if (statusCode !== undefined) break;
		const httpCode = candidate.httpCode;
		if (typeof httpCode === 'string' && /^E[A-Z_]+$/.test(httpCode)) {
			// n8n's NodeApiError keeps a network error's code (ECONNRESET...) as its httpCode
			code ??= httpCode;
		} else if (Number.isInteger(Number(httpCode)) && Number(httpCode) >= 100) {
			statusCode = Number(httpCode);
		}
		if (
			statusCode !== undefined &&
			isObject(candidate.context) &&
			candidate.context.data !== undefined
		) {
			body ??= candidate.context.data;
		}
	}
	const innermost = candidates[candidates.length - 1] as
		{ message?: unknown; messages?: unknown } | undefined;
	// NodeApiError replaces the original message with a friendlier one and keeps the original in `messages`.
	const original = Array.isArray(innermost?.messages)
		? innermost.messages.find((text) => typeof text === 'string')
		: undefined;
	const message = String(original ?? innermost?.message ?? 'Request failed');
	return { statusCode, headers, body, code, message };
}

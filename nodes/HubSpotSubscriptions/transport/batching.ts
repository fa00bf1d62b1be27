import type { IDataObject, JsonObject } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { HubSpotRequest, HubSpotTransport } from './index';
import type { HubSpotActionResponse, StandardError } from '../helpers/interfaces';
import { chunk, runPool } from '../helpers/items';

export type BatchMode = 'auto' | 'always' | 'never';

/** One unit of work: one address (and, for writes, one subscription type) of one input item. */
export interface Job<I> {
	id: number;
	itemIndex: number;
	/** The address, lower-cased: how batch results and errors are matched back. */
	email: string;
	/** Jobs of different groups never share a batch call (e.g. a different brand). */
	group: string;
	input: I;
}

export interface BatchState {
	refused: boolean;
	/** The largest batch HubSpot is known to take in this run, after it refused a larger one. */
	maxSize?: number;
}

export type JobOutcome<R> = { ok: true; value: R } | { ok: false; error: Error };

export interface JobPlan<I, R> {
	mode: BatchMode;
	batchSize: number;
	concurrency: number;
	/** The batch call for some jobs of one group. */
	batchRequest(jobs: Array<Job<I>>): HubSpotRequest;
	/** Which job a batch result belongs to (undefined: none). */
	matchResult(result: IDataObject, jobs: Array<Job<I>>): Job<I> | undefined;
	fromBatchResult(result: IDataObject): R;
	singleRequest(job: Job<I>): HubSpotRequest;
	fromSingleResponse(body: IDataObject, job: Job<I>): R;
	/** Jobs with the same key never share a batch call (HubSpot would see one input twice). */
	conflictKey?(job: Job<I>): string;
	/**
	 * True when HubSpot refused a whole batch call for what may be one input's value (an
	 * all-or-nothing endpoint): the call is sent again in halves, so that only the inputs
	 * HubSpot refuses fail. Safe because a refused call wrote nothing.
	 */
	refusedForOneInput?(error: unknown): boolean;
	/** Said once when auto mode has to fall back to single calls. */
	onFallback(reason: string): void;
	/**
	 * Shared by every call of one execution: once HubSpot refused the batch endpoint, stop asking;
	 * once it said a batch is too large, no later call is larger than the size it took.
	 */
	batchState: BatchState;
	shouldStop(): boolean;
}

/**
 * Runs jobs through HubSpot's batch endpoint where allowed, one call per job otherwise, and
 * answers every job on its own: a batch that partly fails fails only the inputs it names.
 */
export async function runJobs<I, R>(
	transport: HubSpotTransport,
	jobs: Array<Job<I>>,
	plan: JobPlan<I, R>,
): Promise<Map<number, JobOutcome<R>>> {
	const outcomes = new Map<number, JobOutcome<R>>();
	const useBatch =
		plan.mode === 'always' || (plan.mode === 'auto' && jobs.length > 1 && !plan.batchState.refused);

	const runSingle = async (job: Job<I>) => {
		try {
			const response = await transport.request<IDataObject>(plan.singleRequest(job));
			outcomes.set(job.id, { ok: true, value: plan.fromSingleResponse(response.body ?? {}, job) });
		} catch (error) {
			outcomes.set(job.id, { ok: false, error: error as Error });
		}
	};

	if (!useBatch) {
		await runPool(jobs, plan.concurrency, runSingle, plan.shouldStop);
		return outcomes;
	}

	const sendBatch = async (batch: Array<Job<I>>): Promise<void> => {
		const { maxSize } = plan.batchState;
		if (maxSize !== undefined && batch.length > maxSize) {
			for (const part of chunk(batch, maxSize)) await sendBatch(part);
			return;
		}
		if (plan.batchState.refused && plan.mode === 'auto') {
			await runPool(batch, plan.concurrency, runSingle, plan.shouldStop);
			return;
		}
		let response;
		try {
			response = await transport.request<HubSpotActionResponse<IDataObject>>({
				...plan.batchRequest(batch),
				itemIndex: batch[0].itemIndex,
			});
		} catch (error) {
			if (plan.mode === 'auto' && isMissingScopes(error)) {
				if (!plan.batchState.refused) {
					plan.batchState.refused = true;
					plan.onFallback(
						'HubSpot refused the batch endpoint (its batch scopes are Marketing Hub Enterprise only), so this run sent one request per address instead.',
					);
				}
				await runPool(batch, plan.concurrency, runSingle, plan.shouldStop);
				return;
			}
			if (batch.length > 1 && (isBatchTooLarge(error) || plan.refusedForOneInput?.(error))) {
				const half = Math.ceil(batch.length / 2);
				if (isBatchTooLarge(error))
					plan.batchState.maxSize = Math.min(plan.batchState.maxSize ?? half, half);
				await sendBatch(batch.slice(0, half));
				await sendBatch(batch.slice(half));
				return;
			}
			for (const job of batch) outcomes.set(job.id, { ok: false, error: error as Error });
			return;
		}
		assignBatchResults(
			transport,
			batch,
			response.body ?? { status: 'COMPLETE', results: [] },
			plan,
			outcomes,
		);
	};

	await runPool(batchesOf(jobs, plan), plan.concurrency, sendBatch, plan.shouldStop);
	return outcomes;
}

/** Batches of at most the batch size, one group (brand) per batch, no conflicting jobs together. */
function batchesOf<I, R>(jobs: Array<Job<I>>, plan: JobPlan<I, R>): Array<Array<Job<I>>> {
	const batches: Array<Array<Job<I>>> = [];
	const byGroup = new Map<string, Array<Job<I>>>();
	for (const job of jobs) {
		const group = byGroup.get(job.group) ?? [];
		group.push(job);
		byGroup.set(job.group, group);
	}
	for (const group of byGroup.values()) {
		batches.push(
			...(plan.conflictKey
				? chunkWithoutConflicts(group, plan.batchSize, plan.conflictKey)
				: chunk(group, plan.batchSize)),
		);
	}
	return batches;
}

/** Like chunk(), but a job whose key is already in a chunk goes to a later one. */
function chunkWithoutConflicts<J>(jobs: J[], size: number, keyOf: (job: J) => string): J[][] {
	const chunks: Array<{ jobs: J[]; keys: Set<string> }> = [];
	let firstOpen = 0;
	for (const job of jobs) {
		const key = keyOf(job);
		let index = firstOpen;
		while (
			index < chunks.length &&
			(chunks[index].jobs.length >= size || chunks[index].keys.has(key))
		)
			index++;
		if (index === chunks.length) chunks.push({ jobs: [], keys: new Set() });
		chunks[index].jobs.push(job);
		chunks[index].keys.add(key);
		while (firstOpen < chunks.length && chunks[firstOpen].jobs.length >= size) firstOpen++;
	}
	return chunks.map((entry) => entry.jobs);
}

function assignBatchResults<I, R>(
	transport: HubSpotTransport,
	batch: Array<Job<I>>,
	body: HubSpotActionResponse<IDataObject>,
	plan: JobPlan<I, R>,
	outcomes: Map<number, JobOutcome<R>>,
) {
	const pending = new Set(batch);
	for (const result of body.results ?? []) {
		const job = plan.matchResult(result, [...pending]);
		if (!job) continue;
		pending.delete(job);
		outcomes.set(job.id, { ok: true, value: plan.fromBatchResult(result) });
	}
	const errors = body.errors ?? [];
	for (const job of pending) {
		const error =
			errors.find((candidate) => errorNamesJob(candidate, job.email)) ??
			(errors.length === 1 && pending.size === 1 ? errors[0] : undefined);
		outcomes.set(job.id, {
			ok: false,
			error: transport.batchInputError(
				error ?? {
					category: 'MISSING_RESULT',
					message: "HubSpot's batch response has no result for this input",
				},
				job.itemIndex,
			),
		});
	}
}

/** True when a batch error's context or message names this address. */
function errorNamesJob(error: StandardError, email: string): boolean {
	const mentions = (value: unknown): boolean => {
		if (typeof value === 'string') return value.trim().toLowerCase() === email;
		if (Array.isArray(value)) return value.some(mentions);
		if (value && typeof value === 'object') return Object.values(value).some(mentions);
		return false;
	};
	if (mentions(error.context)) return true;
	return typeof error.message === 'string' && error.message.toLowerCase().includes(email);
}

function responseOf(error: unknown): JsonObject | undefined {
	return error instanceof NodeApiError
		? (error.errorResponse as JsonObject | undefined)
		: undefined;
}

/** HubSpot's error codes in a refused call (`errors[].code`). */
export function errorCodesOf(error: unknown): string[] {
	const errors = responseOf(error)?.errors;
	if (!Array.isArray(errors)) return [];
	return errors.map((entry) => String((entry as JsonObject | null)?.code ?? '')).filter(Boolean);
}

export function httpCodeOf(error: unknown): string | undefined {
	return error instanceof NodeApiError ? (error.httpCode ?? undefined) : undefined;
}

function isMissingScopes(error: unknown) {
	const response = responseOf(error);
	return (
		response?.category === 'MISSING_SCOPES' ||
		(error instanceof NodeApiError && error.httpCode === '403')
	);
}

function isBatchTooLarge(error: unknown) {
	const response = responseOf(error);
	if (!(error instanceof NodeApiError) || error.httpCode !== '400') return false;
	const message = String(response?.message ?? '');
	return /too many|at most|maximum|exceed|limit/i.test(message) && /input/i.test(message);
}

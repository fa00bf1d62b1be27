import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { isTransientFailure } from '../transport';
import { InputError, inputError } from './validation';

/** The Retry Later output: on for write operations when the node's setting says so. */
export interface RetryLaterSettings {
	enabled: boolean;
	/** Rounds through the Retry Later output an item may take before a transient failure is final. */
	maxRounds: number;
}

/** What an item carries on its way through the Retry Later output and back. */
export interface RetryLaterMark {
	round: number;
	reason: string;
	httpCode?: string;
	policyName?: string;
}

/**
 * Collects exactly one output item per input item, paired to it. A failure either becomes
 * that item's error item (Continue On Fail), goes to the Retry Later output (a transient
 * failure, when that output is on), or stops the node with the item's index.
 */
export class ItemOutcomes {
	private readonly outputs: Array<INodeExecutionData[] | undefined>;

	/** Index of the output each item's result goes to: 0 Done, 1 Retry Later. */
	private readonly outputOf: number[];

	private hasStopped = false;

	readonly continueOnFail: boolean;

	constructor(
		private readonly ctx: IExecuteFunctions,
		readonly count: number,
		readonly retryLater: RetryLaterSettings = { enabled: false, maxRounds: 0 },
	) {
		this.outputs = new Array(count);
		this.outputOf = new Array(count).fill(0);
		this.continueOnFail = ctx.continueOnFail();
	}

	/** True once a failure has stopped the run (without Continue On Fail): send nothing more. */
	get stopped() {
		return this.hasStopped;
	}

	succeed(itemIndex: number, json: IDataObject) {
		this.outputs[itemIndex] = [{ json, pairedItem: { item: itemIndex } }];
	}

	/** For list operations: every entry is paired to the input item that asked for it. */
	succeedMany(itemIndex: number, jsons: IDataObject[]) {
		this.outputs[itemIndex] = jsons.map((json) => ({ json, pairedItem: { item: itemIndex } }));
	}

	/**
	 * Records an item's failure. Without Continue On Fail this throws (the node stops, and
	 * `stopped` tells the other items' work to send nothing more), unless the failure is
	 * transient and the Retry Later output takes the item.
	 */
	failOrStop(itemIndex: number, error: unknown) {
		const nodeError = this.toNodeError(itemIndex, error);
		const finalError = this.routeToRetryLater(itemIndex, nodeError);
		if (!finalError) return;
		if (!this.continueOnFail) {
			this.hasStopped = true;
			throw finalError;
		}
		this.outputs[itemIndex] = [{ json: errorJson(finalError), pairedItem: { item: itemIndex } }];
	}

	/**
	 * A transient failure (429, 5xx, lost response) sends the item, as it came in, to the
	 * Retry Later output with its round count. Returns the error to report instead: the
	 * failure itself, or a "gave up" error once the item has used its rounds.
	 */
	private routeToRetryLater(
		itemIndex: number,
		error: NodeApiError | NodeOperationError,
	): NodeApiError | NodeOperationError | undefined {
		if (!this.retryLater.enabled || !isTransientFailure(error)) return error;
		const input = this.ctx.getInputData()[itemIndex]?.json ?? {};
		const previous = retryLaterMarkOf(input);
		const rounds = previous?.round ?? 0;
		if (rounds >= this.retryLater.maxRounds) {
			return new NodeOperationError(
				this.ctx.getNode(),
				`Item ${itemIndex + 1}: gave up after ${rounds} Retry Later round${rounds === 1 ? '' : 's'}: ${error.message}`,
				{
					itemIndex,
					description:
						'HubSpot kept failing for a transient reason (rate limit, outage or lost connection). Nothing was written for this item: run it again once HubSpot answers, or raise Max Retry Later Rounds.',
				},
			);
		}
		const response =
			error instanceof NodeApiError ? ((error.errorResponse ?? {}) as JsonObject) : {};
		const mark: RetryLaterMark = { round: rounds + 1, reason: error.message };
		if (error instanceof NodeApiError && error.httpCode) mark.httpCode = error.httpCode;
		if (typeof response.policyName === 'string') mark.policyName = response.policyName;
		this.outputs[itemIndex] = [
			{
				json: { ...input, retryLater: mark as unknown as IDataObject },
				pairedItem: { item: itemIndex },
			},
		];
		this.outputOf[itemIndex] = 1;
		return undefined;
	}

	/** Runs `parse` for every item; bad input fails here, before any request is sent. */
	parseAll<T>(parse: (itemIndex: number) => T): Array<{ itemIndex: number; value: T }> {
		const parsed: Array<{ itemIndex: number; value: T }> = [];
		for (let itemIndex = 0; itemIndex < this.count; itemIndex++) {
			try {
				parsed.push({ itemIndex, value: parse(itemIndex) });
			} catch (error) {
				this.failOrStop(itemIndex, error);
			}
		}
		return parsed;
	}

	/** One list per output: [Done] or, with the Retry Later output on, [Done, Retry Later]. */
	result(): INodeExecutionData[][] {
		const byOutput: INodeExecutionData[][] = this.retryLater.enabled ? [[], []] : [[]];
		this.outputs.forEach((output, itemIndex) => {
			if (!output) {
				// Every path above fills its items; this guards the promise of one output per input.
				throw new NodeOperationError(
					this.ctx.getNode(),
					`Item ${itemIndex + 1} produced no result`,
					{
						itemIndex,
					},
				);
			}
			byOutput[this.outputOf[itemIndex]].push(...output);
		});
		return byOutput;
	}

	private toNodeError(itemIndex: number, error: unknown): NodeApiError | NodeOperationError {
		if (error instanceof InputError) return inputError(this.ctx, itemIndex, error);
		if (error instanceof NodeApiError || error instanceof NodeOperationError) {
			error.context.itemIndex ??= itemIndex;
			return error;
		}
		return new NodeOperationError(this.ctx.getNode(), error as Error, { itemIndex });
	}
}

function retryLaterMarkOf(json: IDataObject): RetryLaterMark | undefined {
	const mark = json.retryLater;
	if (!mark || typeof mark !== 'object' || Array.isArray(mark)) return undefined;
	const round = Number((mark as IDataObject).round);
	return Number.isInteger(round) && round >= 0
		? ({ ...(mark as IDataObject), round } as unknown as RetryLaterMark)
		: undefined;
}

function errorJson(error: NodeApiError | NodeOperationError): IDataObject {
	const json: IDataObject = { error: error.message };
	if (error.description) json.description = error.description;
	if (error instanceof NodeApiError) {
		const response = (error.errorResponse ?? {}) as JsonObject;
		if (error.httpCode) json.httpCode = error.httpCode;
		for (const key of ['category', 'correlationId', 'policyName'] as const) {
			if (response[key]) json[key] = response[key];
		}
	}
	return json;
}

/** Runs tasks with at most `concurrency` in flight, in input order. */
export async function runPool<T>(
	tasks: T[],
	concurrency: number,
	worker: (task: T) => Promise<void>,
	shouldStop: () => boolean = () => false,
): Promise<void> {
	let next = 0;
	let failure: unknown;
	const lanes = Array.from(
		{ length: Math.max(1, Math.min(concurrency, tasks.length)) },
		async () => {
			while (next < tasks.length && failure === undefined && !shouldStop()) {
				const task = tasks[next++];
				try {
					await worker(task);
				} catch (error) {
					failure ??= error;
				}
			}
		},
	);
	await Promise.all(lanes);
	if (failure !== undefined) throw failure;
}

export function chunk<T>(values: T[], size: number): T[][] {
	const chunks: T[][] = [];
	for (let start = 0; start < values.length; start += size)
		chunks.push(values.slice(start, start + size));
	return chunks;
}

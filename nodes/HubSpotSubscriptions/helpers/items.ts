import type { IDataObject, IExecuteFunctions, INodeExecutionData, JsonObject } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { InputError, inputError } from './validation';

/**
 * Collects exactly one output item per input item, paired to it. A failure either becomes
 * that item's error item (Continue On Fail) or stops the node with the item's index.
 */
export class ItemOutcomes {
	private readonly outputs: Array<INodeExecutionData[] | undefined>;

	private firstFailure: Error | undefined;

	readonly continueOnFail: boolean;

	constructor(
		private readonly ctx: IExecuteFunctions,
		readonly count: number,
	) {
		this.outputs = new Array(count);
		this.continueOnFail = ctx.continueOnFail();
	}

	/** True once a failure has stopped the run (without Continue On Fail): send nothing more. */
	get stopped() {
		return this.firstFailure !== undefined;
	}

	succeed(itemIndex: number, json: IDataObject) {
		this.outputs[itemIndex] = [{ json, pairedItem: { item: itemIndex } }];
	}

	/** For list operations: every entry is paired to the input item that asked for it. */
	succeedMany(itemIndex: number, jsons: IDataObject[]) {
		this.outputs[itemIndex] = jsons.map((json) => ({ json, pairedItem: { item: itemIndex } }));
	}

	fail(itemIndex: number, error: unknown) {
		const nodeError = this.toNodeError(itemIndex, error);
		if (!this.continueOnFail) {
			// Keep the earliest item's error so the message points at the first bad input.
			this.firstFailure ??= nodeError;
			throw nodeError;
		}
		this.outputs[itemIndex] = [{ json: errorJson(nodeError), pairedItem: { item: itemIndex } }];
	}

	/** Runs `parse` for every item; bad input fails here, before any request is sent. */
	parseAll<T>(parse: (itemIndex: number) => T): Array<{ itemIndex: number; value: T }> {
		const parsed: Array<{ itemIndex: number; value: T }> = [];
		for (let itemIndex = 0; itemIndex < this.count; itemIndex++) {
			try {
				parsed.push({ itemIndex, value: parse(itemIndex) });
			} catch (error) {
				this.fail(itemIndex, error);
			}
		}
		return parsed;
	}

	result(): INodeExecutionData[] {
		return this.outputs.flatMap((output, itemIndex) => {
			if (output) return output;
			// Every path above fills its items; this guards the promise of one output per input.
			throw new NodeOperationError(this.ctx.getNode(), `Item ${itemIndex + 1} produced no result`, {
				itemIndex,
			});
		});
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
	const lanes = Array.from({ length: Math.max(1, Math.min(concurrency, tasks.length)) }, async () => {
		while (next < tasks.length && failure === undefined && !shouldStop()) {
			const task = tasks[next++];
			try {
				await worker(task);
			} catch (error) {
				failure ??= error;
			}
		}
	});
	await Promise.all(lanes);
	if (failure !== undefined) throw failure;
}

export function chunk<T>(values: T[], size: number): T[][] {
	const chunks: T[][] = [];
	for (let start = 0; start < values.length; start += size) chunks.push(values.slice(start, start + size));
	return chunks;
}

import type { IDataObject, IExecuteFunctions, INode } from 'n8n-workflow';

import { WRITE_OPERATIONS } from '../actions/common.descriptions';
import { DEFAULT_REQUEST_SETTINGS, HubSpotTransport, type RequestSettings } from '../transport';
import type { BatchMode } from '../transport/batching';
import { DEFAULT_API_VERSION, DEFAULT_BATCH_SIZE, type ApiVersion } from './constants';
import { ItemOutcomes } from './items';
import type { PipelineOptions } from '../transport/statuses';

/** Everything an operation needs for one execution of the node. */
export interface OperationSetup {
	node: INode;
	transport: HubSpotTransport;
	outcomes: ItemOutcomes;
	pipeline: PipelineOptions;
	version: ApiVersion;
	hints: Set<string>;
}

export function createSetup(ctx: IExecuteFunctions): OperationSetup {
	const raw = ctx.getNodeParameter('requestSettings', 0, {}) as IDataObject;
	const settings: RequestSettings = {
		...DEFAULT_REQUEST_SETTINGS,
		maxRequestsPer10Seconds: positive(
			raw.maxRequestsPer10Seconds,
			DEFAULT_REQUEST_SETTINGS.maxRequestsPer10Seconds,
		),
		maxAttempts: positive(raw.maxAttempts, DEFAULT_REQUEST_SETTINGS.maxAttempts),
		maxRetryWaitMs:
			raw.maxRetryWaitSeconds === undefined
				? DEFAULT_REQUEST_SETTINGS.maxRetryWaitMs
				: Math.max(0, Number(raw.maxRetryWaitSeconds)) * 1000,
		timeoutMs:
			raw.timeoutSeconds === undefined
				? DEFAULT_REQUEST_SETTINGS.timeoutMs
				: positive(raw.timeoutSeconds, 30) * 1000,
	};
	const transport = new HubSpotTransport(ctx, settings);
	const operation = ctx.getNodeParameter('operation', 0) as string;
	const retryLaterOn =
		WRITE_OPERATIONS.includes(operation) &&
		ctx.getNodeParameter('retryLaterOutput', 0, false) === true;
	const outcomes = new ItemOutcomes(ctx, ctx.getInputData().length, {
		enabled: retryLaterOn,
		maxRounds: positive(ctx.getNodeParameter('maxRetryRounds', 0, 5), 5),
	});
	const version = ctx.getNodeParameter('apiVersion', 0, DEFAULT_API_VERSION) as ApiVersion;
	const hints = new Set<string>();
	return {
		node: ctx.getNode(),
		transport,
		outcomes,
		version,
		hints,
		pipeline: {
			version,
			mode: (raw.batchMode as BatchMode) ?? 'auto',
			batchSize: positive(raw.batchSize, DEFAULT_BATCH_SIZE),
			concurrency: settings.maxConcurrent,
			onFallback: (reason) => hints.add(reason),
			shouldStop: () => outcomes.stopped,
			batchState: { refused: false },
		},
	};
}

function positive(value: unknown, fallback: number) {
	const number = Number(value);
	return Number.isFinite(number) && number > 0 ? number : fallback;
}

/** Turns what the transport saw into one short hint for the output pane. */
export function transportHint(setup: OperationSetup): string | undefined {
	const { requests, http429, retried429, retries, resends } = setup.transport.stats;
	if (!retries && !http429) return undefined;
	const parts = [`${requests} requests to HubSpot`];
	if (http429) {
		parts.push(
			retried429 === http429
				? `${http429} answered 429 (rate limit) and were retried after a wait`
				: `${http429} answered 429 (rate limit), ${retried429} of them retried after a wait`,
		);
	}
	if (resends) {
		parts.push(
			`${resends} writes were sent again after a lost or failed response (safe: each write sets a value, so sending it twice changes nothing more)`,
		);
	}
	const otherRetries = retries - resends - retried429;
	if (otherRetries > 0) parts.push(`${otherRetries} reads retried after a server or network error`);
	return `${parts.join('; ')}.`;
}

import type { IDataObject } from 'n8n-workflow';

import {
	batchReadStatusesPath,
	batchReadUnsubscribeAllPath,
	batchUnsubscribeAllPath,
	batchWriteStatusesPath,
	statusPath,
	unsubscribeAllPath,
	type HubSpotRequest,
	type HubSpotTransport,
} from './index';
import { runJobs, type BatchMode, type BatchState, type Job, type JobOutcome } from './batching';
import { CHANNEL, type ApiVersion } from '../helpers/constants';
import type { PublicStatus, PublicWideStatus, StatusWrite } from '../helpers/interfaces';

export interface PipelineOptions {
	version: ApiVersion;
	mode: BatchMode;
	batchSize: number;
	concurrency: number;
	onFallback(reason: string): void;
	shouldStop(): boolean;
	batchState: BatchState;
}

export interface AddressInput {
	itemIndex: number;
	email: string;
	businessUnitId?: number;
}

/** A status read answers with every subscription type's status of one address. */
export interface AddressStatuses {
	statuses: PublicStatus[];
	raw: IDataObject;
}

const brandQuery = (businessUnitId: number | undefined): IDataObject =>
	businessUnitId === undefined ? {} : { businessUnitId };

const groupOf = (businessUnitId: number | undefined) => String(businessUnitId ?? '');

const sameAddress = (a: unknown, b: string) =>
	typeof a === 'string' && a.trim().toLowerCase() === b;

function toJobs<I extends AddressInput>(inputs: I[]): Array<Job<I>> {
	return inputs.map((input, id) => ({
		id,
		itemIndex: input.itemIndex,
		email: input.email.toLowerCase(),
		group: groupOf(input.businessUnitId),
		input,
	}));
}

function byInput<I, R>(inputs: I[], outcomes: Map<number, JobOutcome<R>>) {
	return inputs.map((input, id) => ({ input, outcome: outcomes.get(id)! }));
}

/** Reads ask once per address and brand, however many items name it. */
async function readOncePerAddress<R>(
	inputs: AddressInput[],
	read: (unique: AddressInput[]) => Promise<Array<{ input: AddressInput; outcome: JobOutcome<R> }>>,
) {
	const keyOf = (input: AddressInput) =>
		`${input.email.toLowerCase()}|${groupOf(input.businessUnitId)}`;
	const unique = new Map<string, AddressInput>();
	for (const input of inputs) if (!unique.has(keyOf(input))) unique.set(keyOf(input), input);
	const answered = new Map<string, JobOutcome<R>>();
	for (const { input, outcome } of await read([...unique.values()]))
		answered.set(keyOf(input), outcome);
	return inputs.map((input) => ({ input, outcome: answered.get(keyOf(input))! }));
}

export async function readStatuses(
	transport: HubSpotTransport,
	inputs: AddressInput[],
	options: PipelineOptions,
) {
	return await readOncePerAddress(inputs, async (unique) => {
		const outcomes = await readPerAddress(transport, unique, options, {
			batchPath: batchReadStatusesPath(options.version),
			singlePath: (email) => statusPath(options.version, email),
			batchListField: 'statuses',
		});
		return byInput(
			unique,
			mapOutcomes(outcomes, (list, raw) => ({ statuses: list as PublicStatus[], raw })),
		);
	});
}

/** What differs between the two per-address reads (statuses, opt-out of all email). */
interface AddressReadShape {
	batchPath: string;
	singlePath: (email: string) => string;
	/** The list's name in a batch result; a single read always answers with `results`. */
	batchListField: string;
}

interface AddressList {
	list: IDataObject[];
	raw: IDataObject;
}

async function readPerAddress(
	transport: HubSpotTransport,
	inputs: AddressInput[],
	options: PipelineOptions,
	shape: AddressReadShape,
) {
	return await runJobs<AddressInput, AddressList>(transport, toJobs(inputs), {
		...options,
		batchRequest: (jobs) => ({
			method: 'POST',
			path: shape.batchPath,
			qs: { channel: CHANNEL, ...brandQuery(jobs[0].input.businessUnitId) },
			body: { inputs: jobs.map((job) => job.input.email) },
			// A batch read is a POST that writes nothing: its retries are not re-sent writes.
			changesNothing: true,
		}),
		matchResult: (result, jobs) =>
			jobs.find((job) => sameAddress(result.subscriberIdString, job.email)),
		fromBatchResult: (result) => ({
			list: (result[shape.batchListField] as IDataObject[]) ?? [],
			raw: result,
		}),
		singleRequest: (job) => ({
			method: 'GET',
			path: shape.singlePath(job.input.email),
			qs: { channel: CHANNEL, ...brandQuery(job.input.businessUnitId) },
			itemIndex: job.itemIndex,
		}),
		fromSingleResponse: (body) => ({ list: (body.results as IDataObject[]) ?? [], raw: body }),
	});
}

function mapOutcomes<R>(
	outcomes: Map<number, JobOutcome<AddressList>>,
	toResult: (list: IDataObject[], raw: IDataObject) => R,
) {
	const mapped = new Map<number, JobOutcome<R>>();
	for (const [id, outcome] of outcomes) {
		mapped.set(
			id,
			outcome.ok ? { ok: true, value: toResult(outcome.value.list, outcome.value.raw) } : outcome,
		);
	}
	return mapped;
}

export interface WriteInput extends AddressInput {
	write: StatusWrite;
}

export interface WriteResult {
	status: PublicStatus;
	raw: IDataObject;
}

/** The body HubSpot's single-address endpoint takes: the batch input without the address. */
export function singleWriteBody(write: StatusWrite): IDataObject {
	const { subscriberIdString: _address, ...body } = write;
	return body;
}

export function writeRequests(version: ApiVersion) {
	return {
		batch: (writes: StatusWrite[]): HubSpotRequest => ({
			method: 'POST',
			path: batchWriteStatusesPath(version),
			body: { inputs: writes },
		}),
		single: (write: StatusWrite, itemIndex?: number): HubSpotRequest => ({
			method: 'POST',
			path: statusPath(version, write.subscriberIdString),
			body: singleWriteBody(write),
			itemIndex,
		}),
	};
}

export async function writeStatuses(
	transport: HubSpotTransport,
	inputs: WriteInput[],
	options: PipelineOptions,
) {
	const requests = writeRequests(options.version);
	// Writes carry no brand: a subscription type belongs to one brand already.
	const jobs = toJobs(inputs).map((job) => ({ ...job, group: '' }));
	const outcomes = await runJobs<WriteInput, WriteResult>(transport, jobs, {
		...options,
		batchRequest: (batch) => requests.batch(batch.map((job) => job.input.write)),
		conflictKey: (job) => `${job.email}|${job.input.write.subscriptionId}`,
		matchResult: (result, candidates) =>
			candidates.find(
				(job) =>
					sameAddress(result.subscriberIdString, job.email) &&
					Number(result.subscriptionId) === job.input.write.subscriptionId,
			),
		fromBatchResult: (result) => ({ status: result as PublicStatus, raw: result }),
		singleRequest: (job) => requests.single(job.input.write, job.itemIndex),
		fromSingleResponse: (body, job) => {
			const results = (body.results as PublicStatus[]) ?? [];
			const status =
				results.find(
					(candidate) => Number(candidate.subscriptionId) === job.input.write.subscriptionId,
				) ?? results[0];
			return { status, raw: body };
		},
	});
	return byInput(inputs, outcomes);
}

export interface UnsubscribeAllInput extends AddressInput {
	verbose: boolean;
}

export interface UnsubscribeAllResult {
	statuses: PublicStatus[];
	raw: IDataObject;
}

export function unsubscribeAllRequests(version: ApiVersion) {
	return {
		batch: (
			emails: string[],
			businessUnitId: number | undefined,
			verbose: boolean,
		): HubSpotRequest => ({
			method: 'POST',
			path: batchUnsubscribeAllPath(version),
			qs: {
				channel: CHANNEL,
				...brandQuery(businessUnitId),
				...(verbose ? { verbose: true } : {}),
			},
			body: { inputs: emails },
		}),
		single: (
			email: string,
			businessUnitId: number | undefined,
			verbose: boolean,
			itemIndex?: number,
		): HubSpotRequest => ({
			method: 'POST',
			path: unsubscribeAllPath(version, email),
			qs: {
				channel: CHANNEL,
				...brandQuery(businessUnitId),
				...(verbose ? { verbose: true } : {}),
			},
			itemIndex,
		}),
	};
}

export async function unsubscribeFromAll(
	transport: HubSpotTransport,
	inputs: UnsubscribeAllInput[],
	options: PipelineOptions,
) {
	const requests = unsubscribeAllRequests(options.version);
	const jobs = toJobs(inputs).map((job) => ({
		...job,
		group: `${job.group}|${job.input.verbose}`,
	}));
	const outcomes = await runJobs<UnsubscribeAllInput, UnsubscribeAllResult>(transport, jobs, {
		...options,
		conflictKey: (job) => job.email,
		batchRequest: (batch) =>
			requests.batch(
				batch.map((job) => job.input.email),
				batch[0].input.businessUnitId,
				batch[0].input.verbose,
			),
		matchResult: (result, candidates) =>
			candidates.find((job) => sameAddress(result.subscriberIdString, job.email)),
		fromBatchResult: (result) => ({
			statuses: (result.statuses as PublicStatus[]) ?? [],
			raw: result,
		}),
		singleRequest: (job) =>
			requests.single(job.input.email, job.input.businessUnitId, job.input.verbose, job.itemIndex),
		fromSingleResponse: (body) => ({ statuses: (body.results as PublicStatus[]) ?? [], raw: body }),
	});
	return byInput(inputs, outcomes);
}

export interface WideStatusResult {
	wideStatuses: PublicWideStatus[];
	raw: IDataObject;
}

export async function readWideStatuses(
	transport: HubSpotTransport,
	inputs: AddressInput[],
	options: PipelineOptions,
) {
	return await readOncePerAddress(inputs, async (unique) => {
		const outcomes = await readPerAddress(transport, unique, options, {
			batchPath: batchReadUnsubscribeAllPath(options.version),
			singlePath: (email) => unsubscribeAllPath(options.version, email),
			batchListField: 'wideStatuses',
		});
		return byInput(
			unique,
			mapOutcomes(outcomes, (list, raw): WideStatusResult => ({
				wideStatuses: list as PublicWideStatus[],
				raw,
			})),
		);
	});
}

import type { IDataObject, IExecuteFunctions, INodeParameterResourceLocator } from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';

import { CHANNEL } from '../../helpers/constants';
import { subscriptionTypes } from '../../transport/definitions';
import type { PublicStatus, StatusWrite, SubscriptionDefinition } from '../../helpers/interfaces';
import { simplifyStatus } from '../../helpers/output';
import type { ParameterReader } from '../../helpers/parameters';
import { describeRequest } from '../../helpers/requestPreview';
import type { OperationSetup } from '../../helpers/setup';
import {
	readStatuses,
	readWideStatuses,
	writeRequests,
	writeStatuses,
	type WriteResult,
} from '../../transport/statuses';
import {
	InputError,
	parseTime,
	requireEmail,
	requireExplanation,
	requireLegalBasis,
	requireStatusState,
	requireSubscriptionId,
} from '../../helpers/validation';
import { isTransientFailure } from '../../transport';

/** The output of a write skipped because a newer event for the same address and type was applied. */
export const SKIPPED_OLDER = 'older than the last applied event';

/** What one input item asks to write: one address, one or more subscription types. */
export interface ItemWrites {
	itemIndex: number;
	email: string;
	writes: StatusWrite[];
	/** Names of the types (from the account's list), for the output where HubSpot gives none. */
	names: Map<number, string>;
	/** One write per item gives a flat item; several give { email, statuses }. */
	flat: boolean;
	/** When the event happened (epoch ms), if the workflow gives it: the latest event wins. */
	eventTime?: number;
	/** Whether a SUBSCRIBED write may undo the address's opt-out (renewed consent). */
	allowResubscribe: boolean;
}

interface WriteOptions {
	dryRun: boolean;
	simplify: boolean;
	/**
	 * Whether the subscription types come from the items' data. A type picked in the editor
	 * was checked there (the list offers only the account's active types); types mapped from
	 * data are checked against the account's list before anything is sent.
	 */
	typesFromData: boolean;
}

/**
 * One item's writes from the node's fields (Set and Batch Write share them): the main type and,
 * for Set, the additional ones, with the same status and evidence.
 */
export function readItemWrites(
	parameters: ParameterReader,
	itemIndex: number,
	extraTypes: number[] = [],
): ItemWrites {
	const email = requireEmail(parameters.get('email', itemIndex));
	const locator = parameters.get<INodeParameterResourceLocator>('subscriptionType', itemIndex);
	const subscriptionId = requireSubscriptionId(locator?.value);
	const names = new Map<number, string>();
	if (locator?.cachedResultName)
		names.set(subscriptionId, String(locator.cachedResultName).split(' · ')[0]);
	const statusState = requireStatusState(parameters.get('statusState', itemIndex));
	const legalBasis = requireLegalBasis(parameters.get('legalBasis', itemIndex, ''));
	const legalBasisExplanation = requireExplanation(
		parameters.get('legalBasisExplanation', itemIndex, ''),
		legalBasis,
	);
	const options = parameters.get<IDataObject>('options', itemIndex, {});
	const eventTime =
		options.eventTime === undefined || options.eventTime === ''
			? undefined
			: parseTime(
					options.eventTime,
					'Event Time',
					'map it from the trigger, e.g. {{ $json.occurredAt }}, or remove the option',
				);
	const write: StatusWrite = {
		subscriberIdString: email,
		subscriptionId,
		statusState,
		channel: CHANNEL,
		legalBasis,
		...(legalBasisExplanation || eventTime !== undefined
			? { legalBasisExplanation: withEventTime(legalBasisExplanation, eventTime) }
			: {}),
	};
	const subscriptionIds = [...new Set([subscriptionId, ...extraTypes])];
	return {
		itemIndex,
		email,
		writes: subscriptionIds.map((id) => ({ ...write, subscriptionId: id })),
		names,
		flat: subscriptionIds.length === 1,
		eventTime,
		allowResubscribe: options.allowResubscribe === true,
	};
}

// The last applied event's time is kept in HubSpot, with the status it decided: at the end of
// the explanation. Every n8n process (workers, restarts) reads it back from there.
const EVENT_TIME_MARK = /\s*\[event time (\d{4}-\d\d-\d\dT[\d:.]+Z)\]\s*$/;

function withEventTime(explanation: string | undefined, eventTime: number | undefined) {
	if (eventTime === undefined) return explanation ?? '';
	const mark = `[event time ${new Date(eventTime).toISOString()}]`;
	return explanation ? `${explanation.replace(EVENT_TIME_MARK, '')} ${mark}` : mark;
}

/**
 * When the status HubSpot holds was decided: the event time this node recorded with it, or,
 * for a status someone else set (a person's click, a user, an import), HubSpot's timestamp.
 */
function decidedAt(status: PublicStatus | undefined): number | undefined {
	if (!status) return undefined;
	const mark = EVENT_TIME_MARK.exec(status.legalBasisExplanation ?? '');
	if (mark) return Date.parse(mark[1]);
	if (status.status === 'NOT_SPECIFIED') return undefined;
	const time = Date.parse(status.timestamp);
	return Number.isFinite(time) ? time : undefined;
}

/** What HubSpot holds for one address and brand, as far as the writes need it. */
interface AddressState {
	statuses: Map<number, PublicStatus>;
	/** When the address opted out of all email of the brand; undefined when it has not. */
	optedOutOfAllAt?: number;
}

/** Marks a write that was not sent because the run stopped at another item's error. */
const STOPPED = new Error('stopped before sending');

/** One write of one item, and what became of it. */
interface WriteTask {
	item: ItemWrites;
	write: StatusWrite;
	key: string;
	brand: number;
	result?: WriteResult;
	skipped?: string;
	error?: Error;
	/** Dry Run: what the call would do. */
	preview?: IDataObject;
	/** Dry Run: whether the real call would send this write in a batch call. */
	batched?: boolean;
}

/**
 * Status writes of Set and Batch Write. Writes for the same address and type are applied one
 * after another (never in parallel), in input order or, with Event Time, in event order, so
 * the later one wins. Without Continue On Fail every item is checked before the first request;
 * with it, items are read and sent one batch at a time so a large run keeps the rate window busy.
 */
export async function executeWrites(
	ctx: IExecuteFunctions,
	setup: OperationSetup,
	parseItem: (itemIndex: number) => ItemWrites,
	typesFromData: boolean,
) {
	const options: WriteOptions = {
		dryRun: ctx.getNodeParameter('dryRun', 0, false) as boolean,
		simplify: ctx.getNodeParameter('simplify', 0, true) as boolean,
		typesFromData,
	};
	const run = new WriteRun(setup, options);
	const { outcomes } = setup;
	if (options.dryRun || !outcomes.continueOnFail) {
		await run.process(outcomes.parseAll(parseItem).map(({ value }) => value));
		return;
	}
	const step = setup.pipeline.batchSize;
	const sending: Array<Promise<void>> = [];
	try {
		for (let start = 0; start < outcomes.count; start += step) {
			const parsed: ItemWrites[] = [];
			for (let itemIndex = start; itemIndex < Math.min(outcomes.count, start + step); itemIndex++) {
				try {
					parsed.push(parseItem(itemIndex));
				} catch (error) {
					outcomes.failOrStop(itemIndex, error);
				}
			}
			sending.push(run.process(parsed));
			// Let responses and the rate window's timers run before reading the next batch.
			await sleep(0);
		}
	} finally {
		// Every batch already under way is answered before the node returns.
		await Promise.allSettled(sending);
	}
	await Promise.all(sending);
}

class WriteRun {
	/** Keys (address|type) of batches under way, so a later batch waits for an earlier write of the same key. */
	private readonly inFlight: Array<{ keys: Set<string>; done: Promise<unknown> }> = [];

	/** Event time of the last write applied in this run, per address|type. */
	private readonly appliedAt = new Map<string, number>();

	constructor(
		private readonly setup: OperationSetup,
		private readonly options: WriteOptions,
	) {}

	async process(items: ItemWrites[]) {
		const tasks: WriteTask[] = items.flatMap((item) =>
			item.writes.map((write) => ({
				item,
				write,
				key: keyOf(item.email, write.subscriptionId),
				brand: 0,
			})),
		);
		const keys = new Set(tasks.map((task) => task.key));
		const earlier = this.inFlight.filter((entry) => [...entry.keys].some((key) => keys.has(key)));
		const done = this.processAfter(
			earlier.map((entry) => entry.done),
			items,
			tasks,
		);
		const entry = { keys, done: done.catch(() => undefined) };
		this.inFlight.push(entry);
		try {
			await done;
		} finally {
			this.inFlight.splice(this.inFlight.indexOf(entry), 1);
		}
	}

	private async processAfter(
		earlier: Array<Promise<unknown>>,
		items: ItemWrites[],
		tasks: WriteTask[],
	) {
		await Promise.all(earlier);
		if (!items.length) return;
		const { setup } = this;
		let definitions: Map<number, SubscriptionDefinition> | undefined;
		let live = items;
		if (this.options.typesFromData || this.needsState(items)) {
			try {
				definitions = await subscriptionTypes(
					setup.transport,
					setup.version,
					tasks.map((task) => task.write.subscriptionId),
				);
			} catch (error) {
				// The account's types could not be read: these items cannot be checked, so none is sent.
				for (const item of items) setup.outcomes.failOrStop(item.itemIndex, error);
				return;
			}
			if (this.options.typesFromData) live = this.refuseUnknownTypes(items, definitions, tasks);
		}
		const liveItems = new Set(live);
		const liveTasks = tasks.filter((task) => liveItems.has(task.item) && !task.error);
		if (definitions)
			for (const task of liveTasks)
				task.brand = brandOf(definitions.get(task.write.subscriptionId));
		const states = this.needsState(live)
			? await this.readStates(liveTasks, definitions)
			: undefined;
		for (const round of this.rounds(liveTasks.filter((task) => !task.error))) {
			this.decide(round, states);
			const toSend = round.filter((task) => !task.skipped && !task.error);
			if (this.options.dryRun) this.preview(toSend, states);
			else await this.send(toSend, states);
		}
		const tasksOf = new Map<ItemWrites, WriteTask[]>();
		for (const task of tasks) {
			if (!liveItems.has(task.item)) continue;
			const list = tasksOf.get(task.item) ?? [];
			list.push(task);
			tasksOf.set(task.item, list);
		}
		for (const [item, itemTasks] of tasksOf) this.report(item, itemTasks);
	}

	/** Reads are needed to keep the latest event, to refuse a silent resubscribe and for Dry Run. */
	private needsState(items: ItemWrites[]) {
		return (
			this.options.dryRun ||
			items.some(
				(item) =>
					item.eventTime !== undefined ||
					(!item.allowResubscribe &&
						item.writes.some((write) => write.statusState === 'SUBSCRIBED')),
			)
		);
	}

	/** A write to a type the account does not have (or has archived) is answered here, before anything is sent. */
	private refuseUnknownTypes(
		items: ItemWrites[],
		known: Map<number, SubscriptionDefinition>,
		tasks: WriteTask[],
	) {
		const accepted: ItemWrites[] = [];
		for (const item of items) {
			try {
				for (const write of item.writes)
					item.names.set(write.subscriptionId, checkType(known, write.subscriptionId).name);
				accepted.push(item);
			} catch (error) {
				for (const task of tasks) if (task.item === item) task.error = error as Error;
				this.setup.outcomes.failOrStop(item.itemIndex, error);
			}
		}
		return accepted;
	}

	/** Current statuses and opt-outs of all, per address and brand; a failed read fails its tasks. */
	private async readStates(
		tasks: WriteTask[],
		definitions: Map<number, SubscriptionDefinition> | undefined,
	) {
		const { setup } = this;
		const brands = new Set([...(definitions?.values() ?? [])].map(brandOf));
		// Without the Brands add-on everything is brand 0 and the calls need no brand.
		const brandParameter = (brand: number) => (brands.size > 1 ? brand : undefined);
		const inputs = tasks.map((task) => ({
			itemIndex: task.item.itemIndex,
			email: task.item.email,
			businessUnitId: brandParameter(task.brand),
		}));
		const needsWide = tasks.some(
			(task) =>
				task.item.eventTime !== undefined ||
				task.write.statusState === 'SUBSCRIBED' ||
				this.options.dryRun,
		);
		const [statuses, wides] = await Promise.all([
			readStatuses(setup.transport, inputs, setup.pipeline),
			needsWide ? readWideStatuses(setup.transport, inputs, setup.pipeline) : undefined,
		]);
		const states = new Map<string, AddressState>();
		tasks.forEach((task, index) => {
			const read = statuses[index].outcome;
			const wide = wides?.[index].outcome;
			if (!read || (wides && !wide)) {
				task.error = STOPPED;
				return;
			}
			if (!read.ok || (wide && !wide.ok)) {
				task.error = !read.ok ? read.error : (wide as { ok: false; error: Error }).error;
				return;
			}
			const stateKey = `${task.item.email.toLowerCase()}|${task.brand}`;
			if (states.has(stateKey)) return;
			const byType = new Map<number, PublicStatus>();
			for (const status of read.value.statuses) byType.set(Number(status.subscriptionId), status);
			const optedOut = wide?.ok
				? wide.value.wideStatuses.find(
						(entry) =>
							entry.status === 'UNSUBSCRIBED' &&
							(entry.wideStatusType === 'PORTAL_WIDE' ||
								(entry.businessUnitId ?? 0) === task.brand),
					)
				: undefined;
			states.set(stateKey, {
				statuses: byType,
				optedOutOfAllAt: optedOut ? Date.parse(optedOut.timestamp) || 0 : undefined,
			});
		});
		return states;
	}

	/**
	 * Writes in the order they must land: with Event Time, only the newest event per address
	 * and type is sent (the older ones are skipped); without it, the n-th write of a key goes
	 * in round n, and each round waits for the one before.
	 */
	private rounds(tasks: WriteTask[]): WriteTask[][] {
		const timed = tasks.filter((task) => task.item.eventTime !== undefined);
		const newest = new Map<string, WriteTask>();
		for (const task of timed) {
			const best = newest.get(task.key);
			if (!best || (task.item.eventTime as number) >= (best.item.eventTime as number))
				newest.set(task.key, task);
		}
		for (const task of timed) if (newest.get(task.key) !== task) task.skipped = SKIPPED_OLDER;
		const rounds: WriteTask[][] = [];
		const seen = new Map<string, number>();
		for (const task of tasks) {
			if (task.skipped) continue;
			const round = seen.get(task.key) ?? 0;
			seen.set(task.key, round + 1);
			(rounds[round] ??= []).push(task);
		}
		return rounds;
	}

	/** Skips writes older than the last applied event and refuses silent resubscribes. */
	private decide(round: WriteTask[], states: Map<string, AddressState> | undefined) {
		for (const task of round) {
			const state = states?.get(`${task.item.email.toLowerCase()}|${task.brand}`);
			if (!state) continue;
			const current = state.statuses.get(task.write.subscriptionId);
			const eventTime = task.item.eventTime;
			if (eventTime !== undefined) {
				const last = Math.max(
					decidedAt(current) ?? -Infinity,
					state.optedOutOfAllAt ?? -Infinity,
					this.appliedAt.get(task.key) ?? -Infinity,
				);
				if (eventTime <= last) {
					task.skipped = SKIPPED_OLDER;
					continue;
				}
			}
			const optedOut = current?.status === 'UNSUBSCRIBED' || state.optedOutOfAllAt !== undefined;
			if (task.write.statusState === 'SUBSCRIBED' && optedOut && !task.item.allowResubscribe) {
				task.error = new InputError(
					'Allow Resubscribe',
					`${task.item.email} opted out of ${
						state.optedOutOfAllAt !== undefined
							? 'all email'
							: `subscription type ${task.write.subscriptionId}`
					}; the node does not resubscribe without your say-so`,
					'turn on Options → Allow Resubscribe only where the person gave renewed consent (e.g. a new confirmed double opt-in); nothing was sent for this address',
				);
			}
		}
	}

	private async send(tasks: WriteTask[], states: Map<string, AddressState> | undefined) {
		if (!tasks.length) return;
		const { setup } = this;
		const inputs = tasks.map((task) => ({
			itemIndex: task.item.itemIndex,
			email: task.item.email,
			write: task.write,
		}));
		const answered = await writeStatuses(setup.transport, inputs, setup.pipeline);
		answered.forEach(({ outcome }, index) => {
			const task = tasks[index];
			if (!outcome) {
				task.error = STOPPED;
				return;
			}
			if (!outcome.ok) {
				task.error = outcome.error;
				return;
			}
			if (!outcome.value.status) {
				task.error = new Error(
					'HubSpot accepted the write but returned no status for it; sending it again is safe',
				);
				return;
			}
			task.result = outcome.value;
			if (task.item.eventTime !== undefined) this.appliedAt.set(task.key, task.item.eventTime);
			// The next round decides on what HubSpot holds now.
			const state = states?.get(`${task.item.email.toLowerCase()}|${task.brand}`);
			if (state) {
				state.statuses.set(task.write.subscriptionId, outcome.value.status);
				if (task.write.statusState === 'SUBSCRIBED') state.optedOutOfAllAt = undefined;
			}
		});
	}

	/** Dry Run: what each write would do, from what HubSpot holds now; the state moves as if it had. */
	private preview(tasks: WriteTask[], states: Map<string, AddressState> | undefined) {
		const { mode } = this.setup.pipeline;
		// As runJobs decides: a batch call for more than one write in Auto, always in Always.
		const batched = mode === 'always' || (mode === 'auto' && tasks.length > 1);
		for (const task of tasks) {
			task.batched = batched;
			const state = states?.get(`${task.item.email.toLowerCase()}|${task.brand}`);
			const current = state?.statuses.get(task.write.subscriptionId);
			const optedOutOfAll = state?.optedOutOfAllAt !== undefined;
			const currentStatus = optedOutOfAll ? 'UNSUBSCRIBED' : (current?.status ?? 'NOT_SPECIFIED');
			const newStatus = task.write.statusState;
			// HubSpot keeps an opted-out address unsubscribed unless the write subscribes it.
			const resultingStatus =
				optedOutOfAll && newStatus !== 'SUBSCRIBED' ? currentStatus : newStatus;
			task.preview = {
				subscriptionId: task.write.subscriptionId,
				subscriptionName:
					task.item.names.get(task.write.subscriptionId) ?? current?.subscriptionName ?? null,
				brandId: task.brand,
				currentStatus,
				newStatus,
				wouldChange: currentStatus !== resultingStatus,
				wouldResubscribe: newStatus === 'SUBSCRIBED' && currentStatus === 'UNSUBSCRIBED',
				current: current
					? this.options.simplify
						? simplifyStatus(current, task.item.names)
						: current
					: null,
			};
			if (task.item.eventTime !== undefined) this.appliedAt.set(task.key, task.item.eventTime);
			if (state) {
				state.statuses.set(task.write.subscriptionId, {
					...(current ?? ({} as PublicStatus)),
					status: resultingStatus,
					legalBasisExplanation: task.write.legalBasisExplanation ?? null,
				});
				if (newStatus === 'SUBSCRIBED') state.optedOutOfAllAt = undefined;
			}
		}
	}

	/** One output item per input item: what was written, skipped and refused, per type. */
	private report(item: ItemWrites, tasks: WriteTask[]) {
		const { outcomes } = this.setup;
		if (tasks.some((task) => task.error === STOPPED)) return;
		const failed = tasks.filter((task) => task.error);
		const succeeded = tasks.filter((task) => !task.error);
		if (
			failed.length &&
			(!succeeded.some((task) => task.result) ||
				failed.every((task) => isTransientFailure(task.error)))
		) {
			// Nothing was written for this item (or all that failed may pass later): one error, as HubSpot gave it.
			outcomes.failOrStop(
				item.itemIndex,
				failed.find((task) => !isTransientFailure(task.error))?.error ?? failed[0].error,
			);
			return;
		}
		const parts = tasks.map((task) => this.describe(task));
		if (failed.length) {
			this.reportPartial(item, tasks, parts);
			return;
		}
		if (this.options.dryRun) {
			outcomes.succeed(item.itemIndex, this.dryRunJson(item, tasks, parts));
			return;
		}
		if (!this.options.simplify) {
			const raw = tasks.map((task, index) => task.result?.raw ?? parts[index]);
			outcomes.succeed(item.itemIndex, item.flat ? raw[0] : { email: item.email, results: raw });
			return;
		}
		outcomes.succeed(item.itemIndex, item.flat ? parts[0] : { email: item.email, statuses: parts });
	}

	private describe(task: WriteTask): IDataObject {
		if (task.preview) return task.preview;
		if (task.result) return simplifyStatus(task.result.status, task.item.names);
		const part: IDataObject = {
			email: task.item.email,
			subscriptionId: task.write.subscriptionId,
			subscriptionName: task.item.names.get(task.write.subscriptionId) ?? null,
		};
		if (task.skipped) {
			part.skipped = task.skipped;
			part.eventTime =
				task.item.eventTime === undefined ? null : new Date(task.item.eventTime).toISOString();
		}
		if (task.error) part.error = task.error.message;
		return part;
	}

	/** Some types were written and some refused: say both, and fail only the refused part. */
	private reportPartial(item: ItemWrites, tasks: WriteTask[], parts: IDataObject[]) {
		const written = parts.filter((_, index) => !tasks[index].error);
		const refused = parts.filter((_, index) => tasks[index].error);
		const names = (list: IDataObject[]) =>
			list.map((part) => `${part.subscriptionName ?? part.subscriptionId}`).join(', ');
		const message = `Item ${item.itemIndex + 1}: HubSpot refused ${refused.length} of ${tasks.length} subscription types (${names(refused)}); ${names(written)} ${written.length === 1 ? 'was' : 'were'} written`;
		const firstError = tasks.find((task) => task.error)?.error as Error;
		if (!this.setup.outcomes.continueOnFail) {
			throw new NodeOperationError(this.setup.node, message, {
				itemIndex: item.itemIndex,
				description: `${firstError.message}. The written types stay written; fix the refused ones and run this item again (writes are idempotent).`,
			});
		}
		this.setup.outcomes.succeed(item.itemIndex, {
			email: item.email,
			error: message,
			statuses: written,
			refused,
		});
	}

	private dryRunJson(item: ItemWrites, tasks: WriteTask[], parts: IDataObject[]): IDataObject {
		const requests = writeRequests(this.setup.version);
		const sent = tasks.filter((task) => task.preview).map((task) => task.write);
		const batched = tasks.some((task) => task.batched);
		const preview: IDataObject = {
			dryRun: true,
			email: item.email,
			...(item.flat ? parts[0] : { changes: parts }),
		};
		if (sent.length) {
			if (batched) {
				preview.request = describeRequest(requests.batch(sent), true);
				// Without the Enterprise batch scope, Auto sends the same writes one address at a time.
				preview.requestsWithoutBatchScope = sent.map((write) =>
					describeRequest(requests.single(write), false),
				);
			} else if (sent.length === 1) {
				preview.request = describeRequest(requests.single(sent[0]), false);
			} else {
				preview.requests = sent.map((write) => describeRequest(requests.single(write), false));
			}
		}
		preview.note = sent.length
			? 'Dry Run: nothing was written. Turn Dry Run off to send this request.'
			: 'Dry Run: nothing was written, and nothing would be sent for this item.';
		return preview;
	}
}

const keyOf = (email: string, subscriptionId: number) => `${email.toLowerCase()}|${subscriptionId}`;

/** A type without a brand belongs to the default brand, 0 (HubSpot: "The default Account business unit will always use 0"). */
const brandOf = (definition: SubscriptionDefinition | undefined) =>
	Number(definition?.businessUnitId ?? 0);

function checkType(known: Map<number, SubscriptionDefinition>, subscriptionId: number) {
	const definition = known.get(subscriptionId);
	if (!definition) {
		throw new InputError(
			'Subscription Type',
			`subscription type ${subscriptionId} does not exist in this HubSpot account`,
			'pick the type from the list, or check the ID with Subscription Type → Get Many',
		);
	}
	if (!definition.isActive) {
		throw new InputError(
			'Subscription Type',
			`subscription type ${subscriptionId} ("${definition.name}") is archived`,
			'HubSpot takes no statuses for archived types; choose an active one',
		);
	}
	return definition;
}

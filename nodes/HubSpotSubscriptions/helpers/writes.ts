import type { IDataObject } from 'n8n-workflow';
import { sleep } from 'n8n-workflow';

import type { INodeParameterResourceLocator } from 'n8n-workflow';

import { CHANNEL } from './constants';
import { subscriptionTypes } from './definitions';
import type { PublicStatus, StatusWrite, SubscriptionDefinition } from './interfaces';
import { simplifyStatus } from './output';
import { describeRequest } from './requestPreview';
import type { OperationSetup } from './setup';
import { readStatuses, writeRequests, writeStatuses } from './statuses';
import type { ParameterReader } from './parameters';
import {
	InputError,
	requireEmail,
	requireExplanation,
	requireLegalBasis,
	requireStatusState,
	requireSubscriptionId,
} from './validation';

/** What one input item asks to write: one address, one or more subscription types. */
export interface ItemWrites {
	itemIndex: number;
	email: string;
	businessUnitId?: number;
	writes: StatusWrite[];
	/** Names of the types (from the account's list), for the output where HubSpot gives none. */
	names: Map<number, string>;
	/** One write per item gives a flat item; several give { email, statuses }. */
	flat: boolean;
}

/** One item's status write from the node's fields (Set and Batch Write share them). */
export function readStatusWrite(
	parameters: ParameterReader,
	itemIndex: number,
): { write: StatusWrite; names: Map<number, string> } {
	const email = requireEmail(parameters.get('email', itemIndex));
	const locator = parameters.get<INodeParameterResourceLocator>('subscriptionType', itemIndex);
	const subscriptionId = requireSubscriptionId(locator?.value);
	const names = new Map<number, string>();
	if (locator?.cachedResultName) names.set(subscriptionId, String(locator.cachedResultName).split(' · ')[0]);
	const statusState = requireStatusState(parameters.get('statusState', itemIndex));
	const legalBasis = requireLegalBasis(parameters.get('legalBasis', itemIndex, ''));
	const legalBasisExplanation = requireExplanation(parameters.get('legalBasisExplanation', itemIndex, ''), legalBasis);
	const write: StatusWrite = {
		subscriberIdString: email,
		subscriptionId,
		statusState,
		channel: CHANNEL,
		legalBasis,
		...(legalBasisExplanation ? { legalBasisExplanation } : {}),
	};
	return { write, names };
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
 * Status writes of Set and Batch Write. Without Continue On Fail every item is checked
 * before the first request, so bad input stops the node with nothing sent. With it, items
 * are checked and sent one batch at a time: the next batch is read while the rate window
 * holds the last one back, so a large run takes about as long as HubSpot's limit allows.
 */
export async function executeWrites(
	setup: OperationSetup,
	parseItem: (itemIndex: number) => ItemWrites,
	options: WriteOptions,
) {
	const { outcomes } = setup;
	if (options.dryRun || !outcomes.continueOnFail) {
		const parsed = outcomes.parseAll(parseItem).map(({ value }) => value);
		const items = options.typesFromData ? await refuseUnknownTypes(setup, parsed) : parsed;
		if (options.dryRun) await previewWrites(setup, items, options.simplify);
		else await sendWrites(setup, items, options);
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
					outcomes.fail(itemIndex, error);
				}
			}
			let items: ItemWrites[] = parsed;
			try {
				if (options.typesFromData) items = await refuseUnknownTypes(setup, parsed);
			} catch (error) {
				items = [];
				// The account's types could not be read: these items cannot be checked, so none is sent.
				for (const item of parsed) outcomes.fail(item.itemIndex, error);
			}
			sending.push(sendWrites(setup, items, options));
			// Let responses and the rate window's timers run before reading the next batch.
			await sleep(0);
		}
	} finally {
		// Every batch already under way is answered before the node returns.
		await Promise.allSettled(sending);
	}
	await Promise.all(sending);
}

/**
 * A write to a type the account does not have (or has archived) would only come back as
 * HubSpot's error: answer it here, before anything is sent.
 */
async function refuseUnknownTypes(setup: OperationSetup, items: ItemWrites[]): Promise<ItemWrites[]> {
	if (!items.length) return items;
	const ids = [...new Set(items.flatMap((item) => item.writes.map((write) => write.subscriptionId)))];
	const known = await subscriptionTypes(setup.transport, setup.version, ids);
	const accepted: ItemWrites[] = [];
	for (const item of items) {
		try {
			for (const write of item.writes) item.names.set(write.subscriptionId, checkType(known, write.subscriptionId).name);
			accepted.push(item);
		} catch (error) {
			setup.outcomes.fail(item.itemIndex, error);
		}
	}
	return accepted;
}

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

async function sendWrites(setup: OperationSetup, items: ItemWrites[], options: WriteOptions) {
	if (!items.length) return;
	const inputs = items.flatMap((item) =>
		item.writes.map((write) => ({ itemIndex: item.itemIndex, email: item.email, write })),
	);
	const answered = await writeStatuses(setup.transport, inputs, setup.pipeline);
	const byItem = new Map<number, typeof answered>();
	for (const entry of answered) {
		const list = byItem.get(entry.input.itemIndex) ?? [];
		list.push(entry);
		byItem.set(entry.input.itemIndex, list);
	}
	for (const item of items) {
		const entries = byItem.get(item.itemIndex) ?? [];
		if (entries.some((entry) => entry.outcome === undefined)) continue; // stopped before sending
		const failed = entries.find((entry) => !entry.outcome.ok);
		if (failed && !failed.outcome.ok) {
			setup.outcomes.fail(item.itemIndex, failed.outcome.error);
			continue;
		}
		const results = entries.map((entry) => (entry.outcome.ok ? entry.outcome.value : undefined)!);
		if (results.some((result) => !result.status)) {
			setup.outcomes.fail(
				item.itemIndex,
				new Error('HubSpot accepted the write but returned no status for it; sending it again is safe'),
			);
			continue;
		}
		if (options.simplify) {
			const statuses = results.map((result) => simplifyStatus(result.status, item.names));
			setup.outcomes.succeed(item.itemIndex, item.flat ? statuses[0] : { email: item.email, statuses });
		} else {
			const raw = results.map((result) => result.raw);
			setup.outcomes.succeed(item.itemIndex, item.flat ? raw[0] : { email: item.email, results: raw });
		}
	}
}

/** Dry Run: read what HubSpot holds now and show the exact request, writing nothing. */
async function previewWrites(setup: OperationSetup, items: ItemWrites[], simplify: boolean) {
	const current = await readStatuses(
		setup.transport,
		items.map((item) => ({ itemIndex: item.itemIndex, email: item.email, businessUnitId: item.businessUnitId })),
		setup.pipeline,
	);
	const totalWrites = items.reduce((sum, item) => sum + item.writes.length, 0);
	const batched = setup.pipeline.mode === 'always' || (setup.pipeline.mode === 'auto' && totalWrites > 1);
	const requests = writeRequests(setup.version);
	items.forEach((item, index) => {
		const read = current[index].outcome;
		if (!read) return;
		if (!read.ok) {
			setup.outcomes.fail(item.itemIndex, read.error);
			return;
		}
		const changes = item.writes.map((write) => {
			const now = read.value.statuses.find(
				(status: PublicStatus) => Number(status.subscriptionId) === write.subscriptionId,
			);
			const currentStatus = now?.status ?? 'NOT_SPECIFIED';
			const change: IDataObject = {
				subscriptionId: write.subscriptionId,
				subscriptionName: item.names.get(write.subscriptionId) ?? now?.subscriptionName ?? null,
				currentStatus,
				newStatus: write.statusState,
				wouldChange: currentStatus !== write.statusState,
			};
			change.current = now ? (simplify ? simplifyStatus(now, item.names) : now) : null;
			return change;
		});
		const request = batched
			? requests.batch(item.writes)
			: item.writes.length === 1
				? requests.single(item.writes[0])
				: undefined;
		const preview: IDataObject = { dryRun: true, email: item.email, ...(item.flat ? changes[0] : { changes }) };
		if (request) preview.request = describeRequest(request, batched);
		else preview.requests = item.writes.map((write) => describeRequest(requests.single(write), false));
		if (batched) {
			// Without the Enterprise batch scope, Auto sends the same writes one address at a time.
			preview.requestsWithoutBatchScope = item.writes.map((write) => describeRequest(requests.single(write), false));
		}
		preview.note = 'Dry Run: nothing was written. Turn Dry Run off to send this request.';
		setup.outcomes.succeed(item.itemIndex, preview);
	});
}

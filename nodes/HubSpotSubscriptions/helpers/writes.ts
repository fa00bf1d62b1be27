import type { IDataObject } from 'n8n-workflow';

import type { PublicStatus, StatusWrite } from './interfaces';
import { simplifyStatus } from './output';
import type { OperationSetup } from './setup';
import { readStatuses, writeRequests, writeStatuses } from './statuses';
import { subscriptionTypes } from './definitions';
import { describeRequest } from './requestPreview';
import { InputError } from './validation';

/** What one input item asks to write: one address, one or more subscription types. */
export interface ItemWrites {
	itemIndex: number;
	email: string;
	businessUnitId?: number;
	writes: StatusWrite[];
	/** Names the user picked from the list, for the output where HubSpot gives none. */
	names: Map<number, string>;
	/** One write per item gives a flat item; several give { email, statuses }. */
	flat: boolean;
}

export async function executeWrites(
	setup: OperationSetup,
	requested: ItemWrites[],
	options: { dryRun: boolean; simplify: boolean },
) {
	const items = await refuseUnknownTypes(setup, requested);
	if (options.dryRun) return await previewWrites(setup, items, options.simplify);

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
		if (options.simplify) {
			const statuses = results.map((result) => simplifyStatus(result.status, item.names));
			setup.outcomes.succeed(item.itemIndex, item.flat ? statuses[0] : { email: item.email, statuses });
		} else {
			const raw = results.map((result) => result.raw);
			setup.outcomes.succeed(item.itemIndex, item.flat ? raw[0] : { email: item.email, results: raw });
		}
	}
}

/**
 * A write to a type the account does not have (or has archived) would only come back as
 * HubSpot's error: answer it here, before anything is sent, and name every type we know.
 */
async function refuseUnknownTypes(setup: OperationSetup, items: ItemWrites[]): Promise<ItemWrites[]> {
	if (!items.length) return items;
	const ids = [...new Set(items.flatMap((item) => item.writes.map((write) => write.subscriptionId)))];
	const known = await subscriptionTypes(setup.transport, setup.version, ids);
	const accepted: ItemWrites[] = [];
	for (const item of items) {
		try {
			for (const write of item.writes) {
				const definition = known.get(write.subscriptionId);
				if (!definition) {
					throw new InputError(
						'Subscription Type',
						`subscription type ${write.subscriptionId} does not exist in this HubSpot account`,
						'pick the type from the list, or check the ID with Subscription Type → Get Many',
					);
				}
				if (!definition.isActive) {
					throw new InputError(
						'Subscription Type',
						`subscription type ${write.subscriptionId} ("${definition.name}") is archived`,
						'HubSpot takes no statuses for archived types; choose an active one',
					);
				}
				item.names.set(write.subscriptionId, definition.name);
			}
			accepted.push(item);
		} catch (error) {
			setup.outcomes.fail(item.itemIndex, error);
		}
	}
	return accepted;
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
			const change: IDataObject = {
				subscriptionId: write.subscriptionId,
				subscriptionName: now?.subscriptionName ?? item.names.get(write.subscriptionId) ?? null,
				currentStatus: now?.status ?? 'NOT_SPECIFIED',
				newStatus: write.statusState,
				wouldChange: (now?.status ?? 'NOT_SPECIFIED') !== write.statusState,
			};
			if (simplify) change.current = now ? simplifyStatus(now, item.names) : null;
			else change.current = now ?? null;
			return change;
		});
		const request = batched
			? requests.batch(item.writes)
			: item.writes.length === 1
				? requests.single(item.writes[0])
				: undefined;
		const preview: IDataObject = {
			dryRun: true,
			email: item.email,
			...(item.flat ? changes[0] : { changes }),
		};
		if (request) preview.request = describeRequest(request, batched);
		else preview.requests = item.writes.map((write) => describeRequest(requests.single(write), false));
		preview.note = 'Dry Run: nothing was written. Turn Dry Run off to send this request.';
		setup.outcomes.succeed(item.itemIndex, preview);
	});
}

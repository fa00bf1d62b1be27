import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import { simplifyStatus, simplifyWideStatus } from '../../helpers/output';
import { ParameterReader } from '../../helpers/parameters';
import { parseAddresses } from '../../helpers/parameters';
import { describeRequest } from '../../helpers/requestPreview';
import type { OperationSetup } from '../../helpers/setup';
import {
	readWideStatuses,
	unsubscribeAllRequests,
	unsubscribeFromAll,
} from '../../transport/statuses';

const DEFAULT_BRAND = 0;

/** Unsubscribe and Batch Unsubscribe: opt addresses out of all email of one brand (or preview it). */
export async function executeUnsubscribeAll(ctx: IExecuteFunctions, setup: OperationSetup) {
	const addresses = parseAddresses(ctx, setup);
	const simplify = ctx.getNodeParameter('simplify', 0, true) as boolean;
	const dryRun = ctx.getNodeParameter('dryRun', 0, false) as boolean;
	const parameters = new ParameterReader(ctx);
	// An opt-out always names its brand, so that Dry Run reads the brand the real call writes and the
	// output says which one it was. Empty means the default brand: HubSpot's reference says "The
	// default Account business unit will always use 0".
	const inputs = addresses.map((address) => {
		const options = parameters.get<IDataObject>('options', address.itemIndex, {});
		return {
			...address,
			businessUnitId: address.businessUnitId ?? DEFAULT_BRAND,
			verbose: options.verbose === true,
		};
	});

	if (dryRun) {
		const batched =
			setup.pipeline.mode === 'always' || (setup.pipeline.mode === 'auto' && inputs.length > 1);
		const requests = unsubscribeAllRequests(setup.version);
		const current = await readWideStatuses(setup.transport, inputs, setup.pipeline);
		current.forEach(({ outcome }, index) => {
			const input = inputs[index];
			if (!outcome) return;
			if (!outcome.ok) {
				setup.outcomes.failOrStop(input.itemIndex, outcome.error);
				return;
			}
			const now = simplifyWideStatus(input.email, outcome.value.wideStatuses, input.businessUnitId);
			const request = batched
				? requests.batch([input.email], input.businessUnitId, input.verbose)
				: requests.single(input.email, input.businessUnitId, input.verbose);
			setup.outcomes.succeed(input.itemIndex, {
				dryRun: true,
				email: input.email,
				brandId: input.businessUnitId,
				currentlyUnsubscribedFromAll: now.unsubscribedFromAll,
				wouldChange: !now.unsubscribedFromAll,
				request: describeRequest(request, batched),
				...(batched
					? {
							requestWithoutBatchScope: describeRequest(
								requests.single(input.email, input.businessUnitId, input.verbose),
								false,
							),
						}
					: {}),
				note: 'Dry Run: nothing was written. Turn Dry Run off to opt this address out of all email.',
			});
		});
		return;
	}

	for (const { input, outcome } of await unsubscribeFromAll(
		setup.transport,
		inputs,
		setup.pipeline,
	)) {
		if (!outcome) continue;
		if (!outcome.ok) {
			setup.outcomes.failOrStop(input.itemIndex, outcome.error);
			continue;
		}
		if (!simplify) {
			setup.outcomes.succeed(input.itemIndex, outcome.value.raw);
			continue;
		}
		const json: IDataObject = {
			email: input.email,
			unsubscribedFromAll: true,
			brandId: input.businessUnitId,
		};
		if (input.verbose)
			json.statuses = outcome.value.statuses.map((status) => simplifyStatus(status));
		setup.outcomes.succeed(input.itemIndex, json);
	}
}

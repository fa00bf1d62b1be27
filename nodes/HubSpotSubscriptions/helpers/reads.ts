import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { JobOutcome } from './batching';
import { simplifyStatuses, simplifyWideStatus } from './output';
import { ParameterReader } from './parameters';
import type { OperationSetup } from './setup';
import { readStatuses, readWideStatuses, type AddressInput } from './statuses';
import { optionalBusinessUnitId, requireEmail } from './validation';

/** Email and brand of every item; bad input fails here, before any request. */
export function parseAddresses(ctx: IExecuteFunctions, setup: OperationSetup): AddressInput[] {
	const parameters = new ParameterReader(ctx);
	return setup.outcomes
		.parseAll((itemIndex) => {
			const options = parameters.get<IDataObject>('options', itemIndex, {});
			return {
				itemIndex,
				email: requireEmail(parameters.get('email', itemIndex)),
				businessUnitId: optionalBusinessUnitId(options.businessUnitId),
			};
		})
		.map(({ value }) => value);
}

/** Reads something per address and answers each item with its simplified or raw result. */
async function executeAddressReads<R extends { raw: IDataObject }>(
	ctx: IExecuteFunctions,
	setup: OperationSetup,
	read: (inputs: AddressInput[]) => Promise<Array<{ input: AddressInput; outcome: JobOutcome<R> }>>,
	simplified: (input: AddressInput, result: R) => IDataObject,
) {
	const inputs = parseAddresses(ctx, setup);
	const simplify = ctx.getNodeParameter('simplify', 0, true) as boolean;
	for (const { input, outcome } of await read(inputs)) {
		if (!outcome) continue; // stopped before sending
		if (!outcome.ok) setup.outcomes.fail(input.itemIndex, outcome.error);
		else setup.outcomes.succeed(input.itemIndex, simplify ? simplified(input, outcome.value) : outcome.value.raw);
	}
}

export async function executeStatusReads(ctx: IExecuteFunctions, setup: OperationSetup) {
	await executeAddressReads(
		ctx,
		setup,
		async (inputs) => await readStatuses(setup.transport, inputs, setup.pipeline),
		(input, result) => ({
			...simplifyStatuses(input.email, result.statuses),
			...(input.businessUnitId === undefined ? {} : { brandId: input.businessUnitId }),
		}),
	);
}

export async function executeWideStatusReads(ctx: IExecuteFunctions, setup: OperationSetup) {
	await executeAddressReads(
		ctx,
		setup,
		async (inputs) => await readWideStatuses(setup.transport, inputs, setup.pipeline),
		(input, result) => simplifyWideStatus(input.email, result.wideStatuses, input.businessUnitId),
	);
}

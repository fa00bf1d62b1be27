import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

import type { JobOutcome } from '../transport/batching';
import type { AddressInput } from '../transport/statuses';
import { parseAddresses } from './parameters';
import type { OperationSetup } from './setup';

/** Reads something per address and answers each item with its simplified or raw result. */
export async function executeAddressReads<R extends { raw: IDataObject }>(
	ctx: IExecuteFunctions,
	setup: OperationSetup,
	read: (inputs: AddressInput[]) => Promise<Array<{ input: AddressInput; outcome: JobOutcome<R> }>>,
	simplified: (input: AddressInput, result: R) => IDataObject,
) {
	const inputs = parseAddresses(ctx, setup);
	const simplify = ctx.getNodeParameter('simplify', 0, true) as boolean;
	for (const { input, outcome } of await read(inputs)) {
		if (!outcome) continue; // stopped before sending
		if (!outcome.ok) setup.outcomes.failOrStop(input.itemIndex, outcome.error);
		else
			setup.outcomes.succeed(
				input.itemIndex,
				simplify ? simplified(input, outcome.value) : outcome.value.raw,
			);
	}
}

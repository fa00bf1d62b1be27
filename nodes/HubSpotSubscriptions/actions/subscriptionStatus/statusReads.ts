import type { IExecuteFunctions } from 'n8n-workflow';

import { simplifyStatuses } from '../../helpers/output';
import { executeAddressReads } from '../../helpers/reads';
import type { OperationSetup } from '../../helpers/setup';
import { readStatuses } from '../../transport/statuses';

/** Get and Get Many: every subscription status of each item's address. */
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

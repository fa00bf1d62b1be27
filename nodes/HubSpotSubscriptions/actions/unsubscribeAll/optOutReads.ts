import type { IExecuteFunctions } from 'n8n-workflow';

import { simplifyWideStatus } from '../../helpers/output';
import { executeAddressReads } from '../../helpers/reads';
import type { OperationSetup } from '../../helpers/setup';
import { readWideStatuses } from '../../transport/statuses';

/** Get Status and Batch Get Status: whether each item's address opted out of all email. */
export async function executeWideStatusReads(ctx: IExecuteFunctions, setup: OperationSetup) {
	await executeAddressReads(
		ctx,
		setup,
		async (inputs) => await readWideStatuses(setup.transport, inputs, setup.pipeline),
		(input, result) => simplifyWideStatus(input.email, result.wideStatuses, input.businessUnitId),
	);
}

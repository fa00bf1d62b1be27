import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';

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

export async function executeStatusReads(ctx: IExecuteFunctions, setup: OperationSetup) {
	const inputs = parseAddresses(ctx, setup);
	const simplify = ctx.getNodeParameter('simplify', 0, true) as boolean;
	for (const { input, outcome } of await readStatuses(setup.transport, inputs, setup.pipeline)) {
		if (!outcome) continue;
		if (!outcome.ok) {
			setup.outcomes.fail(input.itemIndex, outcome.error);
			continue;
		}
		setup.outcomes.succeed(
			input.itemIndex,
			simplify
				? { ...simplifyStatuses(input.email, outcome.value.statuses), ...brandOf(input) }
				: outcome.value.raw,
		);
	}
}

export async function executeWideStatusReads(ctx: IExecuteFunctions, setup: OperationSetup) {
	const inputs = parseAddresses(ctx, setup);
	const simplify = ctx.getNodeParameter('simplify', 0, true) as boolean;
	for (const { input, outcome } of await readWideStatuses(setup.transport, inputs, setup.pipeline)) {
		if (!outcome) continue;
		if (!outcome.ok) {
			setup.outcomes.fail(input.itemIndex, outcome.error);
			continue;
		}
		setup.outcomes.succeed(
			input.itemIndex,
			simplify
				? simplifyWideStatus(input.email, outcome.value.wideStatuses, input.businessUnitId)
				: outcome.value.raw,
		);
	}
}

function brandOf(input: AddressInput): IDataObject {
	return input.businessUnitId === undefined ? {} : { brandId: input.businessUnitId };
}

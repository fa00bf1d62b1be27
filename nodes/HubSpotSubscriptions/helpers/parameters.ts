import type { IDataObject, IExecuteFunctions, NodeParameterValueType } from 'n8n-workflow';

import type { AddressInput } from '../transport/statuses';
import type { OperationSetup } from './setup';
import { optionalBusinessUnitId, requireEmail } from './validation';

/**
 * Reads node parameters per item, but evaluates a parameter only once when it holds no
 * expression: its value is then the same for every item. Most write parameters (status,
 * legal basis) are fixed, so a large run evaluates them once instead of once per item.
 */
export class ParameterReader {
	private readonly fixed = new Map<string, unknown>();

	constructor(private readonly ctx: IExecuteFunctions) {}

	get<T = unknown>(name: string, itemIndex: number, fallback?: unknown): T {
		if (this.fixed.has(name)) return this.fixed.get(name) as T;
		const value = this.ctx.getNodeParameter(
			name,
			itemIndex,
			fallback as NodeParameterValueType,
		) as T;
		if (!this.mapsData(name)) this.fixed.set(name, value);
		return value;
	}

	/** Whether the parameter takes its value from the items' data (an expression). */
	mapsData(name: string): boolean {
		return holdsExpression(this.ctx.getNode().parameters[name]);
	}
}

function holdsExpression(value: unknown): boolean {
	if (typeof value === 'string') return value.startsWith('=');
	if (Array.isArray(value)) return value.some(holdsExpression);
	if (value && typeof value === 'object') return Object.values(value).some(holdsExpression);
	return false;
}

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

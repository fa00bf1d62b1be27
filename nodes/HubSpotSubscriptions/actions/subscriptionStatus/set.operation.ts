import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { ParameterReader } from '../../helpers/parameters';
import type { OperationSetup } from '../../helpers/setup';
import { requireSubscriptionId } from '../../helpers/validation';
import { executeWrites, readItemWrites } from './statusWrites';
import {
	brandOption,
	optionsCollection,
	statusWriteFields,
	statusWriteOptions,
} from '../common.descriptions';

const displayOptions = { show: { resource: ['subscriptionStatus'], operation: ['set'] } };

export const description: INodeProperties[] = [
	...statusWriteFields(displayOptions, {
		email: 'The email address whose subscription status to set',
		subscriptionType: 'The subscription type to set the status of',
		status: 'The status to record for this address and subscription type',
	}),
	optionsCollection(displayOptions, [
		{
			displayName: 'Additional Subscription Type Names or IDs',
			name: 'additionalSubscriptionTypes',
			type: 'multiOptions',
			typeOptions: { loadOptionsMethod: 'getSubscriptionTypes' },
			default: [],
			description:
				'More subscription types to set to the same status with the same legal basis. The output item then lists every type under "statuses". Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		},
		...statusWriteOptions,
		{
			...brandOption,
			description:
				'Narrows the subscription type lists to one brand (Brands add-on). A type belongs to one brand, so the writes and Dry Run use the type\'s own brand. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		},
	]),
];

export async function execute(this: IExecuteFunctions, setup: OperationSetup) {
	const parameters = new ParameterReader(this);
	const parseItem = (itemIndex: number) => {
		const options = parameters.get<IDataObject>('options', itemIndex, {});
		const extraTypes = toList(options.additionalSubscriptionTypes).map((id) =>
			requireSubscriptionId(id, 'Additional Subscription Types'),
		);
		return readItemWrites(parameters, itemIndex, extraTypes);
	};
	const typesFromData = parameters.mapsData('subscriptionType') || parameters.mapsData('options');
	await executeWrites(this, setup, parseItem, typesFromData);
}

function toList(value: unknown): string[] {
	if (value === undefined || value === null || value === '') return [];
	if (Array.isArray(value)) return value.map(String);
	return String(value)
		.split(',')
		.map((part) => part.trim())
		.filter(Boolean);
}

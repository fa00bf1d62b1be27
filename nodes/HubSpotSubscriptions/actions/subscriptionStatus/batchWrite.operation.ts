import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { ParameterReader } from '../../helpers/parameters';
import type { OperationSetup } from '../../helpers/setup';
import { executeWrites, readItemWrites } from './statusWrites';
import { optionsCollection, statusWriteFields, statusWriteOptions } from '../common.descriptions';

const displayOptions = { show: { resource: ['subscriptionStatus'], operation: ['batchWrite'] } };

export const description: INodeProperties[] = [
	{
		displayName:
			'Every input item is one status write. They go to HubSpot in as few batch calls as the batch size allows (Enterprise batch write scope; without it the node falls back to one call per item). Map the fields from the input to give each item its own values.',
		name: 'batchWriteNotice',
		type: 'notice',
		default: '',
		displayOptions,
	},
	...statusWriteFields(
		displayOptions,
		{
			email: 'The email address of this item',
			subscriptionType: 'The subscription type of this item',
			status:
				'The status to record. Use an expression to take it from the item (SUBSCRIBED, UNSUBSCRIBED or NOT_SPECIFIED).',
		},
		'={{ $json.email }}',
	),
	optionsCollection(displayOptions, statusWriteOptions),
];

export async function execute(this: IExecuteFunctions, setup: OperationSetup) {
	const parameters = new ParameterReader(this);
	const parseItem = (itemIndex: number) => readItemWrites(parameters, itemIndex);
	await executeWrites(this, setup, parseItem, parameters.mapsData('subscriptionType'));
}

import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { ParameterReader } from '../../helpers/parameters';
import type { OperationSetup } from '../../helpers/setup';
import { executeWrites, readStatusWrite, type ItemWrites } from './statusWrites';
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
	const dryRun = this.getNodeParameter('dryRun', 0, false) as boolean;
	const simplify = this.getNodeParameter('simplify', 0, true) as boolean;
	const parameters = new ParameterReader(this);
	const parseItem = (itemIndex: number): ItemWrites => {
		const { write, names, eventTime, allowResubscribe } = readStatusWrite(parameters, itemIndex);
		return { itemIndex, email: write.subscriberIdString, writes: [write], names, flat: true, eventTime, allowResubscribe };
	};
	await executeWrites(setup, parseItem, { dryRun, simplify, typesFromData: parameters.mapsData('subscriptionType') });
}

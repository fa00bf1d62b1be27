import type { INodeProperties } from 'n8n-workflow';

import * as batchWrite from './batchWrite.operation';
import * as get from './get.operation';
import * as getAll from './getAll.operation';
import * as set from './set.operation';

export { batchWrite, get, getAll, set };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['subscriptionStatus'] } },
		options: [
			{
				name: 'Batch Write',
				value: 'batchWrite',
				description: 'Write one status per input item, many items per call',
				action: 'Batch write subscription statuses',
			},
			{
				name: 'Get',
				value: 'get',
				description: 'Get every subscription status of one email address',
				action: 'Get the subscription statuses of an address',
			},
			{
				name: 'Get Many',
				value: 'getAll',
				description: 'Get the subscription statuses of many addresses (batch read)',
				action: 'Get the subscription statuses of many addresses',
			},
			{
				name: 'Set',
				value: 'set',
				description:
					"Set an address's status for one or more subscription types, with its legal basis",
				action: 'Set a subscription status',
			},
		],
		default: 'set',
	},
	...set.description,
	...get.description,
	...getAll.description,
	...batchWrite.description,
];

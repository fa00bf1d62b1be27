import type { INodeProperties } from 'n8n-workflow';

import * as getAll from './getAll.operation';

export { getAll };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['subscriptionType'] } },
		options: [
			{
				name: 'Get Many',
				value: 'getAll',
				description: "List the account's subscription types (HubSpot's subscription definitions)",
				action: 'Get many subscription types',
			},
		],
		default: 'getAll',
	},
	...getAll.description,
];

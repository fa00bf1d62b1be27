import type { INodeProperties } from 'n8n-workflow';

import * as generate from './generate.operation';

export { generate };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['preferenceLink'] } },
		options: [
			{
				name: 'Generate',
				value: 'generate',
				description:
					"Get an address's links to HubSpot's preference center and unsubscribe pages, to put into email sent from another tool",
				action: 'Generate preference links for an address',
			},
		],
		default: 'generate',
	},
	...generate.description,
];

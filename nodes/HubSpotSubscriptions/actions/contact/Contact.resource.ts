import type { INodeProperties } from 'n8n-workflow';

import * as recordExternalDoubleOptIn from './recordExternalDoubleOptIn.operation';

export { recordExternalDoubleOptIn };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['contact'] } },
		options: [
			{
				name: 'Record External Double Opt-In',
				value: 'recordExternalDoubleOptIn',
				description:
					'Record on the contact when and where a double opt-in was confirmed outside HubSpot (creates the contact if needed)',
				action: 'Record an external confirmation of consent',
			},
		],
		default: 'recordExternalDoubleOptIn',
	},
	...recordExternalDoubleOptIn.description,
];

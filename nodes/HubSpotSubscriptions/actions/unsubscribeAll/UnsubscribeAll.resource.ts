import type { INodeProperties } from 'n8n-workflow';

import * as batchGetStatus from './batchGetStatus.operation';
import * as batchUnsubscribe from './batchUnsubscribe.operation';
import * as getStatus from './getStatus.operation';
import * as unsubscribe from './unsubscribe.operation';

export { batchGetStatus, batchUnsubscribe, getStatus, unsubscribe };

export const description: INodeProperties[] = [
	{
		displayName: 'Operation',
		name: 'operation',
		type: 'options',
		noDataExpression: true,
		displayOptions: { show: { resource: ['unsubscribeAll'] } },
		options: [
			{
				name: 'Batch Get Status',
				value: 'batchGetStatus',
				description: 'Check for many addresses whether they opted out of all email',
				action: 'Check many addresses for an opt out of all email',
			},
			{
				name: 'Batch Unsubscribe',
				value: 'batchUnsubscribe',
				description: 'Opt many addresses out of all email, many per call',
				action: 'Opt many addresses out of all email',
			},
			{
				name: 'Get Status',
				value: 'getStatus',
				description: 'Check whether an address opted out of all email',
				action: 'Check an address for an opt out of all email',
			},
			{
				name: 'Unsubscribe',
				value: 'unsubscribe',
				description: 'Opt one address out of all email',
				action: 'Opt an address out of all email',
			},
		],
		default: 'getStatus',
	},
	...unsubscribe.description,
	...getStatus.description,
	...batchUnsubscribe.description,
	...batchGetStatus.description,
];

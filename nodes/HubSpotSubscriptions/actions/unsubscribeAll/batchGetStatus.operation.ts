import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { executeWideStatusReads } from '../../helpers/reads';
import type { OperationSetup } from '../../helpers/setup';
import { brandOption, emailField, simplifyField } from '../common.descriptions';

const displayOptions = { show: { resource: ['unsubscribeAll'], operation: ['batchGetStatus'] } };

export const description: INodeProperties[] = [
	{
		...emailField('The email address of each item to check'),
		default: '={{ $json.email }}',
		displayOptions,
	},
	{ ...simplifyField, displayOptions },
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		displayOptions,
		default: {},
		options: [brandOption],
	},
];

export async function execute(this: IExecuteFunctions, setup: OperationSetup) {
	await executeWideStatusReads(this, setup);
}

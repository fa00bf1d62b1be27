import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { executeStatusReads } from '../../helpers/reads';
import type { OperationSetup } from '../../helpers/setup';
import { brandOption, emailField, simplifyField } from '../common.descriptions';

const displayOptions = { show: { resource: ['subscriptionStatus'], operation: ['getAll'] } };

export const description: INodeProperties[] = [
	{
		displayName:
			'Reads the statuses of all input items\' addresses in as few batch calls as possible (needs the Enterprise batch read scope; without it the node falls back to one call per address).',
		name: 'getAllNotice',
		type: 'notice',
		default: '',
		displayOptions,
	},
	{
		...emailField('The email address of each item, usually mapped from the input'),
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
	await executeStatusReads(this, setup);
}

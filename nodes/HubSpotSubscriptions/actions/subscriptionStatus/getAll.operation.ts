import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { executeStatusReads } from './statusReads';
import type { OperationSetup } from '../../helpers/setup';
import { addressReadFields } from '../common.descriptions';

const displayOptions = { show: { resource: ['subscriptionStatus'], operation: ['getAll'] } };

export const description: INodeProperties[] = [
	{
		displayName:
			"Reads the statuses of all input items' addresses in as few batch calls as possible (needs the Enterprise batch read scope; without it the node falls back to one call per address).",
		name: 'getAllNotice',
		type: 'notice',
		default: '',
		displayOptions,
	},
	...addressReadFields(
		displayOptions,
		'The email address of each item, usually mapped from the input',
		'={{ $json.email }}',
	),
];

export async function execute(this: IExecuteFunctions, setup: OperationSetup) {
	await executeStatusReads(this, setup);
}

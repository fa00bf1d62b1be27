import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { executeStatusReads } from '../../helpers/reads';
import type { OperationSetup } from '../../helpers/setup';
import { brandOption, emailField, simplifyField } from '../common.descriptions';

const displayOptions = { show: { resource: ['subscriptionStatus'], operation: ['get'] } };

export const description: INodeProperties[] = [
	{ ...emailField('The email address whose subscription statuses to get'), displayOptions },
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

import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { executeStatusReads } from './statusReads';
import type { OperationSetup } from '../../helpers/setup';
import { addressReadFields } from '../common.descriptions';

const displayOptions = { show: { resource: ['subscriptionStatus'], operation: ['get'] } };

export const description: INodeProperties[] = addressReadFields(
	displayOptions,
	'The email address whose subscription statuses to get',
);

export async function execute(this: IExecuteFunctions, setup: OperationSetup) {
	await executeStatusReads(this, setup);
}

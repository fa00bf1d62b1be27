import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { executeWideStatusReads } from './optOutReads';
import type { OperationSetup } from '../../helpers/setup';
import { addressReadFields } from '../common.descriptions';

const displayOptions = { show: { resource: ['unsubscribeAll'], operation: ['batchGetStatus'] } };

export const description: INodeProperties[] = addressReadFields(
	displayOptions,
	'The email address of each item to check',
	'={{ $json.email }}',
);

export async function execute(this: IExecuteFunctions, setup: OperationSetup) {
	await executeWideStatusReads(this, setup);
}

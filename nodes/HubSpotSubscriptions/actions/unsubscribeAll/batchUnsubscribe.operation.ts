import type { IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import type { OperationSetup } from '../../helpers/setup';
import { executeUnsubscribeAll } from './optOut';
import { unsubscribeAllOptions, unsubscribeAllNotice } from './common';
import { dryRunField, emailField, simplifyField } from '../common.descriptions';

const displayOptions = { show: { resource: ['unsubscribeAll'], operation: ['batchUnsubscribe'] } };

export const description: INodeProperties[] = [
	unsubscribeAllNotice(displayOptions),
	{
		...emailField('The email address of each item to opt out of all email'),
		default: '={{ $json.email }}',
		displayOptions,
	},
	{ ...dryRunField, displayOptions },
	{ ...simplifyField, displayOptions },
	unsubscribeAllOptions(displayOptions),
];

export async function execute(this: IExecuteFunctions, setup: OperationSetup) {
	await executeUnsubscribeAll(this, setup);
}

import type { IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { createSetup, transportHint, type OperationSetup } from '../helpers/setup';
import * as contact from './contact/Contact.resource';
import * as preferenceLink from './preferenceLink/PreferenceLink.resource';
import * as subscriptionStatus from './subscriptionStatus/SubscriptionStatus.resource';
import * as subscriptionType from './subscriptionType/SubscriptionType.resource';
import * as unsubscribeAll from './unsubscribeAll/UnsubscribeAll.resource';

type Operation = { execute(this: IExecuteFunctions, setup: OperationSetup): Promise<void> };

export const operations: Record<string, Record<string, Operation>> = {
	contact: { recordExternalDoubleOptIn: contact.recordExternalDoubleOptIn },
	preferenceLink: { generate: preferenceLink.generate },
	subscriptionType: { getAll: subscriptionType.getAll },
	subscriptionStatus: {
		get: subscriptionStatus.get,
		getAll: subscriptionStatus.getAll,
		set: subscriptionStatus.set,
		batchWrite: subscriptionStatus.batchWrite,
	},
	unsubscribeAll: {
		unsubscribe: unsubscribeAll.unsubscribe,
		getStatus: unsubscribeAll.getStatus,
		batchUnsubscribe: unsubscribeAll.batchUnsubscribe,
		batchGetStatus: unsubscribeAll.batchGetStatus,
	},
};

export async function router(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const resource = this.getNodeParameter('resource', 0) as string;
	const operation = this.getNodeParameter('operation', 0) as string;
	const handler = operations[resource]?.[operation];
	if (!handler) {
		throw new NodeOperationError(
			this.getNode(),
			`The operation "${operation}" of "${resource}" is not supported`,
		);
	}
	const setup = createSetup(this);
	try {
		await handler.execute.call(this, setup);
	} finally {
		const hint = transportHint(setup);
		if (hint) setup.hints.add(hint);
		if (setup.hints.size) {
			this.addExecutionHints(
				...[...setup.hints].map((message) => ({ message, location: 'outputPane' as const })),
			);
		}
	}
	return setup.outcomes.result();
}

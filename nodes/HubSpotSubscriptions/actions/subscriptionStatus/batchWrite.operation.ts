import type { IExecuteFunctions, INodeParameterResourceLocator, INodeProperties } from 'n8n-workflow';

import { CHANNEL } from '../../helpers/constants';
import { ParameterReader } from '../../helpers/parameters';
import type { OperationSetup } from '../../helpers/setup';
import {
	requireEmail,
	requireExplanation,
	requireLegalBasis,
	requireStatusState,
	requireSubscriptionId,
} from '../../helpers/validation';
import { executeWrites, type ItemWrites } from '../../helpers/writes';
import {
	dryRunField,
	emailField,
	legalBasisExplanationField,
	legalBasisField,
	simplifyField,
	statusStateOptions,
	subscriptionTypeLocator,
	unsubscribeNotice,
} from '../common.descriptions';

const displayOptions = { show: { resource: ['subscriptionStatus'], operation: ['batchWrite'] } };

export const description: INodeProperties[] = [
	{
		displayName:
			'Every input item is one status write. They go to HubSpot in as few batch calls as the batch size allows (Enterprise batch write scope; without it the node falls back to one call per item). Map the fields from the input to give each item its own values.',
		name: 'batchWriteNotice',
		type: 'notice',
		default: '',
		displayOptions,
	},
	{
		...emailField('The email address of this item'),
		default: '={{ $json.email }}',
		displayOptions,
	},
	{
		...subscriptionTypeLocator('subscriptionType', 'Subscription Type', 'The subscription type of this item'),
		displayOptions,
	},
	{
		displayName: 'Status',
		name: 'statusState',
		type: 'options',
		options: statusStateOptions,
		default: 'SUBSCRIBED',
		description:
			'The status to record. Use an expression to take it from the item (SUBSCRIBED, UNSUBSCRIBED or NOT_SPECIFIED).',
		displayOptions,
	},
	unsubscribeNotice({ show: { ...displayOptions.show, statusState: ['UNSUBSCRIBED'] } }),
	{ ...legalBasisField, displayOptions },
	{
		...legalBasisExplanationField,
		displayOptions: { show: { ...displayOptions.show }, hide: { legalBasis: ['NON_GDPR'] } },
	},
	{ ...dryRunField, displayOptions },
	{ ...simplifyField, displayOptions },
];

export async function execute(this: IExecuteFunctions, setup: OperationSetup) {
	const dryRun = this.getNodeParameter('dryRun', 0, false) as boolean;
	const simplify = this.getNodeParameter('simplify', 0, true) as boolean;
	const parameters = new ParameterReader(this);
	const parseItem = (itemIndex: number): ItemWrites => {
		const email = requireEmail(parameters.get('email', itemIndex));
		const locator = parameters.get('subscriptionType', itemIndex) as INodeParameterResourceLocator;
		const subscriptionId = requireSubscriptionId(locator?.value);
		const statusState = requireStatusState(parameters.get('statusState', itemIndex));
		const legalBasis = requireLegalBasis(parameters.get('legalBasis', itemIndex, ''));
		const legalBasisExplanation = requireExplanation(
			parameters.get('legalBasisExplanation', itemIndex, ''),
			legalBasis,
		);
		return {
			itemIndex,
			email,
			writes: [
				{
					subscriberIdString: email,
					subscriptionId,
					statusState,
					channel: CHANNEL,
					legalBasis,
					...(legalBasisExplanation ? { legalBasisExplanation } : {}),
				},
			],
			names: new Map(),
			flat: true,
		};
	};
	await executeWrites(setup, parseItem, { dryRun, simplify });
}

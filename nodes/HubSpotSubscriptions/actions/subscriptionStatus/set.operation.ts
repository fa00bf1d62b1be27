import type {
	IDataObject,
	IExecuteFunctions,
	INodeParameterResourceLocator,
	INodeProperties,
} from 'n8n-workflow';

import { CHANNEL } from '../../helpers/constants';
import type { StatusWrite } from '../../helpers/interfaces';
import { ParameterReader } from '../../helpers/parameters';
import type { OperationSetup } from '../../helpers/setup';
import {
	optionalBusinessUnitId,
	requireEmail,
	requireExplanation,
	requireLegalBasis,
	requireStatusState,
	requireSubscriptionId,
} from '../../helpers/validation';
import { executeWrites, type ItemWrites } from '../../helpers/writes';
import {
	brandOption,
	dryRunField,
	emailField,
	legalBasisExplanationField,
	legalBasisField,
	simplifyField,
	statusStateOptions,
	subscriptionTypeLocator,
	unsubscribeNotice,
} from '../common.descriptions';

const displayOptions = { show: { resource: ['subscriptionStatus'], operation: ['set'] } };

export const description: INodeProperties[] = [
	{ ...emailField('The email address whose subscription status to set'), displayOptions },
	{
		...subscriptionTypeLocator(
			'subscriptionType',
			'Subscription Type',
			'The subscription type to set the status of',
		),
		displayOptions,
	},
	{
		displayName: 'Status',
		name: 'statusState',
		type: 'options',
		options: statusStateOptions,
		default: 'SUBSCRIBED',
		description: 'The status to record for this address and subscription type',
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
	{
		displayName: 'Options',
		name: 'options',
		type: 'collection',
		placeholder: 'Add Option',
		displayOptions,
		default: {},
		options: [
			{
				displayName: 'Additional Subscription Type Names or IDs',
				name: 'additionalSubscriptionTypes',
				type: 'multiOptions',
				typeOptions: { loadOptionsMethod: 'getSubscriptionTypes' },
				default: [],
				description:
					'More subscription types to set to the same status with the same legal basis. The output item then lists every type under "statuses". Choose from the list, or specify IDs using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
			},
			{
				...brandOption,
				description:
					'The brand whose current statuses Dry Run reads (Brands add-on). A subscription type already belongs to one brand, so writes need no brand.',
			},
		],
	},
];

export async function execute(this: IExecuteFunctions, setup: OperationSetup) {
	const dryRun = this.getNodeParameter('dryRun', 0, false) as boolean;
	const simplify = this.getNodeParameter('simplify', 0, true) as boolean;
	const parameters = new ParameterReader(this);
	const parseItem = (itemIndex: number): ItemWrites => {
		const email = requireEmail(parameters.get('email', itemIndex));
		const locator = parameters.get('subscriptionType', itemIndex) as INodeParameterResourceLocator;
		const subscriptionId = requireSubscriptionId(locator?.value);
		const options = parameters.get('options', itemIndex, {}) as IDataObject;
		const extra = toList(options.additionalSubscriptionTypes).map((id) =>
			requireSubscriptionId(id, 'Additional Subscription Types'),
		);
		const statusState = requireStatusState(parameters.get('statusState', itemIndex));
		const legalBasis = requireLegalBasis(parameters.get('legalBasis', itemIndex, ''));
		const legalBasisExplanation = requireExplanation(
			parameters.get('legalBasisExplanation', itemIndex, ''),
			legalBasis,
		);
		const subscriptionIds = [...new Set([subscriptionId, ...extra])];
		const writes = subscriptionIds.map(
			(id): StatusWrite => ({
				subscriberIdString: email,
				subscriptionId: id,
				statusState,
				channel: CHANNEL,
				legalBasis,
				...(legalBasisExplanation ? { legalBasisExplanation } : {}),
			}),
		);
		return {
			itemIndex,
			email,
			businessUnitId: optionalBusinessUnitId(options.businessUnitId),
			writes,
			names: new Map(),
			flat: writes.length === 1,
		};
	};
	await executeWrites(setup, parseItem, { dryRun, simplify });
}

function toList(value: unknown): string[] {
	if (value === undefined || value === null || value === '') return [];
	if (Array.isArray(value)) return value.map(String);
	return String(value)
		.split(',')
		.map((part) => part.trim())
		.filter(Boolean);
}

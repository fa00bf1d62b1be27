import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { runPool } from '../../helpers/items';
import { ParameterReader } from '../../helpers/parameters';
import type { OperationSetup } from '../../helpers/setup';
import {
	optionalBusinessUnitId,
	optionalLanguage,
	requireEmail,
	requireSubscriptionId,
} from '../../helpers/validation';
import { generateLinksRequest, type LinkRequestInput } from '../../transport';
import { brandOption, emailField, optionsCollection } from '../common.descriptions';

const displayOptions = { show: { resource: ['preferenceLink'], operation: ['generate'] } };

/** HubSpot: "The default Account business unit will always use 0". */
const DEFAULT_BRAND = 0;

export const description: INodeProperties[] = [
	{
		displayName:
			"Each link lets whoever holds it change this address's email preferences: send it only to that address.",
		name: 'preferenceLinkNotice',
		type: 'notice',
		default: '',
		displayOptions,
	},
	{
		...emailField('The email address to generate the links for'),
		default: '={{ $json.email }}',
		displayOptions,
	},
	optionsCollection(displayOptions, [
		{
			...brandOption,
			description:
				'The brand (business unit) whose pages the links open, for accounts with the Brands add-on; those pages show only that brand\'s subscription types. Empty: the default brand, 0. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		},
		{
			displayName: 'Language',
			name: 'language',
			type: 'string',
			default: '',
			placeholder: 'e.g. de',
			description:
				"The language of the pages, e.g. de. Use a language your subscription types have a translation for; empty, HubSpot uses the account's default language or English.",
		},
		{
			displayName: 'Subscription Type Name or ID',
			name: 'subscriptionType',
			type: 'options',
			typeOptions: { loadOptionsMethod: 'getSubscriptionTypes' },
			default: '',
			description:
				'A subscription type to single out: HubSpot then also returns a link that unsubscribes from that type alone (unsubscribeSingleUrl). Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		},
	]),
];

interface LinkInput extends LinkRequestInput {
	itemIndex: number;
}

/** Reads and checks every item before anything is sent; a bad item fails on its own. */
function parseInputs(ctx: IExecuteFunctions, setup: OperationSetup): LinkInput[] {
	const parameters = new ParameterReader(ctx);
	return setup.outcomes
		.parseAll((itemIndex): LinkInput => {
			const options = parameters.get<IDataObject>('options', itemIndex, {});
			const chosenType = options.subscriptionType;
			return {
				itemIndex,
				email: requireEmail(parameters.get('email', itemIndex)),
				businessUnitId: optionalBusinessUnitId(options.businessUnitId) ?? DEFAULT_BRAND,
				subscriptionId:
					chosenType === undefined || chosenType === ''
						? undefined
						: requireSubscriptionId(chosenType),
				language: optionalLanguage(options.language),
			};
		})
		.map(({ value }) => value);
}

/**
 * One call per item (HubSpot has no batch form of this endpoint), through the node's rate window.
 * No Dry Run, like the other reads: generating links changes nothing in HubSpot.
 */
export async function execute(this: IExecuteFunctions, setup: OperationSetup) {
	const inputs = parseInputs(this, setup);
	await runPool(
		inputs,
		setup.pipeline.concurrency,
		async (input) => {
			try {
				const { body } = await setup.transport.request<IDataObject>(
					generateLinksRequest(setup.version, input, input.itemIndex),
				);
				setup.outcomes.succeed(input.itemIndex, {
					email: input.email,
					...body,
					brandId: input.businessUnitId,
				});
			} catch (error) {
				setup.outcomes.failOrStop(input.itemIndex, error);
			}
		},
		() => setup.outcomes.stopped,
	);
}

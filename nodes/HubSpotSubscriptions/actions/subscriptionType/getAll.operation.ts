import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';

import { readDefinitions } from '../../transport/definitions';
import type { OperationSetup } from '../../helpers/setup';
import { optionalBusinessUnitId } from '../../helpers/validation';
import { brandOption } from '../common.descriptions';

const displayOptions = { show: { resource: ['subscriptionType'], operation: ['getAll'] } };

export const description: INodeProperties[] = [
	{
		displayName: 'Return All',
		name: 'returnAll',
		type: 'boolean',
		displayOptions,
		default: true,
		description: 'Whether to return all results or only up to a given limit',
	},
	{
		displayName: 'Limit',
		name: 'limit',
		type: 'number',
		displayOptions: { show: { ...displayOptions.show, returnAll: [false] } },
		typeOptions: { minValue: 1 },
		default: 50,
		description: 'Max number of results to return',
	},
	{
		displayName: 'Filters',
		name: 'filters',
		type: 'collection',
		placeholder: 'Add Filter',
		displayOptions,
		default: {},
		options: [
			{
				displayName: 'Active Only',
				name: 'activeOnly',
				type: 'boolean',
				default: false,
				description: 'Whether to leave out subscription types that are archived (inactive)',
			},
			brandOption,
			{
				displayName: 'Include Translations',
				name: 'includeTranslations',
				type: 'boolean',
				default: false,
				description:
					'Whether to include the name and description of each type in its other languages',
			},
		],
	},
];

export async function execute(this: IExecuteFunctions, setup: OperationSetup) {
	const { outcomes, transport } = setup;
	const parsed = outcomes.parseAll((itemIndex) => {
		const filters = this.getNodeParameter('filters', itemIndex, {}) as IDataObject;
		return {
			returnAll: this.getNodeParameter('returnAll', itemIndex, true) as boolean,
			limit: this.getNodeParameter('limit', itemIndex, 50) as number,
			activeOnly: filters.activeOnly === true,
			includeTranslations: filters.includeTranslations === true,
			businessUnitId: optionalBusinessUnitId(filters.businessUnitId),
		};
	});
	for (const { itemIndex, value } of parsed) {
		try {
			const { businessUnitId, includeTranslations } = value;
			let definitions = await readDefinitions(
				transport,
				setup.version,
				{ businessUnitId, includeTranslations },
				itemIndex,
			);
			if (value.activeOnly) definitions = definitions.filter((definition) => definition.isActive);
			if (!value.returnAll) definitions = definitions.slice(0, value.limit);
			outcomes.succeedMany(itemIndex, definitions);
		} catch (error) {
			outcomes.failOrStop(itemIndex, error);
		}
	}
}

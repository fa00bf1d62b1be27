import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { brandLabel, definitionLabel, loadDefinitions } from './definitions';

export async function getSubscriptionTypes(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	return (await loadDefinitions(this))
		.sort((a, b) => Number(b.isActive) - Number(a.isActive) || a.name.localeCompare(b.name))
		.map((definition) => ({
			name: definitionLabel(definition),
			value: String(definition.id),
			description: definition.description || undefined,
		}));
}

/** HubSpot has no brand list in this API: the brands are the ones its subscription types belong to. */
export async function getBrands(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const brands = new Set<number>([0]);
	for (const definition of await loadDefinitions(this, { narrowToChosenBrand: false })) brands.add(definition.businessUnitId ?? 0);
	return [...brands]
		.sort((a, b) => a - b)
		.map((id) => ({ name: `${brandLabel(id)} (${id})`, value: id }));
}

import type { ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { contactProperties, isWritable } from '../actions/contact/contactProperties';
import { HubSpotTransport } from '../transport';
import { brandLabel, definitionLabel, loadDefinitions } from './subscriptionTypeOptions';

/** For Set's additional types: only active ones, since HubSpot takes no statuses for archived types. */
export async function getSubscriptionTypes(
	this: ILoadOptionsFunctions,
): Promise<INodePropertyOptions[]> {
	return (await loadDefinitions(this))
		.filter((definition) => definition.isActive)
		.sort((a, b) => a.name.localeCompare(b.name))
		.map((definition) => ({
			name: definitionLabel(definition),
			value: String(definition.id),
			description: definition.description || undefined,
		}));
}

/** HubSpot has no brand list in this API: the brands are the ones its subscription types belong to. */
export async function getBrands(this: ILoadOptionsFunctions): Promise<INodePropertyOptions[]> {
	const brands = new Set<number>([0]);
	for (const definition of await loadDefinitions(this, { narrowToChosenBrand: false }))
		brands.add(definition.businessUnitId ?? 0);
	return [...brands]
		.sort((a, b) => a - b)
		.map((id) => ({ name: `${brandLabel(id)} (${id})`, value: id }));
}

/** Only properties an API may write: never HubSpot's read-only ones such as the confirmation status. */
async function writableContactProperties(
	ctx: ILoadOptionsFunctions,
	types: string[],
): Promise<INodePropertyOptions[]> {
	const properties = await contactProperties(new HubSpotTransport(ctx), { fresh: true });
	return [...properties.values()]
		.filter((property) => types.includes(property.type) && isWritable(property) && !property.hidden)
		.sort((a, b) => a.label.localeCompare(b.label))
		.map((property) => ({ name: `${property.label} (${property.name})`, value: property.name }));
}

export async function getDateTimeContactProperties(this: ILoadOptionsFunctions) {
	return await writableContactProperties(this, ['datetime']);
}

export async function getTextContactProperties(this: ILoadOptionsFunctions) {
	return await writableContactProperties(this, ['string']);
}

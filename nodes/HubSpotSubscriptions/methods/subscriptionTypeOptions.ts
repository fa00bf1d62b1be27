import type { ILoadOptionsFunctions } from 'n8n-workflow';

import { API_VERSIONS, DEFAULT_API_VERSION, type ApiVersion } from '../helpers/constants';
import { readDefinitions } from '../transport/definitions';
import type { SubscriptionDefinition } from '../helpers/interfaces';
import { HubSpotTransport } from '../transport';

/** The account's subscription types, for the dropdowns (the brand chosen in Options narrows them). */
export async function loadDefinitions(
	ctx: ILoadOptionsFunctions,
	{ narrowToChosenBrand = true } = {},
): Promise<SubscriptionDefinition[]> {
	const chosenVersion = ctx.getCurrentNodeParameter('apiVersion') as ApiVersion | undefined;
	const version =
		chosenVersion && API_VERSIONS.includes(chosenVersion) ? chosenVersion : DEFAULT_API_VERSION;
	const businessUnitId = narrowToChosenBrand ? readBrand(ctx) : undefined;
	return await readDefinitions(new HubSpotTransport(ctx), version, { businessUnitId });
}

function readBrand(ctx: ILoadOptionsFunctions): number | undefined {
	for (const path of ['options.businessUnitId', 'filters.businessUnitId']) {
		const value = ctx.getCurrentNodeParameter(path);
		if (value !== undefined && value !== null && value !== '' && /^\d+$/.test(String(value))) {
			return Number(value);
		}
	}
	return undefined;
}

export function brandLabel(businessUnitId: number | null | undefined) {
	const id = businessUnitId ?? 0;
	return id === 0 ? 'Account (default brand)' : `Brand ${id}`;
}

export function definitionLabel(definition: SubscriptionDefinition) {
	const parts = [definition.name, brandLabel(definition.businessUnitId)];
	if (definition.isInternal) parts.push('internal');
	if (!definition.isActive) parts.push('inactive');
	return parts.join(' · ');
}

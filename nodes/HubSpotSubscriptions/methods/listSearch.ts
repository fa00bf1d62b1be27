import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { definitionLabel, loadDefinitions } from './subscriptionTypeOptions';

export async function searchSubscriptionTypes(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const needle = filter?.trim().toLowerCase();
	// HubSpot takes no statuses for archived types: a write offers only active ones.
	const writing = ['set', 'batchWrite'].includes(String(this.getCurrentNodeParameter('operation')));
	const definitions = (await loadDefinitions(this))
		.filter((definition) => !writing || definition.isActive)
		.filter(
			(definition) =>
				!needle || definition.name.toLowerCase().includes(needle) || definition.id === needle,
		)
		// Active types first: those are the ones a workflow usually wants.
		.sort((a, b) => Number(b.isActive) - Number(a.isActive) || a.name.localeCompare(b.name));
	return {
		results: definitions.map((definition) => ({
			name: definitionLabel(definition),
			value: String(definition.id),
			description: definition.description || undefined,
		})),
	};
}

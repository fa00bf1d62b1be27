import { definitionsRequest, type HubSpotTransport } from './index';
import type { ApiVersion } from '../helpers/constants';
import type { SubscriptionDefinition } from '../helpers/interfaces';

/**
 * The one reader of the account's subscription types (HubSpot calls them definitions), for
 * the dropdowns, Subscription Type → Get Many and the check before a write.
 */
export async function readDefinitions(
	transport: HubSpotTransport,
	version: ApiVersion,
	query: { businessUnitId?: number; includeTranslations?: boolean } = {},
	itemIndex?: number,
): Promise<SubscriptionDefinition[]> {
	const response = await transport.request<{ results?: SubscriptionDefinition[] }>(
		definitionsRequest(version, query, itemIndex),
	);
	return response.body.results ?? [];
}

/** Subscription types change rarely; five minutes saves a lookup on every small execution. */
const CACHE_TTL_MS = 5 * 60 * 1000;

const cache = new Map<
	string,
	{ loadedAt: number; definitions: Map<number, SubscriptionDefinition> }
>();

/**
 * The account's subscription types by ID, kept for a few minutes: used to refuse an unknown
 * or archived type before anything is written, and to name each type in the output.
 */
export async function subscriptionTypes(
	transport: HubSpotTransport,
	version: ApiVersion,
	requiredIds: number[] = [],
): Promise<Map<number, SubscriptionDefinition>> {
	const key = `${await transport.accountKey()}:${version}`;
	const cached = cache.get(key);
	const fresh = cached && Date.now() - cached.loadedAt < CACHE_TTL_MS;
	// A type created a minute ago is not in the cache yet: reload once before calling it unknown.
	if (fresh && requiredIds.every((id) => cached.definitions.has(id))) return cached.definitions;

	const definitions = new Map<number, SubscriptionDefinition>();
	for (const definition of await readDefinitions(transport, version))
		definitions.set(Number(definition.id), definition);
	cache.set(key, { loadedAt: Date.now(), definitions });
	return definitions;
}

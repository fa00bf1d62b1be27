import type { IDataObject } from 'n8n-workflow';

import {
	contactPropertiesRequest,
	createContactPropertyRequest,
	type HubSpotTransport,
} from '../../transport';

/** HubSpot's contact property definition (the fields this node reads). */
export interface ContactProperty extends IDataObject {
	name: string;
	label: string;
	type: string;
	fieldType: string;
	groupName: string;
	hidden?: boolean;
	calculated?: boolean;
	modificationMetadata?: {
		readOnlyValue?: boolean;
		readOnlyDefinition?: boolean;
		archivable?: boolean;
	};
}

/** The properties this package creates on request, in HubSpot's "Contact information" group. */
export const EXTERNAL_DOUBLE_OPT_IN_PROPERTIES: ContactProperty[] = [
	{
		name: 'external_double_opt_in_at',
		label: 'External double opt-in confirmed at',
		type: 'datetime',
		fieldType: 'date',
		groupName: 'contactinformation',
		description:
			'When the contact confirmed a double opt-in in an external system (recorded by n8n)',
	},
	{
		name: 'external_double_opt_in_source',
		label: 'External double opt-in source',
		type: 'string',
		fieldType: 'text',
		groupName: 'contactinformation',
		description: 'The system where the double opt-in was confirmed, e.g. Loops or Emarsys',
	},
	{
		name: 'external_double_opt_in_evidence',
		label: 'External double opt-in evidence',
		type: 'string',
		fieldType: 'textarea',
		groupName: 'contactinformation',
		description: 'Evidence of the confirmation: IP address, confirmation link or event ID',
	},
];

/**
 * Refused by name, before any request and whatever HubSpot's metadata says: the confirmation
 * status, because writing it is the mistake Record External Double Opt-In exists to avoid.
 * Other read-only properties are known from HubSpot's metadata (see isWritable).
 */
export const NEVER_WRITTEN = new Set(['hs_emailconfirmationstatus']);

const CACHE_TTL_MS = 5 * 60 * 1000;
const cache = new Map<string, { loadedAt: number; properties: Map<string, ContactProperty> }>();

export async function contactProperties(
	transport: HubSpotTransport,
	{ fresh = false } = {},
): Promise<Map<string, ContactProperty>> {
	const key = await transport.accountKey();
	const cached = cache.get(key);
	if (!fresh && cached && Date.now() - cached.loadedAt < CACHE_TTL_MS) return cached.properties;
	const response = await transport.request<{ results?: ContactProperty[] }>(
		contactPropertiesRequest(),
	);
	const properties = new Map(
		(response.body.results ?? []).map((property) => [property.name, property]),
	);
	cache.set(key, { loadedAt: Date.now(), properties });
	return properties;
}

export function isWritable(property: ContactProperty) {
	return (
		!NEVER_WRITTEN.has(property.name) &&
		!property.modificationMetadata?.readOnlyValue &&
		!property.calculated
	);
}

/** Creates whichever of the given properties the account lacks; returns the names created. */
export async function createMissingProperties(
	transport: HubSpotTransport,
	wanted: ContactProperty[],
	itemIndex: number,
): Promise<string[]> {
	const existing = await contactProperties(transport, { fresh: true });
	const created: string[] = [];
	for (const property of wanted.filter((candidate) => !existing.has(candidate.name))) {
		const response = await transport.request<ContactProperty>(
			createContactPropertyRequest(property, itemIndex),
		);
		// 409: another execution created it a moment ago, which is the outcome we wanted
		if (response.statusCode === 409) {
			existing.set(property.name, property);
			continue;
		}
		existing.set(property.name, response.body);
		created.push(property.name);
	}
	return created;
}

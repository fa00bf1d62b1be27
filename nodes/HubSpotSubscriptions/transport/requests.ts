import type { IDataObject } from 'n8n-workflow';

import { CHANNEL, type ApiVersion } from '../helpers/constants';
import type { HubSpotRequest } from './index';

/**
 * Every HubSpot path the package calls, and the requests whose shape is HubSpot's alone.
 * Nothing outside transport/ spells a path (test/code-shape.test.ts checks it).
 */

export function encodeEmailForPath(email: string) {
	return encodeURIComponent(email);
}

/** The v4 and dated versions differ only in this segment. */
export function communicationPreferencesPath(version: ApiVersion, subPath: string) {
	return `/communication-preferences/${version}${subPath}`;
}

// Communication Preferences: subscription types

export function definitionsPath(version: ApiVersion) {
	return communicationPreferencesPath(version, '/definitions');
}

// Communication Preferences: statuses of one address, per subscription type

/** GET reads every status of the address; POST writes one. */
export function statusPath(version: ApiVersion, email: string) {
	return communicationPreferencesPath(version, `/statuses/${encodeEmailForPath(email)}`);
}

export function batchReadStatusesPath(version: ApiVersion) {
	return communicationPreferencesPath(version, '/statuses/batch/read');
}

export function batchWriteStatusesPath(version: ApiVersion) {
	return communicationPreferencesPath(version, '/statuses/batch/write');
}

// Communication Preferences: opt-out of all email

/** GET reads the address's opt-out of all email; POST opts it out. */
export function unsubscribeAllPath(version: ApiVersion, email: string) {
	return communicationPreferencesPath(
		version,
		`/statuses/${encodeEmailForPath(email)}/unsubscribe-all`,
	);
}

export function batchUnsubscribeAllPath(version: ApiVersion) {
	return communicationPreferencesPath(version, '/statuses/batch/unsubscribe-all');
}

export function batchReadUnsubscribeAllPath(version: ApiVersion) {
	return communicationPreferencesPath(version, '/statuses/batch/unsubscribe-all/read');
}

// Communication Preferences: links to the preference center and the unsubscribe pages

/** HubSpot documents it for v4 and the dated versions alike (the v4 guide calls it beta). */
export function generateLinksPath(version: ApiVersion) {
	return communicationPreferencesPath(version, '/links/generate');
}

/** What one address's links are generated for: its brand always, a type and a language when given. */
export interface LinkRequestInput {
	email: string;
	businessUnitId: number;
	subscriptionId?: number;
	language?: string;
}

export function generateLinksRequest(
	version: ApiVersion,
	input: LinkRequestInput,
	itemIndex?: number,
): HubSpotRequest {
	const body: IDataObject = { subscriberIdString: input.email };
	if (input.language !== undefined) body.language = input.language;
	if (input.subscriptionId !== undefined) body.subscriptionId = input.subscriptionId;
	return {
		method: 'POST',
		path: generateLinksPath(version),
		qs: { channel: CHANNEL, businessUnitId: input.businessUnitId },
		body,
		itemIndex,
		changesNothing: true,
	};
}

// CRM: contacts and their properties

export const CONTACT_PROPERTIES_PATH = '/crm/v3/properties/contacts';

export const CONTACTS_BATCH_UPSERT_PATH = '/crm/v3/objects/contacts/batch/upsert';

/** HubSpot's CRM batch endpoints take at most 100 inputs. */
export const CRM_BATCH_LIMIT = 100;

export function definitionsRequest(
	version: ApiVersion,
	query: { businessUnitId?: number; includeTranslations?: boolean } = {},
	itemIndex?: number,
): HubSpotRequest {
	const qs: IDataObject = {};
	if (query.businessUnitId !== undefined) qs.businessUnitId = query.businessUnitId;
	if (query.includeTranslations) qs.includeTranslations = true;
	return { method: 'GET', path: definitionsPath(version), qs, itemIndex };
}

export function contactPropertiesRequest(): HubSpotRequest {
	return { method: 'GET', path: CONTACT_PROPERTIES_PATH };
}

/** 409 is an answer here: another execution created the property a moment ago. */
export function createContactPropertyRequest(
	property: IDataObject,
	itemIndex?: number,
): HubSpotRequest {
	return {
		method: 'POST',
		path: CONTACT_PROPERTIES_PATH,
		body: property,
		itemIndex,
		acceptStatuses: [409],
	};
}

/** Creates each contact that does not exist yet and sets the given properties on each. */
export function upsertContactsByEmailRequest(
	contacts: Array<{ email: string; properties: IDataObject }>,
	itemIndex?: number,
): HubSpotRequest {
	return {
		method: 'POST',
		path: CONTACTS_BATCH_UPSERT_PATH,
		body: {
			inputs: contacts.map(({ email, properties }) => ({
				idProperty: 'email',
				id: email,
				properties,
			})),
		},
		itemIndex,
	};
}

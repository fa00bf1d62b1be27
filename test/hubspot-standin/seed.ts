/**
 * Default seed of the stand-in: access tokens and their scopes, subscription types over two
 * brands, and a realistic set of contact properties.
 */
import type { ContactProperty, ContactPropertyOption, SubscriptionDefinitionSeed } from './types';

/** Scope names HubSpot documents for the v4 subscriptions API (and its reference pages). */
export const SCOPES = {
	read: 'communication_preferences.read',
	write: 'communication_preferences.write',
	readWrite: 'communication_preferences.read_write',
	batchRead: 'communication_preferences.statuses.batch.read',
	batchWrite: 'communication_preferences.statuses.batch.write',
	/** Names listed by HubSpot's 2026-03 subscriptions guide; accepted on every version as equivalents. */
	datedDefinitionRead: 'subscriptions-definition-read',
	datedStatusRead: 'subscriptions-status-read',
	datedStatusWrite: 'subscriptions-status-write',
	datedBatchRead: 'subscription-status-batch-read',
	datedBatchWrite: 'subscription-status-batch-write',
	contactsRead: 'crm.objects.contacts.read',
	contactsWrite: 'crm.objects.contacts.write',
	schemasRead: 'crm.schemas.contacts.read',
	schemasWrite: 'crm.schemas.contacts.write',
	oauth: 'oauth',
} as const;

export const BATCH_SCOPES: string[] = [
	SCOPES.batchRead,
	SCOPES.batchWrite,
	SCOPES.datedBatchRead,
	SCOPES.datedBatchWrite,
];

export const ALL_SCOPES: string[] = Object.values(SCOPES);

export const ENTERPRISE_TOKEN = 'pat-standin-enterprise';
export const PRO_TOKEN = 'pat-standin-pro';

/**
 * A Service Key as HubSpot shows it (Development → Keys → Service keys): HubSpot's page does not
 * document the key's format; keys seen in the wild look like private app tokens ("pat-", the
 * region, a UUID). HubSpot takes it the same way, as "Authorization: Bearer <key>". Its scopes are
 * the ones the README asks for, by HubSpot's current names: communication_preferences.read_write
 * and the contact scopes, no Enterprise batch scopes.
 * https://developers.hubspot.com/docs/apps/developer-platform/build-apps/authentication/account-service-keys
 */
export const SERVICE_KEY_TOKEN = 'pat-na1-5e7f0c1a-2b3d-4e5f-8a9b-0c1d2e3f4a5b';
export const SERVICE_KEY_SCOPES: string[] = [
	SCOPES.readWrite,
	SCOPES.contactsRead,
	SCOPES.contactsWrite,
	SCOPES.schemasRead,
	SCOPES.schemasWrite,
];

export function defaultTokens(): Record<string, string[]> {
	return {
		[ENTERPRISE_TOKEN]: [...ALL_SCOPES],
		[PRO_TOKEN]: ALL_SCOPES.filter((s) => !BATCH_SCOPES.includes(s)),
		[SERVICE_KEY_TOKEN]: [...SERVICE_KEY_SCOPES],
	};
}

/** IDs of the default subscription types, for tests. */
export const DEFAULT_SUBSCRIPTION_IDS = {
	marketing: 101,
	productUpdates: 102,
	oneToOne: 103,
	retiredNewsletter: 104,
	brandNewsletter: 201,
	brandEvents: 202,
} as const;

export const DEFAULT_BRAND_ID = 0;
export const SECOND_BRAND_ID = 12345;

export function defaultDefinitions(): SubscriptionDefinitionSeed[] {
	return [
		{
			id: DEFAULT_SUBSCRIPTION_IDS.marketing,
			name: 'Marketing Information',
			description: 'Marketing offers and updates.',
			purpose: 'Marketing',
			communicationMethod: 'Email',
			isActive: true,
			isDefault: true,
			isInternal: false,
			businessUnitId: DEFAULT_BRAND_ID,
			translations: [
				{
					languageCode: 'de',
					name: 'Marketinginformationen',
					description: 'Angebote und Neuigkeiten.',
				},
				{
					languageCode: 'fr',
					name: 'Informations marketing',
					description: 'Offres et nouveautés.',
				},
			],
		},
		{
			id: DEFAULT_SUBSCRIPTION_IDS.productUpdates,
			name: 'Product Updates',
			description: 'News about product changes and releases.',
			purpose: 'Marketing',
			communicationMethod: 'Email',
			isActive: true,
			isDefault: false,
			isInternal: false,
			businessUnitId: DEFAULT_BRAND_ID,
		},
		{
			id: DEFAULT_SUBSCRIPTION_IDS.oneToOne,
			name: 'One to One',
			description: 'One to one emails sent from the CRM.',
			purpose: 'Sales',
			communicationMethod: 'Email',
			isActive: true,
			isDefault: true,
			isInternal: true,
			businessUnitId: DEFAULT_BRAND_ID,
		},
		{
			id: DEFAULT_SUBSCRIPTION_IDS.retiredNewsletter,
			name: 'Old Newsletter',
			description: 'Retired newsletter (archived).',
			purpose: 'Marketing',
			communicationMethod: 'Email',
			isActive: false,
			isDefault: false,
			isInternal: false,
			businessUnitId: DEFAULT_BRAND_ID,
		},
		{
			id: DEFAULT_SUBSCRIPTION_IDS.brandNewsletter,
			name: 'Acme Outdoor Newsletter',
			description: 'The monthly newsletter of the Acme Outdoor brand.',
			purpose: 'Marketing',
			communicationMethod: 'Email',
			isActive: true,
			isDefault: true,
			isInternal: false,
			businessUnitId: SECOND_BRAND_ID,
			translations: [
				{
					languageCode: 'de',
					name: 'Acme Outdoor Newsletter (DE)',
					description: 'Der monatliche Newsletter.',
				},
			],
		},
		{
			id: DEFAULT_SUBSCRIPTION_IDS.brandEvents,
			name: 'Acme Outdoor Events',
			description: 'Invitations to Acme Outdoor events.',
			purpose: 'Marketing',
			communicationMethod: 'Email',
			isActive: true,
			isDefault: false,
			isInternal: false,
			businessUnitId: SECOND_BRAND_ID,
		},
	];
}

const HUBSPOT_DEFINED_AT = '2019-08-06T02:41:08.029Z';

function opts(values: Array<string | [string, string]>): ContactPropertyOption[] {
	return values.map((v, i) => {
		const [label, value] = Array.isArray(v) ? v : [v, v];
		return { label, value, displayOrder: i, hidden: false };
	});
}

function prop(
	p: Partial<ContactProperty> & Pick<ContactProperty, 'name' | 'label' | 'type' | 'fieldType'>,
): ContactProperty {
	return {
		description: '',
		groupName: 'contactinformation',
		options: [],
		displayOrder: -1,
		calculated: false,
		externalOptions: false,
		hasUniqueValue: false,
		hidden: false,
		hubspotDefined: true,
		formField: false,
		dataSensitivity: 'non_sensitive',
		modificationMetadata: { archivable: false, readOnlyDefinition: true, readOnlyValue: false },
		createdAt: HUBSPOT_DEFINED_AT,
		updatedAt: HUBSPOT_DEFINED_AT,
		archived: false,
		...p,
	};
}

/** A realistic subset of a HubSpot account's contact properties. */
export function defaultContactProperties(): ContactProperty[] {
	return [
		prop({
			name: 'email',
			label: 'Email',
			type: 'string',
			fieldType: 'text',
			description: "A contact's email address",
			formField: true,
			hasUniqueValue: false,
			displayOrder: 3,
		}),
		prop({
			name: 'firstname',
			label: 'First Name',
			type: 'string',
			fieldType: 'text',
			description: "A contact's first name",
			formField: true,
			displayOrder: 0,
		}),
		prop({
			name: 'lastname',
			label: 'Last Name',
			type: 'string',
			fieldType: 'text',
			description: "A contact's last name",
			formField: true,
			displayOrder: 1,
		}),
		prop({
			name: 'phone',
			label: 'Phone Number',
			type: 'string',
			fieldType: 'phonenumber',
			description: "A contact's primary phone number",
			formField: true,
		}),
		prop({
			name: 'company',
			label: 'Company Name',
			type: 'string',
			fieldType: 'text',
			description: "Name of the contact's company.",
			formField: true,
		}),
		prop({
			name: 'message',
			label: 'Message',
			type: 'string',
			fieldType: 'textarea',
			description:
				'A default property to be used for any message or comments a contact may want to leave on a form.',
			formField: true,
		}),
		prop({
			name: 'date_of_birth',
			label: 'Date of birth',
			type: 'date',
			fieldType: 'date',
			description: 'The date of birth of the contact.',
			formField: true,
		}),
		prop({
			name: 'lifecyclestage',
			label: 'Lifecycle Stage',
			type: 'enumeration',
			fieldType: 'radio',
			description: 'The qualification of contacts to sales readiness.',
			options: opts([
				['Subscriber', 'subscriber'],
				['Lead', 'lead'],
				['Marketing Qualified Lead', 'marketingqualifiedlead'],
				['Sales Qualified Lead', 'salesqualifiedlead'],
				['Opportunity', 'opportunity'],
				['Customer', 'customer'],
				['Evangelist', 'evangelist'],
				['Other', 'other'],
			]),
			formField: true,
			modificationMetadata: { archivable: false, readOnlyDefinition: false, readOnlyValue: false },
		}),
		prop({
			name: 'hs_legal_basis',
			label: "Legal basis for processing contact's data",
			type: 'enumeration',
			fieldType: 'checkbox',
			description:
				"Legal basis for processing contact's data; 'Not applicable' will exempt the contact from GDPR protections",
			options: opts([
				'Legitimate interest – prospect/lead',
				'Legitimate interest - other',
				'Performance of a contract',
				'Freely given consent from contact',
				'Not applicable',
				'Legitimate interest – existing customer',
			]),
			groupName: 'contactinformation',
		}),
		prop({
			name: 'hs_emailconfirmationstatus',
			label: 'Marketing email confirmation status',
			type: 'enumeration',
			fieldType: 'select',
			groupName: 'emailinformation',
			description: "The status of a contact's eligibility to receive marketing email.",
			options: opts([
				'Confirmed',
				'Confirmation Pending',
				'User clicked confirmation',
				'Customer marked confirmed',
				'Not confirmed',
			]),
			modificationMetadata: { archivable: false, readOnlyDefinition: true, readOnlyValue: true },
		}),
		prop({
			name: 'hs_email_optout',
			label: 'Unsubscribed from all email',
			type: 'enumeration',
			fieldType: 'booleancheckbox',
			groupName: 'emailinformation',
			description: 'Indicates that the current email address has opted out of all email.',
			options: opts([
				['Yes', 'true'],
				['No', 'false'],
			]),
			modificationMetadata: { archivable: false, readOnlyDefinition: true, readOnlyValue: true },
		}),
		prop({
			name: 'hs_email_last_open_date',
			label: 'Last marketing email open date',
			type: 'datetime',
			fieldType: 'date',
			groupName: 'emailinformation',
			description: 'The last time a contact opened a marketing email.',
			modificationMetadata: { archivable: false, readOnlyDefinition: true, readOnlyValue: true },
		}),
		prop({
			name: 'createdate',
			label: 'Create Date',
			type: 'datetime',
			fieldType: 'date',
			description: 'The date that a contact entered the system',
			modificationMetadata: { archivable: false, readOnlyDefinition: true, readOnlyValue: true },
		}),
		prop({
			name: 'lastmodifieddate',
			label: 'Last Modified Date',
			type: 'datetime',
			fieldType: 'date',
			description: 'Most recent timestamp of any property update for a contact.',
			modificationMetadata: { archivable: false, readOnlyDefinition: true, readOnlyValue: true },
		}),
		prop({
			name: 'hs_object_id',
			label: 'Record ID',
			type: 'number',
			fieldType: 'number',
			description: 'The unique ID for this record. This value is set automatically by HubSpot.',
			hasUniqueValue: true,
			modificationMetadata: { archivable: false, readOnlyDefinition: true, readOnlyValue: true },
		}),
		prop({
			name: 'double_opt_in_confirmed_at',
			label: 'Double opt-in confirmed at',
			type: 'datetime',
			fieldType: 'date',
			groupName: 'contactinformation',
			description:
				'When the contact confirmed an external double opt-in (custom property of the sandbox account).',
			hubspotDefined: undefined,
			formField: false,
			modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
			createdAt: '2025-02-03T09:30:00.000Z',
			updatedAt: '2025-02-03T09:30:00.000Z',
		}),
		prop({
			name: 'double_opt_in_source',
			label: 'Double opt-in source',
			type: 'string',
			fieldType: 'text',
			groupName: 'contactinformation',
			description:
				'Where the external double opt-in came from (custom property of the sandbox account).',
			hubspotDefined: undefined,
			modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
			createdAt: '2025-02-03T09:30:00.000Z',
			updatedAt: '2025-02-03T09:30:00.000Z',
		}),
	];
}

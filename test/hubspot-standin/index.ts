/**
 * HubSpot stand-in: an in-memory, real-HTTP imitation of the parts of HubSpot's API this package uses
 * (Communication Preferences v4 / 2026-03 / 2026-09, CRM v3 contact properties and batch upsert,
 * OAuth refresh), with injectable faults and HubSpot's rate limits. See README.md in this folder.
 */
export { startHubSpotStandIn } from './server';
export type { StandIn } from './server';
export {
	StandInState,
	SOURCE_PUBLIC_API,
	SOURCE_SEED,
	SOURCE_DEFAULT,
	isValidEmail,
	normalizeEmail,
} from './state';
export {
	SCOPES,
	ALL_SCOPES,
	BATCH_SCOPES,
	ENTERPRISE_TOKEN,
	PRO_TOKEN,
	SERVICE_KEY_TOKEN,
	SERVICE_KEY_SCOPES,
	DEFAULT_SUBSCRIPTION_IDS,
	DEFAULT_BRAND_ID,
	SECOND_BRAND_ID,
	defaultTokens,
	defaultDefinitions,
	defaultContactProperties,
} from './seed';
export { SUPPORTED_VERSIONS, STATUS_STATES, LEGAL_BASES } from './commprefs';
export { PORTAL_ID, CRM_BATCH_LIMIT } from './crm';
export { OUTAGE_MODES } from './faults';
export type { OutageMode, OutageScope, OutageState } from './faults';
export type {
	StandInOptions,
	Fault,
	FaultMatch,
	RecordedRequest,
	SubscriptionDefinitionSeed,
	SubscriptionTranslationSeed,
	SubscriptionDefinition,
	PublicStatus,
	PublicWideStatus,
	WriteRecord,
	Contact,
	ContactProperty,
	ContactPropertyOption,
	StatusState,
	LegalBasis,
	SetStatusSuccessReason,
	WideStatusType,
	RateLimitPolicy,
} from './types';

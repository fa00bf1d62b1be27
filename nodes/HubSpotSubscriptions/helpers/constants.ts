/** Newest first; the newest is the default. */
export const API_VERSIONS = ['2026-09', '2026-03', 'v4'] as const;
export type ApiVersion = (typeof API_VERSIONS)[number];
export const DEFAULT_API_VERSION: ApiVersion = API_VERSIONS[0];

export const STATUS_STATES = ['SUBSCRIBED', 'UNSUBSCRIBED', 'NOT_SPECIFIED'] as const;
export type StatusState = (typeof STATUS_STATES)[number];

export const LEGAL_BASES = [
	'CONSENT_WITH_NOTICE',
	'LEGITIMATE_INTEREST_CLIENT',
	'LEGITIMATE_INTEREST_OTHER',
	'LEGITIMATE_INTEREST_PQL',
	'NON_GDPR',
	'PERFORMANCE_OF_CONTRACT',
	'PROCESS_AND_STORE',
] as const;
export type LegalBasis = (typeof LEGAL_BASES)[number];

export const CHANNEL = 'EMAIL';

/** HubSpot publishes no maximum for the subscription batch endpoints; its CRM batch endpoints take 100. */
export const DEFAULT_BATCH_SIZE = 100;

/** The credential type for each choice of the node's Authentication parameter. */
export const PRIVATE_APP_CREDENTIAL_TYPE = 'hubSpotSubscriptionsApi';
/** OAuth2: HubSpot calls an app that others connect with OAuth a public app. */
export const PUBLIC_APP_CREDENTIAL_TYPE = 'hubSpotSubscriptionsOAuth2Api';

export const DEFAULT_BASE_URL = 'https://api.hubapi.com';

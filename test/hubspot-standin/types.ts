/**
 * Types of the HubSpot stand-in: options, faults, recorded requests and the
 * HubSpot object shapes it serves (communication preferences v4 / dated, CRM v3).
 */

export type StatusState = 'SUBSCRIBED' | 'UNSUBSCRIBED' | 'NOT_SPECIFIED';
export type LegalBasis =
	| 'CONSENT_WITH_NOTICE'
	| 'LEGITIMATE_INTEREST_CLIENT'
	| 'LEGITIMATE_INTEREST_OTHER'
	| 'LEGITIMATE_INTEREST_PQL'
	| 'NON_GDPR'
	| 'PERFORMANCE_OF_CONTRACT'
	| 'PROCESS_AND_STORE';
export type SetStatusSuccessReason =
	| 'NO_STATUS_CHANGE'
	| 'REQUESTED_CHANGE_OCCURRED'
	| 'RESUBSCRIBE_OCCURRED'
	| 'UNSUBSCRIBE_FROM_ALL_OCCURRED';
export type WideStatusType = 'PORTAL_WIDE' | 'BUSINESS_UNIT_WIDE';
export type RateLimitPolicy = 'TEN_SECONDLY_ROLLING' | 'DAILY' | 'SECONDLY';

export interface SubscriptionTranslationSeed {
	languageCode: string;
	name: string;
	description: string;
}

/** One subscription type ("definition") of the account. `id` is numeric here; HubSpot serialises it as a string. */
export interface SubscriptionDefinitionSeed {
	id: number;
	name: string;
	description?: string;
	purpose?: string;
	communicationMethod?: string;
	isActive?: boolean;
	isDefault?: boolean;
	isInternal?: boolean;
	/** Brand; 0 is the default "Account" brand. Default 0. */
	businessUnitId?: number;
	translations?: SubscriptionTranslationSeed[];
	/** ISO timestamp; default 2024-01-15T10:00:00.000Z */
	createdAt?: string;
	updatedAt?: string;
}

/** HubSpot's SubscriptionDefinition, as served. */
export interface SubscriptionDefinition {
	id: string;
	name: string;
	description: string;
	purpose: string;
	communicationMethod: string;
	isActive: boolean;
	isDefault: boolean;
	isInternal: boolean;
	businessUnitId: number;
	createdAt: string;
	updatedAt: string;
	subscriptionTranslations?: Array<{
		subscriptionId: number;
		languageCode: string;
		name: string;
		description: string;
		createdAt: number;
		updatedAt: number;
	}>;
}

/** HubSpot's PublicStatus. */
export interface PublicStatus {
	channel: 'EMAIL';
	source: string;
	status: StatusState;
	subscriberIdString: string;
	subscriptionId: number;
	timestamp: string;
	businessUnitId: number;
	legalBasis: LegalBasis | null;
	legalBasisExplanation: string | null;
	setStatusSuccessReason: SetStatusSuccessReason | null;
	subscriptionName: string;
}

/** HubSpot's PublicWideStatus. */
export interface PublicWideStatus {
	channel: 'EMAIL';
	status: StatusState;
	subscriberIdString: string;
	timestamp: string;
	wideStatusType: WideStatusType;
	businessUnitId: number;
}

/** One accepted status change (or no-op) kept for inspection: what a consent audit needs. */
export interface WriteRecord {
	email: string;
	/** null for an opt-out of all. */
	subscriptionId: number | null;
	businessUnitId: number;
	kind: 'status' | 'unsubscribe-all';
	from: StatusState;
	to: StatusState;
	reason: SetStatusSuccessReason;
	legalBasis: LegalBasis | null;
	legalBasisExplanation: string | null;
	source: string;
	timestamp: string;
	/** Path of the call that made the change, e.g. /communication-preferences/v4/statuses/batch/write */
	via: string;
}

export interface ContactPropertyOption {
	label: string;
	value: string;
	description?: string;
	displayOrder: number;
	hidden: boolean;
}

/** HubSpot's CRM v3 Property shape (the fields this stand-in serves). */
export interface ContactProperty {
	name: string;
	label: string;
	type: string;
	fieldType: string;
	description: string;
	groupName: string;
	options: ContactPropertyOption[];
	displayOrder: number;
	calculated: boolean;
	externalOptions: boolean;
	hasUniqueValue: boolean;
	hidden: boolean;
	hubspotDefined?: boolean;
	formField: boolean;
	dataSensitivity: string;
	modificationMetadata: {
		archivable: boolean;
		readOnlyDefinition: boolean;
		readOnlyValue: boolean;
	};
	createdAt: string;
	updatedAt: string;
	archived: boolean;
}

export interface Contact {
	id: string;
	properties: Record<string, string | null>;
	createdAt: string;
	updatedAt: string;
	archived: boolean;
}

export interface RecordedRequest {
	method: string;
	/** Path without the query string, as sent (not decoded). */
	path: string;
	query: Record<string, string>;
	headers: Record<string, string | string[] | undefined>;
	/** Parsed JSON when the body is JSON, else the raw string ('' when empty). */
	body: unknown;
	rawBody: string;
	/** Status sent; 0 when the socket was destroyed without an answer; null while pending. */
	status: number | null;
	receivedAt: number;
	respondedAt: number | null;
}

/** Which requests a fault applies to. */
export interface FaultMatch {
	/** HTTP method, case-insensitive; default: any. */
	method?: string;
	/** Regular expression tested against the path (without query); default: any path. */
	path?: RegExp | string;
	/** How many matching requests it applies to. Default 1 (unless untilMs or, for storms, durationMs is given). */
	times?: number;
	/** Active for this long: a duration in ms from injection (values above 1e12 are read as an absolute epoch-ms time). */
	untilMs?: number;
}

export type Fault = FaultMatch &
	(
		| { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
		| { kind: 'rateLimit'; policy: RateLimitPolicy; retryAfterSeconds?: number }
		| { kind: 'reset'; applyBeforeFault?: boolean }
		| { kind: 'stall'; ms: number; applyBeforeFault?: boolean }
		| { kind: 'storm'; ratio: number; durationMs: number }
	);

export interface StandInOptions {
	host?: string;
	port?: number;
	tokens?: Record<string, string[]>;
	oauth?: { clientId: string; clientSecret: string; refreshTokens?: Record<string, string[]> };
	gdprEnabled?: boolean;
	/**
	 * Per-token limits (every caller with the same token shares them, as HubSpot counts per app).
	 * `remainingHeader: false` leaves X-HubSpot-RateLimit-Remaining out (Max and Interval stay): a
	 * client then has only its own count to go by.
	 */
	rateLimit?:
		| { maxRequests: number; windowMs: number; dailyLimit?: number; remainingHeader?: boolean }
		| false;
	latencyMs?: [number, number];
	maxBatchInputs?: number;
	definitions?: SubscriptionDefinitionSeed[];
	now?: () => number;
	/** Lifetime of OAuth access tokens minted at /oauth/v1/token, in seconds. Default 1800 (HubSpot's). */
	oauthAccessTokenTtlSeconds?: number;
}

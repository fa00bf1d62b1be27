import type { IDataObject } from 'n8n-workflow';

import type { LegalBasis, StatusState } from './constants';

/** PublicStatus as HubSpot returns it (optional fields may be null). */
export interface PublicStatus extends IDataObject {
	channel: string;
	status: StatusState;
	subscriberIdString: string;
	subscriptionId: number;
	source: string;
	timestamp: string;
	businessUnitId?: number | null;
	legalBasis?: LegalBasis | null;
	legalBasisExplanation?: string | null;
	setStatusSuccessReason?: string | null;
	subscriptionName?: string | null;
}

export interface PublicWideStatus extends IDataObject {
	channel: string;
	status: string;
	subscriberIdString: string;
	timestamp: string;
	wideStatusType: 'PORTAL_WIDE' | 'BUSINESS_UNIT_WIDE';
	businessUnitId?: number | null;
}

export interface SubscriptionDefinition extends IDataObject {
	id: string;
	name: string;
	description: string;
	isActive: boolean;
	isDefault: boolean;
	isInternal: boolean;
	businessUnitId?: number | null;
	purpose?: string;
	communicationMethod?: string;
}

export interface StandardError extends IDataObject {
	category?: string;
	message?: string;
	context?: Record<string, unknown>;
	subCategory?: string;
	errors?: IDataObject[];
}

/** ActionResponse / BatchResponse share this layout. */
export interface HubSpotActionResponse<T> extends IDataObject {
	status: string;
	results: T[];
	errors?: StandardError[];
	numErrors?: number;
	startedAt?: string;
	completedAt?: string;
}

/** One status write, as the batch/write endpoint takes it. */
export interface StatusWrite extends IDataObject {
	subscriberIdString: string;
	subscriptionId: number;
	statusState: StatusState;
	channel: 'EMAIL';
	legalBasis?: LegalBasis;
	legalBasisExplanation?: string;
}

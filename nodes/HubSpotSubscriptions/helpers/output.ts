import type { IDataObject } from 'n8n-workflow';

import type { PublicStatus, PublicWideStatus } from './interfaces';

/**
 * The flat shape Simplify promises. The type's name comes from HubSpot or, failing that, from
 * names the node already has (the list entry chosen in the editor, or the account's types).
 */
export function simplifyStatus(
	status: PublicStatus,
	knownNames?: Map<number, string>,
): IDataObject {
	const flat: IDataObject = {
		email: status.subscriberIdString,
		subscriptionId: status.subscriptionId,
	};
	const name = status.subscriptionName ?? knownNames?.get(Number(status.subscriptionId));
	if (name) flat.subscriptionName = name;
	flat.status = status.status;
	flat.legalBasis = status.legalBasis ?? null;
	flat.legalBasisExplanation = status.legalBasisExplanation ?? null;
	flat.source = status.source ?? null;
	flat.timestamp = status.timestamp ?? null;
	flat.brandId = status.businessUnitId ?? null;
	if (status.setStatusSuccessReason) flat.setStatusSuccessReason = status.setStatusSuccessReason;
	return flat;
}

export function simplifyStatuses(
	email: string,
	statuses: PublicStatus[],
	knownNames?: Map<number, string>,
): IDataObject {
	return {
		email,
		statuses: statuses.map((status) => simplifyStatus(status, knownNames)),
	};
}

export function simplifyWideStatus(
	email: string,
	wideStatuses: PublicWideStatus[],
	businessUnitId: number | undefined,
): IDataObject {
	const matching =
		businessUnitId === undefined
			? wideStatuses
			: wideStatuses.filter(
					(wide) =>
						wide.wideStatusType === 'PORTAL_WIDE' || (wide.businessUnitId ?? 0) === businessUnitId,
				);
	const optedOut = matching.find((wide) => wide.status === 'UNSUBSCRIBED');
	const flat: IDataObject = {
		email,
		unsubscribedFromAll: Boolean(optedOut),
	};
	if (businessUnitId !== undefined) flat.brandId = businessUnitId;
	if (optedOut) {
		flat.wideStatusType = optedOut.wideStatusType;
		flat.brandId = optedOut.businessUnitId ?? flat.brandId ?? null;
		flat.timestamp = optedOut.timestamp;
	}
	if (wideStatuses.length > 1) {
		flat.brands = wideStatuses.map((wide) => ({
			brandId: wide.businessUnitId ?? null,
			status: wide.status,
			wideStatusType: wide.wideStatusType,
			timestamp: wide.timestamp,
		}));
	}
	return flat;
}

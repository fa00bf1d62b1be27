import type { IDataObject } from 'n8n-workflow';

import type { HubSpotRequest } from '../transport';

/** The request exactly as it would go out, minus the host and the Authorization header. */
export function describeRequest(request: HubSpotRequest, batched: boolean): IDataObject {
	const preview: IDataObject = { method: request.method, path: request.path };
	if (request.qs && Object.keys(request.qs).length) preview.qs = request.qs;
	if (request.body !== undefined) preview.body = request.body as IDataObject;
	if (batched) preview.sentInBatch = true;
	return preview;
}

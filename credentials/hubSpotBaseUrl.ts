import type { INodeProperties } from 'n8n-workflow';

/** Both HubSpot credentials let the API host be changed, for a regional host or a local test server. */
export const hubSpotBaseUrlProperty: INodeProperties = {
	displayName: 'API Base URL',
	name: 'baseUrl',
	type: 'string',
	default: 'https://api.hubapi.com',
	description: 'Leave as is unless you use a regional HubSpot API host or a local test server',
};

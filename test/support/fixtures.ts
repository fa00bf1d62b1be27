import type { IDataObject, INode, INodeCredentials, INodeParameters } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { HubSpotSubscriptions } from '../../nodes/HubSpotSubscriptions/HubSpotSubscriptions.node';

import { N8nTestInstance, type TestRun, type TestWorkflow } from '../harness/n8n';
import { HUBSPOT_NODE } from '../harness/types';
import {
	ALL_SCOPES,
	ENTERPRISE_TOKEN,
	PRO_TOKEN,
	startHubSpotStandIn,
	type StandIn,
	type StandInOptions,
} from '../hubspot-standin';

export const OAUTH_CLIENT = { clientId: 'n8n-test-client', clientSecret: 'n8n-test-client-secret' };
export const OAUTH_REFRESH_TOKEN = 'refresh-token-for-tests';
export const OAUTH_ACCESS_TOKEN = 'oauth-access-token-initial';

export type Authentication = 'privateAppToken' | 'oAuth2';

export const CREDENTIAL_IDS = {
	enterprise: 'hsEnterprise0001',
	pro: 'hsPro00000000001',
	oauth: 'hsOAuth000000001',
	wrongToken: 'hsWrongToken0001',
} as const;

/**
 * One HubSpot stand-in and one n8n (n8n-core) per test file, with credentials of both kinds:
 * private app tokens (Enterprise and Pro) and an OAuth2 connection that n8n-core refreshes
 * through the stand-in's token endpoint.
 */
export class Bed {
	hubspot!: StandIn;

	n8n!: N8nTestInstance;

	async start(options: StandInOptions = {}) {
		this.hubspot = await startHubSpotStandIn({
			oauth: { ...OAUTH_CLIENT, refreshTokens: { [OAUTH_REFRESH_TOKEN]: ALL_SCOPES } },
			...options,
		});
		this.hubspot.addToken(OAUTH_ACCESS_TOKEN, ALL_SCOPES);
		this.n8n = new N8nTestInstance();
		this.addCredentials();
		return this;
	}

	private addCredentials() {
		const baseUrl = this.hubspot.url;
		this.n8n.addCredential({
			id: CREDENTIAL_IDS.enterprise,
			name: 'HubSpot Enterprise',
			type: 'hubSpotSubscriptionsApi',
			data: { accessToken: ENTERPRISE_TOKEN, baseUrl },
		});
		this.n8n.addCredential({
			id: CREDENTIAL_IDS.pro,
			name: 'HubSpot Pro',
			type: 'hubSpotSubscriptionsApi',
			data: { accessToken: PRO_TOKEN, baseUrl },
		});
		this.n8n.addCredential({
			id: CREDENTIAL_IDS.wrongToken,
			name: 'HubSpot wrong token',
			type: 'hubSpotSubscriptionsApi',
			data: { accessToken: 'pat-na1-not-a-real-token-0000', baseUrl },
		});
		this.n8n.addCredential({
			id: CREDENTIAL_IDS.oauth,
			name: 'HubSpot OAuth2',
			type: 'hubSpotSubscriptionsOAuth2Api',
			data: {
				...OAUTH_CLIENT,
				accessTokenUrl: `${baseUrl}/oauth/v1/token`,
				baseUrl,
				oauthTokenData: {
					access_token: OAUTH_ACCESS_TOKEN,
					refresh_token: OAUTH_REFRESH_TOKEN,
					token_type: 'bearer',
				},
			},
		});
	}

	reset() {
		this.hubspot.reset();
		this.hubspot.addToken(OAUTH_ACCESS_TOKEN, ALL_SCOPES);
	}

	async stop() {
		await this.n8n?.close();
		await this.hubspot?.close();
	}

	/** Requests to the HubSpot API (not the OAuth token endpoint). */
	apiRequests() {
		return this.hubspot.requests.filter((request) => !request.path.startsWith('/oauth/'));
	}

	/** Runs the HubSpot node once over `items`, as the first node of a workflow. */
	async runNode(
		parameters: IDataObject,
		items: IDataObject[] = [{}],
		options: { auth?: Authentication; credentialId?: string; continueOnFail?: boolean } = {},
	): Promise<TestRun> {
		const workflow = hubspotWorkflow(parameters, options);
		return await this.n8n.run(workflow, { start: 'HubSpot', items });
	}
}

export function hubspotNodeDefinition(
	parameters: IDataObject,
	options: {
		auth?: Authentication;
		credentialId?: string;
		continueOnFail?: boolean;
		name?: string;
	} = {},
): INode {
	const auth = options.auth ?? 'privateAppToken';
	const credentials: INodeCredentials =
		auth === 'oAuth2'
			? {
					hubSpotSubscriptionsOAuth2Api: {
						id: options.credentialId ?? CREDENTIAL_IDS.oauth,
						name: 'HubSpot OAuth2',
					},
				}
			: {
					hubSpotSubscriptionsApi: {
						id: options.credentialId ?? CREDENTIAL_IDS.enterprise,
						name: 'HubSpot',
					},
				};
	return {
		id: 'hubspot-node',
		name: options.name ?? 'HubSpot',
		type: HUBSPOT_NODE,
		typeVersion: 1,
		position: [200, 0],
		parameters: asSavedByTheEditor({ authentication: auth, ...parameters } as INodeParameters),
		credentials,
		continueOnFail: options.continueOnFail,
		...(options.continueOnFail ? { onError: 'continueRegularOutput' as const } : {}),
	};
}

const description = new HubSpotSubscriptions().description;

/**
 * The parameters as n8n's editor would save them: a parameter that its display options hide
 * is dropped, so a test cannot rely on a value a user could never set.
 */
export function asSavedByTheEditor(parameters: INodeParameters): INodeParameters {
	const saved = NodeHelpers.getNodeParameters(
		description.properties,
		parameters,
		false,
		false,
		{ typeVersion: 1 },
		description,
	);
	if (!saved) throw new Error('n8n could not resolve the node parameters');
	return saved;
}

export function hubspotWorkflow(
	parameters: IDataObject,
	options: { auth?: Authentication; credentialId?: string; continueOnFail?: boolean } = {},
): TestWorkflow {
	return { name: 'hubspot', nodes: [hubspotNodeDefinition(parameters, options)], connections: {} };
}

/** A resource locator value as n8n's editor stores it. */
export const byId = (id: number | string) => ({ __rl: true, mode: 'id', value: String(id) });
export const fromList = (id: number | string, name: string) => ({
	__rl: true,
	mode: 'list',
	value: String(id),
	cachedResultName: name,
});

export const SUBSCRIBE = {
	resource: 'subscriptionStatus',
	operation: 'set',
	statusState: 'SUBSCRIBED',
	legalBasis: 'CONSENT_WITH_NOTICE',
	legalBasisExplanation: '=Double opt-in confirmed in Loops at {{ $json.occurredAt }}',
};

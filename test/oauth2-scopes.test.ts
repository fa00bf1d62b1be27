import { ClientOAuth2 } from '@n8n/client-oauth2';
import type { ICredentialDataDecryptedObject, INode, INodeParameters } from 'n8n-workflow';
import { NodeHelpers, Workflow } from 'n8n-workflow';
import { parse } from 'node:querystring';

import { TestCredentialsHelper } from './harness/credentials';
import { TestCredentialTypes, TestNodeTypes } from './harness/types';

const TYPE = 'hubSpotSubscriptionsOAuth2Api';
const REQUIRED = ['communication_preferences.read', 'communication_preferences.write'];
const BATCH = [
	'communication_preferences.statuses.batch.read',
	'communication_preferences.statuses.batch.write',
];
const CONTACT = [
	'crm.objects.contacts.read',
	'crm.objects.contacts.write',
	'crm.schemas.contacts.read',
	'crm.schemas.contacts.write',
];

const credentialsHelper = new TestCredentialsHelper(new TestCredentialTypes());

/**
 * The authorization URL as n8n's server builds it when the user clicks "Connect my account":
 * the credential type's defaults applied to what the user saved, its expressions resolved
 * with $self (the credential's own fields), then @n8n/client-oauth2 with the scope and the
 * authQueryParameters as extra query parameters.
 */
function authorizationUrl(saved: ICredentialDataDecryptedObject): URL {
	const properties = credentialsHelper.getCredentialsProperties(TYPE);
	const withDefaults = NodeHelpers.getNodeParameters(
		properties,
		saved as INodeParameters,
		true,
		false,
		null,
		null,
	)!;
	const node: INode = {
		id: 'credential',
		name: 'mock',
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: new TestNodeTypes(),
	});
	const data = workflow.expression.getComplexParameterValue(
		node,
		withDefaults,
		'internal',
		{},
		undefined,
		undefined,
		withDefaults,
	) as ICredentialDataDecryptedObject;
	const scope = String(data.scope ?? '');
	const client = new ClientOAuth2({
		clientId: String(data.clientId),
		clientSecret: String(data.clientSecret),
		authorizationUri: String(data.authUrl),
		accessTokenUri: String(data.accessTokenUrl),
		redirectUri: 'http://localhost:5678/rest/oauth2-credential/callback',
		scopes: scope.split(','),
		scopesSeparator: scope.includes(',') ? ',' : ' ',
		authentication: data.authentication === 'body' ? 'body' : 'header',
		state: 'state-for-tests',
		...(data.authQueryParameters
			? { query: parse(String(data.authQueryParameters)) as Record<string, string> }
			: {}),
	});
	return new URL(client.code.getUri());
}

const scopesOf = (url: URL, name: string) => url.searchParams.get(name)?.split(' ') ?? [];

const saved = (extra: ICredentialDataDecryptedObject = {}) => ({
	clientId: 'app-client-id',
	clientSecret: 'app-secret',
	...extra,
});

// Mutations that turn these red: in credentials/HubSpotSubscriptionsOAuth2Api.credentials.ts,
// send the optional scopes as `scope=` (required) instead of `optional_scope=`, or drop one of
// the two toggles from the authQueryParameters expression.
describe('HubSpot OAuth2: the scopes the authorization URL asks for', () => {
	test("HubSpot's authorize page, the two required scopes, no optional ones by default", () => {
		const url = authorizationUrl(saved());
		expect(`${url.origin}${url.pathname}`).toBe('https://app.hubspot.com/oauth/authorize');
		expect(url.searchParams.get('client_id')).toBe('app-client-id');
		expect(url.searchParams.get('response_type')).toBe('code');
		expect(scopesOf(url, 'scope')).toEqual(REQUIRED);
		expect(url.searchParams.has('optional_scope')).toBe(false);
		// the client secret never travels in the browser's URL
		expect(url.toString()).not.toContain('app-secret');
	});

	test('Request Enterprise Batch Scopes adds the batch scopes as optional scopes, not required ones', () => {
		const url = authorizationUrl(saved({ includeBatchScopes: true }));
		expect(scopesOf(url, 'scope')).toEqual(REQUIRED);
		expect(scopesOf(url, 'optional_scope')).toEqual(BATCH);
	});

	test('Request Contact Scopes adds the contact scopes as optional scopes', () => {
		const url = authorizationUrl(saved({ includeContactScopes: true }));
		expect(scopesOf(url, 'scope')).toEqual(REQUIRED);
		expect(scopesOf(url, 'optional_scope')).toEqual(CONTACT);
	});

	test('both toggles: one optional_scope parameter with both sets', () => {
		const url = authorizationUrl(saved({ includeBatchScopes: true, includeContactScopes: true }));
		expect(scopesOf(url, 'scope')).toEqual(REQUIRED);
		expect(url.searchParams.getAll('optional_scope')).toHaveLength(1);
		expect(scopesOf(url, 'optional_scope')).toEqual([...BATCH, ...CONTACT]);
	});
});

import { Credentials } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	IHttpRequestHelper,
	IHttpRequestOptions,
	INode,
	INodeCredentialsDetails,
	INodeParameters,
	INodeProperties,
	IRequestOptionsSimplified,
	IWorkflowExecuteAdditionalData,
	Workflow,
} from 'n8n-workflow';
import { ICredentialsHelper, NodeHelpers, isExpression } from 'n8n-workflow';

import type { TestCredentialTypes } from './types';

export interface StoredCredential {
	id: string;
	name: string;
	type: string;
	data: ICredentialDataDecryptedObject;
}

/**
 * Plays the part of n8n's own credentials helper (which lives in n8n's server, not in
 * n8n-core): credentials are stored encrypted with n8n-core's Credentials class, defaults
 * of the credential type are applied, and generic authentication is resolved from the
 * credential type's expressions, as n8n does it. OAuth2 token refreshes are written back.
 */
export class TestCredentialsHelper extends ICredentialsHelper {
	private readonly stored = new Map<string, { name: string; type: string; encrypted: string }>();

	/** Every token-data update n8n-core made (OAuth2 refreshes). */
	readonly oauthTokenUpdates: Array<{ id: string; data: ICredentialDataDecryptedObject }> = [];

	constructor(private readonly credentialTypes: TestCredentialTypes) {
		super();
	}

	add(credential: StoredCredential) {
		const credentials = new Credentials(
			{ id: credential.id, name: credential.name },
			credential.type,
		);
		credentials.setData(credential.data);
		this.stored.set(credential.id, {
			name: credential.name,
			type: credential.type,
			encrypted: credentials.getDataToSave().data!,
		});
	}

	/** The decrypted data as stored now (after any refresh). */
	read(id: string): ICredentialDataDecryptedObject {
		const entry = this.stored.get(id);
		if (!entry) throw new Error(`No stored credential ${id}`);
		return new Credentials({ id, name: entry.name }, entry.type, entry.encrypted).getData();
	}

	getParentTypes(name: string): string[] {
		return this.credentialTypes.getParentTypes(name);
	}

	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		typeName: string,
		requestOptions: IHttpRequestOptions | IRequestOptionsSimplified,
		workflow: Workflow,
		node: INode,
	): Promise<IHttpRequestOptions> {
		const credentialType = this.credentialTypes.getByName(typeName);
		const { authenticate } = credentialType;
		if (typeof authenticate === 'function') {
			return await authenticate(credentials, requestOptions as IHttpRequestOptions);
		}
		if (authenticate?.type === 'generic') {
			const resolve = (value: string) =>
				isExpression(value)
					? String(
							workflow.expression.getSimpleParameterValue(node, value, 'internal', {
								$credentials: credentials,
							}) ?? '',
						)
					: value;
			const target = requestOptions as unknown as Record<string, Record<string, string>>;
			for (const [section, entries] of Object.entries(authenticate.properties)) {
				target[section] ??= {};
				for (const [key, value] of Object.entries(entries as Record<string, string>)) {
					target[section][resolve(key)] = resolve(value);
				}
			}
		}
		return requestOptions as IHttpRequestOptions;
	}

	async preAuthentication(
		_helpers: IHttpRequestHelper,
		_credentials: ICredentialDataDecryptedObject,
		_typeName: string,
		_node: INode,
		_credentialsExpired: boolean,
	) {
		return undefined;
	}

	async getCredentials(nodeCredentials: INodeCredentialsDetails, type: string) {
		const entry = this.stored.get(nodeCredentials.id ?? '');
		if (!entry || entry.type !== type) {
			throw new Error(`Credential "${nodeCredentials.name}" of type ${type} does not exist`);
		}
		return new Credentials(
			{ id: nodeCredentials.id, name: entry.name },
			entry.type,
			entry.encrypted,
		);
	}

	async getDecrypted(
		_additionalData: IWorkflowExecuteAdditionalData,
		nodeCredentials: INodeCredentialsDetails,
		type: string,
	): Promise<ICredentialDataDecryptedObject> {
		const raw = (await this.getCredentials(nodeCredentials, type)).getData();
		const withDefaults = (NodeHelpers.getNodeParameters(
			this.getCredentialsProperties(type),
			raw as INodeParameters,
			true,
			false,
			null,
			null,
		) ?? {}) as ICredentialDataDecryptedObject;
		if (raw.oauthTokenData !== undefined) withDefaults.oauthTokenData = raw.oauthTokenData;
		return withDefaults;
	}

	async updateCredentials(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	) {
		this.add({ id: nodeCredentials.id!, name: nodeCredentials.name, type, data });
	}

	async updateCredentialsOauthTokenData(
		nodeCredentials: INodeCredentialsDetails,
		type: string,
		data: ICredentialDataDecryptedObject,
	) {
		const current = this.read(nodeCredentials.id!);
		this.add({
			id: nodeCredentials.id!,
			name: nodeCredentials.name,
			type,
			data: { ...current, oauthTokenData: data.oauthTokenData },
		});
		this.oauthTokenUpdates.push({
			id: nodeCredentials.id!,
			data: data.oauthTokenData as ICredentialDataDecryptedObject,
		});
	}

	getCredentialsProperties(type: string): INodeProperties[] {
		const credentialType = this.credentialTypes.getByName(type);
		const own = credentialType.properties;
		if (!credentialType.extends?.length) {
			return type === 'oAuth2Api'
				? [
						...own,
						{ displayName: 'oauthTokenData', name: 'oauthTokenData', type: 'json', default: {} },
					]
				: own;
		}
		const combined: INodeProperties[] = [];
		for (const parent of credentialType.extends) {
			NodeHelpers.mergeNodeProperties(combined, this.getCredentialsProperties(parent));
		}
		NodeHelpers.mergeNodeProperties(combined, own);
		return combined;
	}
}

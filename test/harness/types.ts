import { join } from 'node:path';

import type {
	ICredentialType,
	ICredentialTypes,
	INodeType,
	INodeTypes,
	IVersionedNodeType,
	KnownNodesAndCredentials,
	LoadedClass,
} from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { HubSpotSubscriptionsApi } from '../../credentials/HubSpotSubscriptionsApi.credentials';
import { HubSpotSubscriptionsOAuth2Api } from '../../credentials/HubSpotSubscriptionsOAuth2Api.credentials';
import { HubSpotSubscriptions } from '../../nodes/HubSpotSubscriptions/HubSpotSubscriptions.node';
import { LoopsTrigger } from '../../nodes/LoopsTrigger/LoopsTrigger.node';
import { EmarsysTrigger } from '../../nodes/EmarsysTrigger/EmarsysTrigger.node';
import { LoopsWebhookSigningApi } from '../../credentials/LoopsWebhookSigningApi.credentials';
import { EmarsysWebhookJwtApi } from '../../credentials/EmarsysWebhookJwtApi.credentials';
import { EmarsysWebhookHeaderApi } from '../../credentials/EmarsysWebhookHeaderApi.credentials';
import { EmarsysWebhookBasicAuthApi } from '../../credentials/EmarsysWebhookBasicAuthApi.credentials';

/** Node types are named as n8n names a community package's nodes: "<package>.<node>". */
export const PACKAGE = 'n8n-nodes-hubspot-subscriptions';
export const HUBSPOT_NODE = `${PACKAGE}.hubSpotSubscriptions`;

/**
 * n8n's published nodes, installed from test/base-nodes/package.json by `npm test` into
 * .cache/runtime/base-nodes, next to the n8n runtimes (INSTALL_ROOT in e2e/lib/runtime.mjs).
 */
const BASE_NODES_DIST = join(
	__dirname,
	'..',
	'..',
	'.cache',
	'runtime',
	'base-nodes',
	'node_modules',
	'n8n-nodes-base',
	'dist',
);

/** n8n's own nodes that tests and examples use, loaded from the published n8n-nodes-base. */
const BASE_NODES: Record<string, string> = {
	manualTrigger: 'ManualTrigger/ManualTrigger.node',
	noOp: 'NoOp/NoOp.node',
	if: 'If/If.node',
	switch: 'Switch/Switch.node',
	set: 'Set/Set.node',
	filter: 'Filter/Filter.node',
	merge: 'Merge/Merge.node',
	httpRequest: 'HttpRequest/HttpRequest.node',
	webhook: 'Webhook/Webhook.node',
	wait: 'Wait/Wait.node',
};

function loadBaseNode(relativePath: string): INodeType | IVersionedNodeType {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const module = require(join(BASE_NODES_DIST, 'nodes', relativePath)) as Record<
		string,
		new () => INodeType
	>;
	const NodeClass = Object.values(module).find((value) => typeof value === 'function');
	if (!NodeClass) throw new Error(`No node class in ${relativePath}`);
	return new NodeClass();
}

export class TestNodeTypes implements INodeTypes {
	private readonly nodes = new Map<string, INodeType | IVersionedNodeType>();

	constructor(extra: Record<string, INodeType | IVersionedNodeType> = {}) {
		this.nodes.set(HUBSPOT_NODE, new HubSpotSubscriptions());
		this.nodes.set(`${PACKAGE}.loopsTrigger`, new LoopsTrigger());
		this.nodes.set(`${PACKAGE}.emarsysTrigger`, new EmarsysTrigger());
		for (const [name, node] of Object.entries(extra)) this.nodes.set(name, node);
	}

	private lookup(name: string) {
		let node = this.nodes.get(name);
		if (!node && name.startsWith('n8n-nodes-base.')) {
			const path = BASE_NODES[name.slice('n8n-nodes-base.'.length)];
			if (path) {
				node = loadBaseNode(path);
				this.nodes.set(name, node);
			}
		}
		if (!node) throw new Error(`Unknown node type in test workflow: ${name}`);
		return node;
	}

	getByName(name: string) {
		return this.lookup(name);
	}

	getByNameAndVersion(name: string, version?: number): INodeType {
		return NodeHelpers.getVersionedNodeType(this.lookup(name), version);
	}

	getKnownTypes(): Record<string, LoadedClass<INodeType | IVersionedNodeType>> {
		return {};
	}
}

export class TestCredentialTypes implements ICredentialTypes {
	private readonly types = new Map<string, ICredentialType>();

	constructor(extra: ICredentialType[] = []) {
		for (const type of [
			new HubSpotSubscriptionsApi(),
			new HubSpotSubscriptionsOAuth2Api(),
			new LoopsWebhookSigningApi(),
			new EmarsysWebhookJwtApi(),
			new EmarsysWebhookHeaderApi(),
			new EmarsysWebhookBasicAuthApi(),
			...extra,
		]) {
			this.types.set(type.name, type);
		}
		// The parent every OAuth2 credential extends, from n8n itself.
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const { OAuth2Api } = require(
			join(BASE_NODES_DIST, 'credentials', 'OAuth2Api.credentials'),
		) as {
			OAuth2Api: new () => ICredentialType;
		};
		const oauth2 = new OAuth2Api();
		this.types.set(oauth2.name, oauth2);
	}

	recognizes(name: string) {
		return this.types.has(name);
	}

	getByName(name: string): ICredentialType {
		const type = this.types.get(name);
		if (!type) throw new Error(`Unknown credential type: ${name}`);
		return type;
	}

	getSupportedNodes(): string[] {
		return [];
	}

	getParentTypes(name: string): string[] {
		const parents = this.getByName(name).extends ?? [];
		return parents.flatMap((parent) => [parent, ...this.getParentTypes(parent)]);
	}

	getKnownTypes(): KnownNodesAndCredentials['credentials'] {
		return {};
	}
}

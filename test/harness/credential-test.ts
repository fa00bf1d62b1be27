import { ExecuteContext, ExecutionLifecycleHooks, RoutingNode } from 'n8n-core';
import type {
	ICredentialDataDecryptedObject,
	ICredentialsDecrypted,
	INode,
	INodeCredentialTestResult,
	INodeType,
	IWorkflowBase,
} from 'n8n-workflow';
import { Workflow, createRunExecutionData } from 'n8n-workflow';

import type { N8nTestInstance } from './n8n';

/**
 * The "Test" button of a credential whose type declares a `test` request, done as n8n's server
 * does it (CredentialsTester.runRequestTest in the n8n package): a throw-away declarative node
 * whose one property routes the credential's test request, run by n8n-core's RoutingNode with
 * the credential's unsaved data, so n8n-core resolves the expressions and applies the
 * credential's `authenticate`. Any HTTP status outside 2xx, or a failed connection, is an Error.
 */
export async function testCredential(
	n8n: N8nTestInstance,
	type: string,
	data: ICredentialDataDecryptedObject,
): Promise<INodeCredentialTestResult> {
	const credentialType = n8n.credentialTypes.getByName(type);
	if (!credentialType.test) throw new Error(`${type} declares no test request`);
	const credentials: ICredentialsDecrypted = { id: 'unsaved', name: 'unsaved', type, data };
	const node: INode = {
		id: 'temp',
		name: 'Temp-Node',
		type: 'credential-test.temp',
		typeVersion: 1,
		position: [0, 0],
		parameters: {},
		credentials: { [type]: { id: credentials.id, name: credentials.name } },
	};
	const nodeType: INodeType = {
		description: {
			displayName: 'Temp',
			name: node.type,
			group: ['transform'],
			version: 1,
			description: '',
			defaults: {},
			inputs: ['main'],
			outputs: ['main'],
			credentials: [{ name: type, required: true }],
			properties: [
				{
					displayName: 'Temp',
					name: 'temp',
					type: 'string',
					default: '',
					routing: { request: credentialType.test.request },
				},
			],
		},
	};
	const workflow = new Workflow({
		nodes: [node],
		connections: {},
		active: false,
		nodeTypes: {
			getByName: () => nodeType,
			getByNameAndVersion: () => nodeType,
			getKnownTypes: () => ({}),
		},
	});
	const hooks = new ExecutionLifecycleHooks('internal', 'credential-test', {} as IWorkflowBase);
	const additionalData = n8n.additionalData(hooks, 'credential-test');
	const context = new ExecuteContext(
		workflow,
		node,
		additionalData,
		'internal',
		createRunExecutionData(),
		0,
		[],
		{ main: [[{ json: {} }]] },
		{ node, data: {}, source: null },
		[],
	);
	try {
		await new RoutingNode(context, nodeType, credentials).runNode();
	} catch (error) {
		// n8n's server reads the status from the request error's cause; n8n-core 1.122 wraps it in a
		// NodeApiError that keeps only the status code (httpCode), so both are read here.
		const failure = error as Error & {
			httpCode?: string | null;
			cause?: { response?: { status: number } };
		};
		const status =
			failure.cause?.response?.status ?? (failure.httpCode ? Number(failure.httpCode) : undefined);
		if (status !== undefined)
			return {
				status: 'Error',
				message: `Received HTTP status code: ${status} (${failure.message})`,
			};
		return { status: 'Error', message: (error as Error).message };
	}
	return { status: 'OK', message: 'Connection successful!' };
}

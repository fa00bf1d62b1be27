import './environment';

import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';

import express from 'express';
import {
	ExecutionLifecycleHooks,
	ExternalSecretsProxy,
	LoadOptionsContext,
	WebhookContext,
	WorkflowExecute,
	parseIncomingMessage,
} from 'n8n-core';
import type {
	ICredentialType,
	IDataObject,
	INode,
	INodeExecutionData,
	INodeType,
	IRun,
	IRunExecutionData,
	INodeParameters,
	IVersionedNodeType,
	IWebhookData,
	IWebhookDescription,
	IWorkflowBase,
	IWorkflowExecuteAdditionalData,
	IConnections,
	NodeExecutionHint,
	WorkflowExecuteMode,
} from 'n8n-workflow';
import { NodeHelpers, Workflow, createRunExecutionData } from 'n8n-workflow';

import { TestCredentialsHelper, type StoredCredential } from './credentials';
import { TestCredentialTypes, TestNodeTypes } from './types';

export interface TestWorkflow {
	name?: string;
	nodes: INode[];
	connections: IConnections;
}

/** The outcome of one workflow run, with helpers to read each node's output. */
export class TestRun {
	constructor(readonly run: IRun) {}

	get status() {
		return this.run.status;
	}

	/** The workflow's error, when a node failed without Continue On Fail. */
	get error() {
		return this.run.data.resultData.error;
	}

	taskOf(nodeName: string) {
		const tasks = this.run.data.resultData.runData[nodeName];
		if (!tasks?.length) throw new Error(`Node "${nodeName}" did not run`);
		return tasks[tasks.length - 1];
	}

	ran(nodeName: string) {
		return Boolean(this.run.data.resultData.runData[nodeName]?.length);
	}

	/** Items of the node's first output (or of `outputIndex`). */
	output(nodeName: string, outputIndex = 0): INodeExecutionData[] {
		const task = this.taskOf(nodeName);
		if (task.error) throw task.error;
		return task.data?.main?.[outputIndex] ?? [];
	}

	json(nodeName: string, outputIndex = 0): IDataObject[] {
		return this.output(nodeName, outputIndex).map((item) => item.json);
	}

	hints(nodeName: string): NodeExecutionHint[] {
		return this.taskOf(nodeName).hints ?? [];
	}
}

export interface RunOptions {
	/** Node to start at; by default n8n's start node. */
	start?: string;
	/** Items the start node receives. */
	items?: IDataObject[];
	mode?: WorkflowExecuteMode;
}

let executionCounter = 0;

/**
 * An n8n stand-in built from n8n's own parts: n8n-core's WorkflowExecute runs the workflow,
 * n8n-core's LoadOptionsContext serves dropdowns and n8n-core's WebhookContext answers
 * webhooks; only the server around them (storage, HTTP routing) is the test's own.
 */
export class N8nTestInstance {
	readonly nodeTypes: TestNodeTypes;

	readonly credentialTypes: TestCredentialTypes;

	readonly credentials: TestCredentialsHelper;

	private webhookServer: Server | undefined;

	private readonly webhookWorkflows = new Map<
		string,
		{ workflow: TestWorkflow; trigger: string }
	>();

	/** Runs started by webhooks, in arrival order. */
	readonly webhookRuns: Array<{ path: string; receivedAt: number; run: Promise<TestRun> }> = [];

	constructor(
		options: {
			nodes?: Record<string, INodeType | IVersionedNodeType>;
			credentialTypes?: ICredentialType[];
		} = {},
	) {
		this.nodeTypes = new TestNodeTypes(options.nodes);
		this.credentialTypes = new TestCredentialTypes(options.credentialTypes);
		this.credentials = new TestCredentialsHelper(this.credentialTypes);
	}

	addCredential(credential: StoredCredential) {
		this.credentials.add(credential);
		return { id: credential.id, name: credential.name };
	}

	workflow(definition: TestWorkflow) {
		return new Workflow({
			id: `wf-${definition.name ?? 'test'}`,
			name: definition.name ?? 'test',
			nodes: definition.nodes,
			connections: definition.connections,
			active: false,
			nodeTypes: this.nodeTypes,
			settings: { executionOrder: 'v1' },
		});
	}

	additionalData(
		hooks: ExecutionLifecycleHooks,
		executionId: string,
		http?: Pick<IWorkflowExecuteAdditionalData, 'httpRequest' | 'httpResponse'>,
	): IWorkflowExecuteAdditionalData {
		const unavailable = (what: string) => () => {
			throw new Error(`${what} is not available in the test harness`);
		};
		return {
			credentialsHelper: this.credentials,
			hooks,
			executionId,
			currentNodeExecutionIndex: 0,
			restApiUrl: 'http://127.0.0.1/rest',
			instanceBaseUrl: 'http://127.0.0.1/',
			formWaitingBaseUrl: 'http://127.0.0.1/form-waiting',
			webhookBaseUrl: 'http://127.0.0.1/webhook',
			webhookWaitingBaseUrl: 'http://127.0.0.1/webhook-waiting',
			webhookTestBaseUrl: 'http://127.0.0.1/webhook-test',
			variables: {},
			executeWorkflow: unavailable('Execute Workflow'),
			getRunExecutionData: async () => undefined,
			logAiEvent: () => {},
			startRunnerTask: unavailable('The Code node task runner'),
			externalSecretsProxy: new ExternalSecretsProxy(),
			...http,
		} as IWorkflowExecuteAdditionalData;
	}

	/** Runs a workflow through n8n-core's WorkflowExecute, as n8n runs a manual or webhook execution. */
	async run(
		definition: TestWorkflow,
		options: RunOptions = {},
		startData?: INodeExecutionData[][],
	): Promise<TestRun> {
		const workflow = this.workflow(definition);
		const mode = options.mode ?? 'manual';
		const executionId = String(++executionCounter);
		const workflowData: IWorkflowBase = {
			id: workflow.id,
			name: workflow.name ?? 'test',
			active: false,
			isArchived: false,
			nodes: definition.nodes,
			connections: definition.connections,
			createdAt: new Date(),
			updatedAt: new Date(),
			activeVersionId: null,
		} as unknown as IWorkflowBase;
		const hooks = new ExecutionLifecycleHooks(mode, executionId, workflowData);
		const start = options.start ? workflow.getNode(options.start) : workflow.getStartNode();
		if (!start) throw new Error(`No start node "${options.start ?? ''}"`);
		const data = startData ?? [(options.items ?? [{}]).map((json) => ({ json }))];
		const runExecutionData: IRunExecutionData = createRunExecutionData({
			executionData: { nodeExecutionStack: [{ node: start, data: { main: data }, source: null }] },
		});
		const execute = new WorkflowExecute(
			this.additionalData(hooks, executionId),
			mode,
			runExecutionData,
		);
		return new TestRun(await execute.processRunExecutionData(workflow));
	}

	/** Calls a node's dropdown loader (loadOptions or listSearch) the way n8n's editor does. */
	async loadOptions(
		node: INode,
		method: { type: 'loadOptions' | 'listSearch'; name: string; filter?: string },
		currentNodeParameters: IDataObject = node.parameters,
	) {
		const nodeType = this.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
		// The editor sends the node's parameters with their defaults filled in, as here.
		const withDefaults = (parameters: IDataObject) =>
			(NodeHelpers.getNodeParameters(
				nodeType.description.properties,
				parameters as INodeParameters,
				true,
				false,
				node,
				nodeType.description,
			) ?? {}) as INodeParameters;
		node = { ...node, parameters: withDefaults(node.parameters) };
		currentNodeParameters = withDefaults(currentNodeParameters);
		const workflow = this.workflow({ nodes: [node], connections: {} });
		const hooks = new ExecutionLifecycleHooks('internal', 'load-options', {} as IWorkflowBase);
		const additionalData = this.additionalData(hooks, 'load-options');
		additionalData.currentNodeParameters =
			currentNodeParameters as IWorkflowExecuteAdditionalData['currentNodeParameters'];
		const context = new LoadOptionsContext(workflow, node, additionalData, 'parameters');
		const loader = (nodeType.methods?.[method.type] as Record<string, Function> | undefined)?.[
			method.name
		];
		if (!loader) throw new Error(`No ${method.type} method ${method.name}`);
		return method.type === 'listSearch'
			? await loader.call(context, method.filter)
			: await loader.call(context);
	}

	/** Serves a workflow's webhook trigger at http://127.0.0.1:<port>/webhook/<path>, like an active n8n workflow. */
	async serveWebhook(definition: TestWorkflow, triggerName: string): Promise<string> {
		const trigger = definition.nodes.find((node) => node.name === triggerName);
		if (!trigger) throw new Error(`No trigger node ${triggerName}`);
		const path = String(trigger.parameters.path ?? trigger.webhookId ?? trigger.id);
		this.webhookWorkflows.set(path, { workflow: definition, trigger: triggerName });
		const port = await this.startWebhookServer();
		return `http://127.0.0.1:${port}/webhook/${path}`;
	}

	private async startWebhookServer(): Promise<number> {
		if (this.webhookServer) return (this.webhookServer.address() as AddressInfo).port;
		const app = express();
		// As n8n does: keep the raw bytes (signatures are computed over them), then parse.
		app.use(express.raw({ type: () => true, limit: '16mb' }));
		app.all('/webhook/:path', (req, res) => {
			void this.handleWebhook(req, res);
		});
		this.webhookServer = await new Promise<Server>((resolve) => {
			const server = app.listen(0, '127.0.0.1', () => resolve(server));
		});
		return (this.webhookServer.address() as AddressInfo).port;
	}

	private async handleWebhook(req: express.Request, res: express.Response) {
		const receivedAt = performance.now();
		const entry = this.webhookWorkflows.get(req.params.path);
		if (!entry) {
			res.status(404).json({ message: 'The requested webhook is not registered.' });
			return;
		}
		const rawBody = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
		const request = req as express.Request & {
			rawBody: Buffer;
			contentType?: string;
			encoding?: BufferEncoding;
		};
		request.rawBody = rawBody;
		parseIncomingMessage(request);
		request.body = parseBody(rawBody, request.contentType, request.encoding);

		const workflow = this.workflow(entry.workflow);
		const node = workflow.getNode(entry.trigger)!;
		const nodeType = this.nodeTypes.getByNameAndVersion(node.type, node.typeVersion);
		const description = (nodeType.description.webhooks ?? [])[0] as IWebhookDescription;
		const webhookData: IWebhookData = {
			httpMethod: req.method as IWebhookData['httpMethod'],
			node: node.name,
			path: req.params.path,
			webhookDescription: description,
			workflowId: workflow.id,
			isTest: false,
		} as IWebhookData;
		const hooks = new ExecutionLifecycleHooks('webhook', 'webhook', {} as IWorkflowBase);
		const additionalData = this.additionalData(hooks, 'webhook', {
			httpRequest: request,
			httpResponse: res,
		});
		const context = new WebhookContext(
			workflow,
			node,
			additionalData,
			'webhook',
			webhookData,
			[],
			null,
		);
		try {
			const result = await nodeType.webhook!.call(context);
			if (!result.noWebhookResponse && !res.headersSent) {
				res.status(200).json(result.webhookResponse ?? { message: 'Workflow was started' });
			}
			if (result.workflowData) {
				const run = this.run(
					entry.workflow,
					{ start: node.name, mode: 'webhook' },
					result.workflowData,
				);
				this.webhookRuns.push({ path: req.params.path, receivedAt, run });
			}
		} catch (error) {
			if (!res.headersSent) res.status(500).json({ message: (error as Error).message });
		}
	}

	async close() {
		await Promise.all(
			this.webhookRuns.map(async (entry) => await entry.run.catch(() => undefined)),
		);
		await new Promise<void>((resolve) =>
			this.webhookServer ? this.webhookServer.close(() => resolve()) : resolve(),
		);
		this.webhookServer = undefined;
	}
}

function parseBody(
	rawBody: Buffer,
	contentType: string | undefined,
	encoding: BufferEncoding | undefined,
) {
	if (!rawBody.length) return {};
	const text = rawBody.toString(encoding ?? 'utf8');
	if (contentType === 'application/json') {
		try {
			return JSON.parse(text) as unknown;
		} catch {
			return {};
		}
	}
	if (contentType === 'application/x-www-form-urlencoded')
		return Object.fromEntries(new URLSearchParams(text));
	if (contentType === 'text/plain') return text;
	return {};
}

export { NodeHelpers };

import type {
	IDataObject,
	INodeProperties,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { replayKey, replayMemory } from './webhookSecurity';

/** The Respond option's test, as an n8n expression over the node's parameters. */
const WHEN_FINISHED = '$parameter["options"]["respond"] === "workflowFinished"';
const RESPONSE_MODE = `={{ ${WHEN_FINISHED} ? "lastNode" : "onReceived" }}`;
const RESPONSE_DATA = `={{ ${WHEN_FINISHED} ? "noData" : "" }}`;

/**
 * Where n8n 2.x looks for a webhook description's own resolvers (n8n-workflow's
 * WEBHOOK_RESOLVERS, a registered symbol, so no import is needed and n8n 1.x ignores it). For a
 * field whose value is still exactly `template` and a node whose parameters hold no expression,
 * n8n calls `resolve(parameters)` instead of evaluating the template in its expression engine,
 * which (N8N_EXPRESSION_ENGINE=vm, the default) runs it in a V8 isolate on every request. Each
 * resolver computes what its template computes; with an expression in the parameters, n8n
 * evaluates the template as before.
 */
const WEBHOOK_RESOLVERS = Symbol.for('n8n.webhookDescriptionResolvers');

function respondsWhenFinished(parameters: unknown): boolean {
	const options = (parameters as { options?: unknown } | undefined)?.options;
	return (options as { respond?: unknown } | undefined)?.respond === 'workflowFinished';
}

const RESOLVERS = {
	responseMode: {
		template: RESPONSE_MODE,
		resolve: (parameters: unknown) =>
			respondsWhenFinished(parameters) ? 'lastNode' : 'onReceived',
	},
	responseData: {
		template: RESPONSE_DATA,
		resolve: (parameters: unknown) => (respondsWhenFinished(parameters) ? 'noData' : ''),
	},
};

/**
 * What the Loops and Emarsys triggers share: the shape of a trigger with one verified POST
 * webhook, and the answers they give.
 *
 * Neither Loops nor Emarsys has an API that registers a webhook (the URL is pasted into their
 * settings by hand), so the triggers declare no `webhookMethods`: n8n runs a node's
 * checkExists/create/delete only when the node defines them and skips them otherwise, as for its
 * own Webhook node.
 */
export function webhookTriggerShape(
	path: string,
): Pick<
	INodeTypeDescription,
	'group' | 'version' | 'defaultVersion' | 'inputs' | 'outputs' | 'webhooks'
> {
	return {
		group: ['trigger'],
		// 1.1 behaves as 1. It exists because n8n (1.x and 2.x) evaluates the legacy Webhook node's
		// `options.binaryData` expression for every request to a node of type version 1, in its
		// expression engine (a V8 isolate under n8n 2.x's default); from 1.1 on it does not. Nodes
		// added from now on get 1.1; workflows with 1 keep working unchanged.
		version: [1, 1.1],
		defaultVersion: 1.1,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				// n8n reads these per request, as its own Webhook node does with its Respond parameter:
				// "onReceived" answers with the webhookResponse webhook() returns; "lastNode" answers once
				// the run ended (n8n: 500 {"message":"Error in workflow"} when it failed).
				responseMode: RESPONSE_MODE,
				// Immediately: empty, so n8n answers with our webhookResponse (without it n8n 1.x and 2.x
				// answer a started run with the text "firstEntryJson"). When finished: an empty 200, not
				// the last node's items, which are the workflow's business.
				responseData: RESPONSE_DATA,
				path,
				[WEBHOOK_RESOLVERS]: RESOLVERS,
			},
		],
	};
}

/** The trigger option "Respond"; `description` also says what the sender does with a failure answer. */
export function respondOption(description: string): INodeProperties {
	return {
		displayName: 'Respond',
		name: 'respond',
		type: 'options',
		options: [
			{
				name: 'Immediately',
				value: 'immediately',
				description: 'As soon as the request is verified, before the workflow runs (HTTP 200)',
			},
			{
				name: 'When the Workflow Finishes',
				value: 'workflowFinished',
				description:
					'After the run: an empty HTTP 200 when it succeeded, n8n\'s HTTP 500 {"message":"Error in workflow"} when it failed',
			},
		],
		default: 'immediately',
		description,
	};
}

/**
 * With Respond "When the Workflow Finishes", a delivery whose run failed is forgotten by the
 * replay memory once its answer is anything but 2xx (n8n answers 500) or the connection closed
 * before an answer, so the sender's retry of the same delivery runs again instead of being taken
 * for a repeat.
 */
export function forgetUnlessSucceeded(
	ctx: IWebhookFunctions,
	options: IDataObject,
	ids: string[],
): void {
	if (options.respond !== 'workflowFinished' || ids.length === 0) return;
	const res = ctx.getResponseObject();
	const key = replayKey(ctx);
	res.once('close', () => {
		if (res.writableFinished && res.statusCode >= 200 && res.statusCode < 300) return;
		for (const id of ids) replayMemory.forget(key, id);
	});
}

/**
 * Answers 401 and tells n8n not to answer again and not to start the workflow. Every failed
 * check gets exactly this answer (same status, headers and body), so a caller learns nothing
 * about which check failed or about the secret.
 */
export function refuse(ctx: IWebhookFunctions): IWebhookResponseData {
	return answer(ctx, 401, 'Unauthorized');
}

/** Answers 400 for a verified request whose body the trigger cannot read; starts nothing. */
export function badRequest(ctx: IWebhookFunctions, message: string): IWebhookResponseData {
	return answer(ctx, 400, message);
}

/** Answers 200 with `body` and starts nothing (a verified event the workflow does not want). */
export function acknowledge(body: IDataObject): IWebhookResponseData {
	return { webhookResponse: body };
}

/** Starts the workflow with one item per entry of `items`, and answers 200 with `body`. */
export function start(body: IDataObject, items: IDataObject[]): IWebhookResponseData {
	return { webhookResponse: body, workflowData: [items.map((json) => ({ json }))] };
}

/**
 * Answers 200 with `body` now, for a trigger that still has work to do before the run starts;
 * the trigger then returns `noWebhookResponse` so n8n does not answer again.
 */
export function answerBeforeRun(ctx: IWebhookFunctions, body: IDataObject): void {
	writeJson(ctx, 200, body);
}

function answer(ctx: IWebhookFunctions, status: number, message: string): IWebhookResponseData {
	writeJson(ctx, status, { message });
	return { noWebhookResponse: true };
}

function writeJson(ctx: IWebhookFunctions, status: number, body: IDataObject): void {
	const res = ctx.getResponseObject();
	if (res.headersSent) return;
	res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
	res.end(JSON.stringify(body));
}

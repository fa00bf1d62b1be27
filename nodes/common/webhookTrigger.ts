import type { IDataObject, INodeTypeDescription, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

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
): Pick<INodeTypeDescription, 'group' | 'version' | 'inputs' | 'outputs' | 'webhooks'> {
	return {
		group: ['trigger'],
		version: 1,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				responseMode: 'onReceived',
				// Empty, so n8n answers with the webhookResponse webhook() returns; without it n8n 1.x
				// and 2.x answer a started run with the text "firstEntryJson".
				responseData: '',
				path,
			},
		],
	};
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

function answer(ctx: IWebhookFunctions, status: number, message: string): IWebhookResponseData {
	const res = ctx.getResponseObject();
	if (!res.headersSent) {
		res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
		res.end(JSON.stringify({ message }));
	}
	return { noWebhookResponse: true };
}

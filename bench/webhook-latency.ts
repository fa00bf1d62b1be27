/**
 * Time from a Loops webhook's arrival at n8n to HubSpot's acknowledgement of the status write.
 *
 *   npx tsx bench/webhook-latency.ts [--events 50] [--interval-ms 250] [--latency 30,80]
 *
 * Method: the HubSpot stand-in (test/hubspot-standin) answers every request after a uniform random
 * 30–80 ms delay. The test harness (test/harness/n8n.ts) serves the Loops Trigger over real HTTP
 * on 127.0.0.1 and feeds each request through n8n-core's WebhookContext into the node, then runs
 * the workflow with n8n-core's WorkflowExecute, as an active n8n workflow does. The workflow is
 * the confirmed-opt-in path of examples/loops-double-opt-in-to-hubspot.json: Loops Trigger →
 * HubSpot Subscriptions "Set" (SUBSCRIBED for two types, consent and an explanation; private-app
 * token with the Enterprise batch scope, so one batch write per event). Each event is a
 * correctly signed contact.created (optInStatus accepted) for its own address, sent at a fixed
 * interval (default 250 ms, under Loops' published maximum of 10 events per second and under
 * HubSpot's 100 requests per 10 s).
 *
 * Measured per event, on one clock (performance.timeOrigin + performance.now(), also given to
 * the stand-in as its clock):
 *   - arrivalToHubSpotAck: from the harness receiving the webhook request to the stand-in sending
 *     its answer to the status write (the last write request carrying that address);
 *   - arrivalToRunFinished: from arrival to the end of the workflow run (n8n has HubSpot's answer);
 *   - webhookAnswer: the HTTP round trip Loops would see (request sent to 200 received).
 * Writes bench/webhook-latency.json and prints a summary.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

import type { INode } from 'n8n-workflow';

import { N8nTestInstance, type TestWorkflow } from '../test/harness/n8n';
import { HUBSPOT_NODE, PACKAGE } from '../test/harness/types';
import { ENTERPRISE_TOKEN, startHubSpotStandIn } from '../test/hubspot-standin';
import {
	loopsPayloads,
	newSigningSecret,
	post,
	signedLoopsDelivery,
} from '../test/trigger-helpers';

function argument(name: string, fallback: string): string {
	const index = process.argv.indexOf(`--${name}`);
	return index >= 0 && process.argv[index + 1] ? process.argv[index + 1] : fallback;
}

const EVENTS = Number(argument('events', '50'));
const INTERVAL_MS = Number(argument('interval-ms', '250'));
const [LATENCY_MIN, LATENCY_MAX] = argument('latency', '30,80').split(',').map(Number);

const now = () => performance.timeOrigin + performance.now();
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function summary(values: number[]) {
	const sorted = [...values].sort((a, b) => a - b);
	const rank = (p: number) =>
		sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
	const round = (value: number) => Math.round(value * 10) / 10;
	return {
		count: sorted.length,
		min: round(sorted[0]),
		median: round(rank(50)),
		p95: round(rank(95)),
		max: round(sorted[sorted.length - 1]),
		mean: round(sorted.reduce((sum, value) => sum + value, 0) / sorted.length),
	};
}

async function main() {
	const hs = await startHubSpotStandIn({ latencyMs: [LATENCY_MIN, LATENCY_MAX], now });
	const n8n = new N8nTestInstance();
	const secret = newSigningSecret();
	n8n.addCredential({
		id: 'loopsSigning0001',
		name: 'Loops webhook signing secret',
		type: 'loopsWebhookSigningApi',
		data: { signingSecret: secret },
	});
	n8n.addCredential({
		id: 'hsSandbox0000001',
		name: 'HubSpot sandbox',
		type: 'hubSpotSubscriptionsApi',
		data: { accessToken: ENTERPRISE_TOKEN, baseUrl: hs.url },
	});

	const trigger: INode = {
		id: 'bench-loops',
		name: 'Loops Trigger',
		type: `${PACKAGE}.loopsTrigger`,
		typeVersion: 1,
		position: [0, 0],
		webhookId: 'bench-loops',
		parameters: { events: ['contact.created'] },
		credentials: {
			loopsWebhookSigningApi: { id: 'loopsSigning0001', name: 'Loops webhook signing secret' },
		},
	};
	const subscribe: INode = {
		id: 'bench-hubspot',
		name: 'Subscribe in HubSpot',
		type: HUBSPOT_NODE,
		typeVersion: 1,
		position: [300, 0],
		parameters: {
			authentication: 'privateAppToken',
			resource: 'subscriptionStatus',
			operation: 'set',
			email: '={{ $json.email }}',
			subscriptionType: { __rl: true, mode: 'id', value: '101' },
			statusState: 'SUBSCRIBED',
			legalBasis: 'CONSENT_WITH_NOTICE',
			legalBasisExplanation:
				'=Double opt-in confirmed in Loops ({{ $json.event }}) at {{ $json.occurredAt }}. Loops webhook ID {{ $json.webhookId }}.',
			options: { additionalSubscriptionTypes: ['102'] },
		},
		credentials: { hubSpotSubscriptionsApi: { id: 'hsSandbox0000001', name: 'HubSpot sandbox' } },
	};
	const workflow: TestWorkflow = {
		name: 'bench-loops-to-hubspot',
		nodes: [trigger, subscribe],
		connections: {
			'Loops Trigger': { main: [[{ node: 'Subscribe in HubSpot', type: 'main', index: 0 }]] },
		},
	};
	const url = await n8n.serveWebhook(workflow, 'Loops Trigger');

	const sent: Array<{ email: string; answer: Promise<number>; finished: Promise<number> }> = [];
	for (let index = 0; index < EVENTS; index++) {
		const email = `bench-${index}@example.com`;
		const delivery = signedLoopsDelivery(secret, loopsPayloads.contactCreated(email, 'accepted'));
		const runsBefore = n8n.webhookRuns.length;
		const started = now();
		const answer = post(url, delivery.body, delivery.headers).then((response) => {
			if (response.status !== 200)
				throw new Error(`Event ${index} answered ${response.status}: ${response.text}`);
			return now() - started;
		});
		const finished = answer.then(async () => {
			const entry = n8n.webhookRuns[runsBefore];
			const run = await entry.run;
			if (run.status !== 'success') throw new Error(`Event ${index}: run ${run.status}`);
			return now();
		});
		sent.push({ email, answer, finished });
		await sleep(INTERVAL_MS);
	}
	const answers = await Promise.all(sent.map(async (event) => await event.answer));
	const finishedAt = await Promise.all(sent.map(async (event) => await event.finished));

	const toHubSpot: number[] = [];
	const toFinished: number[] = [];
	sent.forEach((event, index) => {
		const arrival = performance.timeOrigin + n8n.webhookRuns[index].receivedAt;
		const write = hs.requests
			.filter(
				(request) =>
					request.method === 'POST' &&
					request.respondedAt !== null &&
					!request.path.split('?')[0].endsWith('/read'),
			)
			.filter(
				(request) =>
					request.path.includes(encodeURIComponent(event.email)) ||
					String(request.rawBody).includes(event.email),
			)
			.pop();
		if (!write) throw new Error(`No HubSpot write for ${event.email}`);
		toHubSpot.push(write.respondedAt! - arrival);
		toFinished.push(finishedAt[index] - arrival);
	});
	const requestsPerEvent = hs.requests.length / EVENTS;
	const refused = hs.requests.filter(
		(request) => request.status !== null && request.status >= 400,
	).length;
	for (const event of sent) {
		const status = hs.state.getStatus(event.email, 101);
		if (status?.status !== 'SUBSCRIBED') throw new Error(`${event.email} is not SUBSCRIBED`);
	}

	const result = {
		measuredAt: new Date().toISOString(),
		node: process.version,
		events: EVENTS,
		intervalMs: INTERVAL_MS,
		standInLatencyMs: [LATENCY_MIN, LATENCY_MAX],
		workflow:
			'Loops Trigger → HubSpot Subscriptions Set (SUBSCRIBED, types 101 + 102, CONSENT_WITH_NOTICE), as in examples/loops-double-opt-in-to-hubspot.json',
		hubspotRequestsPerEvent: Math.round(requestsPerEvent * 100) / 100,
		hubspotRequestsRefused: refused,
		arrivalToHubSpotAckMs: summary(toHubSpot),
		// The first event also pays for loading code paths and reading the subscription types.
		firstEventArrivalToHubSpotAckMs: Math.round(toHubSpot[0] * 10) / 10,
		slowestEventIndex: toHubSpot.indexOf(Math.max(...toHubSpot)),
		arrivalToRunFinishedMs: summary(toFinished),
		webhookAnswerMs: summary(answers),
		method:
			"Signed contact.created events sent over real HTTP on 127.0.0.1 to the test harness, which feeds them through n8n-core's WebhookContext into the Loops Trigger and runs the workflow with n8n-core's WorkflowExecute. The HubSpot stand-in answers after a uniform random delay in the given range. arrivalToHubSpotAck = stand-in respondedAt of the status write minus the harness's arrival time, both on performance.timeOrigin + performance.now(). One process, no real network, no n8n server, database or queue: real deployments add their own overhead.",
	};
	writeFileSync(join(__dirname, 'webhook-latency.json'), `${JSON.stringify(result, null, 2)}\n`);
	console.log(
		[
			`${EVENTS} signed Loops events, one every ${INTERVAL_MS} ms, HubSpot stand-in latency ${LATENCY_MIN}-${LATENCY_MAX} ms (${result.hubspotRequestsPerEvent} HubSpot requests per event, ${refused} refused)`,
			`arrival → HubSpot acknowledged the write: median ${result.arrivalToHubSpotAckMs.median} ms, p95 ${result.arrivalToHubSpotAckMs.p95} ms, max ${result.arrivalToHubSpotAckMs.max} ms`,
			`arrival → workflow run finished:          median ${result.arrivalToRunFinishedMs.median} ms, p95 ${result.arrivalToRunFinishedMs.p95} ms, max ${result.arrivalToRunFinishedMs.max} ms`,
			`webhook HTTP answer (what Loops waits for): median ${result.webhookAnswerMs.median} ms, p95 ${result.webhookAnswerMs.p95} ms, max ${result.webhookAnswerMs.max} ms`,
			`written to bench/webhook-latency.json`,
		].join('\n'),
	);
	await n8n.close();
	await hs.close();
}

main().then(
	() => process.exit(0),
	(error: unknown) => {
		console.error(error);
		process.exit(1);
	},
);

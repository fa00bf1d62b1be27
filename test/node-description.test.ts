import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';
import { NodeHelpers } from 'n8n-workflow';

import { HubSpotSubscriptions } from '../nodes/HubSpotSubscriptions/HubSpotSubscriptions.node';
import { operations } from '../nodes/HubSpotSubscriptions/actions/router';
import { Bed, SUBSCRIBE, asSavedByTheEditor, byId } from './support/fixtures';

const { description } = new HubSpotSubscriptions();

const optionValues = (property: INodeProperties | undefined) =>
	((property?.options ?? []) as INodePropertyOptions[]).map((option) => option.value);

describe('what the editor offers', () => {
	test('every resource and operation the node executes can be chosen in the editor', () => {
		const resources = optionValues(
			description.properties.find((property) => property.name === 'resource'),
		);
		expect(resources.sort()).toEqual(Object.keys(operations).sort());
		for (const [resource, handlers] of Object.entries(operations)) {
			const operationField = description.properties.find(
				(property) =>
					property.name === 'operation' &&
					property.displayOptions?.show?.resource?.includes(resource),
			);
			expect(optionValues(operationField).sort()).toEqual(Object.keys(handlers).sort());
		}
	});

	test('an opt-out is never the default: Set defaults to SUBSCRIBED, Unsubscribe All to Get Status', () => {
		const defaults = NodeHelpers.getNodeParameters(
			description.properties,
			{},
			true,
			false,
			{ typeVersion: 1 },
			description,
		)!;
		expect(defaults.resource).toBe('subscriptionStatus');
		expect(defaults.operation).toBe('set');
		expect(defaults.statusState).toBe('SUBSCRIBED');
		const unsubscribeAll = NodeHelpers.getNodeParameters(
			description.properties,
			{ resource: 'unsubscribeAll' },
			true,
			false,
			{ typeVersion: 1 },
			description,
		)!;
		expect(unsubscribeAll.operation).toBe('getStatus');
	});

	test('UNSUBSCRIBED and Unsubscribe All show the notice about undoing an opt-out', () => {
		const visible = (parameters: Record<string, string>) =>
			description.properties
				.filter((property) => property.type === 'notice')
				.filter((property) =>
					NodeHelpers.displayParameter(parameters, property, { typeVersion: 1 }, description),
				)
				.map((property) => property.displayName);
		const set = visible({
			resource: 'subscriptionStatus',
			operation: 'set',
			statusState: 'UNSUBSCRIBED',
		});
		expect(set.join()).toMatch(/renewed consent and a recorded legal basis/);
		expect(
			visible({
				resource: 'subscriptionStatus',
				operation: 'set',
				statusState: 'SUBSCRIBED',
			}).join(),
		).not.toMatch(/renewed consent/);
		expect(visible({ resource: 'unsubscribeAll', operation: 'unsubscribe' }).join()).toMatch(
			/ALL marketing email/,
		);
	});
});

describe('Non-GDPR writes', () => {
	const bed = new Bed();
	beforeAll(async () => await bed.start({ gdprEnabled: false }));
	afterAll(async () => await bed.stop());
	beforeEach(() => bed.reset());

	test('an explanation typed with Non-GDPR survives the editor and is sent', async () => {
		const parameters = asSavedByTheEditor({
			...SUBSCRIBE,
			legalBasis: 'NON_GDPR',
			legalBasisExplanation: 'US customer, signed up at the trade show',
			email: 'us@example.com',
			subscriptionType: byId(101),
		});
		expect(parameters.legalBasisExplanation).toBe('US customer, signed up at the trade show');
		await bed.runNode(parameters);
		expect(bed.hubspot.state.getStatus('us@example.com', 101)).toEqual(
			expect.objectContaining({
				status: 'SUBSCRIBED',
				legalBasis: 'NON_GDPR',
				legalBasisExplanation: 'US customer, signed up at the trade show',
			}),
		);
	});

	test('without an explanation, Non-GDPR is accepted by the node and by an account without the privacy setting', async () => {
		const run = await bed.runNode({
			...SUBSCRIBE,
			legalBasis: 'NON_GDPR',
			legalBasisExplanation: '',
			email: 'us2@example.com',
			subscriptionType: byId(101),
		});
		expect(run.error).toBeUndefined();
		const [write] = bed.apiRequests().filter((request) => request.method === 'POST');
		expect(write.body).toEqual({
			subscriptionId: 101,
			statusState: 'SUBSCRIBED',
			channel: 'EMAIL',
			legalBasis: 'NON_GDPR',
		});
	});
});

describe('request settings per resource', () => {
	const requestSettings = description.properties.find(
		(property) => property.name === 'requestSettings',
	)!;
	const settingsShown = (resource: string) =>
		(requestSettings.options as INodeProperties[])
			.filter((option) =>
				NodeHelpers.displayParameter({}, option, { typeVersion: 1 }, description, { resource }),
			)
			.map((option) => option.name);

	// Mutation that turns this red: remove the displayOptions of batchModeOption in
	// actions/common.descriptions.ts (Contact would offer a setting its upsert ignores).
	test('Use Batch Endpoints is offered where it chooses something, not for Contact', () => {
		expect(settingsShown('contact')).not.toContain('batchMode');
		expect(settingsShown('contact')).toContain('batchSize');
		for (const resource of ['subscriptionStatus', 'unsubscribeAll', 'subscriptionType']) {
			expect(settingsShown(resource)).toContain('batchMode');
		}
	});
});

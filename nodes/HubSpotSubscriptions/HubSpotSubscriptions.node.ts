import type { IExecuteFunctions, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import {
	apiVersionField,
	NODE_OUTPUTS,
	requestSettingsField,
	retryLaterFields,
} from './actions/common.descriptions';
import * as contact from './actions/contact/Contact.resource';
import * as preferenceLink from './actions/preferenceLink/PreferenceLink.resource';
import * as subscriptionStatus from './actions/subscriptionStatus/SubscriptionStatus.resource';
import * as subscriptionType from './actions/subscriptionType/SubscriptionType.resource';
import * as unsubscribeAll from './actions/unsubscribeAll/UnsubscribeAll.resource';

import { router } from './actions/router';
import { listSearch, loadOptions } from './methods';

const statusResources = {
	resource: ['subscriptionType', 'subscriptionStatus', 'unsubscribeAll', 'preferenceLink'],
};

export class HubSpotSubscriptions implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'HubSpot Subscriptions',
		name: 'hubSpotSubscriptions',
		icon: { light: 'file:hubspot.svg', dark: 'file:hubspot.dark.svg' },
		group: ['output'],
		version: 1,
		subtitle: '={{ $parameter["operation"] + ": " + $parameter["resource"] }}',
		description:
			'Record email consent in HubSpot: subscription statuses with their GDPR legal basis, and opt-outs of all email',
		defaults: { name: 'HubSpot Subscriptions' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: NODE_OUTPUTS,
		credentials: [
			{
				name: 'hubSpotSubscriptionsApi',
				required: true,
				displayOptions: { show: { authentication: ['privateAppToken'] } },
			},
			{
				name: 'hubSpotSubscriptionsOAuth2Api',
				required: true,
				displayOptions: { show: { authentication: ['oAuth2'] } },
			},
		],
		properties: [
			{
				displayName: 'Authentication',
				name: 'authentication',
				type: 'options',
				options: [
					{ name: 'Service Key or Private App Token', value: 'privateAppToken' },
					{ name: 'OAuth2', value: 'oAuth2' },
				],
				default: 'privateAppToken',
			},
			{
				displayName: 'Resource',
				name: 'resource',
				type: 'options',
				noDataExpression: true,
				options: [
					{
						name: 'Contact',
						value: 'contact',
						description: 'A contact record: where a double opt-in collected elsewhere is recorded',
					},
					{
						name: 'Preference Link',
						value: 'preferenceLink',
						description:
							"An address's links to HubSpot's preference center and unsubscribe pages, for email sent from other tools",
					},
					{
						name: 'Subscription Status',
						value: 'subscriptionStatus',
						description: "An address's status for one subscription type",
					},
					{
						name: 'Subscription Type',
						value: 'subscriptionType',
						description: 'The kinds of email the account sends (subscription definitions)',
					},
					{
						name: 'Unsubscribe All',
						value: 'unsubscribeAll',
						description: "An address's opt-out of all email",
					},
				],
				default: 'subscriptionStatus',
			},
			...subscriptionStatus.description,
			...subscriptionType.description,
			...unsubscribeAll.description,
			...contact.description,
			...preferenceLink.description,
			apiVersionField({ show: statusResources }),
			...retryLaterFields,
			requestSettingsField,
		],
	};

	methods = { listSearch, loadOptions };

	async execute(this: IExecuteFunctions) {
		return await router.call(this);
	}
}

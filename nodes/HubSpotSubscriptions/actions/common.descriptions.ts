import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import {
	API_VERSIONS,
	DEFAULT_API_VERSION,
	LEGAL_BASES,
	STATUS_STATES,
	type ApiVersion,
	type LegalBasis,
	type StatusState,
} from '../helpers/constants';

type DisplayOptions = INodeProperties['displayOptions'];

/** The editor's words for each legal basis; the values and their order are LEGAL_BASES'. */
const legalBasisText: Record<LegalBasis, { name: string; description: string }> = {
	CONSENT_WITH_NOTICE: {
		name: 'Consent With Notice',
		description:
			'The person said yes, e.g. by confirming a double opt-in, after being told what they will get. The usual basis for marketing email.',
	},
	LEGITIMATE_INTEREST_CLIENT: {
		name: 'Legitimate Interest (Existing Customer)',
		description:
			'They are already a customer and you send them something closely related to what they bought',
	},
	LEGITIMATE_INTEREST_OTHER: {
		name: 'Legitimate Interest (Other)',
		description:
			'Another interest of yours that you have weighed against their rights and documented',
	},
	LEGITIMATE_INTEREST_PQL: {
		name: 'Legitimate Interest (Product Qualified Lead)',
		description: 'They use your product (e.g. a free plan) and you write to them about it',
	},
	NON_GDPR: {
		name: 'Not Applicable (Non-GDPR)',
		description:
			"GDPR does not apply to this person. The node then accepts an empty explanation, but HubSpot still asks for one when the account's data privacy setting is on.",
	},
	PERFORMANCE_OF_CONTRACT: {
		name: 'Performance of a Contract',
		description: 'The email is needed to deliver what they signed up for or bought',
	},
	PROCESS_AND_STORE: {
		name: 'Process and Store',
		description: 'Consent to keep and process their data, without consent to marketing email',
	},
};

export const legalBasisOptions: INodePropertyOptions[] = LEGAL_BASES.map((value) => ({
	value,
	...legalBasisText[value],
}));

export const subscriptionTypeLocator = (
	name: string,
	displayName: string,
	description: string,
): INodeProperties => ({
	displayName,
	name,
	type: 'resourceLocator',
	default: { mode: 'list', value: '' },
	required: true,
	description,
	modes: [
		{
			displayName: 'From List',
			name: 'list',
			type: 'list',
			placeholder: 'Select a subscription type...',
			typeOptions: {
				searchListMethod: 'searchSubscriptionTypes',
				searchable: true,
			},
		},
		{
			displayName: 'By ID',
			name: 'id',
			type: 'string',
			placeholder: 'e.g. 123456789',
			validation: [
				{
					type: 'regex',
					properties: {
						regex: '^\\s*[0-9]+\\s*$',
						errorMessage: 'A subscription type ID is a number',
					},
				},
			],
		},
	],
});

export const emailField = (
	description = 'The email address whose subscriptions to use',
): INodeProperties => ({
	displayName: 'Email',
	name: 'email',
	type: 'string',
	placeholder: 'name@email.com',
	default: '',
	required: true,
	description,
});

export const legalBasisField: INodeProperties = {
	displayName: 'Legal Basis',
	name: 'legalBasis',
	type: 'options',
	options: legalBasisOptions,
	default: 'CONSENT_WITH_NOTICE',
	required: true,
	description:
		"Why you may email this person (GDPR). HubSpot stores it with the status; with the account's data privacy setting on it is required.",
};

export const legalBasisExplanationField: INodeProperties = {
	displayName: 'Legal Basis Explanation',
	name: 'legalBasisExplanation',
	type: 'string',
	default: '',
	// Checked by the node, not by the editor: it may be empty with Non-GDPR (see there).
	placeholder: 'e.g. Double opt-in confirmed in Loops at {{ $json.occurredAt }}',
	description:
		"The evidence, in words: where and when the person agreed. Use an expression to record the event's source, time and ID. Required, except with Non-GDPR; HubSpot requires it whenever the account's data privacy setting is on.",
	typeOptions: { rows: 2 },
};

/** The editor's words for each status; the values and their order are STATUS_STATES'. */
const statusStateText: Record<StatusState, { name: string; description: string }> = {
	SUBSCRIBED: {
		name: 'Subscribed',
		description: 'The person agreed to receive this type of email',
	},
	UNSUBSCRIBED: {
		name: 'Unsubscribed',
		description: 'Stop this type of email to the person at once',
	},
	NOT_SPECIFIED: { name: 'Not Specified', description: 'No choice recorded for this type' },
};

export const statusStateOptions: INodePropertyOptions[] = STATUS_STATES.map((value) => ({
	value,
	...statusStateText[value],
}));

export const unsubscribeNotice = (
	displayOptions: INodeProperties['displayOptions'],
): INodeProperties => ({
	displayName:
		"UNSUBSCRIBED stops this type of marketing email at once. Undoing it later needs the person's renewed consent and a recorded legal basis (a resubscribe); it is not a free toggle. Turn on Dry Run to see what would change first.",
	name: 'unsubscribeNotice',
	type: 'notice',
	default: '',
	displayOptions,
});

export const brandOption: INodeProperties = {
	displayName: 'Brand Name or ID',
	name: 'businessUnitId',
	type: 'options',
	typeOptions: { loadOptionsMethod: 'getBrands' },
	default: '',
	description:
		'Only for accounts with the Brands add-on: the brand (business unit) to read. Left empty, the read is not filtered by brand and the output lists every brand\'s entries with their brand ID. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
};

export const simplifyField: INodeProperties = {
	displayName: 'Simplify',
	name: 'simplify',
	type: 'boolean',
	default: true,
	description:
		"Whether to return flat items (for a status: email, subscriptionId, subscriptionName, status, legalBasis, legalBasisExplanation, source, timestamp, brandId) instead of HubSpot's response as is",
};

export const dryRunField: INodeProperties = {
	displayName: 'Dry Run',
	name: 'dryRun',
	type: 'boolean',
	default: false,
	description:
		'Whether to only read the current status and return the exact request that would be sent, without writing anything',
};

export const batchModeOption: INodeProperties = {
	displayName: 'Use Batch Endpoints',
	name: 'batchMode',
	type: 'options',
	default: 'auto',
	options: [
		{
			name: 'Auto',
			value: 'auto',
			description:
				'Group many items into batch calls; if HubSpot refuses them (the batch scopes are Marketing Hub Enterprise only), fall back to one call per item and say so',
		},
		{
			name: 'Always',
			value: 'always',
			description: 'Use the batch endpoints and fail if HubSpot refuses them',
		},
		{
			name: 'Never',
			value: 'never',
			description: 'One call per address, for accounts without the batch scopes',
		},
	],
	description: "Whether to group items into HubSpot's batch endpoints",
	// Contact's upsert is a batch endpoint for every account: there is nothing to choose.
	displayOptions: { hide: { '/resource': ['contact'] } },
};

export const requestSettingsField: INodeProperties = {
	displayName: 'Request Settings',
	name: 'requestSettings',
	type: 'collection',
	placeholder: 'Add Setting',
	default: {},
	options: [
		{
			displayName: 'Batch Size',
			name: 'batchSize',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 1000 },
			default: 100,
			description:
				'Inputs per batch call. HubSpot publishes no maximum for these endpoints; if it answers that a batch is too large, the node halves it and goes on.',
		},
		{
			displayName: 'Max Attempts per Request',
			name: 'maxAttempts',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 20 },
			default: 5,
			description:
				'Attempts for a request refused with HTTP 429 or failed with a server or network error. Other errors are never retried.',
		},
		{
			displayName: 'Max Requests per 10 Seconds',
			name: 'maxRequestsPer10Seconds',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 1000 },
			default: 100,
			description:
				"Your app's HubSpot rate limit: 100 for most private apps, 190 on Professional and Enterprise. HubSpot's rate-limit headers lower it further when they say so.",
		},
		{
			displayName: 'Max Retry Wait (Seconds)',
			name: 'maxRetryWaitSeconds',
			type: 'number',
			typeOptions: { minValue: 0 },
			default: 60,
			description:
				'The most one request may wait in total once an attempt failed: back-off, 429 pauses and waiting for a free slot in the rate limit before each retry',
		},
		{
			displayName: 'Timeout (Seconds)',
			name: 'timeoutSeconds',
			type: 'number',
			typeOptions: { minValue: 1 },
			default: 30,
			description: "How long to wait for HubSpot's answer before trying again",
		},
		batchModeOption,
	],
};

/** The operations that write to HubSpot: the ones a Retry Later loop makes sense for. */
export const WRITE_OPERATIONS = [
	'set',
	'batchWrite',
	'unsubscribe',
	'batchUnsubscribe',
	'recordExternalDoubleOptIn',
];

export const retryLaterFields: INodeProperties[] = [
	{
		displayName: 'Retry Later Output',
		name: 'retryLaterOutput',
		type: 'boolean',
		default: false,
		displayOptions: { show: { operation: WRITE_OPERATIONS } },
		description:
			'Whether items that still fail for a passing reason after the request settings\' retries (HubSpot\'s rate limits, including the daily one, server errors, lost connections) go to a second output, "Retry Later", instead of failing the run. Connect it through a Wait node (over 65 seconds, so n8n keeps the execution in its database) back into this node. Other errors stay errors.',
	},
	{
		displayName: 'Max Retry Later Rounds',
		name: 'maxRetryRounds',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 100 },
		default: 5,
		displayOptions: { show: { operation: WRITE_OPERATIONS, retryLaterOutput: [true] } },
		description:
			'How many times an item may go round the Retry Later loop. After that a passing failure is final: the run fails, or with On Error → Continue (using error output) the item goes to the error output.',
	},
];

/**
 * The node's outputs: Done, plus Retry Later when a write operation has it on. n8n evaluates
 * this in the editor and at run time.
 */
export const NODE_OUTPUTS: `={{${string}}}` = `={{ $parameter.retryLaterOutput === true && ${JSON.stringify(WRITE_OPERATIONS)}.includes($parameter.operation) ? [{ type: "main", displayName: "Done" }, { type: "main", displayName: "Retry Later" }] : ["main"] }}`;

/** Options every status write has: the ordering rule and the resubscribe guard. */
export const statusWriteOptions: INodeProperties[] = [
	{
		displayName: 'Allow Resubscribe',
		name: 'allowResubscribe',
		type: 'boolean',
		default: false,
		description:
			'Whether a SUBSCRIBED write may undo an opt-out: an address that unsubscribed from this type, or from all email of its brand. Off, such a write is refused for that item and nothing is sent. Turn it on only where the person gave renewed consent, e.g. a newly confirmed double opt-in.',
	},
	{
		displayName: 'Event Time',
		name: 'eventTime',
		type: 'string',
		default: '',
		placeholder: 'e.g. {{ $json.occurredAt }}',
		description:
			'When the event happened (ISO 8601, or Unix seconds or milliseconds), from the trigger. The latest event wins: a write whose event is not newer than the last one applied for that address and type is skipped, however late or often it arrives. The time is kept in HubSpot at the end of the explanation.',
	},
];

export const optionsCollection = (
	displayOptions: DisplayOptions,
	options: INodeProperties[],
): INodeProperties => ({
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	displayOptions,
	default: {},
	options,
});

/** Operations that read per address: the address, Simplify and the brand. */
export const addressReadFields = (
	displayOptions: DisplayOptions,
	emailDescription: string,
	emailDefault = '',
): INodeProperties[] => [
	{ ...emailField(emailDescription), default: emailDefault, displayOptions },
	{ ...simplifyField, displayOptions },
	optionsCollection(displayOptions, [brandOption]),
];

/** What a status write needs, for Set and Batch Write alike. */
export const statusWriteFields = (
	displayOptions: { show: Record<string, string[]> },
	text: { email: string; subscriptionType: string; status: string },
	emailDefault = '',
): INodeProperties[] => [
	{ ...emailField(text.email), default: emailDefault, displayOptions },
	{
		...subscriptionTypeLocator('subscriptionType', 'Subscription Type', text.subscriptionType),
		displayOptions,
	},
	{
		displayName: 'Status',
		name: 'statusState',
		type: 'options',
		options: statusStateOptions,
		default: 'SUBSCRIBED',
		description: text.status,
		displayOptions,
	},
	unsubscribeNotice({ show: { ...displayOptions.show, statusState: ['UNSUBSCRIBED'] } }),
	{ ...legalBasisField, displayOptions },
	{
		...legalBasisExplanationField,
		displayOptions,
	},
	{ ...dryRunField, displayOptions },
	{ ...simplifyField, displayOptions },
];

/** "2026-09 (Latest)", "2026-03", "V4": the newest is marked, names start with a capital. */
const apiVersionLabel = (version: ApiVersion) =>
	version === API_VERSIONS[0] ? `${version} (Latest)` : version.replace(/^v/, 'V');

/** HubSpot's Communication Preferences API versions, in the order of API_VERSIONS. */
export const apiVersionField = (displayOptions: DisplayOptions): INodeProperties => ({
	displayName: 'API Version',
	name: 'apiVersion',
	type: 'options',
	noDataExpression: true,
	displayOptions,
	options: API_VERSIONS.map((value) => ({ name: apiVersionLabel(value), value })),
	default: DEFAULT_API_VERSION,
	description: "The version of HubSpot's Communication Preferences API to call",
});

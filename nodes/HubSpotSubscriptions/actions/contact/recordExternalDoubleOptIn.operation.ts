import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { errorCodesOf, httpCodeOf, runJobs, type Job } from '../../transport/batching';
import {
	EXTERNAL_DOUBLE_OPT_IN_PROPERTIES,
	NEVER_WRITTEN,
	contactProperties,
	createMissingProperties,
	isWritable,
	type ContactProperty,
} from './contactProperties';
import { ParameterReader } from '../../helpers/parameters';
import type { OperationSetup } from '../../helpers/setup';
import { InputError, parseTime, requireEmail } from '../../helpers/validation';
import {
	CRM_BATCH_LIMIT,
	isTransientFailure,
	upsertContactsByEmailRequest,
	type HubSpotRequest,
} from '../../transport';
import { emailField, simplifyField } from '../common.descriptions';

const displayOptions = {
	show: { resource: ['contact'], operation: ['recordExternalDoubleOptIn'] },
};

/** HubSpot's limit for a text property value set through the CRM (knowledge base, "Property field types"). */
const TEXT_VALUE_LIMIT = 65_536;
/** Refusals that concern a property, not a value: every input of the call would get them again. */
const PROPERTY_LEVEL_ERRORS = new Set(['PROPERTY_DOESNT_EXIST', 'READ_ONLY_VALUE']);

export const description: INodeProperties[] = [
	{
		displayName:
			'No API can set HubSpot\'s "Marketing email confirmation status". This records the confirmation from your double opt-in system on the contact, so that a HubSpot workflow you build once can mark the contact "Customer marked confirmed" the same minute, as HubSpot\'s knowledge base describes. Try that workflow on a test contact first: it is HubSpot\'s behaviour. See the README\'s guide "Double opt-in collected outside HubSpot".',
		name: 'doubleOptInNotice',
		type: 'notice',
		default: '',
		displayOptions,
	},
	{
		...emailField('The email address of the contact (created if it does not exist yet)'),
		displayOptions,
	},
	{
		displayName: 'Confirmed At',
		name: 'confirmedAt',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. {{ $json.occurredAt }}',
		description:
			'When the person confirmed the double opt-in: an ISO 8601 time or Unix time (seconds or milliseconds), usually from the trigger',
		displayOptions,
	},
	{
		displayName: 'Source',
		name: 'source',
		type: 'string',
		default: '',
		required: true,
		placeholder: 'e.g. Loops',
		description: 'The system where the double opt-in was confirmed',
		displayOptions,
	},
	{
		displayName: 'Evidence',
		name: 'evidence',
		type: 'string',
		default: '',
		typeOptions: { rows: 2 },
		placeholder: 'e.g. Loops webhook {{ $json.webhookId }}, IP 203.0.113.7',
		description:
			'Anything that proves the confirmation: event ID, confirmation link ID, IP address',
		displayOptions,
	},
	{
		displayName: 'Confirmed At Property Name or ID',
		name: 'confirmedAtProperty',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getDateTimeContactProperties' },
		default: 'external_double_opt_in_at',
		description:
			'The contact property (date and time) that receives the confirmation time. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions,
	},
	{
		displayName: 'Source Property Name or ID',
		name: 'sourceProperty',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getTextContactProperties' },
		default: 'external_double_opt_in_source',
		description:
			'The contact property (text) that receives the source. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions,
	},
	{
		displayName: 'Evidence Property Name or ID',
		name: 'evidenceProperty',
		type: 'options',
		typeOptions: { loadOptionsMethod: 'getTextContactProperties' },
		default: 'external_double_opt_in_evidence',
		description:
			'The contact property (text) that receives the evidence. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.',
		displayOptions,
	},
	{
		displayName: 'Create the Properties if They Are Missing',
		name: 'createMissingProperties',
		type: 'boolean',
		default: false,
		description:
			'Whether to create whichever of external_double_opt_in_at, external_double_opt_in_source and external_double_opt_in_evidence is chosen above and missing, in the contact information group (needs the crm.schemas.contacts.write scope)',
		displayOptions,
	},
	{
		...simplifyField,
		description: "Whether to return a flat item instead of HubSpot's response as is",
		displayOptions,
	},
];

interface Confirmation {
	itemIndex: number;
	email: string;
	confirmedAt: string;
	source: string;
	evidence: string;
}

/** The contact properties that receive the time, the source and the evidence. */
interface Targets {
	confirmedAt: string;
	source: string;
	evidence: string;
}

export async function execute(this: IExecuteFunctions, setup: OperationSetup) {
	const confirmations = readConfirmations(this, setup);
	if (!confirmations.length) return;
	const targets: Targets = {
		confirmedAt: this.getNodeParameter('confirmedAtProperty', 0) as string,
		source: this.getNodeParameter('sourceProperty', 0) as string,
		evidence: this.getNodeParameter('evidenceProperty', 0) as string,
	};
	refuseNeverWritten(this, targets);
	// If HubSpot cannot be asked about the properties for a passing reason, every item may pass
	// later (Retry Later); any other failure stops the node as before.
	const created = await prepareTargetProperties(
		this,
		setup,
		targets,
		confirmations[0].itemIndex,
	).catch((error: unknown) => {
		if (!isTransientFailure(error)) return Promise.reject(error);
		for (const confirmation of confirmations)
			setup.outcomes.failOrStop(confirmation.itemIndex, error);
		return undefined;
	});
	if (!created) return;
	const jobs: Array<Job<Confirmation>> = confirmations.map((confirmation, id) => ({
		id,
		itemIndex: confirmation.itemIndex,
		email: confirmation.email.toLowerCase(),
		group: '',
		input: confirmation,
	}));
	const outcomes = await upsertContacts(setup, jobs, targets);
	const simplify = this.getNodeParameter('simplify', 0, true) as boolean;
	for (const job of jobs) {
		const outcome = outcomes.get(job.id);
		if (!outcome) continue; // stopped before sending
		if (!outcome.ok) setup.outcomes.failOrStop(job.itemIndex, outcome.error);
		else
			setup.outcomes.succeed(
				job.itemIndex,
				simplify ? simplified(job.input, outcome.value, created) : outcome.value,
			);
	}
}

/** Every item's confirmation; bad input fails here, before any request. */
function readConfirmations(ctx: IExecuteFunctions, setup: OperationSetup): Confirmation[] {
	const parameters = new ParameterReader(ctx);
	return setup.outcomes
		.parseAll((itemIndex): Confirmation => ({
			itemIndex,
			email: requireEmail(parameters.get('email', itemIndex)),
			confirmedAt: new Date(
				parseTime(
					parameters.get('confirmedAt', itemIndex),
					'Confirmed At',
					'map it from the event, e.g. {{ $json.occurredAt }}',
					'confirmation time',
				),
			).toISOString(),
			source: requireText(
				parameters.get('source', itemIndex),
				'Source',
				'name the system, e.g. Loops or Emarsys',
			),
			evidence: withinTextLimit(
				String(parameters.get('evidence', itemIndex, '') ?? '').trim(),
				'Evidence',
			),
		}))
		.map(({ value }) => value);
}

/**
 * Creates the chosen properties that are missing (when asked to) and refuses targets that do
 * not exist, are read-only or have the wrong type. Returns the names it created.
 */
async function prepareTargetProperties(
	ctx: IExecuteFunctions,
	setup: OperationSetup,
	targets: Targets,
	firstItemIndex: number,
): Promise<string[]> {
	const chosen = Object.values(targets);
	const created = ctx.getNodeParameter('createMissingProperties', 0, false)
		? await createMissingProperties(
				setup.transport,
				EXTERNAL_DOUBLE_OPT_IN_PROPERTIES.filter((property) => chosen.includes(property.name)),
				firstItemIndex,
			)
		: [];
	if (created.length) {
		setup.hints.add(
			`Created the contact properties ${created.join(', ')} in HubSpot (once; later runs find them).`,
		);
	}
	checkTargets(
		ctx,
		await contactProperties(setup.transport, { fresh: created.length > 0 }),
		targets,
	);
	return created;
}

/** Records each confirmation on its contact, creating the contact where it does not exist. */
async function upsertContacts(
	setup: OperationSetup,
	jobs: Array<Job<Confirmation>>,
	targets: Targets,
) {
	const upsert = (batch: Array<Job<Confirmation>>): HubSpotRequest =>
		upsertContactsByEmailRequest(
			batch.map(({ input }) => ({
				email: input.email,
				properties: {
					[targets.confirmedAt]: input.confirmedAt,
					[targets.source]: input.source,
					...(input.evidence ? { [targets.evidence]: input.evidence } : {}),
				},
			})),
			batch[0].itemIndex,
		);
	return await runJobs<Confirmation, IDataObject>(setup.transport, jobs, {
		...setup.pipeline,
		// The upsert endpoint is a batch endpoint for everyone, one input or a hundred.
		mode: 'always',
		batchSize: Math.min(setup.pipeline.batchSize, CRM_BATCH_LIMIT),
		conflictKey: (job) => job.email,
		// The upsert refuses the whole call for one bad value and names no input: halving the
		// call finds the input HubSpot refuses, and the other contacts are still recorded.
		refusedForOneInput: (error) =>
			httpCodeOf(error) === '400' &&
			!errorCodesOf(error).some((code) => PROPERTY_LEVEL_ERRORS.has(code)),
		batchRequest: upsert,
		matchResult: (result, candidates) => {
			const email = String(
				(result.properties as IDataObject | undefined)?.email ?? '',
			).toLowerCase();
			// HubSpot's reference does not promise the email among the returned properties; the
			// results then come in the order of the inputs, which is what is left to go by.
			return email ? candidates.find((job) => job.email === email) : candidates[0];
		},
		fromBatchResult: (result) => result,
		singleRequest: (job) => upsert([job]),
		fromSingleResponse: (body) => ((body.results as IDataObject[]) ?? [])[0] ?? {},
	});
}

function simplified(input: Confirmation, result: IDataObject, created: string[]): IDataObject {
	return {
		email: input.email,
		contactId: result.id ?? null,
		newContact: result.new === true,
		confirmedAt: input.confirmedAt,
		source: input.source,
		evidence: input.evidence || null,
		...(created.length ? { propertiesCreated: created } : {}),
	};
}

/** The node's fields that name a target property, and the property types each takes. */
const TARGET_FIELDS: Array<[keyof Targets, string, string[]]> = [
	['confirmedAt', 'Confirmed At Property', ['datetime']],
	['source', 'Source Property', ['string']],
	['evidence', 'Evidence Property', ['string']],
];

function targetError(ctx: IExecuteFunctions, field: string, message: string, description: string) {
	return new NodeOperationError(ctx.getNode(), message, {
		description: `Field "${field}": ${description}`,
	});
}

function readOnlyError(ctx: IExecuteFunctions, field: string, name: string) {
	return targetError(
		ctx,
		field,
		`The contact property "${name}" is read-only: no API may set it`,
		'choose a property of your own; a HubSpot workflow can then set the read-only status from it',
	);
}

/**
 * The properties no API may set (the confirmation status above all) are refused by name,
 * before any request: the node does not rely on HubSpot's metadata or refusal for them.
 */
function refuseNeverWritten(ctx: IExecuteFunctions, targets: Targets) {
	for (const [key, field] of TARGET_FIELDS) {
		if (NEVER_WRITTEN.has(targets[key])) throw readOnlyError(ctx, field, targets[key]);
	}
}

/** The chosen properties must exist, have the right type and take values from the API. */
function checkTargets(
	ctx: IExecuteFunctions,
	properties: Map<string, ContactProperty>,
	targets: Targets,
) {
	for (const [key, field, types] of TARGET_FIELDS) {
		const name = targets[key];
		const property = properties.get(name);
		if (!property) {
			throw targetError(
				ctx,
				field,
				`The contact property "${name}" does not exist in this HubSpot account`,
				'choose an existing property, or turn on "Create the Properties if They Are Missing"',
			);
		}
		if (!isWritable(property)) throw readOnlyError(ctx, field, name);
		if (!types.includes(property.type)) {
			throw targetError(
				ctx,
				field,
				`The contact property "${name}" is of type ${property.type}`,
				`choose a property of type ${types.join(' or ')}`,
			);
		}
	}
	if (new Set(Object.values(targets)).size !== 3) {
		throw new NodeOperationError(
			ctx.getNode(),
			'The time, the source and the evidence need three different contact properties',
		);
	}
}

function requireText(value: unknown, field: string, fix: string): string {
	const text = value === undefined || value === null ? '' : String(value).trim();
	if (!text) throw new InputError(field, `the ${field.toLowerCase()} is empty`, fix);
	return withinTextLimit(text, field);
}

function withinTextLimit(text: string, field: string): string {
	if (text.length > TEXT_VALUE_LIMIT) {
		throw new InputError(
			field,
			`the ${field.toLowerCase()} has ${text.length.toLocaleString('en')} characters, more than the ${TEXT_VALUE_LIMIT.toLocaleString('en')} HubSpot takes in a text property`,
			'shorten it, e.g. keep the event ID and the IP address',
		);
	}
	return text;
}

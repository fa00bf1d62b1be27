/**
 * The CRM v3 endpoints a later operation needs: contact properties (list, create) and the
 * contacts batch upsert by email.
 */
import { errorBody, validationError, type ErrorDetail, type HttpReply } from './errors';
import { batchTooLarge, isPlainObject, iso, parseJsonBody, type HandlerContext } from './context';
import { isValidEmail, normalizeEmail } from './state';
import type { ContactProperty } from './types';

/** Portal (account) ID the stand-in reports in CRM validation errors. */
export const PORTAL_ID = 24681357;

/** HubSpot's CRM batch endpoints take at most 100 inputs. */
export const CRM_BATCH_LIMIT = 100;

const PROPERTY_TYPES = [
	'string',
	'number',
	'date',
	'datetime',
	'enumeration',
	'bool',
	'phone_number',
	'object_coordinates',
	'json',
];
const FIELD_TYPES = [
	'booleancheckbox',
	'calculation_equation',
	'checkbox',
	'date',
	'file',
	'html',
	'number',
	'phonenumber',
	'radio',
	'select',
	'text',
	'textarea',
];
const VALID_FIELD_TYPES: Record<string, string[]> = {
	bool: ['booleancheckbox'],
	enumeration: ['booleancheckbox', 'checkbox', 'radio', 'select', 'calculation_equation'],
	date: ['date'],
	datetime: ['date'],
	string: ['file', 'text', 'textarea', 'calculation_equation', 'html', 'phonenumber'],
	number: ['number', 'calculation_equation'],
	phone_number: ['phonenumber'],
	object_coordinates: ['text'],
	json: ['text'],
};
const KNOWN_GROUPS = [
	'contactinformation',
	'emailinformation',
	'conversioninformation',
	'socialmediainformation',
	'analyticsinformation',
	'contact_activity',
	'salesforceinformation',
];

export function listProperties(ctx: HandlerContext): HttpReply {
	return { status: 200, body: { results: ctx.state.contactProperties.filter((p) => !p.archived) } };
}

export function createProperty(ctx: HandlerContext): HttpReply {
	const parsed = parseJsonBody(ctx);
	if (!parsed.ok) return parsed.reply;
	const b = parsed.value;
	if (!isPlainObject(b))
		return validationError('Invalid input JSON: the body must be a JSON object.');
	const errors: ErrorDetail[] = [];
	for (const f of ['name', 'label', 'type', 'fieldType', 'groupName']) {
		if (typeof b[f] !== 'string' || (b[f] as string) === '')
			errors.push({ message: `${f} is required`, in: f, code: 'REQUIRED' });
	}
	if (errors.length > 0)
		return validationError(
			`Invalid input JSON: missing required attributes: ${errors.map((e) => e.in).join(', ')}`,
			errors,
		);
	const name = b.name as string;
	const type = b.type as string;
	const fieldType = b.fieldType as string;
	const groupName = b.groupName as string;
	if (!/^[a-z][a-z0-9_]*$/.test(name) || name.length > 100) {
		return validationError(
			`Property name '${name}' is invalid: it must start with a lowercase letter and contain only lowercase letters, numbers and underscores.`,
			[{ message: `Invalid property name '${name}'`, in: 'name', code: 'INVALID_PROPERTY_NAME' }],
		);
	}
	if (!PROPERTY_TYPES.includes(type)) {
		return validationError(
			`'${type}' is not a valid property type. Valid types: [${PROPERTY_TYPES.join(', ')}]`,
			[
				{
					message: `'${type}' is not one of the values accepted for type`,
					in: 'type',
					code: 'INVALID_ENUM',
				},
			],
		);
	}
	if (!FIELD_TYPES.includes(fieldType)) {
		return validationError(
			`'${fieldType}' is not a valid field type. Valid field types: [${FIELD_TYPES.join(', ')}]`,
			[
				{
					message: `'${fieldType}' is not one of the values accepted for fieldType`,
					in: 'fieldType',
					code: 'INVALID_ENUM',
				},
			],
		);
	}
	if (!VALID_FIELD_TYPES[type].includes(fieldType)) {
		return validationError(
			`fieldType '${fieldType}' is not valid for a property of type '${type}'. Valid field types for '${type}': [${VALID_FIELD_TYPES[type].join(', ')}]`,
			[
				{
					message: `fieldType '${fieldType}' does not match type '${type}'`,
					in: 'fieldType',
					code: 'INVALID_FIELD_TYPE',
				},
			],
		);
	}
	if (!KNOWN_GROUPS.includes(groupName)) {
		return validationError(`Property group '${groupName}' does not exist.`, [
			{ message: `Unknown property group '${groupName}'`, in: 'groupName', code: 'INVALID_GROUP' },
		]);
	}
	if (ctx.state.contactProperty(name)) {
		return {
			status: 409,
			body: errorBody('OBJECT_ALREADY_EXISTS', `A property named '${name}' already exists.`, {
				context: { name: [name] },
			}),
		};
	}
	const now = iso(ctx.clock);
	let options: ContactProperty['options'] = [];
	if (Array.isArray(b.options)) {
		options = (b.options as unknown[]).filter(isPlainObject).map((o, i) => ({
			label: String(o.label ?? o.value ?? ''),
			value: String(o.value ?? ''),
			description: typeof o.description === 'string' ? o.description : undefined,
			displayOrder: typeof o.displayOrder === 'number' ? o.displayOrder : i,
			hidden: o.hidden === true,
		}));
	} else if (type === 'bool') {
		options = [
			{ label: 'Yes', value: 'true', displayOrder: 0, hidden: false },
			{ label: 'No', value: 'false', displayOrder: 1, hidden: false },
		];
	}
	const p: ContactProperty = {
		name,
		label: b.label as string,
		type,
		fieldType,
		description: typeof b.description === 'string' ? b.description : '',
		groupName,
		options,
		displayOrder: typeof b.displayOrder === 'number' ? b.displayOrder : -1,
		calculated: false,
		externalOptions: false,
		hasUniqueValue: b.hasUniqueValue === true,
		hidden: b.hidden === true,
		formField: b.formField === true,
		dataSensitivity: 'non_sensitive',
		modificationMetadata: { archivable: true, readOnlyDefinition: false, readOnlyValue: false },
		createdAt: now,
		updatedAt: now,
		archived: false,
	};
	ctx.state.addContactProperty(p);
	return { status: 201, body: p };
}

interface ValueError {
	isValid: false;
	message: string;
	error: string;
	name: string;
	localizedErrorMessage: string;
	portalId: number;
}

function valueError(name: string, error: string, message: string): ValueError {
	return {
		isValid: false,
		message,
		error,
		name,
		localizedErrorMessage: message,
		portalId: PORTAL_ID,
	};
}

const ISO_DATETIME =
	/^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;

/** Validate and normalise one property value; returns the stored string or an error. */
function checkValue(p: ContactProperty, raw: unknown): { value: string } | { error: ValueError } {
	if (p.modificationMetadata.readOnlyValue) {
		return {
			error: valueError(
				p.name,
				'READ_ONLY_VALUE',
				`${p.name} is a read only property; its value cannot be set.`,
			),
		};
	}
	if (raw === null) return { value: '' };
	const s =
		typeof raw === 'string'
			? raw
			: typeof raw === 'number' || typeof raw === 'boolean'
				? String(raw)
				: JSON.stringify(raw);
	if (s === '') return { value: '' };
	switch (p.type) {
		case 'datetime': {
			if (/^-?\d+$/.test(s)) return { value: new Date(Number(s)).toISOString() };
			if (ISO_DATETIME.test(s) && !Number.isNaN(Date.parse(s)))
				return { value: new Date(Date.parse(s)).toISOString() };
			return { error: valueError(p.name, 'INVALID_LONG', `${s} was not a valid long.`) };
		}
		case 'date': {
			let ms: number;
			if (/^-?\d+$/.test(s)) ms = Number(s);
			else if (ISO_DATETIME.test(s) && !Number.isNaN(Date.parse(s)))
				ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(s) ? `${s}T00:00:00Z` : s);
			else return { error: valueError(p.name, 'INVALID_DATE', `${s} was not a valid date.`) };
			const d = new Date(ms);
			if (d.getUTCHours() || d.getUTCMinutes() || d.getUTCSeconds() || d.getUTCMilliseconds()) {
				const t = `${d.getUTCHours()}:${d.getUTCMinutes()}:${d.getUTCSeconds()}.${d.getUTCMilliseconds()}`;
				return { error: valueError(p.name, 'INVALID_DATE', `${s} is at ${t} UTC, not midnight!`) };
			}
			return { value: d.toISOString().slice(0, 10) };
		}
		case 'number':
			if (!/^-?\d+(\.\d+)?$/.test(s.trim()))
				return { error: valueError(p.name, 'INVALID_FLOAT', `${s} was not a valid number.`) };
			return { value: s.trim() };
		case 'bool':
			if (s !== 'true' && s !== 'false')
				return {
					error: valueError(
						p.name,
						'INVALID_BOOLEAN',
						`${s} was not a valid boolean; expected true or false.`,
					),
				};
			return { value: s };
		case 'enumeration': {
			const allowed = p.options.map((o) => o.value);
			const parts = p.fieldType === 'checkbox' ? s.split(';') : [s];
			const bad = parts.filter((x) => !allowed.includes(x));
			if (bad.length > 0) {
				return {
					error: valueError(
						p.name,
						'INVALID_OPTION',
						`${bad.join(';')} was not one of the allowed options: [${allowed.join(', ')}]`,
					),
				};
			}
			return { value: s };
		}
		default:
			return { value: s };
	}
}

export function batchUpsertContacts(ctx: HandlerContext): HttpReply {
	const startedAt = iso(ctx.clock);
	const parsed = parseJsonBody(ctx);
	if (!parsed.ok) return parsed.reply;
	const b = parsed.value;
	if (!isPlainObject(b) || !Array.isArray(b.inputs)) {
		return validationError('Invalid input JSON: inputs is required and must be an array.', [
			{ message: 'inputs is required', in: 'inputs', code: 'REQUIRED' },
		]);
	}
	if (b.inputs.length > CRM_BATCH_LIMIT) return batchTooLarge(b.inputs.length, CRM_BATCH_LIMIT);
	const shapeErrors: ErrorDetail[] = [];
	const inputs: Array<{ email: string; properties: Record<string, unknown> }> = [];
	(b.inputs as unknown[]).forEach((v, i) => {
		if (!isPlainObject(v)) {
			shapeErrors.push({
				message: `inputs[${i}] must be a JSON object`,
				in: `inputs[${i}]`,
				code: 'INVALID_TYPE',
			});
			return;
		}
		if (v.idProperty !== 'email') {
			shapeErrors.push({
				message: `inputs[${i}].idProperty must be 'email' (the unique property this account upserts contacts by), got ${JSON.stringify(v.idProperty)}`,
				in: `inputs[${i}].idProperty`,
				code: 'INVALID_ID_PROPERTY',
			});
			return;
		}
		if (typeof v.id !== 'string' || v.id === '') {
			shapeErrors.push({
				message: `inputs[${i}].id is required and must be a string`,
				in: `inputs[${i}].id`,
				code: 'REQUIRED',
			});
			return;
		}
		if (v.properties !== undefined && !isPlainObject(v.properties)) {
			shapeErrors.push({
				message: `inputs[${i}].properties must be an object`,
				in: `inputs[${i}].properties`,
				code: 'INVALID_TYPE',
			});
			return;
		}
		inputs.push({ email: v.id, properties: (v.properties as Record<string, unknown>) ?? {} });
	});
	if (shapeErrors.length > 0)
		return validationError(
			`Invalid input JSON: ${shapeErrors.map((e) => e.message).join('; ')}`,
			shapeErrors,
		);

	const keys = inputs.map((x) => normalizeEmail(x.email));
	const dups = [...new Set(keys.filter((k, i) => keys.indexOf(k) !== i))];
	if (dups.length > 0) {
		return validationError(
			`Duplicate IDs found in batch input: [${dups.join(', ')}]. IDs must be unique`,
			undefined,
			{ ids: dups },
		);
	}

	// Validate everything first: one bad input rejects the whole call and nothing is written.
	const valueErrors: ValueError[] = [];
	const normalised: Array<{ email: string; properties: Record<string, string> }> = [];
	for (const input of inputs) {
		if (!isValidEmail(input.email) || ctx.state.refusedAddresses.has(normalizeEmail(input.email))) {
			valueErrors.push(
				valueError('email', 'INVALID_EMAIL', `Email address ${input.email} is invalid`),
			);
			continue;
		}
		const props: Record<string, string> = {};
		for (const [name, raw] of Object.entries(input.properties)) {
			if (name === 'email') continue; // the id wins; HubSpot keys the record by it
			const p = ctx.state.contactProperty(name);
			if (!p || p.archived) {
				valueErrors.push(
					valueError(name, 'PROPERTY_DOESNT_EXIST', `Property "${name}" does not exist`),
				);
				continue;
			}
			const checked = checkValue(p, raw);
			if ('error' in checked) valueErrors.push(checked.error);
			else props[name] = checked.value;
		}
		normalised.push({ email: input.email, properties: props });
	}
	if (valueErrors.length > 0) {
		return {
			status: 400,
			body: errorBody(
				'VALIDATION_ERROR',
				`Property values were not valid: ${JSON.stringify(valueErrors)}`,
				{
					errors: valueErrors.map((e) => ({
						message: e.message,
						code: e.error,
						context: { propertyName: [e.name] },
					})),
				},
			),
		};
	}
	const results = normalised.map(({ email, properties }) => {
		const { contact, isNew } = ctx.state.upsertContact(email, properties);
		return {
			id: contact.id,
			properties: contact.properties,
			createdAt: contact.createdAt,
			updatedAt: contact.updatedAt,
			archived: false,
			new: isNew,
		};
	});
	return {
		status: 200,
		body: { status: 'COMPLETE', results, startedAt, completedAt: iso(ctx.clock) },
	};
}

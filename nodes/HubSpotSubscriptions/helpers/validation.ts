import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { LEGAL_BASES, STATUS_STATES, type LegalBasis, type StatusState } from './constants';

// Deliberately plain: one @, no spaces, a dot in the domain. HubSpot has the last word;
// this only catches what is certainly not an address before anything is sent.
const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export class InputError extends Error {
	constructor(
		readonly field: string,
		message: string,
		readonly fix: string,
	) {
		super(message);
	}
}

export function inputError(ctx: IExecuteFunctions, itemIndex: number, error: InputError) {
	return new NodeOperationError(ctx.getNode(), `Item ${itemIndex + 1}: ${error.message}`, {
		itemIndex,
		description: `Field "${error.field}": ${error.fix}`,
	});
}

export function requireEmail(value: unknown, field = 'Email'): string {
	const email = typeof value === 'string' ? value.trim() : '';
	if (!email) {
		throw new InputError(field, 'the email address is empty', 'map it to the contact\'s email, e.g. {{ $json.email }}');
	}
	if (!EMAIL_PATTERN.test(email)) {
		throw new InputError(
			field,
			`"${truncate(email)}" is not a valid email address`,
			'give one address like name@example.com',
		);
	}
	return email;
}

export function requireSubscriptionId(value: unknown, field = 'Subscription Type'): number {
	const raw = typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
	if (!raw) {
		throw new InputError(field, 'no subscription type is chosen', 'pick one from the list or give its numeric ID');
	}
	if (!/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
		throw new InputError(
			field,
			`"${truncate(raw)}" is not a subscription type ID`,
			'HubSpot subscription type IDs are numbers; pick the type from the list or use Subscription Type → Get Many to find the ID',
		);
	}
	return Number(raw);
}

export function requireStatusState(value: unknown, field = 'Status'): StatusState {
	const state = typeof value === 'string' ? value.trim().toUpperCase() : '';
	if ((STATUS_STATES as readonly string[]).includes(state)) return state as StatusState;
	throw new InputError(
		field,
		state ? `"${truncate(String(value))}" is not a subscription status` : 'the status is empty',
		`use one of ${STATUS_STATES.join(', ')}`,
	);
}

export function requireLegalBasis(value: unknown, field = 'Legal Basis'): LegalBasis {
	const basis = typeof value === 'string' ? value.trim().toUpperCase() : '';
	if (!basis) {
		throw new InputError(
			field,
			'the legal basis is missing',
			`choose why you may process this address: one of ${LEGAL_BASES.join(', ')} (NON_GDPR where GDPR does not apply)`,
		);
	}
	if (!(LEGAL_BASES as readonly string[]).includes(basis)) {
		throw new InputError(field, `"${truncate(String(value))}" is not a legal basis`, `use one of ${LEGAL_BASES.join(', ')}`);
	}
	return basis as LegalBasis;
}

/**
 * Required except with NON_GDPR: HubSpot requires it when the account's data privacy setting
 * is on, and the node cannot see that setting.
 */
export function requireExplanation(value: unknown, legalBasis: LegalBasis, field = 'Legal Basis Explanation') {
	const text = typeof value === 'string' ? value.trim() : value === undefined || value === null ? '' : String(value);
	if (!text && legalBasis !== 'NON_GDPR') {
		throw new InputError(
			field,
			'the legal basis explanation is empty',
			'record the evidence, e.g. "Double opt-in confirmed in Loops at {{ $json.occurredAt }}"',
		);
	}
	return text || undefined;
}

export function optionalBusinessUnitId(value: unknown, field = 'Brand'): number | undefined {
	if (value === undefined || value === null || value === '') return undefined;
	const raw = String(value).trim();
	if (!/^\d+$/.test(raw)) {
		throw new InputError(field, `"${truncate(raw)}" is not a brand (business unit) ID`, 'brand IDs are numbers; the default brand is 0');
	}
	return Number(raw);
}

function truncate(text: string) {
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

import type { IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { LEGAL_BASES, STATUS_STATES, type LegalBasis, type StatusState } from './constants';

// What HubSpot refuses is refused here, before anything is sent: the local part is dot-separated
// atoms of RFC 5322's characters (no leading, trailing or doubled dot, at most 64 characters);
// the domain is dot-separated labels of letters, digits and inner hyphens with a top-level name
// of two or more letters; at most 254 characters in all. Quoted local parts and address
// literals ("a b"@x, a@[127.0.0.1]) are valid in RFC 5322 but not taken by HubSpot's forms or
// API, so they are refused too.
const LOCAL_PART = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$/;
const DOMAIN = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;

/** Why an address is not one HubSpot takes, or undefined when it is. */
export function emailProblem(email: string): string | undefined {
	if (email.length > 254) return 'is longer than 254 characters';
	const at = email.lastIndexOf('@');
	if (at <= 0 || at === email.length - 1) return 'needs one @ between a name and a domain';
	const local = email.slice(0, at);
	const domain = email.slice(at + 1);
	if (local.includes('@')) return 'has more than one @';
	if (local.length > 64) return 'has more than 64 characters before the @';
	if (local.startsWith('.') || local.endsWith('.'))
		return 'starts or ends the name before the @ with a dot';
	if (local.includes('..')) return 'has two dots in a row before the @';
	if (!LOCAL_PART.test(local))
		return 'has a character before the @ that email addresses cannot contain';
	if (!DOMAIN.test(domain)) return 'has no valid domain after the @ (like example.com)';
	return undefined;
}

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
		throw new InputError(
			field,
			'the email address is empty',
			"map it to the contact's email, e.g. {{ $json.email }}",
		);
	}
	const problem = emailProblem(email);
	if (problem) {
		throw new InputError(
			field,
			`"${truncate(email)}" is not a valid email address: it ${problem}`,
			'give one address like name@example.com',
		);
	}
	return email;
}

/**
 * A time from the data: ISO 8601, or Unix time in seconds or milliseconds (numbers below 1e11
 * are seconds: that is the year 5138). Returns epoch milliseconds.
 */
export function parseTime(
	value: unknown,
	field: string,
	fix: string,
	name = field.toLowerCase(),
): number {
	const text = value === undefined || value === null ? '' : String(value).trim();
	if (!text) throw new InputError(field, `the ${name} is missing`, fix);
	let time: number;
	if (/^\d+(\.\d+)?$/.test(text)) {
		const number = Number(text);
		time = number < 1e11 ? number * 1000 : number;
	} else {
		time = Date.parse(text);
	}
	if (!Number.isFinite(time)) {
		throw new InputError(
			field,
			`"${truncate(text)}" is not a time`,
			'give an ISO 8601 time such as 2026-11-20T10:15:00Z, or Unix seconds',
		);
	}
	return time;
}

export function requireSubscriptionId(value: unknown, field = 'Subscription Type'): number {
	const raw =
		typeof value === 'number' ? String(value) : typeof value === 'string' ? value.trim() : '';
	if (!raw) {
		throw new InputError(
			field,
			'no subscription type is chosen',
			'pick one from the list or give its numeric ID',
		);
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
		throw new InputError(
			field,
			`"${truncate(String(value))}" is not a legal basis`,
			`use one of ${LEGAL_BASES.join(', ')}`,
		);
	}
	return basis as LegalBasis;
}

/**
 * Required except with NON_GDPR: HubSpot requires it when the account's data privacy setting
 * is on, and the node cannot see that setting.
 */
export function requireExplanation(
	value: unknown,
	legalBasis: LegalBasis,
	field = 'Legal Basis Explanation',
) {
	const text =
		typeof value === 'string'
			? value.trim()
			: value === undefined || value === null
				? ''
				: String(value);
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
		throw new InputError(
			field,
			`"${truncate(raw)}" is not a brand (business unit) ID`,
			'brand IDs are numbers; the default brand is 0',
		);
	}
	return Number(raw);
}

// A language tag such as en, de, pt-br or zh-TW: a two- or three-letter language, then optional
// parts of letters and digits. HubSpot takes a plain string; anything else cannot name a language.
const LANGUAGE_TAG = /^[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$/;

export function optionalLanguage(value: unknown, field = 'Language'): string | undefined {
	const text = value === undefined || value === null ? '' : String(value).trim();
	if (!text) return undefined;
	if (!LANGUAGE_TAG.test(text)) {
		throw new InputError(
			field,
			`"${truncate(text)}" is not a language code`,
			"give a language code such as en, de or pt-br (one of the subscription types' translations), or remove the option",
		);
	}
	return text;
}

function truncate(text: string) {
	return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

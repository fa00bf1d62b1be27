/**
 * In-memory account state of the stand-in: subscription types, per-address statuses (they belong to
 * the email address, not to a contact), opt-outs of all email per brand, contacts and contact properties.
 */
import type {
	Contact,
	ContactProperty,
	LegalBasis,
	PublicStatus,
	PublicWideStatus,
	SetStatusSuccessReason,
	StatusState,
	SubscriptionDefinition,
	SubscriptionDefinitionSeed,
	WriteRecord,
} from './types';
import { defaultContactProperties } from './seed';

/** `source` HubSpot reports for a status set through the public status API. */
export const SOURCE_PUBLIC_API = 'Public status API';
/** `source` of a status set with the stand-in's seed helpers (setStatus / optOutOfAll). */
export const SOURCE_SEED = 'Stand-in seed';
/** `source` of a type that was never written for the address (status NOT_SPECIFIED). */
export const SOURCE_DEFAULT = 'Default status';

const DEFAULT_DEFINITION_TIME = '2024-01-15T10:00:00.000Z';

interface StoredStatus {
	status: StatusState;
	source: string;
	legalBasis: LegalBasis | null;
	legalBasisExplanation: string | null;
	timestamp: string;
}

interface StoredWide {
	source: string;
	timestamp: string;
}

export interface StatusWriteInput {
	email: string;
	subscriptionId: number;
	statusState: StatusState;
	legalBasis?: LegalBasis;
	legalBasisExplanation?: string;
	via: string;
	source?: string;
}

export type StatusWriteOutcome =
	| { ok: true; status: PublicStatus }
	| {
			ok: false;
			code:
				| 'UNKNOWN_SUBSCRIPTION'
				| 'INACTIVE_SUBSCRIPTION'
				| 'LEGAL_BASIS_REQUIRED'
				| 'RESUBSCRIBE_LEGAL_BASIS_REQUIRED';
			message: string;
	  };

export function normalizeEmail(email: string): string {
	return email.trim().toLowerCase();
}

// HubSpot refuses a leading, trailing or doubled dot before the @ (issue 10: "john..doe@example.com").
const EMAIL_RE =
	/^[^\s@"<>(),;:\\[\].]+(?:\.[^\s@"<>(),;:\\[\].]+)*@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

export function isValidEmail(email: string): boolean {
	return email.length <= 254 && EMAIL_RE.test(email.trim());
}

export function wideStatusTypeFor(businessUnitId: number): 'PORTAL_WIDE' | 'BUSINESS_UNIT_WIDE' {
	return businessUnitId === 0 ? 'PORTAL_WIDE' : 'BUSINESS_UNIT_WIDE';
}

export class StandInState {
	private defs: SubscriptionDefinitionSeed[] = [];
	private statuses = new Map<string, Map<number, StoredStatus>>();
	private wide = new Map<string, Map<number, StoredWide>>();
	private writes: WriteRecord[] = [];

	/**
	 * Addresses well-formed by every published rule that HubSpot still refuses as invalid (its own
	 * checks go further than any client can): tests use it for a refusal the node cannot foresee.
	 */
	readonly refusedAddresses = new Set<string>();
	private contactsByEmail = new Map<string, Contact>();
	private properties: ContactProperty[] = [];
	private nextContactId = 1001;

	constructor(
		private readonly seedDefinitions: SubscriptionDefinitionSeed[],
		private readonly clock: () => number,
		/** Whether the account's data privacy (GDPR) setting is on. */
		public readonly gdprEnabled: boolean,
	) {
		this.reset();
	}

	/** Back to the seed: no statuses, no opt-outs, no contacts, seed properties. */
	reset(): void {
		this.defs = this.seedDefinitions.map((d) => ({
			...d,
			translations: d.translations?.map((t) => ({ ...t })),
		}));
		this.statuses.clear();
		this.wide.clear();
		this.writes = [];
		this.refusedAddresses.clear();
		this.contactsByEmail.clear();
		this.properties = defaultContactProperties();
		this.nextContactId = 1001;
	}

	private iso(): string {
		return new Date(this.clock()).toISOString();
	}

	// ---------------------------------------------------------------- definitions

	/** The account's subscription types, in HubSpot's SubscriptionDefinition shape (with translations). */
	get definitions(): SubscriptionDefinition[] {
		return this.defs.map((d) => this.toDefinition(d, true));
	}

	toDefinition(d: SubscriptionDefinitionSeed, withTranslations: boolean): SubscriptionDefinition {
		const createdAt = d.createdAt ?? DEFAULT_DEFINITION_TIME;
		const updatedAt = d.updatedAt ?? createdAt;
		const out: SubscriptionDefinition = {
			id: String(d.id),
			name: d.name,
			description: d.description ?? '',
			purpose: d.purpose ?? 'Marketing',
			communicationMethod: d.communicationMethod ?? 'Email',
			isActive: d.isActive ?? true,
			isDefault: d.isDefault ?? false,
			isInternal: d.isInternal ?? false,
			businessUnitId: d.businessUnitId ?? 0,
			createdAt,
			updatedAt,
		};
		if (withTranslations) {
			out.subscriptionTranslations = (d.translations ?? []).map((t) => ({
				subscriptionId: d.id,
				languageCode: t.languageCode,
				name: t.name,
				description: t.description,
				createdAt: Date.parse(createdAt),
				updatedAt: Date.parse(updatedAt),
			}));
		}
		return out;
	}

	definitionSeeds(): SubscriptionDefinitionSeed[] {
		return this.defs;
	}

	definitionById(id: number): SubscriptionDefinitionSeed | undefined {
		return this.defs.find((d) => d.id === id);
	}

	brandOf(d: SubscriptionDefinitionSeed): number {
		return d.businessUnitId ?? 0;
	}

	/** Brands known to the account: 0 plus every brand that has a subscription type. */
	get brands(): number[] {
		return [...new Set([0, ...this.defs.map((d) => this.brandOf(d))])].sort((a, b) => a - b);
	}

	// ---------------------------------------------------------------- statuses

	private stored(email: string, subscriptionId: number): StoredStatus | undefined {
		return this.statuses.get(normalizeEmail(email))?.get(subscriptionId);
	}

	private wideOf(email: string, brand: number): StoredWide | undefined {
		return this.wide.get(normalizeEmail(email))?.get(brand);
	}

	/** The status a type reads for an address: the opt-out of all of its brand wins over the stored status. */
	private effective(
		email: string,
		d: SubscriptionDefinitionSeed,
		reason: SetStatusSuccessReason | null = null,
	): PublicStatus {
		const key = normalizeEmail(email);
		const brand = this.brandOf(d);
		const s = this.stored(key, d.id);
		const w = this.wideOf(key, brand);
		const base = {
			channel: 'EMAIL' as const,
			subscriberIdString: key,
			subscriptionId: d.id,
			businessUnitId: brand,
			subscriptionName: d.name,
			setStatusSuccessReason: reason,
		};
		if (w && (!s || s.status !== 'UNSUBSCRIBED' || s.timestamp < w.timestamp)) {
			return {
				...base,
				status: 'UNSUBSCRIBED',
				source: w.source,
				legalBasis: null,
				legalBasisExplanation: null,
				timestamp: w.timestamp,
			};
		}
		if (s) {
			return {
				...base,
				status: s.status,
				source: s.source,
				legalBasis: s.legalBasis,
				legalBasisExplanation: s.legalBasisExplanation,
				timestamp: s.timestamp,
			};
		}
		return {
			...base,
			status: 'NOT_SPECIFIED',
			source: SOURCE_DEFAULT,
			legalBasis: null,
			legalBasisExplanation: null,
			timestamp: this.iso(),
		};
	}

	/**
	 * The status of one type for an address (what GET statuses/{email} reports for it), or undefined when
	 * the type does not exist or does not belong to `businessUnitId` (when given).
	 */
	getStatus(
		email: string,
		subscriptionId: number,
		businessUnitId?: number,
	): PublicStatus | undefined {
		const d = this.definitionById(subscriptionId);
		if (!d) return undefined;
		if (businessUnitId !== undefined && this.brandOf(d) !== businessUnitId) return undefined;
		return this.effective(email, d);
	}

	/** Every type's status for an address (active types, plus inactive ones that hold a written status). */
	statusesOf(email: string, businessUnitId?: number): PublicStatus[] {
		const key = normalizeEmail(email);
		return this.defs
			.filter((d) => businessUnitId === undefined || this.brandOf(d) === businessUnitId)
			.filter((d) => (d.isActive ?? true) || this.stored(key, d.id) !== undefined)
			.map((d) => this.effective(key, d));
	}

	isUnsubscribedFromAll(email: string, businessUnitId = 0): boolean {
		return this.wideOf(email, businessUnitId) !== undefined;
	}

	/** Opt-outs of all email of an address, one per brand (all brands when businessUnitId is undefined). */
	wideStatusesOf(email: string, businessUnitId?: number): PublicWideStatus[] {
		const key = normalizeEmail(email);
		const m = this.wide.get(key);
		if (!m) return [];
		return [...m.entries()]
			.filter(([brand]) => businessUnitId === undefined || brand === businessUnitId)
			.sort(([a], [b]) => a - b)
			.map(([brand, w]) => ({
				channel: 'EMAIL' as const,
				status: 'UNSUBSCRIBED' as const,
				subscriberIdString: key,
				timestamp: w.timestamp,
				wideStatusType: wideStatusTypeFor(brand),
				businessUnitId: brand,
			}));
	}

	/** History of accepted status writes (including no-ops) for an address, oldest first. */
	writesFor(email: string): WriteRecord[] {
		const key = normalizeEmail(email);
		return this.writes.filter((w) => w.email === key);
	}

	get allWrites(): WriteRecord[] {
		return [...this.writes];
	}

	/**
	 * One status write with HubSpot's rules: legal basis required when GDPR is on; a resubscribe
	 * (SUBSCRIBED on an address that is UNSUBSCRIBED or opted out of all for the type's brand) always
	 * needs legalBasis + legalBasisExplanation and lifts the brand's opt-out of all.
	 */
	applyStatusWrite(input: StatusWriteInput): StatusWriteOutcome {
		const d = this.definitionById(input.subscriptionId);
		if (!d) {
			return {
				ok: false,
				code: 'UNKNOWN_SUBSCRIPTION',
				message: `No subscription definition exists with id ${input.subscriptionId}.`,
			};
		}
		if (!(d.isActive ?? true)) {
			return {
				ok: false,
				code: 'INACTIVE_SUBSCRIPTION',
				message: `Subscription definition ${input.subscriptionId} is not active.`,
			};
		}
		const hasBasis =
			!!input.legalBasis &&
			typeof input.legalBasisExplanation === 'string' &&
			input.legalBasisExplanation.trim() !== '';
		const key = normalizeEmail(input.email);
		const brand = this.brandOf(d);
		const before = this.effective(key, d);
		const optedOutOfAll = this.wideOf(key, brand) !== undefined;
		const resubscribe = input.statusState === 'SUBSCRIBED' && before.status === 'UNSUBSCRIBED';
		if (resubscribe && !hasBasis) {
			return {
				ok: false,
				code: 'RESUBSCRIBE_LEGAL_BASIS_REQUIRED',
				message: `${key} has opted out of ${optedOutOfAll ? 'all email' : `subscription ${d.id}`}; resubscribing requires legalBasis and legalBasisExplanation.`,
			};
		}
		if (this.gdprEnabled && !hasBasis) {
			return {
				ok: false,
				code: 'LEGAL_BASIS_REQUIRED',
				message:
					'legalBasis and legalBasisExplanation are required because the account has data privacy settings turned on.',
			};
		}
		const source = input.source ?? SOURCE_PUBLIC_API;
		const timestamp = this.iso();
		let reason: SetStatusSuccessReason;
		if (
			before.status === input.statusState ||
			(optedOutOfAll && input.statusState !== 'SUBSCRIBED')
		) {
			// Nothing changes: the same status again, or a non-SUBSCRIBED write while the brand is opted out of all.
			reason = 'NO_STATUS_CHANGE';
		} else {
			reason = resubscribe ? 'RESUBSCRIBE_OCCURRED' : 'REQUESTED_CHANGE_OCCURRED';
			this.putStored(key, d.id, {
				status: input.statusState,
				source,
				legalBasis: input.legalBasis ?? null,
				legalBasisExplanation: input.legalBasisExplanation ?? null,
				timestamp,
			});
			if (resubscribe && optedOutOfAll) this.wide.get(key)?.delete(brand);
		}
		this.writes.push({
			email: key,
			subscriptionId: d.id,
			businessUnitId: brand,
			kind: 'status',
			from: before.status,
			to: reason === 'NO_STATUS_CHANGE' ? before.status : input.statusState,
			reason,
			legalBasis: input.legalBasis ?? null,
			legalBasisExplanation: input.legalBasisExplanation ?? null,
			source,
			timestamp,
			via: input.via,
		});
		return { ok: true, status: this.effective(key, d, reason) };
	}

	private putStored(email: string, subscriptionId: number, s: StoredStatus): void {
		let m = this.statuses.get(email);
		if (!m) this.statuses.set(email, (m = new Map()));
		m.set(subscriptionId, s);
	}

	/**
	 * Opt an address out of all email of a brand: every type of the brand becomes UNSUBSCRIBED and the
	 * brand's wide status is set. Returns the brand's type statuses with their setStatusSuccessReason.
	 */
	applyUnsubscribeAll(
		email: string,
		businessUnitId: number,
		via: string,
		source = SOURCE_PUBLIC_API,
	): PublicStatus[] {
		const key = normalizeEmail(email);
		const timestamp = this.iso();
		const already = this.wideOf(key, businessUnitId) !== undefined;
		const out: PublicStatus[] = [];
		for (const d of this.defs.filter(
			(x) => this.brandOf(x) === businessUnitId && (x.isActive ?? true),
		)) {
			const before = this.effective(key, d);
			if (before.status === 'UNSUBSCRIBED') {
				out.push(this.effective(key, d, 'NO_STATUS_CHANGE'));
				continue;
			}
			this.putStored(key, d.id, {
				status: 'UNSUBSCRIBED',
				source,
				legalBasis: null,
				legalBasisExplanation: null,
				timestamp,
			});
			out.push(this.effective(key, d, 'UNSUBSCRIBE_FROM_ALL_OCCURRED'));
		}
		if (!already) {
			let m = this.wide.get(key);
			if (!m) this.wide.set(key, (m = new Map()));
			m.set(businessUnitId, { source, timestamp });
		}
		this.writes.push({
			email: key,
			subscriptionId: null,
			businessUnitId,
			kind: 'unsubscribe-all',
			from: already ? 'UNSUBSCRIBED' : 'NOT_SPECIFIED',
			to: 'UNSUBSCRIBED',
			reason: already ? 'NO_STATUS_CHANGE' : 'UNSUBSCRIBE_FROM_ALL_OCCURRED',
			legalBasis: null,
			legalBasisExplanation: null,
			source,
			timestamp,
			via,
		});
		return out;
	}

	/**
	 * Seed helper: set a type's stored status for an address directly (no validation, no resubscribe rule).
	 * Setting SUBSCRIBED also lifts the brand's opt-out of all, so the status reads as set.
	 */
	setStatus(
		email: string,
		subscriptionId: number,
		status: StatusState,
		opts: { legalBasis?: LegalBasis; legalBasisExplanation?: string; source?: string } = {},
	): PublicStatus {
		const d = this.definitionById(subscriptionId);
		if (!d) throw new Error(`stand-in: no subscription definition ${subscriptionId}`);
		const key = normalizeEmail(email);
		const before = this.effective(key, d);
		const timestamp = this.iso();
		const source = opts.source ?? SOURCE_SEED;
		this.putStored(key, subscriptionId, {
			status,
			source,
			legalBasis: opts.legalBasis ?? null,
			legalBasisExplanation: opts.legalBasisExplanation ?? null,
			timestamp,
		});
		if (status === 'SUBSCRIBED') this.wide.get(key)?.delete(this.brandOf(d));
		this.writes.push({
			email: key,
			subscriptionId,
			businessUnitId: this.brandOf(d),
			kind: 'status',
			from: before.status,
			to: status,
			reason: before.status === status ? 'NO_STATUS_CHANGE' : 'REQUESTED_CHANGE_OCCURRED',
			legalBasis: opts.legalBasis ?? null,
			legalBasisExplanation: opts.legalBasisExplanation ?? null,
			source,
			timestamp,
			via: 'seed',
		});
		return this.effective(key, d);
	}

	/** Seed helper: opt an address out of all email of a brand (default the Account brand, 0). */
	optOutOfAll(email: string, businessUnitId = 0): PublicStatus[] {
		return this.applyUnsubscribeAll(email, businessUnitId, 'seed', SOURCE_SEED);
	}

	// ---------------------------------------------------------------- CRM

	get contactProperties(): ContactProperty[] {
		return this.properties.map((p) => ({
			...p,
			options: p.options.map((o) => ({ ...o })),
			modificationMetadata: { ...p.modificationMetadata },
		}));
	}

	contactProperty(name: string): ContactProperty | undefined {
		return this.properties.find((p) => p.name === name);
	}

	addContactProperty(p: ContactProperty): void {
		this.properties.push(p);
	}

	/** Seed helper: archive a property, as a user deleting it in HubSpot's settings does. */
	archiveContactProperty(name: string): void {
		const property = this.properties.find((p) => p.name === name);
		if (!property) throw new Error(`no contact property ${name}`);
		property.archived = true;
	}

	get contacts(): Contact[] {
		return [...this.contactsByEmail.values()].map((c) => ({
			...c,
			properties: { ...c.properties },
		}));
	}

	contactByEmail(email: string): Contact | undefined {
		const c = this.contactsByEmail.get(normalizeEmail(email));
		return c ? { ...c, properties: { ...c.properties } } : undefined;
	}

	/** Create or update the contact with this email; values already validated. */
	upsertContact(
		email: string,
		properties: Record<string, string>,
	): { contact: Contact; isNew: boolean } {
		const key = normalizeEmail(email);
		const now = this.iso();
		const existing = this.contactsByEmail.get(key);
		if (existing) {
			Object.assign(existing.properties, properties, { email: key, lastmodifieddate: now });
			existing.updatedAt = now;
			return { contact: { ...existing, properties: { ...existing.properties } }, isNew: false };
		}
		const id = String(this.nextContactId++);
		const contact: Contact = {
			id,
			properties: {
				...properties,
				email: key,
				createdate: now,
				lastmodifieddate: now,
				hs_object_id: id,
			},
			createdAt: now,
			updatedAt: now,
			archived: false,
		};
		this.contactsByEmail.set(key, contact);
		return { contact: { ...contact, properties: { ...contact.properties } }, isNew: true };
	}

	/** Seed helper: create or update a contact without validation. */
	seedContact(email: string, properties: Record<string, string> = {}): Contact {
		return this.upsertContact(email, properties).contact;
	}

	// ---------------------------------------------------------------- dump

	/** JSON-friendly dump (GET /_standin/state). */
	snapshot(): {
		gdprEnabled: boolean;
		statuses: Array<PublicStatus>;
		wideStatuses: PublicWideStatus[];
		contacts: Contact[];
		writes: WriteRecord[];
	} {
		const emails = new Set([...this.statuses.keys(), ...this.wide.keys()]);
		const statuses: PublicStatus[] = [];
		const wideStatuses: PublicWideStatus[] = [];
		for (const e of [...emails].sort()) {
			const m = this.statuses.get(e);
			if (m) {
				for (const id of [...m.keys()].sort((a, b) => a - b)) {
					const d = this.definitionById(id);
					if (d) statuses.push(this.effective(e, d));
				}
			}
			wideStatuses.push(...this.wideStatusesOf(e));
		}
		return {
			gdprEnabled: this.gdprEnabled,
			statuses,
			wideStatuses,
			contacts: this.contacts,
			writes: this.allWrites,
		};
	}
}

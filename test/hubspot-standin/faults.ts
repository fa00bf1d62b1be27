/**
 * Injected faults: matched by method and path regex, consumed in injection order.
 */
import type { Fault } from './types';

interface Entry {
	fault: Fault;
	remaining: number | undefined;
	expiresAt: number | undefined;
	pathRe: RegExp | undefined;
	stormSeen: number;
	stormRefused: number;
}

/** What the server must do for a request hit by a fault. */
export type FaultAction =
	Exclude<Fault, { kind: 'storm' }> | { kind: 'storm'; ratio: number; durationMs: number };

export class FaultBook {
	private entries: Entry[] = [];

	constructor(private readonly clock: () => number) {}

	inject(fault: Fault): void {
		if (fault.kind === 'storm' && !(fault.ratio >= 0 && fault.ratio <= 1))
			throw new Error('stand-in: storm ratio must be within [0, 1]');
		if (fault.kind === 'stall' && !(fault.ms >= 0))
			throw new Error('stand-in: stall ms must be >= 0 (or Infinity)');
		const now = this.clock();
		let expiresAt: number | undefined;
		if (fault.untilMs !== undefined)
			expiresAt = fault.untilMs > 1e12 ? fault.untilMs : now + fault.untilMs;
		if (fault.kind === 'storm') expiresAt = Math.min(expiresAt ?? Infinity, now + fault.durationMs);
		let remaining = fault.times;
		if (remaining === undefined && expiresAt === undefined) remaining = 1;
		const pathRe =
			fault.path === undefined
				? undefined
				: fault.path instanceof RegExp
					? fault.path
					: new RegExp(fault.path);
		this.entries.push({ fault, remaining, expiresAt, pathRe, stormSeen: 0, stormRefused: 0 });
	}

	clear(): void {
		this.entries = [];
	}

	/** Faults still waiting (for inspection). */
	get pending(): Fault[] {
		this.prune();
		return this.entries.map((e) => e.fault);
	}

	private prune(): void {
		const now = this.clock();
		this.entries = this.entries.filter(
			(e) =>
				(e.remaining === undefined || e.remaining > 0) &&
				(e.expiresAt === undefined || now < e.expiresAt),
		);
	}

	/** The fault that applies to this request, if any (consuming one use of it). */
	take(method: string, path: string): FaultAction | undefined {
		this.prune();
		for (const e of this.entries) {
			const f = e.fault;
			if (f.method && f.method.toUpperCase() !== method.toUpperCase()) continue;
			if (e.pathRe) {
				e.pathRe.lastIndex = 0;
				if (!e.pathRe.test(path)) continue;
			}
			if (f.kind === 'storm') {
				e.stormSeen++;
				// Deterministic share: after n matching requests, ceil(n * ratio) of them have been refused.
				if (Math.ceil(e.stormSeen * f.ratio - 1e-9) > e.stormRefused) {
					e.stormRefused++;
					if (e.remaining !== undefined) e.remaining--;
					return { kind: 'storm', ratio: f.ratio, durationMs: f.durationMs };
				}
				continue;
			}
			if (e.remaining !== undefined) e.remaining--;
			return f;
		}
		return undefined;
	}
}

/** An outage switched on and off at run time: HubSpot down (503) or out of its daily limit (429 DAILY). */
export type OutageMode = 'http-503' | 'daily-limit';
/** Which requests an outage refuses: writes only (anything but GET and batch reads) or every request. */
export type OutageScope = 'writes' | 'all';

export interface OutageState {
	mode: OutageMode | 'off';
	scope: OutageScope;
	/** epoch ms the outage began (undefined while off) */
	since: number | undefined;
	/** requests refused since it began */
	refused: number;
}

export const OUTAGE_MODES: readonly OutageMode[] = ['http-503', 'daily-limit'];

export class OutageSwitch {
	private current: OutageState = { mode: 'off', scope: 'all', since: undefined, refused: 0 };

	constructor(private readonly clock: () => number) {}

	/** Switch on (until `off()`), or off with 'off'. Refuses an unknown mode or scope. */
	set(mode: OutageMode | 'off', scope: OutageScope = 'all'): OutageState {
		if (mode !== 'off' && !OUTAGE_MODES.includes(mode))
			throw new Error(`stand-in: outage mode must be one of off, ${OUTAGE_MODES.join(', ')}`);
		if (scope !== 'writes' && scope !== 'all')
			throw new Error('stand-in: outage scope must be writes or all');
		this.current =
			mode === 'off'
				? { mode, scope, since: undefined, refused: 0 }
				: { mode, scope, since: this.clock(), refused: 0 };
		return this.state;
	}

	get state(): OutageState {
		return { ...this.current };
	}

	/** The refusal for this request while the outage is on, or undefined. */
	take(method: string, path: string): FaultAction | undefined {
		const { mode, scope } = this.current;
		if (mode === 'off') return undefined;
		const isWrite = method.toUpperCase() !== 'GET' && !/\/read$/.test(path);
		if (scope === 'writes' && !isWrite) return undefined;
		this.current.refused++;
		return mode === 'http-503'
			? { kind: 'status', status: 503 }
			: { kind: 'rateLimit', policy: 'DAILY' };
	}
}

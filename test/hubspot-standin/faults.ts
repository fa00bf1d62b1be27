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
export type FaultAction = Exclude<Fault, { kind: 'storm' }> | { kind: 'storm'; ratio: number; durationMs: number };

export class FaultBook {
	private entries: Entry[] = [];

	constructor(private readonly clock: () => number) {}

	inject(fault: Fault): void {
		if (fault.kind === 'storm' && !(fault.ratio >= 0 && fault.ratio <= 1)) throw new Error('stand-in: storm ratio must be within [0, 1]');
		if (fault.kind === 'stall' && !(fault.ms >= 0)) throw new Error('stand-in: stall ms must be >= 0 (or Infinity)');
		const now = this.clock();
		let expiresAt: number | undefined;
		if (fault.untilMs !== undefined) expiresAt = fault.untilMs > 1e12 ? fault.untilMs : now + fault.untilMs;
		if (fault.kind === 'storm') expiresAt = Math.min(expiresAt ?? Infinity, now + fault.durationMs);
		let remaining = fault.times;
		if (remaining === undefined && expiresAt === undefined) remaining = 1;
		const pathRe = fault.path === undefined ? undefined : fault.path instanceof RegExp ? fault.path : new RegExp(fault.path);
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
		this.entries = this.entries.filter((e) => (e.remaining === undefined || e.remaining > 0) && (e.expiresAt === undefined || now < e.expiresAt));
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

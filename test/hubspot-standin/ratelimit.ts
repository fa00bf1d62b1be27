/**
 * Per-token rolling-window and daily request limits, with HubSpot's X-HubSpot-RateLimit-* headers.
 * Refused requests (429) count against nothing.
 */
import type { RateLimitPolicy } from './types';

export interface RateLimitConfig {
	maxRequests: number;
	windowMs: number;
	dailyLimit?: number;
	/** false: leave X-HubSpot-RateLimit-Remaining out of the headers. */
	remainingHeader?: boolean;
}

export type RateDecision =
	| { allowed: true; headers: Record<string, string> }
	| { allowed: false; policy: RateLimitPolicy; headers: Record<string, string> };

function utcDay(ms: number): string {
	return new Date(ms).toISOString().slice(0, 10);
}

export class RateLimiter {
	private windows = new Map<string, number[]>();
	private daily = new Map<string, { day: string; count: number }>();

	constructor(
		private readonly config: RateLimitConfig | false,
		private readonly clock: () => number,
	) {}

	reset(): void {
		this.windows.clear();
		this.daily.clear();
	}

	private recent(token: string, now: number): number[] {
		if (!this.config) return [];
		const cutoff = now - this.config.windowMs;
		const list = (this.windows.get(token) ?? []).filter((t) => t > cutoff);
		this.windows.set(token, list);
		return list;
	}

	private dailyCount(token: string, now: number): { day: string; count: number } {
		const day = utcDay(now);
		let d = this.daily.get(token);
		if (!d || d.day !== day) {
			d = { day, count: 0 };
			this.daily.set(token, d);
		}
		return d;
	}

	/** Headers describing the token's budget without counting a request (used on 429s from faults). */
	headersFor(token: string | undefined, exhausted = false): Record<string, string> {
		if (!this.config || token === undefined) return {};
		const now = this.clock();
		const used = this.recent(token, now).length;
		const h: Record<string, string> = {
			'X-HubSpot-RateLimit-Max': String(this.config.maxRequests),
			'X-HubSpot-RateLimit-Remaining': String(
				exhausted ? 0 : Math.max(0, this.config.maxRequests - used),
			),
			'X-HubSpot-RateLimit-Interval-Milliseconds': String(this.config.windowMs),
		};
		if (this.config.remainingHeader === false) delete h['X-HubSpot-RateLimit-Remaining'];
		if (this.config.dailyLimit !== undefined) {
			const d = this.dailyCount(token, now);
			h['X-HubSpot-RateLimit-Daily'] = String(this.config.dailyLimit);
			h['X-HubSpot-RateLimit-Daily-Remaining'] = String(
				exhausted ? 0 : Math.max(0, this.config.dailyLimit - d.count),
			);
		}
		return h;
	}

	/** Count one authenticated request, or refuse it (refusals are not counted). */
	take(token: string): RateDecision {
		if (!this.config) return { allowed: true, headers: {} };
		const now = this.clock();
		const list = this.recent(token, now);
		if (this.config.dailyLimit !== undefined) {
			const d = this.dailyCount(token, now);
			if (d.count >= this.config.dailyLimit) {
				const headers = this.headersFor(token);
				headers['X-HubSpot-RateLimit-Daily-Remaining'] = '0';
				return { allowed: false, policy: 'DAILY', headers };
			}
		}
		if (list.length >= this.config.maxRequests) {
			const headers = this.headersFor(token);
			if (this.config.remainingHeader !== false) headers['X-HubSpot-RateLimit-Remaining'] = '0';
			return { allowed: false, policy: 'TEN_SECONDLY_ROLLING', headers };
		}
		list.push(now);
		if (this.config.dailyLimit !== undefined) this.dailyCount(token, now).count++;
		return { allowed: true, headers: this.headersFor(token) };
	}
}

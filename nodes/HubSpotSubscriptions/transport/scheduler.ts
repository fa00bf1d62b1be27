import { sleep } from 'n8n-workflow';

/**
 * Paces requests to HubSpot so that one credential never exceeds its rolling window
 * (by default 100 requests per 10 seconds), across every execution in this n8n process.
 *
 * A request takes a slot when it is sent and keeps it until one window after its response
 * arrived. HubSpot counts a request when it arrives, which is never later than our
 * response, so our count can only be the more cautious one: jitter in latency cannot
 * push HubSpot's count over the limit.
 */
export interface SchedulerLimits {
	maxRequests: number;
	windowMs: number;
	maxConcurrent: number;
}

interface Slot {
	releasedAt: number; // Infinity while in flight
}

type Waiter = () => void;

export class RateWindowScheduler {
	private slots: Slot[] = [];

	private inFlight = 0;

	private waiters: Waiter[] = [];

	private pausedUntil = 0;

	/** The budget HubSpot reported (X-HubSpot-RateLimit-Max / -Interval-Milliseconds). */
	private serverMax: number | undefined;

	private serverWindowMs: number | undefined;

	/** HubSpot's own remaining count (another client may share the app's budget). */
	private serverRemaining: { remaining: number; at: number; sentSince: number } | undefined;

	constructor(private limits: SchedulerLimits) {}

	/** The user's budget for this execution; HubSpot's headers may lower it further. */
	configure(limits: SchedulerLimits) {
		this.limits = limits;
		this.wake();
	}

	get effectiveWindowMs() {
		return this.serverWindowMs ?? this.limits.windowMs;
	}

	get effectiveMax() {
		const userMax = this.scaledUserMax();
		return this.serverMax !== undefined ? Math.min(userMax, this.serverMax) : userMax;
	}

	/** The user's budget is per 10 s; when HubSpot reports another window, keep the same rate. */
	private scaledUserMax() {
		if (this.serverWindowMs === undefined || this.serverWindowMs === this.limits.windowMs) {
			return this.limits.maxRequests;
		}
		return Math.max(
			1,
			Math.floor((this.limits.maxRequests * this.serverWindowMs) / this.limits.windowMs),
		);
	}

	/** Waits for a slot; the returned function must be called once the response arrived. */
	async acquire(): Promise<() => void> {
		for (;;) {
			const wait = this.waitTime(Date.now());
			if (wait === 0) break;
			// Whichever comes first: the computed wait, or a release that may free a slot sooner.
			const woken = new Promise<void>((resolve) => this.waiters.push(resolve));
			await (wait === Infinity ? woken : Promise.race([woken, sleep(Math.ceil(wait))]));
		}
		const slot: Slot = { releasedAt: Infinity };
		this.slots.push(slot);
		this.inFlight++;
		if (this.serverRemaining) this.serverRemaining.sentSince++;
		let released = false;
		return () => {
			if (released) return;
			released = true;
			slot.releasedAt = Date.now();
			this.inFlight--;
			this.wake();
		};
	}

	/** Called with every response's headers. */
	observeHeaders(headers: Record<string, unknown> | undefined) {
		if (!headers) return;
		const max = numberHeader(headers, 'x-hubspot-ratelimit-max');
		const interval = numberHeader(headers, 'x-hubspot-ratelimit-interval-milliseconds');
		const remaining = numberHeader(headers, 'x-hubspot-ratelimit-remaining');
		if (max !== undefined && max > 0) this.serverMax = max;
		if (interval !== undefined && interval > 0) this.serverWindowMs = interval;
		if (remaining !== undefined) {
			this.serverRemaining = { remaining, at: Date.now(), sentSince: 0 };
		}
	}

	/** After a 429: nobody sends until the pause is over. */
	pause(ms: number) {
		this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
		this.wake();
	}

	private waitTime(now: number): number {
		if (this.pausedUntil > now) return this.pausedUntil - now;
		if (this.inFlight >= this.limits.maxConcurrent) return Infinity; // woken by a release
		const windowMs = this.effectiveWindowMs;
		this.slots = this.slots.filter((slot) => slot.releasedAt + windowMs > now);
		let wait = 0;
		if (this.slots.length >= this.effectiveMax) {
			const releaseTimes = this.slots
				.map((slot) => slot.releasedAt + windowMs)
				.sort((a, b) => a - b);
			// the slot that has to expire before one more request fits
			const freeAt = releaseTimes[this.slots.length - this.effectiveMax];
			wait = freeAt === Infinity ? Infinity : freeAt - now;
		}
		const hint = this.serverRemaining;
		if (hint && now < hint.at + windowMs && hint.sentSince >= hint.remaining) {
			wait = Math.max(wait, hint.at + windowMs - now);
		}
		return Math.max(0, wait);
	}

	private wake() {
		const waiters = this.waiters;
		this.waiters = [];
		for (const resolve of waiters) resolve();
	}
}

function numberHeader(headers: Record<string, unknown>, name: string): number | undefined {
	const value = headers[name] ?? headers[name.toLowerCase()];
	if (value === undefined || value === null || value === '') return undefined;
	const parsed = Number(Array.isArray(value) ? value[0] : value);
	return Number.isFinite(parsed) ? parsed : undefined;
}

const schedulers = new Map<string, RateWindowScheduler>();

/** One scheduler per HubSpot app (credential and host), shared by all executions of this process. */
export function schedulerFor(key: string, limits: SchedulerLimits): RateWindowScheduler {
	let scheduler = schedulers.get(key);
	if (!scheduler) {
		scheduler = new RateWindowScheduler(limits);
		schedulers.set(key, scheduler);
	} else {
		scheduler.configure(limits);
	}
	return scheduler;
}

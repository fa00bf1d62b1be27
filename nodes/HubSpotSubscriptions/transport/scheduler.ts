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

export class RateWindowScheduler {
	/** Requests sent whose response has not arrived: they hold a slot until a window after it does. */
	private inFlight = 0;

	/**
	 * When each answered request's slot was released, oldest first (release times only grow, so
	 * this stays sorted); entries before `releasedHead` have left the window.
	 */
	private released: number[] = [];

	private releasedHead = 0;

	private readonly queue: Array<(release: () => void) => void> = [];

	private wakeAt = Infinity;

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
		this.pump();
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

	/**
	 * Waits for a slot, first come first served; the returned function must be called once
	 * the response arrived. Only the head of the queue is looked at on each change, so a long
	 * queue (a large batch run) costs nothing per waiting request.
	 */
	async acquire(): Promise<() => void> {
		return await new Promise((resolve) => {
			this.queue.push(resolve);
			this.pump();
		});
	}

	/**
	 * Like acquire(), but gives up after `ms` without a slot: the request leaves the queue and
	 * undefined comes back. A retry uses it so that its wait stays within Max Retry Wait.
	 */
	async acquireWithin(ms: number): Promise<(() => void) | undefined> {
		return await new Promise((resolve) => {
			let settled = false;
			const waiter = (release: () => void) => {
				settled = true;
				resolve(release);
			};
			this.queue.push(waiter);
			this.pump();
			if (settled) return;
			void sleep(Math.max(0, Math.ceil(ms))).then(() => {
				if (settled) return;
				settled = true;
				const index = this.queue.indexOf(waiter);
				if (index >= 0) this.queue.splice(index, 1);
				resolve(undefined);
				// The head of the queue may have changed.
				this.pump();
			});
		});
	}

	private grant(): () => void {
		this.inFlight++;
		if (this.serverRemaining) this.serverRemaining.sentSince++;
		let released = false;
		return () => {
			if (released) return;
			released = true;
			this.released.push(Date.now());
			this.inFlight--;
			this.pump();
		};
	}

	/** Drops the releases that have left the window; returns how many slots are taken now. */
	private occupiedSlots(now: number): number {
		const windowMs = this.effectiveWindowMs;
		while (this.releasedHead < this.released.length && this.released[this.releasedHead] + windowMs <= now) {
			this.releasedHead++;
		}
		if (this.releasedHead > 1024 && this.releasedHead * 2 > this.released.length) {
			this.released = this.released.slice(this.releasedHead);
			this.releasedHead = 0;
		}
		return this.inFlight + this.released.length - this.releasedHead;
	}

	private pump() {
		while (this.queue.length) {
			const wait = this.waitTime(Date.now());
			if (wait > 0) {
				this.wakeIn(wait);
				return;
			}
			this.queue.shift()!(this.grant());
		}
	}

	/** One timer at a time, for the earliest moment something may change; releases pump too. */
	private wakeIn(wait: number) {
		if (wait === Infinity) return;
		const at = Date.now() + wait;
		if (this.wakeAt <= at) return;
		this.wakeAt = at;
		void sleep(Math.ceil(wait)).then(() => {
			if (this.wakeAt === at) this.wakeAt = Infinity;
			this.pump();
		});
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
			// Only a lower count than our own means another client uses the same app's budget;
			// then hold back until HubSpot's window has surely moved on.
			const now = Date.now();
			const ours = this.effectiveMax - this.occupiedSlots(now);
			this.serverRemaining = remaining < ours ? { remaining, at: now, sentSince: 0 } : undefined;
		}
	}

	/** After a 429: nobody sends until the pause is over. */
	pause(ms: number) {
		this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
		this.pump();
	}

	private waitTime(now: number): number {
		if (this.pausedUntil > now) return this.pausedUntil - now;
		if (this.inFlight >= this.limits.maxConcurrent) return Infinity; // woken by a release
		const windowMs = this.effectiveWindowMs;
		const occupied = this.occupiedSlots(now);
		let wait = 0;
		if (occupied >= this.effectiveMax) {
			// The slot that has to expire before one more request fits: released slots expire
			// oldest first, in-flight ones only after their response.
			const index = this.releasedHead + (occupied - this.effectiveMax);
			wait = index < this.released.length ? this.released[index] + windowMs - now : Infinity;
		}
		const hint = this.serverRemaining;
		if (hint && now < hint.at + windowMs && hint.sentSince >= hint.remaining) {
			wait = Math.max(wait, hint.at + windowMs - now);
		}
		return Math.max(0, wait);
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

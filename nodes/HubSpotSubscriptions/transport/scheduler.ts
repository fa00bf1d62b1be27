import { sleep } from 'n8n-workflow';

/**
 * Paces requests to HubSpot so that one credential never exceeds its rolling window
 * (by default 100 requests per 10 seconds), across every execution in this n8n process.
 *
 * A request takes a slot when it is sent and keeps it until one window after its response
 * arrived. HubSpot counts a request when it arrives, which is never later than our
 * response, so our count can only be the more cautious one: jitter in latency cannot
 * push HubSpot's count over the limit.
 *
 * Several n8n processes (queue mode: workers) each keep their own window, but HubSpot counts
 * per app across all of them. So every response's X-HubSpot-RateLimit-Remaining is read too:
 * what HubSpot counted beyond this process's own requests is what other clients sent. From an
 * answer that shows such use until OTHERS_MEMORY windows after the last one that did, this process
 * keeps its window to HubSpot's limit less what the freshest answer says the others used and a
 * small margin, and spreads its requests evenly over the window (bursts from
 * several processes would reach HubSpot together, before any answer shows one to the others).
 * When HubSpot's remaining count, less what this process sent since, reaches zero, it waits
 * until a whole window has passed since that answer. No shared store: HubSpot's headers are the
 * only thing the processes share. What this cannot prevent: before its first answers show the
 * others, a process may fill the window once with what it has in flight (README: Queue mode).
 */
export interface SchedulerLimits {
	maxRequests: number;
	windowMs: number;
	maxConcurrent: number;
}

/** A granted slot: call it once when the response arrived. `seq` numbers the grants of this scheduler. */
export type Slot = (() => void) & { readonly seq: number };

/**
 * Share of HubSpot's limit kept free for requests other processes have on the way that HubSpot
 * had not counted when it answered (with even spacing, a few per window).
 */
const SHARED_MARGIN = 0.05;

/**
 * For how many windows a process that stopped sending keeps the others' last figure: its next
 * request would otherwise start with the whole budget while the others may still be using it.
 */
const OTHERS_MEMORY = 10;

export class RateWindowScheduler {
	/** Requests sent whose response has not arrived: they hold a slot until a window after it does. */
	private inFlight = 0;

	/**
	 * When each answered request's slot was released, oldest first (release times only grow, so
	 * this stays sorted); entries before `releasedHead` have left the window.
	 */
	private released: number[] = [];

	private releasedHead = 0;

	private readonly queue: Array<(release: Slot) => void> = [];

	/** How many slots were granted so far (a slot's `seq` is the count including it). */
	private sent = 0;

	private wakeAt = Infinity;

	private pausedUntil = 0;

	/** The budget HubSpot reported (X-HubSpot-RateLimit-Max / -Interval-Milliseconds). */
	private serverMax: number | undefined;

	private serverWindowMs: number | undefined;

	/**
	 * HubSpot's remaining count from the freshest answer that showed another client (another n8n
	 * process) using the same app's budget: `seq` of the request it answered, `at` when it came.
	 */
	private serverRemaining: { remaining: number; at: number; seq: number } | undefined;

	/**
	 * What HubSpot counted for other clients when it answered last (`count`), and when an answer
	 * last showed them using any of the budget (`usedAt`).
	 */
	private othersSeen: { count: number; usedAt: number } | undefined;

	/**
	 * While others share the budget, grants are spread evenly: the next one is due at `paceAt`,
	 * `paceGap` after the one before it was due (so a late timer does not slow the pace down).
	 */
	private paceAt = 0;

	private paceGap = 0;

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
	async acquire(): Promise<Slot> {
		return await new Promise((resolve) => {
			this.queue.push(resolve);
			this.pump();
		});
	}

	/**
	 * Like acquire(), but gives up after `ms` without a slot: the request leaves the queue and
	 * undefined comes back. A retry uses it so that its wait stays within Max Retry Wait.
	 */
	async acquireWithin(ms: number): Promise<Slot | undefined> {
		return await new Promise((resolve) => {
			let settled = false;
			const waiter = (release: Slot) => {
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

	private grant(): Slot {
		if (this.paceGap > 0) {
			this.paceAt = Math.max(this.paceAt, Date.now() - this.paceGap) + this.paceGap;
		}
		this.inFlight++;
		const seq = ++this.sent;
		let released = false;
		const release = () => {
			if (released) return;
			released = true;
			this.released.push(Date.now());
			this.inFlight--;
			this.pump();
		};
		return Object.assign(release, { seq });
	}

	/** Drops the releases that have left the window; returns how many slots are taken now. */
	private occupiedSlots(now: number): number {
		const windowMs = this.effectiveWindowMs;
		while (
			this.releasedHead < this.released.length &&
			this.released[this.releasedHead] + windowMs <= now
		) {
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

	/**
	 * Called with every response's headers; `seq` is the slot the request was sent in (without
	 * it, the answer is taken as one to the latest request sent). `dailyLimit`: HubSpot refused it
	 * for the daily limit, so its Remaining 0 says nothing about who used the rolling window.
	 */
	observeHeaders(
		headers: Record<string, unknown> | undefined,
		seq = this.sent,
		dailyLimit = false,
	) {
		if (!headers) return;
		const max = numberHeader(headers, 'x-hubspot-ratelimit-max');
		const interval = numberHeader(headers, 'x-hubspot-ratelimit-interval-milliseconds');
		const remaining = numberHeader(headers, 'x-hubspot-ratelimit-remaining');
		if (max !== undefined && max > 0) this.serverMax = max;
		if (interval !== undefined && interval > 0) this.serverWindowMs = interval;
		if (remaining !== undefined && !dailyLimit) this.observeRemaining(remaining, seq, Date.now());
	}

	/**
	 * HubSpot's count includes every request it received for the app up to this one. What it
	 * counted beyond our own requests in the window is what other clients (other n8n processes)
	 * sent: while they are seen, this process leaves them that share of the budget and a margin.
	 * Our requests sent after this one may not be counted yet, so they count as ours still to come.
	 */
	private observeRemaining(remaining: number, seq: number, now: number) {
		const windowMs = this.effectiveWindowMs;
		const limit = this.serverMax ?? this.effectiveMax;
		const laterOfOurs = this.sent - seq;
		const oursCounted = Math.max(0, this.occupiedSlots(now) - laterOfOurs);
		const others = Math.max(0, limit - remaining - oursCounted);
		if (others > 0) this.othersSeen = { count: others, usedAt: now };
		else if (this.othersSeen) this.othersSeen.count = 0;
		const hint = this.serverRemaining;
		const available = remaining - laterOfOurs;
		if (
			!hint ||
			hint.at + windowMs <= now ||
			seq > hint.seq ||
			available <= this.serverAvailable(hint)
		) {
			this.serverRemaining = { remaining, at: now, seq };
		}
		this.pump();
	}

	private serverAvailable(hint: { remaining: number; seq: number }) {
		return hint.remaining - (this.sent - hint.seq);
	}

	/** Requests other processes may have on the way that HubSpot had not counted yet. */
	private get sharedMargin() {
		return Math.max(1, Math.ceil((this.serverMax ?? this.effectiveMax) * SHARED_MARGIN));
	}

	/** How many requests this process may have in the window now: all, unless others are seen. */
	private capacity(now: number): number {
		const others = this.othersNow(now);
		if (others === undefined) return this.effectiveMax;
		const limit = this.serverMax ?? this.effectiveMax;
		return Math.max(1, Math.min(this.effectiveMax, limit - others - this.sharedMargin));
	}

	/**
	 * What the others used by HubSpot's freshest answer, or undefined when no answer showed them
	 * for OTHERS_MEMORY windows. Until then the budget stays shared even while they pause (after
	 * a 429, say): taking the whole window then would answer their next requests with 429s.
	 */
	private othersNow(now: number): number | undefined {
		const seen = this.othersSeen;
		if (seen && seen.usedAt + this.effectiveWindowMs * OTHERS_MEMORY <= now) {
			this.othersSeen = undefined;
		}
		return this.othersSeen?.count;
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
		const capacity = this.capacity(now);
		let wait = 0;
		if (occupied >= capacity) {
			// The slot that has to expire before one more request fits: released slots expire
			// oldest first, in-flight ones only after their response.
			const index = this.releasedHead + (occupied - capacity);
			wait = index < this.released.length ? this.released[index] + windowMs - now : Infinity;
		}
		const shared = this.othersSeen !== undefined;
		// Spread evenly: requests sent in bursts reach HubSpot all at once, before the answers
		// that would show each process the others' bursts.
		this.paceGap = shared ? windowMs / capacity : 0;
		if (shared) wait = Math.max(wait, this.paceAt - now);
		const hint = this.serverRemaining;
		if (shared && hint && now < hint.at + windowMs && this.serverAvailable(hint) <= 0) {
			// HubSpot's budget is spent (the cap above keeps the margin; this is the backstop):
			// every request it had counted when it answered has left its window once that window
			// has passed since the answer.
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

/** Options of the WebSocket transport's per-connection rate limit. */
export interface RateLimitOptions {
  /** Messages per second allowed on average. Default 50. */
  perSecond?: number;
  /** Messages allowed in a burst. Default 100. */
  burst?: number;
  /** Extra tokens a bad message costs, so that a client sending garbage is limited sooner. Default 9. */
  badMessageCost?: number;
  /** Rejections (rate_limited answers) tolerated before the connection is closed with 1008; they leak at 1 per second. Default 20. */
  maxStrikes?: number;
}

/** A transport's rate limit, checked and in the units the limiter counts in (one object for all its connections). */
export interface ResolvedRateLimit {
  /** milliseconds one message's token takes to come back */
  readonly interval: number;
  /** how far ahead of now the bucket's "empty until" may run and a message still pass: (burst - 1) tokens */
  readonly tolerance: number;
  /** how far it may run at all: an empty bucket (burst tokens) */
  readonly depth: number;
  /** milliseconds a bad message adds (its extra tokens) */
  readonly badCost: number;
  /** rejections tolerated, in milliseconds of the leaky count (1 per second) */
  readonly maxStrikes: number;
}

/**
 * Checks `options` (a clear error at start-up, not a limiter that lets everything through) and
 * resolves them, defaults included.
 */
export function resolveRateLimit(options: RateLimitOptions = {}): ResolvedRateLimit {
  const rate = options.perSecond ?? 50;
  const burst = options.burst ?? 100;
  const bad = options.badMessageCost ?? 9;
  const strikes = options.maxStrikes ?? 20;
  if (!(rate > 0) || !Number.isFinite(rate)) throw new TypeError("rateLimit.perSecond is a number of messages per second, more than 0");
  if (!(burst >= 1) || !Number.isFinite(burst)) throw new TypeError("rateLimit.burst is a number of messages, 1 or more");
  if (!(bad >= 0) || !Number.isFinite(bad)) throw new TypeError("rateLimit.badMessageCost is a number of messages, 0 or more");
  if (!(strikes >= 0) || !Number.isFinite(strikes)) throw new TypeError("rateLimit.maxStrikes is a number of refusals, 0 or more");
  const interval = 1000 / rate;
  return Object.freeze({ interval, tolerance: (burst - 1) * interval, depth: burst * interval, badCost: bad * interval, maxStrikes: strikes * 1000 });
}

const DEFAULT = resolveRateLimit();

/**
 * A token bucket per WebSocket connection, plus a leaky count of rejections: a client over the
 * limit gets `rate_limited` answers, and one that keeps going regardless is closed.
 * (The HTTP transport's limiter is failure-limit.ts.)
 *
 * Each is kept as one time (the generic cell rate algorithm): when the bucket will be full again,
 * and when the rejections will have leaked away. The same limits as a bucket of tokens, in two
 * numbers per connection instead of four and the options (connections are many).
 *
 * @example
 * const limit = new RateLimiter(resolveRateLimit({ perSecond: 50, burst: 100 }));
 * if (!limit.take()) { if (limit.strike()) ws.close(1008); }
 */
export class RateLimiter {
  readonly #c: ResolvedRateLimit;
  /** when the bucket is full again (the tokens taken, each back after `interval`) */
  #full = 0;
  /** when the rejections counted have leaked away (1 per second) */
  #clear = 0;

  constructor(limit: ResolvedRateLimit = DEFAULT) {
    this.#c = limit;
  }

  /** Takes one token; false when the bucket is empty (the message must be refused). */
  take(): boolean {
    const now = performance.now();
    const full = this.#full > now ? this.#full : now;
    if (full - now > this.#c.tolerance) return false;
    this.#full = full + this.#c.interval;
    return true;
  }

  /** Charges the extra cost of a bad message (never below empty). */
  penalize(): void {
    const now = performance.now();
    const full = (this.#full > now ? this.#full : now) + this.#c.badCost;
    this.#full = Math.min(full, now + this.#c.depth);
  }

  /** Counts a rejection; true when the client has had enough of them to be closed. */
  strike(): boolean {
    const now = performance.now();
    this.#clear = (this.#clear > now ? this.#clear : now) + 1000;
    return this.#clear - now > this.#c.maxStrikes;
  }
}

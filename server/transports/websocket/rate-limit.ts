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

/**
 * A token bucket per WebSocket connection, plus a leaky count of rejections: a client over the
 * limit gets `rate_limited` answers, and one that keeps going regardless is closed.
 * (The HTTP transport's limiter is failure-limit.ts.)
 *
 * @example
 * const limit = new RateLimiter({ perSecond: 50, burst: 100 });
 * if (!limit.take()) { if (limit.strike()) ws.close(1008); }
 */
export class RateLimiter {
  readonly #rate: number;
  readonly #burst: number;
  readonly #badCost: number;
  readonly #maxStrikes: number;
  #tokens: number;
  #last = performance.now();
  #strikes = 0;
  #strikeAt = performance.now();

  constructor(options: RateLimitOptions = {}) {
    this.#rate = options.perSecond ?? 50;
    this.#burst = options.burst ?? 100;
    this.#badCost = options.badMessageCost ?? 9;
    this.#maxStrikes = options.maxStrikes ?? 20;
    this.#tokens = this.#burst;
  }

  /** Takes one token; false when the bucket is empty (the message must be refused). */
  take(): boolean {
    const now = performance.now();
    this.#tokens = Math.min(this.#burst, this.#tokens + ((now - this.#last) / 1000) * this.#rate);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /** Charges the extra cost of a bad message (never below empty). */
  penalize(): void {
    this.#tokens = Math.max(0, this.#tokens - this.#badCost);
  }

  /** Counts a rejection; true when the client has had enough of them to be closed. */
  strike(): boolean {
    const now = performance.now();
    this.#strikes = Math.max(0, this.#strikes - (now - this.#strikeAt) / 1000);
    this.#strikeAt = now;
    this.#strikes += 1;
    return this.#strikes > this.#maxStrikes;
  }
}

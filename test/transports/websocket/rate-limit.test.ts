// The per-connection rate limit (server/transports/websocket/rate-limit.ts) keeps two times where
// a token bucket keeps four numbers: it must refuse exactly what the bucket refuses. A reference
// bucket (the limiter as it was) and the limiter get the same random calls on a fake clock.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { RateLimiter, resolveRateLimit, type RateLimitOptions } from "../../../server/transports/websocket/rate-limit.js";

let now = 1000;
const realNow = performance.now.bind(performance);

/**
 * The token bucket the limiter replaces, in exact arithmetic: tokens counted in 1/2000ths (every
 * rate below refills a whole number of them per millisecond), strikes in 1/1000ths, so that no
 * rounding of its own can disagree with the limiter.
 */
class Bucket {
  static readonly U = 2000;
  tokens: number;
  last = now;
  strikes = 0;
  strikeAt = now;
  constructor(readonly rate: number, readonly burst: number, readonly bad: number, readonly max: number) {
    this.tokens = burst * Bucket.U;
  }
  take(): boolean {
    this.tokens = Math.min(this.burst * Bucket.U, this.tokens + (now - this.last) * (this.rate * Bucket.U) / 1000);
    this.last = now;
    if (this.tokens < Bucket.U) return false;
    this.tokens -= Bucket.U;
    return true;
  }
  penalize(): void {
    this.tokens = Math.max(0, this.tokens - this.bad * Bucket.U);
  }
  strike(): boolean {
    this.strikes = Math.max(0, this.strikes - (now - this.strikeAt));
    this.strikeAt = now;
    this.strikes += 1000;
    return this.strikes > this.max * 1000;
  }
}

test.before(() => {
  performance.now = () => now;
});
test.after(() => {
  performance.now = realNow;
});

test("it refuses exactly what a token bucket refuses, with bad messages and strikes, over random traffic", () => {
  let seed = 42;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  const configs: Required<RateLimitOptions>[] = [
    { perSecond: 50, burst: 100, badMessageCost: 9, maxStrikes: 20 },
    { perSecond: 10, burst: 1, badMessageCost: 0, maxStrikes: 0 },
    { perSecond: 0.5, burst: 6, badMessageCost: 3, maxStrikes: 2 },
  ];
  let differences = 0;
  let refusals = 0;
  for (const c of configs) {
    now = 1000;
    const ref = new Bucket(c.perSecond, c.burst, c.badMessageCost, c.maxStrikes);
    const lim = new RateLimiter(resolveRateLimit(c));
    for (let i = 0; i < 20_000; i++) {
      // bursts (no time passing) and pauses, on whole milliseconds (a float clock's last bit may round either way)
      now += rand() < 0.7 ? 0 : Math.floor(rand() * 400);
      // as a connection does: each message takes a token; a bad one (a fifth) is charged more at once, a refused one is a strike
      const a = ref.take(), b = lim.take();
      if (a !== b) differences++;
      if (!a) {
        refusals++;
        if (ref.strike() !== lim.strike()) differences++;
      } else if (rand() < 0.2) {
        ref.penalize();
        lim.penalize();
      }
    }
  }
  assert.ok(refusals > 1000, `the traffic hits the limit (${refusals} refusals)`);
  assert.is(differences, 0);
});

test("bad options are refused with a clear error, not a limiter that lets everything through", () => {
  for (const bad of [{ perSecond: 0 }, { perSecond: -1 }, { perSecond: Infinity }, { burst: 0 }, { burst: NaN }, { badMessageCost: -1 }, { maxStrikes: -2 }]) {
    assert.throws(() => resolveRateLimit(bad as RateLimitOptions), (e: unknown) => e instanceof TypeError && /rateLimit\./.test((e as Error).message), JSON.stringify(bad));
  }
});

test.run();

/**
 * Counts failures per client (by IP) in a sliding window, so that someone guessing state tokens
 * is turned away with 429 after `limit` failures a minute. No timers: old entries are pruned as
 * new failures arrive, so the limiter never keeps a process alive.
 */
export class FailureLimiter {
  readonly #hits = new Map<string, number[]>();
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #maxClients: number;

  constructor(options: { limit?: number; windowMs?: number; maxClients?: number } = {}) {
    this.#limit = options.limit ?? 20;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#maxClients = options.maxClients ?? 10_000;
  }

  /** True when `client` has failed `limit` times within the window. */
  blocked(client: string, now = Date.now()): boolean {
    const h = this.#recent(client, now);
    return !!h && h.length >= this.#limit;
  }

  /** Records one failure of `client`. */
  fail(client: string, now = Date.now()): void {
    const h = this.#recent(client, now) ?? [];
    h.push(now);
    this.#hits.delete(client);
    this.#hits.set(client, h); // re-inserted: the Map's order is least recently failed first
    if (this.#hits.size > this.#maxClients) this.#hits.delete(this.#hits.keys().next().value!);
  }

  #recent(client: string, now: number): number[] | undefined {
    const h = this.#hits.get(client);
    if (!h) return undefined;
    while (h.length && h[0]! <= now - this.#windowMs) h.shift();
    if (!h.length) this.#hits.delete(client);
    return h;
  }
}

/**
 * Where dehydrated component state lives between events and across reconnects.
 * `MemoryStore` is the reference implementation; `hotline/redis` has `RedisStore`.
 * Keys are opaque strings chosen by the transport (session key + instance id).
 *
 * @example
 * await store.save("s1:counter", { count: 3 }, 60_000);
 * const state = await store.load("s1:counter"); // { count: 3 } until the TTL runs out
 */
export interface StateStore {
  /** Saves `state` under `key`, replacing what was there; it expires after `ttlMs` (or the store's default). */
  save(key: string, state: Record<string, unknown>, ttlMs?: number): Promise<void>;
  /** The state saved under `key`, or `null` when absent or expired. */
  load(key: string): Promise<Record<string, unknown> | null>;
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /** Releases connections or timers. */
  close?(): Promise<void>;
}

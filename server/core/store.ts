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
  /**
   * Saves `state` under `key`, replacing what was there; it expires after `ttlMs` (or the store's
   * default). `owner` says on whose behalf (the hub gives `u:<user key>` for a signed-in user, else
   * `a:<address>` when the transport knows it): a bounded store may use it to share its room fairly
   * (MemoryStore evicts the largest owner's entries first); others may ignore it (RedisStore does).
   */
  save(key: string, state: Record<string, unknown>, ttlMs?: number, owner?: string): Promise<void>;
  /** The state saved under `key`, or `null` when absent or expired. */
  load(key: string): Promise<Record<string, unknown> | null>;
  /** Removes `key`; removing a missing key is not an error. */
  delete(key: string): Promise<void>;
  /**
   * Optional: calls `listener` whenever the store may have lost what it held (RedisStore: its
   * connection is back after an outage, and Redis may have restarted empty). The hub then saves the
   * state of every live instance again. Returns a function that stops listening.
   */
  onReset?(listener: () => void): () => void;
  /**
   * Optional: whether a write issued now goes straight onto a live connection. When it says false
   * (an offline queue, a full socket buffer), the live runtime holds an event's patch until its
   * write is answered instead of sending it at once (docs/durability.md).
   */
  writable?(): boolean;
  /**
   * Optional: calls `callback` once every save handed to the store so far is on its connection.
   * Without it, the live runtime takes a save as on its way once the microtasks and ticks of the
   * `save()` call have run and then one `setImmediate` (docs/durability.md, "A custom
   * `StateStore`"); a store whose client writes later than that says when here (RedisStore on
   * node-redis). Patches that must not overtake those saves wait for the callback.
   */
  afterWrites?(callback: () => void): void;
  /**
   * Optional: true when `save()` has applied the write before it returns (an in-process map, as
   * MemoryStore and FileStore): the live runtime then sends patches at once and holds nothing.
   */
  readonly synchronous?: boolean;
  /** Releases connections or timers. */
  close?(): Promise<void>;
}

import type { StateStore } from "./store.js";

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Most entries kept; past it the owner with the most entries loses its least recently used. Default 10,000. */
  maxEntries?: number;
  /** Most entries of one owner (see `save`); past it that owner's least recently used goes. Default 1,000. */
  maxEntriesPerOwner?: number;
  /** Default time to live, in ms. Default 30 minutes. */
  ttlMs?: number;
}

/** Entries saved without an owner: one bucket, with no quota of its own. */
const NOBODY = "";

/** What a successful save returns: settled, and the same every time (an async function would make one per call). */
const SAVED: Promise<void> = Promise.resolve();

/** One owner's keys, least recently used first (a Set keeps insertion order). */
interface Bucket {
  name: string;
  keys: Set<string>;
}

// An entry points at its owner's bucket, so that every entry of an owner shares its one name.
interface Entry {
  json: string;
  expires: number;
  bucket: Bucket;
}

/**
 * The reference {@link StateStore}: in this process's memory, bounded and with a TTL. States are
 * stored as JSON text, so a caller never shares an object with it.
 *
 * Entries are counted per owner (the hub gives a signed-in user's key, or the client's address):
 * one owner keeps at most `maxEntriesPerOwner`, and when the store is full the owner with the most
 * entries loses its least recently used first. So a client making many cheap joins evicts its
 * own entries, not other users' sessions. Entries saved without an owner share one bucket.
 */
export class MemoryStore implements StateStore {
  /** A save is applied within the call. */
  readonly synchronous = true;
  readonly #entries = new Map<string, Entry>();
  /** each owner's bucket */
  readonly #owners = new Map<string, Bucket>();
  /** owners by how many entries they have, to find the largest at once */
  readonly #byCount = new Map<number, Set<string>>();
  #largest = 0;
  readonly #max: number;
  readonly #perOwner: number;
  readonly #ttl: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.#max = options.maxEntries ?? 10_000;
    this.#perOwner = options.maxEntriesPerOwner ?? 1_000;
    this.#ttl = options.ttlMs ?? 30 * 60_000;
  }

  /** Applies the save within the call; the promise it returns is settled already (one shared promise when it succeeds). */
  save(key: string, state: Record<string, unknown>, ttlMs?: number, owner?: string): Promise<void> {
    try {
      this.#put(key, state, ttlMs, owner);
    } catch (err) {
      return Promise.reject(err);
    }
    return SAVED;
  }

  #put(key: string, state: Record<string, unknown>, ttlMs: number | undefined, owner: string | undefined): void {
    const who = owner ?? NOBODY;
    const json = JSON.stringify(state);
    const expires = Date.now() + (ttlMs ?? this.#ttl);
    const had = this.#entries.get(key);
    if (had?.bucket.name === who) {
      // The common case, an event's save over the same owner's entry: no count moves.
      had.json = json;
      had.expires = expires;
      const keys = had.bucket.keys;
      keys.delete(key);
      keys.add(key);
      return;
    }
    this.#remove(key);
    let bucket = this.#owners.get(who);
    if (!bucket) this.#owners.set(who, (bucket = { name: who, keys: new Set() }));
    this.#entries.set(key, { json, expires, bucket });
    const keys = bucket.keys;
    keys.add(key);
    this.#counted(who, keys.size - 1, keys.size);
    if (who !== NOBODY) while (keys.size > this.#perOwner) this.#remove(keys.values().next().value as string);
    while (this.#entries.size > this.#max) {
      const largest = this.#byCount.get(this.#largest)!.values().next().value as string;
      this.#remove(this.#owners.get(largest)!.keys.values().next().value as string);
    }
  }

  async load(key: string): Promise<Record<string, unknown> | null> {
    const entry = this.#entries.get(key);
    if (!entry) return null;
    if (entry.expires <= Date.now()) {
      this.#remove(key);
      return null;
    }
    // Re-insert: a Set keeps insertion order, so the front is always the owner's least recently used.
    const keys = entry.bucket.keys;
    keys.delete(key);
    keys.add(key);
    return JSON.parse(entry.json) as Record<string, unknown>;
  }

  async delete(key: string): Promise<void> {
    this.#remove(key);
  }

  /** Entries held now (expired ones included until they are next touched or evicted). */
  get size(): number {
    return this.#entries.size;
  }

  /** Entries held now for `owner` (`undefined`: those saved without one). */
  sizeOf(owner?: string): number {
    return this.#owners.get(owner ?? NOBODY)?.keys.size ?? 0;
  }

  #remove(key: string): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    const { name, keys } = entry.bucket;
    keys.delete(key);
    if (!keys.size) this.#owners.delete(name);
    this.#counted(name, keys.size + 1, keys.size);
  }

  /** Moves `owner` from the bucket of owners with `from` entries to the one with `to` (one more or one less). */
  #counted(owner: string, from: number, to: number): void {
    if (from > 0) {
      const was = this.#byCount.get(from)!;
      was.delete(owner);
      if (!was.size) this.#byCount.delete(from);
    }
    if (to > 0) {
      let now = this.#byCount.get(to);
      if (!now) this.#byCount.set(to, (now = new Set()));
      now.add(owner);
    }
    if (to > this.#largest) this.#largest = to;
    // Counts move by one: when the largest bucket empties, the owner that left it is one below.
    else if (from === this.#largest && !this.#byCount.has(from)) this.#largest = to;
  }
}

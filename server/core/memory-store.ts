import type { StateStore } from "./store.js";

/** Options of {@link MemoryStore}. */
export interface MemoryStoreOptions {
  /** Most entries kept; past it the least recently used goes first. Default 10,000. */
  maxEntries?: number;
  /** Default time to live, in ms. Default 30 minutes. */
  ttlMs?: number;
}

/**
 * The reference {@link StateStore}: in this process's memory, bounded (least recently used out
 * first) and with a TTL. States are stored as JSON text, so a caller never shares an object with it.
 */
export class MemoryStore implements StateStore {
  readonly #entries = new Map<string, { json: string; expires: number }>();
  readonly #max: number;
  readonly #ttl: number;

  constructor(options: MemoryStoreOptions = {}) {
    this.#max = options.maxEntries ?? 10_000;
    this.#ttl = options.ttlMs ?? 30 * 60_000;
  }

  async save(key: string, state: Record<string, unknown>, ttlMs?: number): Promise<void> {
    this.#entries.delete(key);
    this.#entries.set(key, { json: JSON.stringify(state), expires: Date.now() + (ttlMs ?? this.#ttl) });
    while (this.#entries.size > this.#max) {
      const oldest = this.#entries.keys().next().value as string;
      this.#entries.delete(oldest);
    }
  }

  async load(key: string): Promise<Record<string, unknown> | null> {
    const entry = this.#entries.get(key);
    if (!entry) return null;
    if (entry.expires <= Date.now()) {
      this.#entries.delete(key);
      return null;
    }
    // Re-insert: a Map keeps insertion order, so the front is always the least recently used.
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return JSON.parse(entry.json) as Record<string, unknown>;
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  /** Entries held now (expired ones included until they are next touched). */
  get size(): number {
    return this.#entries.size;
  }
}

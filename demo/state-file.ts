import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import type { StateStore } from "hotline";

type Entry = { json: string; expires: number };

/**
 * The demo's in-memory state store for a single process without Redis: like `MemoryStore`, and on
 * `close()` (a graceful stop) it writes its live entries to `file`, which the next start on the
 * same port reads back. So a page open across a `SIGTERM` restart resumes its components; a crash
 * (`SIGKILL`) still loses them, which is what Redis is for.
 *
 * @example
 * const store = new FileBackedStore("/tmp/hotline-demo-3000.json");
 * createHotline({ store });
 * // on shutdown, after hotline.close():
 * await store.close();
 */
export class FileBackedStore implements StateStore {
  readonly #entries = new Map<string, Entry>();
  readonly #file: string;
  readonly #max: number;
  readonly #ttl: number;

  constructor(file: string, options: { maxEntries?: number; ttlMs?: number } = {}) {
    this.#file = file;
    this.#max = options.maxEntries ?? 10_000;
    this.#ttl = options.ttlMs ?? 30 * 60_000;
    this.#restore();
  }

  async save(key: string, state: Record<string, unknown>, ttlMs?: number): Promise<void> {
    this.#entries.delete(key);
    this.#entries.set(key, { json: JSON.stringify(state), expires: Date.now() + (ttlMs ?? this.#ttl) });
    // a Map keeps insertion order: the first key is the least recently used
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value as string);
  }

  async load(key: string): Promise<Record<string, unknown> | null> {
    const e = this.#entries.get(key);
    if (!e) return null;
    this.#entries.delete(key);
    if (e.expires <= Date.now()) return null;
    this.#entries.set(key, e);
    return JSON.parse(e.json) as Record<string, unknown>;
  }

  async delete(key: string): Promise<void> {
    this.#entries.delete(key);
  }

  /** Writes the live entries to the file (atomically, readable by this user only). */
  async close(): Promise<void> {
    const now = Date.now();
    const live = [...this.#entries].filter(([, e]) => e.expires > now);
    const tmp = `${this.#file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(live), { mode: 0o600 });
    renameSync(tmp, this.#file);
  }

  get size(): number {
    return this.#entries.size;
  }

  #restore(): void {
    let text: string;
    try {
      text = readFileSync(this.#file, "utf8");
    } catch {
      return; // no earlier graceful stop
    }
    // read once: an older file must not come back after a later crash
    rmSync(this.#file, { force: true });
    try {
      const now = Date.now();
      for (const [key, e] of JSON.parse(text) as [string, Entry][]) {
        if (typeof key === "string" && typeof e?.json === "string" && e.expires > now) this.#entries.set(key, e);
      }
    } catch {
      // a damaged file is as good as none
    }
  }
}

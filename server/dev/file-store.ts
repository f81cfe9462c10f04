import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import type { StateStore } from "../core/store.js";

/** Options of {@link FileStore}. */
export interface FileStoreOptions {
  /** Most entries kept; past it the least recently used goes. Default 10,000. */
  maxEntries?: number;
  /** Default time to live, in ms. Default 30 minutes. */
  ttlMs?: number;
  /**
   * When the file is written. `"change"` (the default, what `hotline dev` uses): a few ms after
   * each change and on `close()`, and kept across starts, so that even a process killed without a
   * graceful stop comes back with its states. `"close"`: only on `close()` (a graceful stop), and
   * read back once by the next start, so that a crash loses them rather than bringing back older ones.
   */
  writeOn?: "change" | "close";
}

type Entry = { json: string; expires: number };

/** How long writes are gathered before the file is rewritten ("change" mode). */
const WRITE_DELAY_MS = 5;

/**
 * A {@link StateStore} for development: in this process's memory like `MemoryStore`, and written
 * to `file` so that the next process on the same file resumes every open page's components. It is
 * what `hotline dev` gives `createHotline()` by default (restarts keep sessions), and what a
 * single-process demo without Redis can use across a `SIGTERM` restart.
 *
 * Not for production: one process only, the whole file is rewritten on every write, and states
 * sit on disk in clear (readable by this user only). Use `RedisStore` (hotline/redis) there.
 *
 * @example
 * const store = new FileStore(join(tmpdir(), "my-app-states.json"));
 * const hotline = createHotline({ store });
 * // on shutdown, after hotline.close():
 * await store.close();
 */
export class FileStore implements StateStore {
  /** A save is applied within the call (the file is written later). */
  readonly synchronous = true;
  readonly #entries = new Map<string, Entry>();
  readonly #file: string;
  readonly #max: number;
  readonly #ttl: number;
  readonly #onChange: boolean;
  #timer: ReturnType<typeof setTimeout> | undefined;

  constructor(file: string, options: FileStoreOptions = {}) {
    this.#file = file;
    this.#max = options.maxEntries ?? 10_000;
    this.#ttl = options.ttlMs ?? 30 * 60_000;
    this.#onChange = (options.writeOn ?? "change") === "change";
    this.#restore();
  }

  /** The file it writes to. */
  get file(): string {
    return this.#file;
  }

  async save(key: string, state: Record<string, unknown>, ttlMs?: number): Promise<void> {
    this.#entries.delete(key);
    this.#entries.set(key, { json: JSON.stringify(state), expires: Date.now() + (ttlMs ?? this.#ttl) });
    // a Map keeps insertion order: the first key is the least recently used
    while (this.#entries.size > this.#max) this.#entries.delete(this.#entries.keys().next().value as string);
    this.#changed();
  }

  async load(key: string): Promise<Record<string, unknown> | null> {
    const e = this.#entries.get(key);
    if (!e) return null;
    this.#entries.delete(key);
    if (e.expires <= Date.now()) {
      this.#changed();
      return null;
    }
    this.#entries.set(key, e);
    return JSON.parse(e.json) as Record<string, unknown>;
  }

  async delete(key: string): Promise<void> {
    if (this.#entries.delete(key)) this.#changed();
  }

  /** Writes the live entries to the file now (atomically, readable by this user only). */
  async close(): Promise<void> {
    this.flush();
  }

  /** Writes the live entries to the file now, synchronously. */
  flush(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const now = Date.now();
    const live = [...this.#entries].filter(([, e]) => e.expires > now);
    const tmp = `${this.#file}.${process.pid}.tmp`;
    try {
      writeFileSync(tmp, JSON.stringify(live), { mode: 0o600 });
      renameSync(tmp, this.#file);
    } catch (err) {
      rmSync(tmp, { force: true });
      throw err;
    }
  }

  /** Entries held now (expired ones included until they are next touched). */
  get size(): number {
    return this.#entries.size;
  }

  #changed(): void {
    if (!this.#onChange || this.#timer) return;
    // Gathers the writes of one event (a save per instance) into one file write; unref'd, so a
    // store never keeps a process alive, and close() writes whatever is still pending.
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      try {
        this.flush();
      } catch (err) {
        console.error(`[hotline] FileStore cannot write ${this.#file}`, err);
      }
    }, WRITE_DELAY_MS);
    this.#timer.unref?.();
  }

  #restore(): void {
    let text: string;
    try {
      text = readFileSync(this.#file, "utf8");
    } catch {
      return; // nothing written yet
    }
    // "close" mode reads once: an older file must not come back after a later crash
    if (!this.#onChange) rmSync(this.#file, { force: true });
    try {
      const now = Date.now();
      for (const [key, e] of JSON.parse(text) as [string, Entry][]) {
        if (typeof key === "string" && typeof e?.json === "string" && typeof e.expires === "number" && e.expires > now) this.#entries.set(key, e);
      }
    } catch {
      // a damaged file is as good as none
    }
  }
}

/**
 * Temp files of uploads in progress: one directory per process (made on first use, removed when
 * the process exits), one file per entry, written at the offsets the chunks carry.
 */
import { randomUUID } from "node:crypto";
import { rmSync } from "node:fs";
import { mkdtemp, open, rm, type FileHandle } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dirs = new Map<string, Promise<string>>();
const made = new Set<string>();
let hooked = false;

/** This process's upload directory under `base` (default `os.tmpdir()`), made once. */
export function uploadDir(base = tmpdir()): Promise<string> {
  let d = dirs.get(base);
  if (!d) {
    d = mkdtemp(join(base, `hotline-uploads-${process.pid}-`)).then((dir) => {
      made.add(dir);
      if (!hooked) {
        hooked = true;
        // Whatever the connections left (a crash of the app's code, an exit without close()).
        process.once("exit", () => {
          for (const x of made) rmSync(x, { recursive: true, force: true });
        });
      }
      return dir;
    });
    d.catch(() => dirs.delete(base));
    dirs.set(base, d);
  }
  return d;
}

/** One entry's bytes on disk; writes run in order, `remove()` waits for them. */
export class TempFile {
  #tail: Promise<unknown>;
  #closed = false;

  private constructor(readonly path: string, readonly handle: FileHandle) {
    this.#tail = Promise.resolve();
  }

  /** A new empty file (readable by this user only) in `dir`. */
  static async create(dir: string): Promise<TempFile> {
    const path = join(dir, randomUUID());
    return new TempFile(path, await open(path, "wx", 0o600));
  }

  /** Writes `bytes` at `position`, after the writes before it. */
  write(bytes: Uint8Array, position: number): Promise<void> {
    const run = this.#tail.then(async () => {
      let done = 0;
      while (done < bytes.length) done += (await this.handle.write(bytes, done, bytes.length - done, position + done)).bytesWritten;
    });
    this.#tail = run.catch(() => undefined);
    return run;
  }

  /** Closes the file (its bytes stay), after the pending writes. */
  close(): Promise<void> {
    if (this.#closed) return this.#tail.then(() => undefined);
    this.#closed = true;
    const run = this.#tail.then(() => this.handle.close());
    this.#tail = run.catch(() => undefined);
    return run.catch(() => undefined);
  }

  /** Closes and deletes the file. */
  async remove(): Promise<void> {
    await this.close();
    await rm(this.path, { force: true });
  }
}

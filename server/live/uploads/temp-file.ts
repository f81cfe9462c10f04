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

type Pending = { bytes: Uint8Array; position: number; done(): void; fail(err: unknown): void };

/**
 * One entry's bytes on disk. Writes run in order; the chunks that arrived while one was on disk
 * go down together (one `writev` per contiguous run): a write per 64 KB chunk would cost a
 * thread-pool round trip each, and the upload would go at the speed of those round trips.
 */
export class TempFile {
  readonly #queue: Pending[] = [];
  #flushing: Promise<void> | undefined;
  /** Set and cleared synchronously around the flush loop: a write queued after its last check starts a new one. */
  #busy = false;
  #closed: Promise<void> | undefined;

  private constructor(readonly path: string, readonly handle: FileHandle) {}

  /** A new empty file (readable by this user only) in `dir`. */
  static async create(dir: string): Promise<TempFile> {
    const path = join(dir, randomUUID());
    return new TempFile(path, await open(path, "wx", 0o600));
  }

  /** Writes `bytes` at `position`, after the writes before it. */
  write(bytes: Uint8Array, position: number): Promise<void> {
    if (this.#closed) return Promise.reject(new Error("the temp file is closed"));
    return new Promise((done, fail) => {
      this.#queue.push({ bytes, position, done, fail });
      if (!this.#busy) this.#flushing = this.#flush();
    });
  }

  async #flush(): Promise<void> {
    this.#busy = true;
    while (this.#queue.length) {
      const batch = this.#queue.splice(0);
      for (let i = 0; i < batch.length; ) {
        let j = i + 1;
        let end = batch[i]!.position + batch[i]!.bytes.length;
        while (j < batch.length && batch[j]!.position === end) end += batch[j++]!.bytes.length;
        const run = batch.slice(i, j);
        try {
          await writeAll(this.handle, run.map((p) => p.bytes), run[0]!.position);
          for (const p of run) p.done();
        } catch (err) {
          for (const p of run) p.fail(err);
        }
        i = j;
      }
    }
    // In the same turn as the last look at the queue (every failure is caught above).
    this.#busy = false;
  }

  /** Closes the file (its bytes stay), after the pending writes. */
  close(): Promise<void> {
    return (this.#closed ??= (async () => {
      while (this.#busy) await this.#flushing;
      await this.handle.close().catch(() => undefined);
    })());
  }

  /** Closes and deletes the file. */
  async remove(): Promise<void> {
    await this.close();
    await rm(this.path, { force: true });
  }
}

async function writeAll(handle: FileHandle, buffers: Uint8Array[], position: number): Promise<void> {
  let { bytesWritten } = await handle.writev(buffers, position);
  const total = buffers.reduce((n, b) => n + b.length, 0);
  // A regular file takes it all at once; should it not, the rest goes after.
  if (bytesWritten < total) {
    const rest = Buffer.concat(buffers).subarray(bytesWritten);
    for (let done = 0; done < rest.length; ) done += (await handle.write(rest, done, rest.length - done, position + bytesWritten + done)).bytesWritten;
  }
}

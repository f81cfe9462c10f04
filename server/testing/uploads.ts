/**
 * `view.upload()`: files uploaded to a test view as a browser tab uploads them (docs/uploads.md):
 * the `upload` message through the transport's checks, then the view's own UploadManager (the one
 * a WebSocket connection makes: the same checks, limits, temp files, acks and progress renders)
 * gets the chunk frames the browser's uploads chunk would send, inside the window it is told.
 */
import { M, T } from "../../protocol/wire.js";
import type { Hotline } from "../hotline.js";
import type { HotlineError } from "../core/errors.js";
import type { LiveInstance } from "../live/instance.js";
import { MIN_CHUNK, UploadManager } from "../live/uploads/manager.js";
import { chunkFrame, type UploadClientMessage } from "../live/uploads/messages.js";
import { LiveTestError, misuse } from "./errors.js";
import { viewError, type ViewError } from "./frames.js";

/** A file to upload (what a person picks): its bytes, and what the browser says of it. */
export interface UploadFile {
  name: string;
  /** The MIME type the browser reports. Default "" (a browser that does not know it). */
  type?: string;
  content: Buffer | Uint8Array | string;
  /** Kept for parity with a browser's `File` (the wire does not carry it). */
  lastModified?: number;
}

/** Options of `view.upload()`. */
export interface ViewUploadOptions {
  /** Stop once this share (0–100) of each accepted file has been sent and acknowledged. Default 100. */
  progress?: number;
}

/** One announced file, as the server answered it. */
export interface ViewUploadEntry {
  readonly name: string;
  readonly size: number;
  /** Its entry ref (`this.uploads.<name>.entries[i].ref`); undefined for a file past `maxEntries` (not listed). */
  readonly ref: string | undefined;
  /** Why the server refused it (as the render shows them); empty when accepted. */
  readonly errors: readonly string[];
  /** Bytes sent so far. */
  readonly sent: number;
  /** The server stopped it (a cancel from either side, a replacing file). */
  readonly cancelled: boolean;
  /** An external upload (`allowUpload(name, { external })`): `progress()` reports progress instead of sending bytes. */
  readonly external: boolean;
}

type Frame = Record<string, unknown>;
type Entry = { name: string; size: number; ref: string | undefined; errors: string[]; sent: number; cancelled: boolean; external: boolean; bytes: Buffer; num: number; pct: number };

/** @internal What the view gives its uploads. */
export interface UploadHost {
  readonly label: string;
  readonly id: string;
  readonly app: Hotline;
  live(): LiveInstance;
  ref(): number;
  /** Through the transport's message checks. */
  check(m: Frame): UploadClientMessage;
  /** An error frame the view received. */
  error(e: ViewError): void;
  /** The instance's queue drained, its children and page settled. */
  settled(): Promise<void>;
}

const WAIT_MS = 10_000;

/** @internal One view's uploads: its UploadManager, as a connection holds one, and the frames it sends. */
export class ViewUploads {
  readonly #host: UploadHost;
  readonly #manager: UploadManager;
  readonly #answers = new Map<number, Frame>();
  readonly #acked = new Map<number, number>();
  readonly #cancelled = new Set<number>();
  #chunkError: HotlineError | undefined;
  #paused = false;
  #wake: () => void = () => {};
  #changed = this.#next();

  constructor(host: UploadHost) {
    this.#host = host;
    const ctx = host.app.hub.env.ctx;
    this.#manager = new UploadManager(
      {
        send: (f) => this.#frame(f),
        pause: () => void (this.#paused = true),
        resume: () => ((this.#paused = false), this.#wake()),
        log: (msg, err) => ctx.log(msg, err),
      },
      host.app.websocket.uploadLimits,
      ctx.options.maxPayload,
    );
  }

  #next(): Promise<void> {
    return new Promise((r) => (this.#wake = () => ((this.#changed = this.#next()), r())));
  }

  /** Waits (without sleeping) until `cond` holds; a clear error rather than a hang. */
  async #until(cond: () => boolean, what: string): Promise<void> {
    const end = Date.now() + WAIT_MS;
    while (!cond()) {
      if (this.#chunkError) {
        const e = this.#chunkError;
        this.#chunkError = undefined;
        throw new LiveTestError(e.code, `${this.#host.label} upload: the server refused a chunk: ${e.code}: ${e.message}`);
      }
      const left = end - Date.now();
      if (left <= 0) throw misuse(`${this.#host.label} upload: no answer from the server for ${WAIT_MS} ms while waiting for ${what}`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([this.#changed, new Promise((r) => (timer = setTimeout(r, left)))]);
      clearTimeout(timer);
    }
  }

  /** A frame the manager sent the "connection". */
  #frame(data: string): void {
    const f = JSON.parse(data) as Frame;
    const ref = f[M.ref] as number | undefined;
    switch (f[M.type]) {
      case T.upload:
        this.#answers.set(ref!, f);
        break;
      case T.uploadAck:
        this.#acked.set(f[M.entry] as number, f[M.at] as number);
        break;
      case T.uploadCancel:
        this.#cancelled.add(f[M.entry] as number);
        break;
      case T.error: {
        this.#host.error(viewError(f));
        if (ref !== undefined) this.#answers.set(ref, f);
        break;
      }
    }
    this.#wake();
  }

  /** Announces `files` for upload `name`, then sends them up to `options.progress`. */
  async start(name: string, files: readonly UploadFile[], options: ViewUploadOptions): Promise<ViewUpload> {
    const label = `${this.#host.label} upload("${name}")`;
    if (!Array.isArray(files) || !files.length) throw misuse(`${label}: give at least one file`);
    const list = files.map((f) => {
      if (!f || typeof f.name !== "string" || f.content === undefined) throw misuse(`${label}: each file is { name, type?, content }`);
      const bytes = typeof f.content === "string" ? Buffer.from(f.content, "utf8") : Buffer.from(f.content.buffer, f.content.byteOffset, f.content.byteLength);
      return { name: f.name, type: f.type ?? "", bytes };
    });
    const ref = this.#host.ref();
    const m = this.#host.check({ [M.type]: T.upload, [M.ref]: ref, [M.id]: this.#host.id, [M.name]: name, [M.entries]: list.map((f) => ({ [M.name]: f.name, [M.size]: f.bytes.length, [M.mime]: f.type })) });
    this.#manager.message(m, this.#host.live(), this.#host.id);
    await this.#until(() => this.#answers.has(ref), "the answer to the upload");
    const a = this.#answers.get(ref)!;
    this.#answers.delete(ref);
    await this.#host.settled(); // the render of the new entries
    if (a[M.type] === T.error) {
      throw new LiveTestError(String(a[M.code]), `${label}: ${a[M.code]}: ${a[M.message]}`, a[M.details] ? { details: a[M.details] as Record<string, unknown> } : {});
    }
    const answers = a[M.entries] as Frame[];
    const entries: Entry[] = list.map((f, i) => {
      const x = answers[i] ?? {};
      const num = x[M.entry] as number | undefined;
      return { name: f.name, size: f.bytes.length, bytes: f.bytes, num: num ?? 0, ref: num === undefined ? undefined : String(num), errors: (x[M.errors] as string[] | undefined) ?? [], sent: 0, cancelled: false, external: typeof x[M.url] === "string", pct: 0 };
    });
    const up = new ViewUpload(this, label, entries, a[M.chunk] as number, a[M.window] as number);
    await up.progress(options.progress ?? 100);
    return up;
  }

  /** @internal Sends `e`'s bytes up to `target`, in valid chunks inside the window; resolves once they are acknowledged. */
  async send(e: Entry, target: number, chunk: number, window: number, label: string): Promise<void> {
    const least = Math.min(MIN_CHUNK, chunk);
    const pieces: number[] = [];
    for (let at = e.sent; at < target; ) {
      const n = Math.min(chunk, target - at);
      if (n < least && at + n < e.size) {
        // a crumb that does not end the file is refused: share it with the piece before
        const last = pieces.pop();
        const total = (last ?? 0) + n;
        if (last === undefined || Math.floor(total / 2) < least) {
          throw misuse(`${label}: ${e.name} cannot stop at byte ${target} of ${e.size}: a chunk carries at least ${least} bytes unless it ends the file (use a larger file, or another percentage)`);
        }
        pieces.push(Math.ceil(total / 2), Math.floor(total / 2));
      } else pieces.push(n);
      at += n;
    }
    const acked = () => this.#acked.get(e.num) ?? 0;
    const gone = () => this.#cancelled.has(e.num);
    for (const n of pieces) {
      // the browser's uploads chunk waits for room for the whole next chunk: it would wait forever
      if (n > window) throw misuse(`${label}: the server's window (uploads.maxInFlightBytes: ${window} bytes) is smaller than a chunk (${n} bytes): a browser would never send it (raise maxInFlightBytes, or lower the upload's chunkSize)`);
      await this.#until(() => gone() || (!this.#paused && e.sent - acked() + n <= window), "room in the window");
      if (gone()) break;
      const refused = this.#manager.chunk(chunkFrame(e.num, e.sent, e.bytes.subarray(e.sent, e.sent + n)));
      if (refused) {
        this.#host.error({ code: refused.code, message: refused.message });
        throw new LiveTestError(refused.code, `${label}: the server refused a chunk of ${e.name}: ${refused.code}: ${refused.message}`);
      }
      e.sent += n;
    }
    await this.#until(() => gone() || acked() >= e.sent, `the acknowledgement of ${e.name}`);
    e.cancelled = gone();
  }

  /** @internal Sends a client message (`upload_cancel`, `upload_progress`) for entry `e`. */
  async message(t: string, e: Entry, extra: Frame, label: string): Promise<void> {
    const ref = this.#host.ref();
    const m = this.#host.check({ [M.type]: t, [M.ref]: ref, [M.id]: this.#host.id, [M.entry]: e.num, ...extra });
    this.#manager.message(m, this.#host.live(), this.#host.id);
    await this.#host.settled();
    const a = this.#answers.get(ref);
    this.#answers.delete(ref);
    if (a) throw new LiveTestError(String(a[M.code]), `${label}: ${a[M.code]}: ${a[M.message]}`);
  }

  /** @internal The progress renders waiting on their throttle, now; then the view is settled. */
  async rendered(): Promise<void> {
    this.#manager.flushProgress();
    await this.#host.settled();
  }

  /** @internal The view leaves: every entry's temp file goes (as when a connection closes). */
  close(): Promise<void> {
    return this.#manager.close();
  }
}

/**
 * Files announced to a view's upload, as `view.upload()` resolves them: what the server answered
 * for each, and the rest of the transfer to drive.
 *
 * @example
 * const up = await view.upload("avatar", [{ name: "me.png", type: "image/png", content: bytes }], { progress: 50 });
 * assert.match(view.html(), "50%");
 * await up.finish();
 * await view.form("form").submit();
 */
export class ViewUpload {
  readonly #uploads: ViewUploads;
  readonly #label: string;
  readonly #entries: Entry[];
  readonly #chunk: number;
  readonly #window: number;

  /** @internal Made by `view.upload()`. */
  constructor(uploads: ViewUploads, label: string, entries: Entry[], chunk: number, window: number) {
    this.#uploads = uploads;
    this.#label = label;
    this.#entries = entries;
    this.#chunk = chunk;
    this.#window = window;
  }

  /** Each announced file, in order, as the server answered it. */
  get entries(): ViewUploadEntry[] {
    return this.#entries.map(({ name, size, ref, errors, sent, cancelled, external }) => ({ name, size, ref, errors: [...errors], sent, cancelled, external }));
  }

  #live(): Entry[] {
    return this.#entries.filter((e) => e.ref !== undefined && !e.errors.length && !e.cancelled);
  }

  /**
   * Sends each accepted file up to `percent` (0–100) of its bytes (an external one: reports that
   * progress, as the browser does while it sends the file to storage); resolves once the server
   * has acknowledged them and the view shows the progress render.
   */
  async progress(percent: number): Promise<void> {
    if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw misuse(`${this.#label}: progress(${percent}): a percentage is an integer from 0 to 100`);
    for (const e of this.#live()) {
      if (percent < e.pct) throw misuse(`${this.#label}: progress(${percent}): ${e.name} is at ${e.pct}% already`);
      e.pct = percent;
      if (e.external) await this.#uploads.message(T.uploadProgress, e, { [M.progress]: percent }, this.#label);
      else await this.#uploads.send(e, Math.ceil((e.size * percent) / 100), this.#chunk, this.#window, this.#label);
    }
    await this.#uploads.rendered();
  }

  /** Sends the rest of every accepted file: `progress(100)`. */
  finish(): Promise<void> {
    return this.progress(100);
  }

  /**
   * Cancels the file named `name` (default: every file still going), as `hl-upload-cancel` does:
   * the `upload_cancel` message; the server drops the entry and its temp file, and re-renders.
   */
  async cancel(name?: string): Promise<void> {
    const which = this.#entries.filter((e) => e.ref !== undefined && !e.cancelled && (name === undefined || e.name === name));
    if (name !== undefined && !which.length) throw misuse(`${this.#label}: cancel("${name}"): no entry of that name is going (files: ${this.#entries.map((e) => e.name).join(", ")})`);
    for (const e of which) {
      e.cancelled = true;
      await this.#uploads.message(T.uploadCancel, e, {}, this.#label);
    }
  }

  /** An external upload's storage refused the file: `upload_progress` -1, as the browser reports it (the entry gets "the upload failed"). */
  async fail(name?: string): Promise<void> {
    for (const e of this.#live().filter((x) => x.external && (name === undefined || x.name === name))) {
      await this.#uploads.message(T.uploadProgress, e, { [M.progress]: -1 }, this.#label);
    }
  }
}

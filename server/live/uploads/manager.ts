/**
 * One connection's uploads: the entries it announced, their temp files, the chunks it sends
 * (checked, written in order, acknowledged), the window of bytes in flight, progress renders.
 * Everything an entry holds goes when it is consumed or cancelled, when its component leaves, or
 * when the connection closes.
 */
import { M, UPLOAD_HEADER_BYTES } from "../../../protocol/wire.js";
import { HotlineError } from "../../core/errors.js";
import type { ComponentClass } from "../../core/component.js";
import { backEntry, cancelUpload, checkFile, newEntry, removeEntry, type UploadEntry, type UploadSlot } from "../../core/uploads.js";
import type { LiveInstance } from "../instance.js";
import { errorFrame } from "../frames.js";
import type { ResolvedUploadLimits } from "./limits.js";
import { ackFrame, answerFrame, cancelFrame, readChunk, type UploadClientMessage, type UploadMessage } from "./messages.js";
import { TempFile, uploadDir } from "./temp-file.js";

/** What the manager needs of its connection. */
export interface UploadLink {
  send(frame: string): void;
  /** Stop reading the socket (the server's writes are behind); `resume` reads again. */
  pause(): void;
  resume(): void;
  log(message: string, err?: unknown): void;
}

type Rec = {
  ref: number;
  viewer: string;
  live: LiveInstance;
  slot: UploadSlot;
  entry: UploadEntry;
  file?: TempFile;
  meta?: unknown;
  external: boolean;
  /** The least bytes a chunk carries unless it ends the file: from the chunk size its answer gave. */
  least: number;
  /** bytes received (written or being written) */
  next: number;
  written: number;
  dropped: boolean;
};

/** Entry refs, unique in the process (a number on the wire, a string in renders). */
let seq = 0;
const NOTHING = () => {};
/** Refs recently dropped per connection whose late chunks are ignored rather than refused. */
const GONE_KEPT = 256;
/** The least file bytes a chunk carries, unless it ends the file (or the upload's chunk size is smaller). */
export const MIN_CHUNK = 1024;

export class UploadManager {
  readonly #link: UploadLink;
  readonly #limits: ResolvedUploadLimits;
  /** file bytes per chunk frame: the frame limit minus the header */
  readonly #maxChunk: number;
  readonly #recs = new Map<number, Rec>();
  readonly #gone = new Set<number>();
  readonly #timers = new Map<LiveInstance, NodeJS.Timeout>();
  /** Entries with bytes written since their last ack: one ack each per batch of writes. */
  readonly #unacked = new Set<Rec>();
  #pending = 0;
  #paused = false;
  #closed = false;

  constructor(link: UploadLink, limits: ResolvedUploadLimits, maxPayload: number) {
    this.#link = link;
    this.#limits = limits;
    this.#maxChunk = maxPayload - UPLOAD_HEADER_BYTES;
  }

  /** An upload message for `live`, joined on this connection as `viewer`. */
  message(m: UploadClientMessage, live: LiveInstance, viewer: string): void {
    if (this.#closed) return;
    try {
      this.#message(m, live, viewer);
    } catch (err) {
      // Never a crash of the socket's listener: the framework's fault, logged, told generically.
      this.#link.log(`component "${live.name}": an upload message failed`, err);
      this.#link.send(errorFrame(new HotlineError("handler_error", "the upload failed", { fault: "framework" }), m.ref, m.id));
    }
  }

  #message(m: UploadClientMessage, live: LiveInstance, viewer: string): void {
    if (m.t === "upload") return this.#announce(m, live, viewer);
    const rec = this.#recs.get(m[M.entry]);
    if (m.t === "upload_cancel") {
      if (rec && rec.viewer === viewer) void this.#drop(rec, false, false);
      else if (!rec) for (const slot of Object.values(live.component.uploads)) cancelUpload(live.component, slot.name, m[M.entry]);
      return this.#render(live, true);
    }
    if (!rec || rec.viewer !== viewer || !rec.external || rec.entry.done) {
      return this.#link.send(errorFrame(new HotlineError("bad_message", "no external upload with this entry ref is in progress"), m.ref, m.id));
    }
    const p = m[M.progress];
    if (p < 0) {
      rec.entry.errors.push("the upload failed");
      void this.#drop(rec, false, true);
    } else {
      rec.entry.progress = p;
      if (p === 100) rec.entry.done = true;
    }
    this.#render(live, p < 0 || p === 100);
  }

  #announce(m: UploadMessage, live: LiveInstance, viewer: string): void {
    const fail = (message: string) => this.#link.send(errorFrame(new HotlineError("bad_message", message), m.ref, m.id));
    const component = live.component;
    if ((component.constructor as ComponentClass).shared) return fail("a shared component takes no uploads");
    const slot = component.uploads[m[M.name]];
    if (!slot) return fail("this component takes no upload by that name");
    // In the instance's queue: the entries change between renders, never during one.
    live.act(async () => {
      const answers: Record<string, unknown>[] = [];
      for (const e of [...slot.entries]) if (e.errors.length) removeEntry(slot, e);
      slot.errors.length = 0;
      const files = m[M.entries];
      const max = slot.options.maxEntries;
      const chunk = this.#chunkOf(slot);
      // One file at a time: a new valid one replaces the one held.
      if (max === 1 && files.some((f) => !checkFile(slot, f).length)) {
        for (const rec of [...this.#recs.values()]) if (rec.slot === slot) await this.#drop(rec, true, false);
        slot.entries.length = 0;
      }
      let held = slot.entries.length;
      let bytes = slot.entries.reduce((n, e) => n + e.size, 0);
      let tooMany = false;
      for (const file of files) {
        const errors = checkFile(slot, file);
        if (!errors.length) {
          if (held >= max) {
            tooMany = true;
            answers.push({ [M.errors]: [`too many files (at most ${max})`] });
            continue;
          }
          if (bytes + file.size > this.#limits.maxUploadBytes) errors.push(`too large in all (at most ${this.#limits.maxUploadBytes} bytes at once)`);
          else if (this.#recs.size >= this.#limits.maxEntriesPerConnection) errors.push("too many uploads at once; try again when some are done");
        }
        const ref = (seq = (seq % 0xffffffff) + 1);
        const entry = newEntry(String(ref), file, errors);
        slot.entries.push(entry);
        if (errors.length) {
          answers.push({ [M.entry]: ref, [M.errors]: errors });
          continue;
        }
        held++;
        bytes += file.size;
        const rec: Rec = { ref, viewer, live, slot, entry, external: !!slot.options.external, least: Math.min(MIN_CHUNK, chunk), next: 0, written: 0, dropped: false };
        this.#recs.set(ref, rec);
        backEntry(entry, { get path() { return rec.file?.path; }, get meta() { return rec.meta; }, drop: () => this.#drop(rec, true, false) });
        try {
          if (slot.options.external) {
            const x = await slot.options.external({ ...file }, component);
            if (!x || typeof x.url !== "string") throw new TypeError("external() must return { url }");
            rec.meta = x.meta;
            answers.push({ [M.entry]: ref, [M.url]: x.url, ...(x.fields && { [M.fields]: x.fields }), ...(x.method && { [M.method]: x.method }) });
            continue;
          }
          rec.file = await TempFile.create(await uploadDir(this.#limits.tempDir));
          if (this.#closed || rec.dropped) {
            await rec.file.remove();
            continue;
          }
          if (file.size === 0) {
            entry.done = true;
            entry.progress = 100;
            void rec.file.close();
          }
          answers.push({ [M.entry]: ref });
        } catch (err) {
          this.#link.log(`component "${live.name}": an upload could not start`, err);
          entry.errors.push("the upload could not start");
          void this.#drop(rec, false, true);
          answers.push({ [M.entry]: ref, [M.errors]: entry.errors });
        }
      }
      if (tooMany) slot.errors.push(`too many files (at most ${max})`);
      this.#link.send(answerFrame(m.ref, m.id, answers, chunk, this.#limits.maxInFlightBytes));
    }, "an upload");
  }

  /** A binary frame: a chunk of an entry in progress. Returns the error to answer with, if any. */
  chunk(data: Buffer): HotlineError | undefined {
    try {
      return this.#chunk(data);
    } catch (err) {
      this.#link.log("an upload chunk failed", err);
      return new HotlineError("handler_error", "the upload failed", { fault: "framework" });
    }
  }

  #chunk(data: Buffer): HotlineError | undefined {
    const c = readChunk(data);
    if (typeof c === "string") return new HotlineError("bad_message", c);
    const rec = this.#recs.get(c.ref);
    if (!rec) return this.#gone.has(c.ref) ? undefined : new HotlineError("bad_message", "no upload entry with this ref is in progress on this connection");
    if (rec.external || rec.entry.done) return new HotlineError("bad_message", "this upload entry takes no chunks");
    // Its temp file is being made: the answer, which the client waits for, is not sent yet.
    if (!rec.file) return new HotlineError("bad_message", "this upload entry is not ready for chunks");
    const n = c.bytes.length;
    if (c.offset !== rec.next || n === 0) return this.#refuse(rec, "bad_message", `a chunk must start where the last one ended (byte ${rec.next}) and carry bytes`);
    if (c.offset + n > rec.entry.size) return this.#refuse(rec, "too_large", "a chunk goes past the file's announced size");
    // Chunks are paced by bytes, not counted: crumbs would cost a write and an ack each.
    if (n < rec.least && c.offset + n < rec.entry.size) return this.#refuse(rec, "bad_message", `a chunk carries at least ${MIN_CHUNK} bytes unless it ends the file`);
    rec.next += n;
    this.#pending += n;
    if (!this.#paused && this.#pending > this.#limits.maxInFlightBytes) {
      // The client ignores its window (or the disk is slow): stop reading until the writes catch up.
      this.#paused = true;
      this.#link.pause();
    }
    rec.file!.write(c.bytes, c.offset).then(
      () => this.#written(rec, n),
      (err) => {
        this.#settle(n);
        if (rec.dropped) return;
        this.#link.log(`component "${rec.live.name}": an upload's temp file failed`, err);
        rec.entry.errors.push("the upload failed on the server");
        void this.#drop(rec, true, true);
        this.#render(rec.live, true);
      },
    );
    return undefined;
  }

  /**
   * The most file bytes per chunk frame for `slot`: its `chunkSize`, within the frame limit and
   * the connection's window (a client waits for room for a whole chunk: a chunk larger than the
   * window would never be sent).
   */
  #chunkOf(slot: UploadSlot): number {
    return Math.min(slot.options.chunkSize, this.#maxChunk, this.#limits.maxInFlightBytes);
  }

  #refuse(rec: Rec, code: "bad_message" | "too_large", message: string): HotlineError {
    rec.entry.errors.push("the upload failed");
    void this.#drop(rec, true, true);
    this.#render(rec.live, true);
    return new HotlineError(code, message);
  }

  #settle(n: number): void {
    this.#pending -= n;
    if (this.#paused && this.#pending <= this.#limits.maxInFlightBytes / 2) {
      this.#paused = false;
      if (!this.#closed) this.#link.resume();
    }
  }

  #written(rec: Rec, n: number): void {
    this.#settle(n);
    if (rec.dropped || this.#closed) return;
    rec.written += n;
    // The chunks of one writev settle in one run of microtasks: their acks go as one, after them.
    if (!this.#unacked.size) queueMicrotask(() => this.#ack());
    this.#unacked.add(rec);
    const done = rec.written === rec.entry.size;
    rec.entry.progress = done ? 100 : Math.floor((rec.written * 100) / rec.entry.size);
    if (done) {
      rec.entry.done = true;
      void rec.file!.close();
    }
    this.#render(rec.live, done);
  }

  #ack(): void {
    for (const rec of this.#unacked) if (!rec.dropped && !this.#closed) this.#link.send(ackFrame(rec.ref, rec.written));
    this.#unacked.clear();
  }

  /**
   * Lets an entry go: its temp file is deleted; `tell` stops the client's transfer when it is still
   * sending; `keep` leaves it in its slot (with its errors) for the render.
   */
  #drop(rec: Rec, tell: boolean, keep: boolean): Promise<void> {
    if (rec.dropped) return Promise.resolve();
    rec.dropped = true;
    this.#recs.delete(rec.ref);
    this.#gone.add(rec.ref);
    if (this.#gone.size > GONE_KEPT) this.#gone.delete(this.#gone.values().next().value!);
    if (!keep) removeEntry(rec.slot, rec.entry);
    if (tell && !rec.entry.done && !this.#closed) this.#link.send(cancelFrame(rec.viewer, rec.ref));
    return rec.file ? rec.file.remove().catch((err) => this.#link.log("cannot delete an upload's temp file", err)) : Promise.resolve();
  }

  /** Re-renders `live` now, or within `progressMs` (throttled progress). */
  #render(live: LiveInstance, now: boolean): void {
    const t = this.#timers.get(live);
    if (t && !now) return;
    if (t) clearTimeout(t);
    this.#timers.delete(live);
    if (now) return live.act(NOTHING, "upload progress");
    this.#timers.set(live, setTimeout(() => {
      this.#timers.delete(live);
      if (!this.#closed && !live.closed) live.act(NOTHING, "upload progress");
    }, this.#limits.progressMs));
  }

  /** Sends the progress renders waiting on their throttle now (hotline/testing reads a render at once). */
  flushProgress(): void {
    for (const live of [...this.#timers.keys()]) this.#render(live, true);
  }

  /** The component joined as `viewer` left: its entries' files go. */
  left(viewer: string): Promise<void> {
    return Promise.all([...this.#recs.values()].filter((r) => r.viewer === viewer).map((r) => this.#drop(r, false, false))).then(NOTHING);
  }

  /** The connection closed: every entry's file goes. */
  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    for (const t of this.#timers.values()) clearTimeout(t);
    this.#timers.clear();
    return Promise.all([...this.#recs.values()].map((r) => this.#drop(r, false, false))).then(NOTHING);
  }
}

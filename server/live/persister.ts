import type { ViewerSet } from "./viewers.js";
import { WAIT_MS, type Sink, type Writes } from "./writes.js";

// One instance's side of write-behind; the rule and the process's side are in writes.ts.

/** What a persister asks of its instance. */
export interface PersisterHost<V extends Sink> {
  /** its component's name (for the log) */
  readonly name: string;
  /** on whose behalf its state is saved (the store's quotas) */
  readonly owner: string | undefined;
  /** who may still receive a held frame: a viewer that left gets nothing more */
  readonly viewers: ViewerSet<V>;
  /** where its state is saved */
  readonly storeKey: string;
  /** the process's writes */
  readonly env: { readonly writes: Writes };
}

/** The frames sent together once the write before them is on its way (or answered). */
export interface Batch {
  /** viewer, frame, viewer, frame, … */
  out: unknown[];
  ready: boolean;
  sent?: Promise<void>;
  resolveSent?: () => void;
}

/** A record waiting to be handed to the store. */
interface Pending {
  record: Record<string, unknown> & { s?: unknown };
  /** the record's state is a copy, safe from the live state's changes */
  sealed: boolean;
}

/**
 * One instance's outgoing side: its state writes and the frames that must not overtake them.
 * Frames go out at once while nothing is pending (always, with the memory store); after a write
 * they are held until that write is on its way, then sent in order.
 */
export class Persister<V extends Sink> {
  readonly #host: PersisterHost<V>;
  #next: Pending | undefined;
  /** the batch collecting frames for the next write (or for after the batches before it) */
  #open: Batch | undefined;
  /** batches handed over, in order; the head goes out once ready */
  #queue: Batch[] | undefined;
  #scheduled = false;
  /** a write whose answer the held frames wait for */
  #waiting = false;
  #inFlight = 0;
  /** what was last handed to the store (a state signature), to skip writing the same again */
  #sig: string | undefined;
  #flushes: (() => void)[] | undefined;

  constructor(host: PersisterHost<V>) {
    this.#host = host;
  }

  // Read from the host, not copied here: one persister per live instance, so each field counts.
  get #writes(): Writes {
    return this.#host.env.writes;
  }

  /** True when a frame sent now goes out at once (nothing is waiting to be written or sent). */
  get idle(): boolean {
    return this.#open === undefined && this.#queue === undefined;
  }

  /** Nothing to write, to wait for or to send: every write of its instance is answered. */
  get settled(): boolean {
    return this.idle && this.#next === undefined && this.#inFlight === 0 && !this.#scheduled && !this.#waiting;
  }

  /** Takes `sig` as what the store holds (a state rebuilt from what it last saved). */
  known(sig: string): void {
    this.#sig = sig;
  }

  /** Whether `sig` is what was last handed to the store. */
  same(sig: string): boolean {
    return sig === this.#sig;
  }

  /**
   * Hands `record` (the instance's state now) to the store, coalesced with the writes not yet
   * handed over; `sig` is its signature when known (see {@link same}).
   */
  write(record: Record<string, unknown>, sig: string | undefined): void {
    this.#sig = sig;
    if (this.#writes.mode === "sync" && this.idle) {
      this.#apply(record);
      return;
    }
    this.#next = { record, sealed: false };
    this.#open ??= { out: [], ready: false };
    this.#schedule();
  }

  /**
   * The state of a write not yet handed over is the instance's live state: before work that may
   * change it across an await (an async handler, a callback), it is copied, so that the store never
   * gets a state half-way through an event.
   */
  seal(): void {
    const next = this.#next;
    if (!next || next.sealed) return;
    if (next.record.s !== undefined) next.record.s = structuredClone(next.record.s);
    next.sealed = true;
  }

  /** Sends `frame` to `viewer` at once when nothing is pending, else after what is pending. */
  send(viewer: V, frame: string | Buffer): void {
    if (this.idle) return viewer.send(frame);
    (this.#open ??= { out: [], ready: false }).out.push(viewer, frame);
    this.#schedule();
  }

  /** Resolves once every frame handed to {@link send} so far has been sent. */
  sent(): Promise<void> {
    const last = this.#open ?? this.#queue?.[this.#queue.length - 1];
    if (!last) return Promise.resolve();
    return (last.sent ??= new Promise<void>((resolve) => (last.resolveSent = resolve)));
  }

  /** Resolves once every write is handed over and answered and every frame sent. */
  flush(): Promise<void> {
    if (this.idle && this.#inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => (this.#flushes ??= []).push(resolve));
  }

  #schedule(): void {
    if (this.#scheduled || this.#waiting) return;
    this.#scheduled = true;
    this.#writes.busy(this as Persister<Sink>);
    // After the microtasks now queued: the events read from one socket chunk are handled by then,
    // and their states coalesce into one write.
    process.nextTick(() => this.#pump());
  }

  #pump(): void {
    this.#scheduled = false;
    const batch = this.#open;
    const next = this.#next;
    this.#open = undefined;
    this.#next = undefined;
    if (!batch) return this.#settle();
    (this.#queue ??= []).push(batch);
    if (!next) {
      batch.ready = true;
      return this.#release();
    }
    const writes = this.#writes;
    if (writes.mode === "sync") {
      this.#apply(next.record);
      batch.ready = true;
      return this.#release();
    }
    if (writes.mayGoAhead(this.#inFlight)) {
      this.#issue(next.record);
      writes.afterTurn(this as Persister<Sink>, batch);
      return;
    }
    this.#waiting = true;
    void writes.waitFor(this.#issue(next.record)).then((ok) => {
      if (ok === undefined) this.#late();
      this.#waiting = false;
      batch.ready = true;
      this.#release();
      if (this.#open) this.#schedule();
    });
  }

  /** @internal The write before `batch` is on its way (Writes.afterTurn): its frames may go. */
  issued(batch: Batch): void {
    batch.ready = true;
    this.#release();
  }

  /** Hands a record to the store; resolves with whether the store took it. */
  #issue(record: Record<string, unknown>): Promise<boolean> {
    this.#inFlight++;
    this.#writes.issued();
    return this.#save(record).then(
      () => this.#answered(true),
      (err: unknown) => {
        this.#failed(err);
        return this.#answered(false);
      },
    );
  }

  /**
   * Hands a record to a synchronous store (`StateStore.synchronous`: the MemoryStore), which has
   * applied it when the call returns: nothing is in flight, and only a failure is heard of, later.
   */
  #apply(record: Record<string, unknown>): void {
    this.#save(record).then(undefined, (err: unknown) => this.#failed(err));
  }

  /** The store's `save()` of `record`; a store that throws gives a rejected promise instead. */
  #save(record: Record<string, unknown>): Promise<void> {
    const writes = this.#writes;
    try {
      return writes.store.save(this.#host.storeKey, record, writes.ctx.options.stateTtlMs, this.#host.owner);
    } catch (err) {
      return Promise.reject(err);
    }
  }

  /** A write failed: logged, and the next unforced save writes again. */
  #failed(err: unknown): void {
    // The client still gets its patch: a store outage costs resumability, not the live session.
    this.#sig = undefined;
    this.#writes.ctx.log(`cannot save the state of "${this.#host.name}"`, err);
  }

  #answered(ok: boolean): boolean {
    this.#inFlight--;
    this.#writes.answered(ok);
    this.#settle();
    return ok;
  }

  /** A write not answered in time counts as failed until one succeeds. */
  #late(): void {
    this.#writes.failing = true;
    this.#sig = undefined;
    this.#writes.ctx.log(`the state store did not answer within ${WAIT_MS} ms; patches go out without waiting for it`);
  }

  /** Sends the ready batches at the head of the queue, in order. */
  #release(): void {
    const queue = this.#queue;
    while (queue?.length && queue[0]!.ready) {
      const batch = queue.shift()!;
      const out = batch.out;
      const viewers = this.#host.viewers;
      for (let i = 0; i < out.length; i += 2) {
        const v = out[i] as V;
        if (viewers.has(v)) v.send(out[i + 1] as string | Buffer);
      }
      batch.resolveSent?.();
    }
    if (queue && !queue.length) this.#queue = undefined;
    this.#settle();
  }

  /** Tells those waiting for a flush when nothing is pending any more. */
  #settle(): void {
    if (!this.idle || this.#inFlight > 0 || this.#scheduled || this.#waiting) return;
    const flushes = this.#flushes;
    this.#flushes = undefined;
    if (flushes) for (const f of flushes) f();
    this.#writes.done(this as Persister<Sink>);
  }
}

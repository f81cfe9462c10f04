import type { StateStore } from "../core/store.js";
import type { AppContext } from "./context.js";
import { endTurn } from "./turn.js";
import type { ViewerSet } from "./viewers.js";

/**
 * Write-behind: an instance's state write is handed to the store before its patch is sent, and the
 * patch does not wait for the store's answer, unless the store looks unhealthy. The rule (stated
 * for users in docs/durability.md):
 *
 * - Writes of one instance are coalesced: the events handled before the write goes out (a burst
 *   read from one socket chunk, or those queued while the patch waits) write only the last state.
 * - A patch (and every frame the instance sends after it) leaves only once the write covering its
 *   state has been handed to the store and the store's client has had the turn it needs to put it
 *   on its connection: the same turn of the event loop for the memory store; for any other store,
 *   the microtasks and ticks of the `save()` call, then one `setImmediate` (ioredis writes to its
 *   socket within `save()`'s microtasks, node-redis in a `setImmediate` it schedules there).
 * - It does not wait for the answer while the store is healthy: the last answered write did not
 *   fail, the instance has fewer than {@link MAX_IN_FLIGHT_PER_INSTANCE} writes unanswered, the
 *   process fewer than {@link MAX_IN_FLIGHT}, and, when some are unanswered, the store answered one
 *   within the last {@link STALL_MS}. Otherwise (and always with `writeBehind: false`) the patch
 *   waits for the answer (save-before-send), at most {@link WAIT_MS}; a failed or late write is
 *   logged and the patch goes anyway: a store outage costs resumability, never the live session.
 *
 * Writes of one instance are handed to the store in order and a newer state is never followed by
 * an older one; several may be unanswered at once, so the store must apply one key's writes in the
 * order it was given them (MemoryStore does at once; RedisStore sends them on one connection).
 */

/** Writes of one instance handed to the store and not yet answered, past which its patches wait for the answer. */
export const MAX_IN_FLIGHT_PER_INSTANCE = 4;
/** Writes of the whole process not yet answered, past which every patch waits for its write's answer. */
export const MAX_IN_FLIGHT = 1_000;
/** While writes are unanswered and none was answered for this long, the store counts as stalled (offline, backlogged). */
export const STALL_MS = 100;
/** Longest a patch waits for its write's answer; then the write counts as failed and the patch goes. */
export const WAIT_MS = 5_000;

/** How often waits are checked against {@link WAIT_MS}. */
const SWEEP_MS = 250;

/** A patch waiting for its write's answer. */
interface Wait {
  since: number;
  late(): void;
}

/**
 * A store that can tell whether a write handed to it now goes straight onto a live connection
 * (`StateStore.writable`, optional; RedisStore offers it). When it says false, patches wait for
 * their write's answer at once instead of after {@link STALL_MS}.
 */
export type WritableStore = StateStore;

/** How an app's writes reach its store: `sync` (a `synchronous` store such as the MemoryStore: applied within `save()`), `behind`, or `strict` (save-before-send). */
export type WriteMode = "sync" | "behind" | "strict";

/** Something an instance sends: a frame, and the viewer it is for. */
interface Sink {
  send(frame: string | Buffer): void;
}

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

/**
 * The process's side of write-behind (one per hub): the store, the mode, and the health figures
 * every instance's persister reads (writes unanswered, last answer, last failure).
 */
export class Writes {
  readonly mode: WriteMode;
  /** writes handed to the store and not answered yet */
  inFlight = 0;
  /** the last answered write failed (or timed out): patches wait until one succeeds */
  failing = false;
  /** when a write was last answered, or when writes started to be unanswered */
  #progress = 0;
  /** persisters with something not yet written, answered or sent (for a graceful close) */
  readonly #busy = new Set<Persister<Sink>>();
  #idle: (() => void)[] = [];
  /** patches waiting for their write's answer */
  readonly #waits = new Set<Wait>();
  #sweeper: NodeJS.Timeout | undefined;
  /** batches whose write was handed over in this turn, waiting for the store client's turn: persister, batch, … */
  #turn: unknown[] | undefined;
  // One hop chain per turn for every instance that wrote in it, not three closures per write.
  readonly #hop = () => {
    const turn = this.#turn!;
    this.#turn = undefined;
    process.nextTick(afterTicks, this.ctx.store, turn);
  };

  constructor(
    readonly ctx: AppContext,
    /** false: every patch waits for its write's answer */
    writeBehind = true,
  ) {
    this.mode = ctx.store.synchronous === true ? "sync" : writeBehind ? "behind" : "strict";
  }

  get store(): StateStore {
    return this.ctx.store;
  }

  /** Whether a patch may leave before its write is answered (see the rule above). */
  mayGoAhead(own: number): boolean {
    if (this.mode !== "behind" || this.failing || own >= MAX_IN_FLIGHT_PER_INSTANCE || this.inFlight >= MAX_IN_FLIGHT) return false;
    if (this.ctx.store.writable?.() === false) return false;
    return this.inFlight === 0 || Date.now() - this.#progress < STALL_MS;
  }

  issued(): void {
    if (this.inFlight++ === 0) this.#progress = Date.now();
  }

  answered(ok: boolean): void {
    this.inFlight--;
    this.#progress = Date.now();
    this.failing = !ok;
  }

  /**
   * Releases `batch` once the store's client has had its turn to put the write just handed to it
   * on its connection: a tick queued from a microtask runs after every microtask of this turn (the
   * `save()` calls' included: ioredis writes there), and a `setImmediate` scheduled from that tick
   * after the ones the client scheduled there (ioredis auto-pipelining), or what the store's
   * `afterWrites` says (RedisStore on node-redis, which writes in a `setImmediate` scheduled
   * when its batch is flushed). The batches of every instance that wrote in this turn share one
   * such chain.
   */
  afterTurn(p: Persister<Sink>, batch: Batch): void {
    if (this.#turn) {
      this.#turn.push(p, batch);
      return;
    }
    this.#turn = [p, batch];
    queueMicrotask(this.#hop);
  }

  /**
   * Resolves with `answered`'s outcome, or `undefined` once it has waited about {@link WAIT_MS}
   * (one sweeping timer for every wait: a timer per write costs more than the write's wait).
   */
  waitFor(answered: Promise<boolean>): Promise<boolean | undefined> {
    return new Promise((resolve) => {
      const wait: Wait = { since: Date.now(), late: () => resolve(undefined) };
      this.#waits.add(wait);
      this.#sweeper ??= setInterval(this.#sweep, SWEEP_MS).unref();
      void answered.then((ok) => {
        this.#waits.delete(wait);
        resolve(ok);
      });
    });
  }

  readonly #sweep = () => {
    const now = Date.now();
    for (const w of this.#waits) {
      if (now - w.since < WAIT_MS) continue;
      this.#waits.delete(w);
      w.late();
    }
    if (this.#waits.size) return;
    clearInterval(this.#sweeper);
    this.#sweeper = undefined;
  };

  busy(p: Persister<Sink>): void {
    this.#busy.add(p);
  }

  done(p: Persister<Sink>): void {
    if (!this.#busy.delete(p) || this.#busy.size) return;
    const waiting = this.#idle;
    this.#idle = [];
    for (const w of waiting) w();
  }

  /**
   * Resolves once every instance's writes are answered and its frames sent (a graceful close waits
   * for it), or after `timeoutMs` when the store does not answer.
   */
  idle(timeoutMs = WAIT_MS): Promise<void> {
    if (!this.#busy.size) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      this.#idle.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

function afterTicks(store: StateStore, turn: unknown[]): void {
  // A store whose client writes later than that (node-redis) says when instead.
  if (store.afterWrites) store.afterWrites(() => afterTurn(turn));
  else setImmediate(afterTurn, turn);
}

function afterTurn(turn: unknown[]): void {
  for (let i = 0; i < turn.length; i += 2) (turn[i] as Persister<Sink>).issued(turn[i + 1] as Batch);
  // This runs in a setImmediate: the frames it held go now, not at the next turn's end.
  endTurn();
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

import type { StateStore } from "../core/store.js";
import type { AppContext } from "./context.js";
import { endTurn } from "./turn.js";
import type { Batch, Persister } from "./persister.js";

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
export interface Sink {
  send(frame: string | Buffer): void;
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


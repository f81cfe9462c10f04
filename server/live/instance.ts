import type { HotlineUser } from "../core/context.js";
import { Component, type ComponentClass } from "../core/component.js";
import { actAs, attachHost, checkState, runEvent, type ComponentHost } from "../core/host.js";
import { isPlainEvent } from "../core/events.js";
import { HotlineError, toHotlineError } from "../core/errors.js";
import { beginAttempt, undoAttempt } from "../core/event-run.js";
import type { AppContext } from "./context.js";
import { M } from "../../protocol/wire.js";
import { errorFrame, okFrame, pushFrame, withDevStack } from "./frames.js";
import { broadcast } from "./broadcast.js";
import { Viewers } from "./viewers.js";
import { SerialQueue, SETTLED } from "./serial-queue.js";
import type { Presenter } from "./presenter.js";
import type { TopicIndex, TopicListener } from "./topics.js";
import type { PresenceFollower, PresenceIndex } from "./presence-index.js";
import type { PresenceDiff, PresenceList, PresenceMeta } from "../core/presence.js";
import { InstancePresence } from "./instance-presence.js";
import { Persister } from "./persister.js";
import type { Writes } from "./writes.js";
import { asyncBusy } from "../core/async.js";
import { runAsync, stopAsync } from "./async.js";
import { emitToParent, sendUpdateTo } from "./children.js";
import { navigateFrom } from "./navigation.js";
import type { NavIntent } from "../core/navigation.js";
import { stateSignature, storedRecord, UNBOUND, type StoredInstance } from "./stored-instance.js";


/** What `event()` returns for an event handled at once. */
const HANDLED = SETTLED;

/** One client's attachment to a live instance: the id it chose, its session key, its connection. */
export interface Viewer {
  readonly id: string;
  readonly key: string;
  /** who is viewing (a shared instance acts as the sender of each event it handles) */
  readonly user: HotlineUser | null;
  /** set when the join named no component (a live navigate by URL): its `ok` then says which */
  readonly named?: string;
  send(frame: string | Buffer): void;
}

/** What every instance of one transport shares. */
export interface InstanceEnv {
  ctx: AppContext;
  index: TopicIndex;
  /** the process's presence lists, one subscription per topic */
  presence: PresenceIndex;
  /** the process's state writes (write-behind: docs/durability.md) */
  writes: Writes;
}

/**
 * A mounted component and what its viewers hold: one viewer for an ordinary component, every
 * viewer of the process for a shared one (`static shared = true`), which then renders and encodes
 * once per change. Its work (joins, events, pub/sub messages) runs in order, one at a time.
 */
export class LiveInstance extends SerialQueue implements ComponentHost, TopicListener, PresenceFollower {
  readonly viewers = new Viewers<Viewer>();
  /** its state writes, and the frames that must not overtake them */
  readonly #out: Persister<Viewer>;
  #closed = false;
  /** joins promised (by the hub) but not yet made: the instance stays open for them */
  #holds = 0;
  /** on whose behalf its state is saved (the store's quotas): the client that started it */
  owner: string | undefined;
  /** @internal {@link runs} when the hub's last hibernation sweep saw the instance (server/live/hub.ts) */
  swept = 0;

  constructor(
    readonly env: InstanceEnv,
    readonly name: string,
    readonly component: Component,
    readonly presenter: Presenter,
    /** where its state is saved: the session key, or the shared group's key */
    readonly storeKey: string,
    /** runs when the last viewer has gone */
    readonly onEmpty?: (live: LiveInstance) => void,
    /** saved with the state: the params it was started with and its user's key (for a resume) */
    readonly bound: Pick<StoredInstance, "p" | "u"> = UNBOUND,
  ) {
    super();
    this.#out = new Persister(this);
  }

  /** a shared instance serves several users: it acts as each event's sender while handling it */
  get #shared(): boolean {
    // read from the class, not kept per instance (bench/heap.ts)
    return !!(this.component.constructor as ComponentClass).shared;
  }
  /** the viewer being joined, or whose event is being handled: presence calls are theirs */
  #current: Viewer | undefined;
  /** its trackings and followed topics; made on first use: most instances never track anyone */
  #presence: InstancePresence | undefined;

  /** Connects the component to this host, listening to `topics` (and to those mount() chose). */
  start(topics: Iterable<string> = []): void {
    attachHost(this.component, this, topics);
    // Loads registered by mount() or a resume start now, outside the queue (server/live/async.ts);
    // a component that registers none costs nothing here (its first one calls asyncRegistered).
    if (asyncBusy(this.component)) this.asyncRegistered();
  }

  #asyncOn = false;

  /** @internal The component registered its first async load: its runner attaches (once). */
  asyncRegistered(): void {
    if (this.#asyncOn) return;
    this.#asyncOn = true;
    const live = this;
    runAsync({ component: this.component, get closed() { return live.closed; }, enqueue: (fn) => this.enqueue(fn), apply: (change, what) => this.#react(change, what).then(() => this.#out.sent()), log: this.env.ctx.log });
  }

  /** Keeps the instance open for a join to come (each hold is released by `join()` or `release()`). */
  hold(): void {
    this.#holds++;
  }

  /** Gives back a hold without joining. */
  release(): void {
    this.#holds--;
    this.#closeIfUnused();
  }

  /** Adds a viewer and sends it its `ok` (the full render), after the queued work; consumes a hold. */
  join(viewer: Viewer, ref: number | undefined): Promise<void> {
    const joined = this.enqueue(async () => {
      try {
        this.#out.seal();
        if (this.component.onJoin !== Component.prototype.onJoin) await this.#onJoin(viewer);
        if (this.#presence) await this.#presence.ready();
        const fields = this.presenter.full(this.component);
        await this.env.index.ready(this.component.topics);
        this.#persist(false);
        this.viewers.add(viewer);
        this.#out.send(viewer, okFrame(ref, viewer.id, viewer.key, viewer.named ? { ...fields, [M.name]: viewer.named } : fields));
      } catch (err) {
        this.#presence?.untrackAll(viewer);
        throw err;
      } finally {
        this.release();
      }
    });
    return joined.then(() => this.#out.sent());
  }

  /** Removes a viewer; the last one out ends the instance's subscriptions. */
  leave(viewer: Viewer): void {
    if (!this.viewers.delete(viewer)) return;
    this.#presence?.untrackAll(viewer);
    this.#closeIfUnused();
  }

  #closeIfUnused(): void {
    if (this.viewers.size || this.#holds > 0 || this.#closed) return;
    this.#closed = true;
    for (const t of this.component.topics) this.env.index.remove(t, this);
    this.#presence?.close();
    attachHost(this.component, undefined);
    stopAsync(this.component);
    this.onEmpty?.(this);
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * A private instance with one viewer and nothing in flight (work, holds, writes, frames) and no
   * presence: what hibernation asks of an instance (server/live/hibernation.ts).
   */
  get quiet(): boolean {
    return !this.#closed && this.#holds === 0 && this.idle && !this.#presence && !this.#shared && this.viewers.size === 1 && this.#out.settled;
  }

  /**
   * Whether the store has (or, for a store that applies writes within the call, now has) the state
   * whose JSON is `json` with `topics`: otherwise it is handed to the store, and false returned.
   */
  saved(json: string, topics: readonly string[]): boolean {
    if (this.#out.same(stateSignature(json, topics))) return true;
    this.#persist(false);
    return this.env.writes.mode === "sync";
  }

  /** A woken instance takes back its viewer; `json` is its state as the store holds it (with its topics). */
  rejoin(viewer: Viewer, json: string, topics: readonly string[]): void {
    this.viewers.add(viewer);
    this.#out.known(stateSignature(json, topics));
    this.swept = this.runs;
  }

  /** Resolves once every frame handed over so far is sent (with write-behind they may wait for their write's turn). */
  sent(): Promise<void> {
    return this.#out.sent();
  }

  /** Runs a client's event; answers the sender with its ref (a patch per step, or an error), the other viewers without. Resolves once handled: {@link sent} follows its frames. */
  event(sender: Viewer, ref: number | undefined, event: string, payload: Record<string, unknown> | undefined): Promise<void> {
    // A plain handler with nothing queued runs now, in the socket's read (what it enqueues runs after it).
    if (this.idle && isPlainEvent(this.component, Component.prototype, event)) {
      this.beginInline();
      try {
        this.#plainEvent(sender, ref, event, payload);
        return HANDLED;
      } catch (err) {
        return Promise.reject(err); // as a queued event's failure would be: never thrown into the socket's read
      } finally {
        this.endInline();
      }
    }
    return this.enqueue(async () => {
      if (isPlainEvent(this.component, Component.prototype, event)) return this.#plainEvent(sender, ref, event, payload);
      let streamed = false;
      const as = this.#shared ? sender.user : undefined;
      this.#current = sender;
      try {
        this.#out.seal();
        // The sender's user while the handler runs, nobody's while rendering for every viewer.
        if (as !== undefined) actAs(this.component, as);
        for await (const done of runEvent(this.component, event, payload)) {
          if (as !== undefined) actAs(this.component, null);
          const body = this.presenter.update(this.component);
          if (as !== undefined && !done) actAs(this.component, as);
          if (!done) {
            streamed = true;
            this.#broadcast(body, sender, ref, false);
            continue;
          }
          this.#persist(false);
          this.#broadcast(body, sender, ref, streamed ? true : undefined);
        }
      } catch (err) {
        if (as !== undefined) actAs(this.component, null);
        const e = this.#report(err, `the handler for "${event}"`);
        this.#out.send(sender, errorFrame(e, ref, sender.id));
        this.#resync();
      } finally {
        this.#current = undefined;
      }
    });
  }

  /** A plain handler's event: run synchronously, render, save, patch; a failure answers the sender and resyncs. */
  #plainEvent(sender: Viewer, ref: number | undefined, event: string, payload: Record<string, unknown> | undefined): void {
    const as = this.#shared ? sender.user : undefined;
    this.#current = sender;
    try {
      if (as !== undefined) actAs(this.component, as);
      try {
        this.component.handleEvent(event, payload);
      } finally {
        if (as !== undefined) actAs(this.component, null);
      }
      const body = this.presenter.update(this.component);
      // Other stores: the write before the patch. The MemoryStore saves within the call: patch first, then save (unobservable between).
      const changed = this.component.changedFields.size > 0;
      const sync = this.env.writes.mode === "sync";
      if (changed && !sync) this.#persist(true);
      this.#broadcast(body, sender, ref, undefined);
      if (changed && sync) this.#persist(true);
    } catch (err) {
      const e = this.#report(err, `the handler for "${event}"`);
      this.#out.send(sender, errorFrame(e, ref, sender.id));
      this.#resync();
    } finally {
      this.#current = undefined;
    }
  }

  /** A pub/sub message (or a resync): onMessage, render, patch every viewer without a ref, save. */
  deliver(topic: string, message: unknown, resync: boolean): void {
    if (resync) this.#react(() => this.component.onResync(topic), "onResync for a topic");
    else this.#react(() => this.component.onMessage(topic, message), "onMessage for a topic");
  }

  /** Someone arrived on or left a followed topic: onPresence, render, patch every viewer. */
  presenceChanged(topic: string, diff: PresenceDiff): void {
    this.#react(() => this.component.onPresence(topic, diff), "onPresence for a topic");
  }

  /** Runs a callback in the queue, then renders and patches every viewer (`sender` with `ref`, others without), and saves. */
  #react(callback: () => void | Promise<void>, what: string, sender?: Viewer, ref?: number): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return this.enqueue(async () => {
      if (this.#closed) return;
      this.#out.seal();
      const attempt = beginAttempt(this.component);
      try {
        await callback();
        checkState(this.component);
      } catch (err) {
        undoAttempt(this.component, attempt);
        const e = this.#report(err, what);
        // a client's request (a page's new URL): its answer is the error, the restored render goes to all
        if (sender) this.#out.send(sender, errorFrame(e, ref, sender.id)), (sender = ref = undefined);
      }
      try {
        const body = this.presenter.update(this.component);
        this.#persist(false);
        this.#broadcast(body, sender, ref, undefined);
      } catch (err) {
        const e = this.#report(err, `render after ${what}`);
        if (sender) this.#out.send(sender, errorFrame(e, ref, sender.id));
      }
    });
  }

  /** Runs `callback` in the queue, then renders and patches every viewer (a parent's `sendUpdate`, a child's `emit`). */
  act(callback: () => void | Promise<void>, what: string, sender?: Viewer, ref?: number): void {
    void this.#react(callback, what, sender, ref);
  }

  /** A viewer joins: `onJoin` runs as that viewer (it may track them); the other viewers see what it changed. */
  async #onJoin(viewer: Viewer): Promise<void> {
    const attempt = beginAttempt(this.component);
    this.#current = viewer;
    if (this.#shared) actAs(this.component, viewer.user);
    try {
      await this.component.onJoin();
      checkState(this.component);
    } catch (err) {
      undoAttempt(this.component, attempt);
      this.#presence?.untrackAll(viewer);
      throw err;
    } finally {
      this.#current = undefined;
      if (this.#shared) actAs(this.component, null);
    }
    if (this.viewers.size) this.#broadcast(this.presenter.update(this.component), undefined, undefined, undefined);
  }

  /**
   * Saves the state (and topics) when they differ from what was saved last, and resolves once
   * every write of this instance is answered and its frames sent (a graceful close, a store reset).
   * `changed` says the caller knows the state changed, which spares the comparison.
   */
  save(changed = false): Promise<void> {
    this.#persist(changed);
    return this.#out.flush();
  }

  /**
   * Hands the state (and topics) to the write-behind when they differ from what was handed last;
   * frames sent after it wait for the write's turn (server/live/persister.ts, writes.ts).
   */
  #persist(changed: boolean): void {
    const state = this.component.dehydrate();
    const topics = [...this.component.topics];
    let sig: string | undefined;
    if (!changed) {
      sig = stateSignature(JSON.stringify(state), topics);
      if (this.#out.same(sig)) return;
    }
    this.#out.write(storedRecord(this.name, state, topics, this.bound) as unknown as Record<string, unknown>, sig);
  }

  // ---------- ComponentHost ----------

  subscribe(topic: string): void {
    if (!this.#closed) this.env.index.add(topic, this);
  }

  unsubscribe(topic: string): void {
    this.env.index.remove(topic, this);
  }

  publish(topic: string, message: unknown): Promise<void> {
    return this.env.ctx.pubsub.publish(topic, message);
  }

  push(event: string, payload: unknown): void {
    for (const v of this.viewers) {
      try {
        this.#out.send(v, pushFrame(v.id, event, payload));
      } catch (err) {
        this.env.ctx.log(`push("${event}") from "${this.name}" has a payload JSON cannot carry`, err);
        return;
      }
    }
  }

  track(topic: string, meta: PresenceMeta): void {
    if (this.#closed) return;
    const owner = this.#presenceOwner("track()");
    this.followPresence(topic);
    this.#presence!.track(owner, topic, meta);
  }

  untrack(topic: string): void {
    const owner = this.#presenceOwner("untrack()");
    this.#presence?.untrack(owner, topic);
  }

  followPresence(topic: string): void {
    if (!this.#closed) (this.#presence ??= new InstancePresence(this)).follow(topic);
  }

  presence(topic: string): PresenceList {
    return this.env.presence.list(topic);
  }

  sendUpdate(id: string, props: Record<string, unknown>): void {
    sendUpdateTo(this, id, props);
  }

  emit(event: string, payload: Record<string, unknown>): void {
    emitToParent(this, event, payload);
  }

  navigate(intent: NavIntent): void {
    navigateFrom(this, intent);
  }

  /** Whose presence a call is about: the viewer at hand; the one viewer of a private instance; else the instance. */
  #presenceOwner(what: string): object {
    if (this.#current) return this.#current;
    if (this.#shared) {
      throw new HotlineError("handler_error", `a shared component's ${what} is about a viewer: call it in onJoin() or an event handler`, { fault: "app" });
    }
    for (const v of this.viewers) return v;
    return this;
  }

  // ---------- internals ----------

  /** Sends a patch body to every viewer (server/live/broadcast.ts): the sender with its ref. */
  #broadcast(body: Record<string, unknown>, sender: Viewer | undefined, ref: number | undefined, done: boolean | undefined): void {
    broadcast(this.#out, this.viewers, body, sender, ref, done);
  }

  /** After a failed event: whatever a streaming handler had already sent is taken back. */
  #resync(): void {
    try {
      const body = this.presenter.update(this.component);
      this.#broadcast(body, undefined, undefined, undefined);
    } catch (err) {
      this.#report(err, "render after a failed event");
    }
  }

  /** Logs the app's own failures with their cause; gives the client-safe error. */
  #report(err: unknown, what: string): HotlineError {
    const e = toHotlineError(err, what);
    if (e.fault === "client") return e;
    this.env.ctx.log(`component "${this.name}": ${what} failed`, e.cause ?? e);
    const safe = new HotlineError("handler_error", "the component failed to handle this event", { fault: e.fault });
    return this.env.ctx.options.dev ? withDevStack(safe, e.cause ?? e) : safe;
  }
}

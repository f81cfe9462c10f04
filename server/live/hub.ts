import { randomBytes } from "node:crypto";
import type { HotlineUser } from "../core/context.js";
import { HotlineError } from "../core/errors.js";
import { canonicalJson, userKey as keyOfUser } from "../core/identity.js";
import { LiveInstance, type InstanceEnv } from "./instance.js";
import { storedRecord, type StoredInstance } from "./stored-instance.js";
import type { AppContext } from "./context.js";
import { presenterFor, type Presenter } from "./presenter.js";
import { TopicIndex } from "./topics.js";
import { PresenceIndex } from "./presence-index.js";
import { admit, construct, rebuild, type Admitted, type StartRequest } from "./start.js";
import { canSleep, Dormant, type DormantExtra, type SleepingViewer } from "./dormant.js";
import { hibernate } from "./hibernation.js";
import { pageOf, setPage } from "./navigation.js";
import { childScopeOf, setChildScope } from "../core/children.js";
import { Writes } from "./writes.js";
import { telemetryOf } from "../telemetry/app.js";
import type { Telemetry } from "../telemetry/telemetry.js";
import { measurePresenter, type MeasuredPresenter } from "../telemetry/wrappers.js";

/** What a join asks of the hub (a checked `join` message, whatever transport carried it). */
export interface JoinRequest {
  name: string;
  /** params the client chose (checked against the class's `clientParams`) */
  params?: Record<string, unknown>;
  /** a signed state token */
  state?: string;
  /** a session key to resume */
  session?: string;
  format: "html" | "sdui";
}

/** A new session key: 144 random bits, URL-safe, unguessable. */
export function newSessionKey(): string {
  return randomBytes(18).toString("base64url");
}

const KEY = /^[A-Za-z0-9_-]{16,64}$/;
const NO_TOPICS: readonly string[] = [];

/** Options of the {@link Hub} (`createHotline()` passes them on). */
export interface HubOptions {
  /**
   * Most shared groups (distinct params) of one component class open at once in this process;
   * a join that would open one more is refused `rate_limited` until one closes. Default 1,000.
   */
  maxGroupsPerComponent?: number;
  /**
   * Whether a patch may leave before its state write is answered by the store (write-behind, the
   * default): the write is handed to the store first, and patches wait for the answer only when
   * the store is failing or backlogged. false: every patch waits (docs/durability.md).
   */
  writeBehind?: boolean;
  /**
   * How long a private session stays idle (no event, no message) before it hibernates
   * (docs/hibernation.md): its instance is dropped, its state kept as JSON, and the next message
   * rebuilds it. Only sessions that lose nothing by it hibernate. Between this and twice this.
   * Default 15,000 (Phoenix hibernates a channel after 15 s); 0 never hibernates.
   */
  hibernateAfterMs?: number;
}

/**
 * On whose behalf a join's records are saved (the store's per-owner quotas): a signed-in user by
 * their key, else the client's address when the transport gives it, else nobody in particular.
 */
export function ownerOf(userKey: string | undefined, address: string | undefined): string | undefined {
  return userKey !== undefined ? `u:${userKey}` : address !== undefined ? `a:${address}` : undefined;
}

/**
 * A private instance's place under its session key (one live instance per key in this process)
 * while it starts; once started, the key maps to the instance itself (nothing kept per instance).
 */
interface Slot {
  ready: Promise<LiveInstance>;
}

/**
 * The live runtime of one app in this process, shared by its transports: its live instances, it mounts, hydrates (from a signed token) or resumes (from the
 * state store) what a `join` asks for, and keeps the shared groups, one instance per
 * (component, format, params) for components with `static shared = true`.
 *
 * One session key has at most one live instance in this process: a second join with a key that
 * is live here (a reconnecting tab whose old socket is not closed yet, a second tab with the same
 * key) attaches to that instance as one more viewer, after the same checks as a resume (same
 * component, format, user, params, hooks). Across processes each process resumes its own copy from
 * the store and the last save wins: route a session's reconnects to one process (sticky sessions)
 * when two live copies of it matter.
 */
export class Hub {
  readonly env: InstanceEnv;
  readonly #groups = new Map<string, Promise<LiveInstance>>();
  readonly #resolved = new Map<string, LiveInstance>();
  /** shared groups open (or opening) per component name */
  readonly #groupsOf = new Map<string, number>();
  /** a shared group's params: its viewers' session records carry them */
  readonly #groupParams = new WeakMap<LiveInstance, Record<string, unknown>>();
  /** private instances by session key (hibernated ones too) */
  readonly #byKey = new Map<string, Slot | LiveInstance | Dormant>();
  /** hibernated sessions (their entries in #byKey) */
  #sleeping = 0;
  readonly #sweeper: NodeJS.Timeout | undefined;
  /** Every private instance's `onEmpty` (one function, not a closure per instance). */
  readonly #privateEmpty = (live: LiveInstance): void => {
    this.lives.delete(live);
    if (this.#byKey.get(live.storeKey) === live) this.#byKey.delete(live.storeKey);
  };
  readonly #maxGroups: number;
  readonly #offReset: (() => void) | undefined;
  /** every open instance, for a graceful shutdown */
  readonly lives = new Set<LiveInstance>();
  /** The app's spans, metrics and activity feed. */
  readonly telemetry: Telemetry;

  constructor(ctx: AppContext, options: HubOptions = {}) {
    this.telemetry = telemetryOf(ctx);
    this.env = { ctx, index: new TopicIndex(ctx.pubsub, ctx.log, this.telemetry), presence: new PresenceIndex(ctx.presence, ctx.log), writes: new Writes(ctx, options.writeBehind ?? true) };
    this.#maxGroups = options.maxGroupsPerComponent ?? 1_000;
    this.#offReset = ctx.store.onReset?.(() => void this.resave());
    const sleepMs = options.hibernateAfterMs ?? 15_000;
    if (!(sleepMs >= 0) || !Number.isFinite(sleepMs)) throw new TypeError("hibernateAfterMs is a number of milliseconds, 0 or more");
    if (sleepMs > 0) this.#sweeper = setInterval(() => this.sweep(), sleepMs).unref();
  }

  /**
   * Hibernates the private sessions that were idle since the last sweep and lose nothing by it
   * (server/live/hibernation.ts). Runs every `hibernateAfterMs`.
   */
  sweep(): void {
    for (const live of this.lives) {
      if (live.runs !== live.swept) {
        live.swept = live.runs;
        continue;
      }
      const [first] = live.viewers;
      if (!first || !canSleep(first) || this.#byKey.get(live.storeKey) !== live) continue;
      const page = pageOf(live);
      const scope = childScopeOf(live.component);
      hibernate(live, (viewer, json, topics) => {
        const own = scope !== undefined && scope !== viewer.id;
        const extra: DormantExtra | undefined = page || own || topics.length
          ? { ...(page && { page }), ...(own && { scope }), ...(topics.length && { topics, waker: this.#waker }) }
          : undefined;
        const dormant = new Dormant(viewer as SleepingViewer, live.name, live.bound, json, extra);
        // the dormant session takes the instance's place in the index before the instance leaves it (no gap on the bus)
        for (const t of topics) this.env.index.add(t, dormant);
        this.#byKey.set(live.storeKey, dormant);
        this.#sleeping++;
        (viewer as SleepingViewer).sleep(dormant);
      });
    }
  }

  /** What wakes a dormant session for a message on its topics. */
  readonly #waker = { wake: (d: Dormant) => this.wake(d), log: (message: string, err: unknown) => this.env.ctx.log(message, err) };

  /**
   * Wakes a hibernated session: its component rebuilt from its state, a new instance with its
   * viewer, whose next patch replaces the client's root. A failure ends the session (its viewer is
   * told) and is thrown.
   */
  wake(dormant: Dormant): LiveInstance {
    const { viewer, name, bound, extra } = dormant;
    const key = viewer.key;
    const topics = extra?.topics ?? NO_TOPICS;
    this.#forget(dormant, false);
    let live: LiveInstance;
    try {
      const cls = this.env.ctx.registry.require(name);
      const component = rebuild(this.env.ctx, cls, bound.p, viewer.user, bound.u, JSON.parse(dormant.json) as Record<string, unknown>);
      setChildScope(component, extra?.scope ?? viewer.id);
      const presenter = measurePresenter(presenterFor("html", cls, true), this.telemetry, name);
      live = new LiveInstance(this.env, name, component, presenter, key, this.#privateEmpty, bound);
      live.owner = viewer.owner;
      presenter.live = live;
      if (extra?.page) setPage(live, extra.page);
    } catch (err) {
      for (const t of topics) this.env.index.remove(t, dormant);
      viewer.woke(undefined);
      throw err;
    }
    this.lives.add(live);
    this.#byKey.set(key, live);
    // it listens again (the same session in the same process: its topics were checked when it subscribed), then the dormant one stops
    live.start(topics);
    for (const t of topics) this.env.index.remove(t, dormant);
    live.rejoin(viewer, dormant.json, topics);
    viewer.woke(live);
    return live;
  }

  /** A hibernated session's viewer left: the session is gone from this process (its record stays in the store). */
  forget(dormant: Dormant): void {
    this.#forget(dormant, true);
  }

  #forget(dormant: Dormant, unlisten: boolean): void {
    const key = dormant.viewer.key;
    if (this.#byKey.get(key) !== dormant) return;
    this.#byKey.delete(key);
    this.#sleeping--;
    if (unlisten) for (const t of dormant.extra?.topics ?? NO_TOPICS) this.env.index.remove(t, dormant);
  }

  /** Hibernated sessions in this process. */
  get hibernated(): number {
    return this.#sleeping;
  }

  /** The process's topic index: one bus subscription per topic, fanned out to the instances. */
  get index(): TopicIndex {
    return this.env.index;
  }

  /**
   * The instance a join attaches to, with a hold taken on it (so it stays open until the join's
   * `LiveInstance.join()` or `release()`), and the viewer's session key. `user` is the
   * connection's: the start checks it (hooks, `authorize`, the user a token or session belongs to).
   * `address` is the client's (its records count against its quota in the store when anonymous).
   */
  async open(m: JoinRequest, user: HotlineUser | null = null, userKey?: string, address?: string): Promise<{ live: LiveInstance; key: string }> {
    const cls = this.env.ctx.registry.require(m.name);
    const presenter = measurePresenter(presenterFor(m.format, cls), this.telemetry, m.name);
    const owner = ownerOf(user === null ? undefined : userKey, address);
    if (!cls.shared) return this.#openPrivate(m, presenter, user, userKey, owner);
    const { store } = this.env.ctx;
    const record = await this.#record(m);
    const key = m.session ?? newSessionKey();
    const admitted = await admit(this.env.ctx, this.#request(m, user, userKey, record));
    const gkey = `hl:g:${m.format}:${m.name}:${canonicalJson(admitted.params)}`;
    for (;;) {
      let pending = this.#groups.get(gkey);
      if (!pending) {
        const open = this.#groupsOf.get(m.name) ?? 0;
        if (open >= this.#maxGroups) {
          this.telemetry.refused("groups", "websocket");
          throw new HotlineError("rate_limited", `too many groups of "${m.name}" are open (${this.#maxGroups}); try again later`);
        }
        this.#groupsOf.set(m.name, open + 1);
        const created = this.#createGroup(admitted, presenter, gkey, owner);
        pending = created;
        this.#groups.set(gkey, created);
        created.catch(() => {
          this.#groupClosed(m.name);
          if (this.#groups.get(gkey) === created) this.#groups.delete(gkey);
        });
      }
      const live = await pending;
      if (live.closed) {
        if (this.#groups.get(gkey) === pending) this.#groups.delete(gkey);
        continue;
      }
      live.hold();
      if (!record) {
        const pointer: StoredInstance = { c: m.name, g: gkey, ...boundOf(admitted) };
        await store.save(key, pointer as unknown as Record<string, unknown>, this.env.ctx.options.stateTtlMs, owner).catch((err: unknown) => {
          this.env.ctx.log("cannot save a session record", err);
        });
      }
      return { live, key };
    }
  }

  /** A private instance: the one live under the session key (attached to), or a new one. */
  async #openPrivate(m: JoinRequest, presenter: Presenter, user: HotlineUser | null, userKey: string | undefined, owner: string | undefined): Promise<{ live: LiveInstance; key: string }> {
    const key = m.session ?? newSessionKey();
    for (;;) {
      const entry = this.#byKey.get(key);
      if (!entry) break;
      const live = entry instanceof LiveInstance ? entry : entry instanceof Dormant ? this.#wakeFor(entry) : await entry.ready.catch(() => undefined);
      if (live && !live.closed) return { live: await this.#attach(live, m, presenter, user, userKey), key };
      if (this.#byKey.get(key) === entry) this.#byKey.delete(key);
    }
    // Claimed before the first await: a second join with this key waits for this one's instance.
    const slot = {} as Slot;
    slot.ready = this.#startPrivate(m, presenter, key, user, userKey, owner, slot);
    this.#byKey.set(key, slot);
    slot.ready.catch(() => this.#byKey.get(key) === slot && this.#byKey.delete(key));
    return { live: await slot.ready, key };
  }

  async #startPrivate(m: JoinRequest, presenter: Presenter, key: string, user: HotlineUser | null, userKey: string | undefined, owner: string | undefined, slot: Slot): Promise<LiveInstance> {
    const admitted = await admit(this.env.ctx, this.#request(m, user, userKey, await this.#record(m)));
    const { component, topics } = await construct(this.env.ctx, admitted, true);
    const live = new LiveInstance(this.env, m.name, component, presenter, key, this.#privateEmpty, boundOf(admitted));
    live.owner = owner;
    (presenter as MeasuredPresenter).live = live;
    this.lives.add(live);
    live.start(topics);
    live.hold();
    if (this.#byKey.get(key) === slot) this.#byKey.set(key, live);
    return live;
  }

  /** A hibernated session woken for a second join with its key; undefined when it could not be (a new one starts). */
  #wakeFor(dormant: Dormant): LiveInstance | undefined {
    try {
      return this.wake(dormant);
    } catch (err) {
      this.env.ctx.log(`component "${dormant.name}": a hibernated session failed to wake`, err);
      return undefined;
    }
  }

  /** One more viewer of a live private instance, with a hold taken, after the checks of a resume. */
  async #attach(live: LiveInstance, m: JoinRequest, presenter: Presenter, user: HotlineUser | null, userKey: string | undefined): Promise<LiveInstance> {
    live.hold();
    try {
      if (live.name !== m.name) throw new HotlineError("bad_state", "unknown or expired session");
      if (live.presenter.format !== presenter.format) throw new HotlineError("bad_state", "this session is open in another format");
      const admitted = await admit(this.env.ctx, {
        name: m.name, user, ...(user !== null && { userKey }), ...(m.params && { clientParams: m.params }),
        restore: { state: {}, params: live.bound.p, user: live.bound.u, from: "store" },
      });
      if (canonicalJson(admitted.params) !== canonicalJson(live.bound.p ?? {})) {
        throw new HotlineError("bad_state", "this session is open with other params");
      }
      return live;
    } catch (err) {
      live.release();
      throw err;
    }
  }

  /** The stored record of the session a join resumes (`bad_state` when there is none for this component). */
  async #record(m: JoinRequest): Promise<StoredInstance | undefined> {
    if (m.session === undefined) return undefined;
    const raw = KEY.test(m.session) ? ((await this.env.ctx.store.load(m.session)) as StoredInstance | null) : null;
    if (!raw || raw.c !== m.name) throw new HotlineError("bad_state", "unknown or expired session");
    return raw;
  }

  #request(m: JoinRequest, user: HotlineUser | null, userKey: string | undefined, record: StoredInstance | undefined): StartRequest {
    const request: StartRequest = { name: m.name, user, ...(user !== null && { userKey }), ...(m.params && { clientParams: m.params }) };
    if (record) request.restore = { state: record.s, topics: record.t, params: record.p, user: record.u, from: "store" };
    else if (m.state !== undefined) request.token = m.state;
    return request;
  }

  /**
   * A new shared group: one resumed viewer brings back the group's saved state (when the store
   * still has it), a token its own state; else it mounts.
   *
   * Its state stays in the store for the state TTL after its last change, like a private one's:
   * its viewers' session records (each kept for the TTL after its join) resume into it, so it must
   * outlive them. What that costs is bounded by the groups per class here and, in the
   * MemoryStore, by the quota of the client that opened the group (its state counts as theirs).
   */
  async #createGroup(admitted: Admitted, presenter: Presenter, gkey: string, owner: string | undefined): Promise<LiveInstance> {
    let start = admitted;
    if (admitted.restore?.from === "store") {
      const saved = (await this.env.ctx.store.load(gkey)) as StoredInstance | null;
      const restore = saved && saved.c === admitted.name && saved.s ? { state: saved.s, topics: saved.t, from: "store" as const } : undefined;
      start = { ...admitted, restore };
    }
    const { component, topics } = await construct(this.env.ctx, start, true);
    const live: LiveInstance = new LiveInstance(this.env, admitted.name, component, presenter, gkey, () => {
      this.lives.delete(live);
      this.#groupClosed(admitted.name);
      if (this.#resolved.get(gkey) === live) {
        this.#resolved.delete(gkey);
        this.#groups.delete(gkey);
      }
    });
    live.owner = owner;
    (presenter as MeasuredPresenter).live = live;
    this.#groupParams.set(live, admitted.params);
    this.lives.add(live);
    this.#resolved.set(gkey, live);
    live.start(topics);
    return live;
  }

  #groupClosed(name: string): void {
    const n = (this.#groupsOf.get(name) ?? 1) - 1;
    if (n > 0) this.#groupsOf.set(name, n);
    else this.#groupsOf.delete(name);
  }

  /**
   * Saves every live instance's state again, and each shared viewer's session record: the store
   * may have lost them (it calls this through `StateStore.onReset`, e.g. Redis came back empty).
   */
  async resave(): Promise<void> {
    const { store, options, userKeyOf, log } = this.env.ctx;
    const jobs: Promise<unknown>[] = [];
    for (const live of this.lives) {
      jobs.push(live.enqueue(() => live.save(true)));
      const params = this.#groupParams.get(live);
      if (!params) continue;
      const p = Object.keys(params).length > 0 ? { p: params } : undefined;
      for (const v of live.viewers) {
        const u = keyOfUser(v.user, userKeyOf);
        const pointer: StoredInstance = { c: live.name, g: live.storeKey, ...p, ...(u !== undefined && { u }) };
        jobs.push(store.save(v.key, pointer as unknown as Record<string, unknown>, options.stateTtlMs, ownerOf(u, undefined))
          .catch((err: unknown) => log("cannot save a session record again", err)));
      }
    }
    for (const [key, entry] of this.#byKey) {
      if (!(entry instanceof Dormant)) continue;
      const record = storedRecord(entry.name, JSON.parse(entry.json) as Record<string, unknown>, [...(entry.extra?.topics ?? NO_TOPICS)], entry.bound);
      jobs.push(store.save(key, record as unknown as Record<string, unknown>, options.stateTtlMs, entry.viewer.owner)
        .catch((err: unknown) => log("cannot save a hibernated session's state again", err)));
    }
    await Promise.all(jobs);
  }

  /**
   * Stops listening to the store (the app is closing), and resolves once every state write handed
   * to it is answered and every frame waiting for one is sent (instances closed meanwhile too).
   */
  close(): Promise<void> {
    this.#offReset?.();
    clearInterval(this.#sweeper);
    return this.env.writes.idle();
  }

  /** Shared groups open in this process. */
  get groupCount(): number {
    return this.#groups.size;
  }
}

/** What a record keeps of how an instance was started: its params and its user's key, when there are some. */
function boundOf(admitted: Admitted): Pick<StoredInstance, "p" | "u"> | undefined {
  const hasParams = Object.keys(admitted.params).length > 0;
  if (!hasParams && admitted.userKey === undefined) return undefined;
  return { ...(hasParams && { p: admitted.params }), ...(admitted.userKey !== undefined && { u: admitted.userKey }) };
}

import { randomBytes } from "node:crypto";
import type { HotlineUser } from "../core/context.js";
import { HotlineError } from "../core/errors.js";
import { canonicalJson } from "../core/identity.js";
import { LiveInstance, type InstanceEnv, type StoredInstance } from "./instance.js";
import type { AppContext } from "./context.js";
import { presenterFor, type Presenter } from "./presenter.js";
import { TopicIndex } from "./topics.js";
import { PresenceIndex } from "./presence-index.js";
import { admit, construct, type Admitted, type StartRequest } from "./start.js";

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

/**
 * The live runtime of one app in this process, shared by its transports: its live instances, it mounts, hydrates (from a signed token) or resumes (from the
 * state store) what a `join` asks for, and keeps the shared groups, one instance per
 * (component, format, params) for components with `static shared = true`.
 */
export class Hub {
  readonly env: InstanceEnv;
  readonly #groups = new Map<string, Promise<LiveInstance>>();
  readonly #resolved = new Map<string, LiveInstance>();
  /** every open instance, for a graceful shutdown */
  readonly lives = new Set<LiveInstance>();

  constructor(ctx: AppContext) {
    this.env = { ctx, index: new TopicIndex(ctx.pubsub, ctx.log), presence: new PresenceIndex(ctx.presence, ctx.log) };
  }

  /** The process's topic index: one bus subscription per topic, fanned out to the instances. */
  get index(): TopicIndex {
    return this.env.index;
  }

  /**
   * The instance a join attaches to, with a hold taken on it (so it stays open until the join's
   * `LiveInstance.join()` or `release()`), and the viewer's session key. `user` is the
   * connection's: the start checks it (hooks, `authorize`, the user a token or session belongs to).
   */
  async open(m: JoinRequest, user: HotlineUser | null = null, userKey?: string): Promise<{ live: LiveInstance; key: string }> {
    const { registry, store } = this.env.ctx;
    const cls = registry.require(m.name);
    const presenter = presenterFor(m.format, cls);
    let record: StoredInstance | undefined;
    if (m.session !== undefined) {
      const raw = KEY.test(m.session) ? ((await store.load(m.session)) as StoredInstance | null) : null;
      if (!raw || raw.c !== m.name) throw new HotlineError("bad_state", "unknown or expired session");
      record = raw;
    }
    const key = m.session ?? newSessionKey();
    const request: StartRequest = { name: m.name, user, ...(user !== null && { userKey }), ...(m.params && { clientParams: m.params }) };
    if (record) request.restore = { state: record.s, topics: record.t, params: record.p, user: record.u, from: "store" };
    else if (m.state !== undefined) request.token = m.state;
    const admitted = await admit(this.env.ctx, request);
    const hasParams = Object.keys(admitted.params).length > 0;
    const bound: Pick<StoredInstance, "p" | "u"> | undefined =
      hasParams || admitted.userKey !== undefined ? { ...(hasParams && { p: admitted.params }), ...(admitted.userKey !== undefined && { u: admitted.userKey }) } : undefined;
    if (!cls.shared) {
      const { component, topics } = await construct(this.env.ctx, admitted);
      const live: LiveInstance = new LiveInstance(this.env, m.name, component, presenter, key, () => this.lives.delete(live), bound);
      this.lives.add(live);
      live.start(topics);
      live.hold();
      return { live, key };
    }
    const gkey = `hl:g:${m.format}:${m.name}:${canonicalJson(admitted.params)}`;
    for (;;) {
      let pending = this.#groups.get(gkey);
      if (!pending) {
        pending = this.#createGroup(admitted, presenter, gkey);
        this.#groups.set(gkey, pending);
        pending.catch(() => this.#groups.get(gkey) === pending && this.#groups.delete(gkey));
      }
      const live = await pending;
      if (live.closed) {
        if (this.#groups.get(gkey) === pending) this.#groups.delete(gkey);
        continue;
      }
      live.hold();
      if (!record) {
        const pointer: StoredInstance = { c: m.name, g: gkey, ...bound };
        await store.save(key, pointer as unknown as Record<string, unknown>, this.env.ctx.options.stateTtlMs).catch((err: unknown) => {
          this.env.ctx.log("cannot save a session record", err);
        });
      }
      return { live, key };
    }
  }

  /**
   * A new shared group: one resumed viewer brings back the group's saved state (when the store
   * still has it), a token its own state; else it mounts.
   */
  async #createGroup(admitted: Admitted, presenter: Presenter, gkey: string): Promise<LiveInstance> {
    let start = admitted;
    if (admitted.restore?.from === "store") {
      const saved = (await this.env.ctx.store.load(gkey)) as StoredInstance | null;
      const restore = saved && saved.c === admitted.name && saved.s ? { state: saved.s, topics: saved.t, from: "store" as const } : undefined;
      start = { ...admitted, restore };
    }
    const { component, topics } = await construct(this.env.ctx, start);
    const live: LiveInstance = new LiveInstance(this.env, admitted.name, component, presenter, gkey, () => {
      this.lives.delete(live);
      if (this.#resolved.get(gkey) === live) {
        this.#resolved.delete(gkey);
        this.#groups.delete(gkey);
      }
    });
    this.lives.add(live);
    this.#resolved.set(gkey, live);
    live.start(topics);
    return live;
  }

  /** Shared groups open in this process. */
  get groupCount(): number {
    return this.#groups.size;
  }
}

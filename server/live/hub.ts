import { randomBytes } from "node:crypto";
import { HotlineError } from "../core/errors.js";
import { LiveInstance, type InstanceEnv, type StoredInstance } from "./instance.js";
import type { JoinMessage } from "../transports/websocket/messages.js";
import type { AppContext } from "./context.js";
import { presenterFor } from "./presenter.js";
import { TopicIndex } from "./topics.js";
import { startComponent } from "./start.js";

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
    this.env = { ctx, index: new TopicIndex(ctx.pubsub, ctx.log) };
  }

  /** The process's topic index: one bus subscription per topic, fanned out to the instances. */
  get index(): TopicIndex {
    return this.env.index;
  }

  /**
   * The instance a join attaches to, with a hold taken on it (so it stays open until the join's
   * `LiveInstance.join()` or `release()`), and the viewer's session key.
   */
  async open(m: JoinMessage): Promise<{ live: LiveInstance; key: string }> {
    const { registry, store } = this.env.ctx;
    const cls = registry.require(m.name);
    let record: StoredInstance | undefined;
    if (m.session !== undefined) {
      const raw = KEY.test(m.session) ? ((await store.load(m.session)) as StoredInstance | null) : null;
      if (!raw || raw.c !== m.name) throw new HotlineError("bad_state", "unknown or expired session");
      record = raw;
    }
    const key = m.session ?? newSessionKey();
    if (!cls.shared) {
      const presenter = presenterFor(m.format, cls);
      const started = await startComponent(this.env.ctx, {
        name: m.name,
        params: m.params,
        ...(record ? { restore: { state: record.s, topics: record.t, from: "store" } } : m.state !== undefined && { token: m.state }),
      });
      const live: LiveInstance = new LiveInstance(this.env, m.name, started.component, presenter, key, () => this.lives.delete(live));
      this.lives.add(live);
      live.start(started.topics);
      live.hold();
      return { live, key };
    }
    const params = record?.p ?? m.params ?? {};
    const gkey = `hl:g:${m.format}:${m.name}:${canonicalJson(params)}`;
    for (;;) {
      let pending = this.#groups.get(gkey);
      if (!pending) {
        pending = this.#createGroup(m, params, gkey, record !== undefined);
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
        const pointer: StoredInstance = { c: m.name, g: gkey, p: params };
        await store.save(key, pointer as unknown as Record<string, unknown>, this.env.ctx.options.stateTtlMs).catch((err: unknown) => {
          this.env.ctx.log("cannot save a session record", err);
        });
      }
      return { live, key };
    }
  }

  /** A new group: a resume hydrates from the group's saved state, a token from the token, else it mounts. */
  async #createGroup(m: JoinMessage, params: Record<string, unknown>, gkey: string, resume: boolean): Promise<LiveInstance> {
    const presenter = presenterFor(m.format, this.env.ctx.registry.require(m.name));
    const saved = resume ? ((await this.env.ctx.store.load(gkey)) as StoredInstance | null) : null;
    const { component, topics } = await startComponent(this.env.ctx, {
      name: m.name,
      params,
      ...(saved && saved.c === m.name && saved.s ? { restore: { state: saved.s, topics: saved.t, from: "store" } } : m.state !== undefined && { token: m.state }),
    });
    const live: LiveInstance = new LiveInstance(this.env, m.name, component, presenter, gkey, () => {
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

/** JSON with object keys sorted, so that `{a,b}` and `{b,a}` name the same shared group. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return "[" + value.map(canonicalJson).join(",") + "]";
  if (value && typeof value === "object") {
    const o = value as Record<string, unknown>;
    return "{" + Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => JSON.stringify(k) + ":" + canonicalJson(o[k])).join(",") + "}";
  }
  return JSON.stringify(value) ?? "null";
}

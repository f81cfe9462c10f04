import type { Activity } from "../live/activity.js";
import type { AppContext } from "../live/context.js";
import type { Hub } from "../live/hub.js";
import { instanceState, publicId, RESERVED, takeSnapshot, TOPICS, type ConnectionLike, type ProcessInfo, type ProcessSnapshot } from "./snapshot.js";

/** How long one inspector request keeps a process reporting (inspectors renew it every {@link HELLO_MS}). */
export const LEASE_MS = 15_000;
/** How often an open inspector renews its request. */
export const HELLO_MS = 5_000;
/** Activity is sent in batches, at most this often. */
const FLUSH_MS = 250;
/** Most activity records per batch; past it they are counted as dropped. */
const MAX_BATCH = 200;
/** A snapshot is sent when it changed (checked every second), and at least this often. */
const SNAPSHOT_MS = 1_000;
const SNAPSHOT_FORCE_MS = 4_000;
/** The runtime's instance ids ("i1", "i2", …); anything else is hashed before it is relayed. */
const RUNTIME_ID = /^i\d{1,15}$/;
/** Most instances one request may watch (their states are sent with each snapshot). */
const MAX_WATCH = 8;

/** What a process answers on {@link TOPICS.snapshots}. */
export interface SnapshotMessage {
  t: "snapshot";
  process: ProcessSnapshot;
  /** The redacted states of the watched instances of this process, by instance id. */
  states?: Record<string, { component: string; state: unknown; truncated?: boolean } | null>;
}

/** One activity record as relayed: the instance id is the inspector's public one. */
export type RelayedActivity = Omit<Activity, "instance"> & { instance?: string };

/** What a process sends on {@link TOPICS.activity} while an inspector is open. */
export interface ActivityMessage {
  /** The process id, and a label to show ("host:pid"). */
  p: string;
  label: string;
  items: RelayedActivity[];
  /** Records not sent since the last batch (the batch was full). */
  dropped: number;
}

/** A request to every process: report (for {@link LEASE_MS}), with the states of `watch`. */
export interface HelloMessage {
  t: "hello";
  watch?: { p: string; i: string }[];
}

/**
 * One process's side of the inspector: it answers requests on the devtools topic with its
 * snapshot and, while some inspector anywhere renewed its request within {@link LEASE_MS}, relays
 * its activity in bounded batches. With no inspector open it only holds one subscription: no
 * activity listener (so the runtime builds no records), no timer.
 */
export class DevtoolsRelay {
  readonly info: ProcessInfo;
  readonly #ctx: AppContext;
  readonly #hub: Hub;
  readonly #connections: () => Iterable<ConnectionLike>;
  readonly #redact: (key: string) => boolean;
  readonly #label: string;
  #subscription: Promise<(() => Promise<void>) | undefined> | undefined;
  #lease = 0;
  #off: (() => void) | undefined;
  #timer: NodeJS.Timeout | undefined;
  #batch: RelayedActivity[] = [];
  #dropped = 0;
  /** watched instance ids of this process, until when */
  readonly #watched = new Map<string, number>();
  #lastJson = "";
  #lastSent = 0;
  #lastChecked = 0;
  /** a request came while a snapshot had just been sent: the next tick sends one */
  #owed = false;

  constructor(ctx: AppContext, hub: Hub, connections: () => Iterable<ConnectionLike>, info: ProcessInfo, redact: (key: string) => boolean) {
    this.#ctx = ctx;
    this.#hub = hub;
    this.#connections = connections;
    this.info = info;
    this.#redact = redact;
    this.#label = `${info.host}:${info.pid}`;
  }

  /** Starts answering requests; resolves once the subscription is live. */
  start(): Promise<unknown> {
    this.#subscription ??= this.#ctx.pubsub.subscribe(TOPICS.request, (m) => this.#request(m)).catch((err: unknown) => {
      this.#ctx.log("devtools: cannot listen for inspector requests", err);
      return undefined;
    });
    return this.#subscription;
  }

  /** Whether this process is reporting now (some inspector asked within the lease). */
  get reporting(): boolean {
    return this.#off !== undefined;
  }

  #request(m: unknown): void {
    const hello = m as HelloMessage | undefined;
    if (!hello || typeof hello !== "object" || hello.t !== "hello") return;
    const now = Date.now();
    this.#lease = now + LEASE_MS;
    if (Array.isArray(hello.watch)) {
      for (const w of hello.watch.slice(0, MAX_WATCH)) {
        if (w && w.p === this.info.id && typeof w.i === "string" && w.i.length <= 32) this.#watched.set(w.i, this.#lease);
      }
    }
    if (!this.#off) {
      this.#off = this.#ctx.activity.on((a) => this.#record(a));
      this.#timer = setInterval(() => this.#tick(), FLUSH_MS);
      this.#timer.unref();
    }
    // Requests may come in floods (many inspectors, or anyone who can publish on the bus): at
    // most one snapshot per batch interval answers them; a request in between is answered by the next tick.
    if (now - this.#lastSent >= FLUSH_MS) this.#snapshot(true);
    else this.#owed = true;
  }

  #record(a: Activity): void {
    // The inspector's own work is not shown: it would feed itself.
    if (a.component === RESERVED.panel || a.component === RESERVED.timeline) return;
    if (a.name !== undefined && a.name.startsWith(TOPICS.request)) return;
    if (this.#batch.length >= MAX_BATCH) {
      this.#dropped++;
      return;
    }
    const r: RelayedActivity = { kind: a.kind, at: a.at };
    if (a.component !== undefined) r.component = a.component;
    if (a.instance !== undefined) r.instance = RUNTIME_ID.test(String(a.instance)) ? String(a.instance) : publicId(String(a.instance));
    if (a.name !== undefined) r.name = String(a.name).slice(0, 200);
    if (typeof a.ms === "number") r.ms = a.ms;
    if (typeof a.bytes === "number") r.bytes = a.bytes;
    if (typeof a.count === "number") r.count = a.count;
    if (a.outcome !== undefined) r.outcome = a.outcome;
    if (a.code !== undefined) r.code = a.code;
    this.#batch.push(r);
  }

  #tick(): void {
    const now = Date.now();
    this.#flush();
    if (now > this.#lease) return this.#stop();
    for (const [id, until] of this.#watched) if (until < now) this.#watched.delete(id);
    if (this.#owed || now - this.#lastChecked >= SNAPSHOT_MS) this.#snapshot(this.#owed);
  }

  #flush(): void {
    if (!this.#batch.length && !this.#dropped) return;
    const message: ActivityMessage = { p: this.info.id, label: this.#label, items: this.#batch, dropped: this.#dropped };
    this.#batch = [];
    this.#dropped = 0;
    this.#publish(TOPICS.activity, message);
  }

  /** Sends this process's snapshot when it changed (or `force`, or it is due). */
  #snapshot(force: boolean): void {
    const now = Date.now();
    this.#lastChecked = now;
    this.#owed = false;
    let message: SnapshotMessage;
    try {
      message = { t: "snapshot", process: takeSnapshot(this.info, this.#hub, this.#connections()) };
      if (this.#watched.size) {
        message.states = {};
        for (const id of this.#watched.keys()) message.states[id] = instanceState(this.#hub, id, this.#redact) ?? null;
      }
    } catch (err) {
      this.#ctx.log("devtools: cannot take a snapshot", err);
      return;
    }
    const json = JSON.stringify({ ...message, process: { ...message.process, at: 0 } });
    if (!force && json === this.#lastJson && now - this.#lastSent < SNAPSHOT_FORCE_MS) return;
    this.#lastJson = json;
    this.#lastSent = now;
    this.#publish(TOPICS.snapshots, message);
  }

  #publish(topic: string, message: unknown): void {
    this.#ctx.pubsub.publish(topic, message).catch((err: unknown) => this.#ctx.log("devtools: cannot publish to the inspector", err));
  }

  #stop(): void {
    this.#off?.();
    this.#off = undefined;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#batch = [];
    this.#dropped = 0;
    this.#watched.clear();
    this.#lastJson = "";
    this.#owed = false;
  }

  /** Stops reporting and listening. */
  async close(): Promise<void> {
    this.#stop();
    this.#lease = 0;
    const off = await this.#subscription;
    this.#subscription = undefined;
    await off?.().catch(() => {});
  }
}

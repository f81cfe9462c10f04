/**
 * RedisPresence's watched topics: those with local listeners. A process keeps the list of each one
 * (one HGETALL, then the diffs on the topic's channel; presence-redis-wire.ts has both formats), so
 * that `list()` of a watched topic costs Redis nothing, and reloads it after an outage or an
 * unreadable message (listeners get the net change with `resync: true`). The subscriptions to the
 * topics' channels are kept here too.
 */
import type { PresenceListener } from "./presence.js";
import { readMessage, readValue, type PresenceKeys, type PresenceMessage } from "./presence-redis-wire.js";
import { deliver, PresenceTable, tableOf, type Tracking } from "./presence-table.js";
import { subscribeChannels, unsubscribeChannels } from "./redis-cluster.js";
import { commandOn, reasonOf, type LogLine, type RedisFlavour } from "./redis-driver.js";

/** RedisPresence's connections: commands on `pub`, subscriptions on `sub`. */
interface Conn { pub: any; sub: any; flavour: RedisFlavour }

/** What the watched topics need of their RedisPresence. */
export interface WatchHost {
  readonly keys: PresenceKeys;
  /** Its id: its own messages, echoed on the channels, are ignored. */
  readonly processId: string;
  readonly log: LogLine;
  /** The connections, once made (rejects once closed). */
  ready(): Promise<Conn>;
  /** The connections if made yet. */
  made(): Conn | undefined;
  closed(): boolean;
}

/** A topic with local listeners: its list is kept here, from one HGETALL and then the channel's diffs. */
interface Watched {
  readonly listeners: Set<PresenceListener>;
  readonly table: PresenceTable;
  ready: Promise<void>;
  loaded: boolean;
  /** Other processes' messages that arrived while the list was (re)loading, replayed on top of it. */
  buffer: PresenceMessage[] | undefined;
  /** Bumped by each load, so that only the newest one applies. */
  generation: number;
}

/** The trackings in a topic's hash (HGETALL's answer, as either library gives it); unreadable values left out. */
export function readHash(raw: unknown): Tracking[] {
  const values: unknown[] = Array.isArray(raw) ? raw.filter((_, i) => i % 2 === 1)
    : raw instanceof Map ? [...raw.values()] : Object.values(raw as object);
  const out: Tracking[] = [];
  for (const v of values) {
    const t = readValue(String(v));
    if (t) out.push(t);
  }
  return out;
}

/** @internal One RedisPresence's watched topics. */
export class WatchedTopics {
  readonly #host: WatchHost;
  readonly #watched = new Map<string, Watched>();
  /** Channels whose UNSUBSCRIBE failed during an outage; dropped again on reconnect. */
  readonly stale = new Set<string>();
  /** The subscriber's listener (ioredis). */
  readonly onMessage = (channel: string, payload: string) => this.#receive(channel, payload);
  /** The subscriber's listener (node-redis). */
  readonly onNodeRedisMessage = (payload: string, channel: string) => this.#receive(channel, payload);
  #reloadTimer: NodeJS.Timeout | undefined;
  #reloadAt: number | undefined;

  constructor(host: WatchHost) {
    this.#host = host;
  }

  /** Topics with local listeners. */
  get size(): number {
    return this.#watched.size;
  }

  /** The channels of the watched topics. */
  channels(): string[] {
    return [...this.#watched.keys()].map((t) => this.#host.keys.topic(t));
  }

  /** Whether `channel` is a watched topic's. */
  wants(channel: string): boolean {
    return this.#watched.has(this.#host.keys.topicOf(channel)!);
  }

  /** The topic's list once loaded, if the topic is (still) watched; else undefined: the caller asks Redis. */
  async table(topic: string): Promise<PresenceTable | undefined> {
    const w = this.#watched.get(topic);
    if (w && (await w.ready.then(() => true, () => false)) && this.#watched.get(topic) === w) return w.table;
    return undefined;
  }

  /**
   * Adds `listener` to the topic, which is subscribed to and loaded first when it has no listener
   * yet; rejects with what failed (the listener is then not added). Resolves with its removal.
   */
  async subscribe(topic: string, listener: PresenceListener): Promise<() => Promise<void>> {
    const keys = this.#host.keys;
    const entry: PresenceListener = (d, i) => listener(d, i);
    let w = this.#watched.get(topic);
    if (!w) {
      const created: Watched = { listeners: new Set(), table: new PresenceTable(), ready: Promise.resolve(), loaded: false, buffer: [], generation: 0 };
      created.ready = this.#host.ready().then(async (c) => {
        await this.#subscribe(c, [keys.topic(topic)]);
        await this.#load(c, topic, created);
      });
      this.#watched.set(topic, (w = created));
      this.stale.delete(keys.topic(topic));
    }
    w.listeners.add(entry);
    try {
      await w.ready;
    } catch (err) {
      await this.#drop(topic, w, entry, false);
      throw err;
    }
    const live = w;
    return () => this.#drop(topic, live, entry, true);
  }

  /** This process's own change, once Redis acknowledged it (its echo on the channel is ignored). */
  apply(topic: string, leaves: Tracking[], joins: Tracking[]): void {
    const w = this.#watched.get(topic);
    if (w) this.#apply(topic, w, leaves, joins);
  }

  /** After the subscriber reconnected: its channels subscribed again, the stale ones dropped. */
  async resubscribe(c: Conn): Promise<void> {
    const channels = this.channels();
    try {
      // node-redis resubscribes before "ready"; ioredis after it, so wait for ours to be confirmed.
      if (c.flavour === "ioredis" && channels.length) await this.#subscribe(c, channels);
      const stale = [...this.stale].filter((ch) => !channels.includes(ch));
      this.stale.clear();
      if (stale.length) await this.#unsubscribe(c, stale).catch(() => {});
    } catch (err) {
      this.#host.log(`hotline/redis: presence resubscribe after reconnect failed (${reasonOf(err)})`);
    }
  }

  /** Reloads every watched topic after `delay` ms, or later if a later reload is already due. */
  scheduleReload(delay: number): void {
    const at = Date.now() + delay;
    if (this.#host.closed() || (this.#reloadAt !== undefined && this.#reloadAt >= at)) return;
    clearTimeout(this.#reloadTimer);
    this.#reloadAt = at;
    this.#reloadTimer = setTimeout(() => {
      this.#reloadAt = undefined;
      for (const [topic, w] of this.#watched) if (w.loaded) void this.#reload(topic, w);
    }, delay).unref();
  }

  /** close(), first: no reload any more. */
  stopReloads(): void {
    clearTimeout(this.#reloadTimer);
  }

  /** close(), last: every topic forgotten. */
  clear(): void {
    this.#watched.clear();
  }

  #apply(topic: string, w: Watched, leaves: Tracking[], joins: Tracking[]): void {
    const diff = w.table.apply(leaves, joins);
    if (diff && w.loaded) deliver(w.listeners, diff, { topic });
  }

  #receive(channel: string, payload: string): void {
    const topic = this.#host.keys.topicOf(channel);
    if (topic === undefined) return;
    const w = this.#watched.get(topic);
    if (!w) return;
    const m = readMessage(payload);
    if (!m) {
      this.#host.log(`hotline/redis: unreadable presence message on "${topic}"; reloading its list`);
      return void this.#reload(topic, w);
    }
    if (m.origin === this.#host.processId) return;
    if (w.buffer) return void w.buffer.push(m);
    this.#apply(topic, w, m.leaves, m.joins);
  }

  /** Reads the topic's hash and makes it the list (plus what arrived meanwhile); after the first load, listeners get the net change. */
  async #load(c: Conn, topic: string, w: Watched): Promise<void> {
    w.buffer ??= [];
    const generation = ++w.generation;
    let raw: unknown;
    try {
      raw = await commandOn(c.pub, c.flavour, ["HGETALL", this.#host.keys.topic(topic)]);
    } catch (err) {
      if (generation === w.generation && w.loaded) {
        // Keep what arrived meanwhile rather than lose it; the next recovery reloads.
        const buffered = w.buffer ?? [];
        w.buffer = undefined;
        for (const m of buffered) this.#apply(topic, w, m.leaves, m.joins);
      }
      throw err;
    }
    if (generation !== w.generation) return;
    const fresh = tableOf(readHash(raw));
    for (const m of w.buffer ?? []) fresh.apply(m.leaves, m.joins);
    w.buffer = undefined;
    const diff = w.table.replace(fresh.values());
    if (w.loaded) deliver(w.listeners, diff, { topic, resync: true });
    w.loaded = true;
  }

  #reload(topic: string, w: Watched): Promise<void> {
    const c = this.#host.made();
    if (!c || this.#host.closed()) return Promise.resolve();
    return this.#load(c, topic, w).catch((err) => this.#host.log(`hotline/redis: reloading presences of "${topic}" failed (${reasonOf(err)})`));
  }

  async #drop(topic: string, w: Watched, entry: PresenceListener, unsubscribe: boolean): Promise<void> {
    if (!w.listeners.delete(entry) || w.listeners.size > 0) return;
    if (this.#watched.get(topic) !== w) return;
    this.#watched.delete(topic);
    w.generation++;
    const c = this.#host.made();
    if (!unsubscribe || this.#host.closed() || !c) return;
    const channel = this.#host.keys.topic(topic);
    try {
      await this.#unsubscribe(c, [channel]);
    } catch (err) {
      if (!this.#watched.has(topic)) this.stale.add(channel);
      this.#host.log(`hotline/redis: presence unsubscribe from "${topic}" deferred until Redis is back (${reasonOf(err)})`);
    }
  }

  #subscribe(c: Conn, channels: string[]): Promise<void> {
    return subscribeChannels(c.sub, c.flavour, this.#host.keys.cluster, channels, this.onNodeRedisMessage);
  }

  #unsubscribe(c: Conn, channels: string[]): Promise<void> {
    return unsubscribeChannels(c.sub, c.flavour, this.#host.keys.cluster, channels, this.onNodeRedisMessage);
  }
}

import { randomBytes } from "node:crypto";
import { setTimeout as sleep } from "node:timers/promises";
import type { Presence, PresenceList, PresenceListener, PresenceMeta, PresenceOptions } from "./presence.js";
import { checkKey, checkTopic, closedError, copyMeta, maxPerTopic, newRef, topicFull, unknownRef } from "./presence-limits.js";
import { PresenceKeys, fieldOf, messageOf, valueOf } from "./presence-redis-wire.js";
import { heartbeat } from "./presence-redis-beat.js";
import { readHash, WatchedTopics } from "./presence-redis-watch.js";
import { tableOf, type Tracking } from "./presence-table.js";
import { checkClusterPrefix, clusterTopicProblem, shardedSubscriber, watchShardedSubscriptions } from "./redis-cluster.js";
import {
  clientForUrl, commandOn, flavourOf, isClusterClient, quitConnection, reasonOf, watchConnection,
  type LogLine, type RedisClientLike, type RedisFlavour,
} from "./redis-driver.js";
import { HotlineError } from "../server/core/errors.js";

/** Options of {@link RedisPresence}: give `client` or `url`. */
export interface RedisPresenceOptions extends PresenceOptions {
  /**
   * An ioredis or node-redis client for commands; RedisPresence duplicates it once to subscribe.
   * `close()` leaves it open. A cluster client (ioredis `Cluster`, node-redis `createCluster()`)
   * switches to hash-tagged keys and sharded pub/sub: docs/deploy-redis.md, "Redis Cluster".
   */
  client?: RedisClientLike;
  /** A Redis URL; RedisPresence opens (and closes) its own connections. */
  url?: string;
  /** With `url`: which library to use. Default: ioredis when installed, else node-redis. */
  driver?: RedisFlavour;
  /** Prefix of key and channel names, the same in every process of an app. Default `"hotline:"`. */
  prefix?: string;
  /** How soon a dead process's presences leave every list, in ms. Default 10,000. */
  processTimeoutMs?: number;
  /** How often this process proves it is alive and sweeps dead ones, in ms. Default processTimeoutMs / 4; at most a third of it. */
  heartbeatMs?: number;
  /** Where connection trouble is reported, one line per outage. Default `console.warn`. */
  log?: LogLine;
}

interface Conn { pub: any; sub: any; flavour: RedisFlavour; ownPub: boolean; watch?: { arm(): void; close(): void } }

/** One of this process's trackings. */
interface Own { topic: string; tracking: Tracking; value: string }

/** Values per HSET/PUBLISH when many trackings go at once, so no single message grows huge. */
const CHUNK = 500;

/**
 * A {@link Presence} over Redis, for many server processes. A track is one round trip of three
 * commands (SADD, HSET, PUBLISH), an untrack two or three (HDEL, PUBLISH, SREM), whatever the
 * number of viewers and processes. A process keeps the list of each topic it subscribes to (one
 * HGETALL, then the channel's diffs), so `list()` of a subscribed topic costs Redis nothing.
 *
 * Each process heartbeats every `heartbeatMs` and sweeps the processes whose heartbeat stopped:
 * a process that dies without untracking leaves every list within `processTimeoutMs`, and nothing
 * of it stays in Redis. A process that finds itself swept (a partition) or Redis empty (a restart)
 * tracks everything it holds again and reloads its lists (listeners get the net change with
 * `resync: true`). docs/presence.md has the design and its limits.
 *
 * @example
 * import { Redis } from "ioredis";
 * import { RedisPresence } from "hotline/redis";
 * const presence = new RedisPresence({ client: new Redis(process.env.REDIS_URL!) });
 * const ref = await presence.track("board:1", user.id, { name: user.name });
 */
export class RedisPresence implements Presence {
  /** This instance's id in Redis (its hash fields start with it). */
  readonly processId = randomBytes(8).toString("hex");
  readonly #keys: PresenceKeys;
  readonly #max: number;
  readonly #heartbeat: number;
  /** A heartbeat older than this is a dead process: the timeout less one heartbeat and a margin, so a sweep lands within the timeout. */
  readonly #staleAfter: number;
  readonly #log: LogLine;
  readonly #conn: Promise<Conn>;
  readonly #own = new Map<string, Own>();
  readonly #ownTopics = new Map<string, number>();
  /** Tracks sent and not yet acknowledged, per topic: they count against the limit. */
  readonly #inflight = new Map<string, number>();
  /** The topics with local listeners, each one's list kept here (presence-redis-watch.ts). */
  readonly #watched: WatchedTopics;
  /** Fields that a failed untrack (or track) may have left in Redis: removed by the next heartbeat. */
  readonly #orphans = new Map<string, { topic: string; value: string }>();
  #made: Conn | undefined;
  #timer: NodeJS.Timeout | undefined;
  #ticking: Promise<boolean | undefined> | undefined;
  #tickFailing = false;
  #registered = false;
  #mustTrackAgain = false;
  #closed = false;

  constructor(options: RedisPresenceOptions) {
    if (!options.client && !options.url) throw new TypeError("hotline/redis: RedisPresence needs `client` or `url`");
    const timeout = options.processTimeoutMs ?? 10_000;
    const heartbeat = options.heartbeatMs ?? Math.round(timeout / 4);
    if (!(timeout > 0) || !(heartbeat > 0) || heartbeat > timeout / 3) {
      throw new TypeError("hotline/redis: RedisPresence needs processTimeoutMs > 0 and 0 < heartbeatMs <= processTimeoutMs / 3");
    }
    this.#heartbeat = heartbeat;
    this.#staleAfter = Math.floor(timeout - heartbeat - Math.min(200, heartbeat / 5));
    this.#max = maxPerTopic(options);
    const cluster = !!options.client && isClusterClient(options.client);
    if (cluster) checkClusterPrefix(options.prefix ?? "hotline:", "RedisPresence");
    this.#keys = new PresenceKeys(options.prefix ?? "hotline:", cluster);
    this.#log = options.log ?? ((line) => console.warn(line));
    this.#watched = new WatchedTopics({
      keys: this.#keys, processId: this.processId, log: this.#log,
      ready: () => this.#ready(), made: () => this.#made, closed: () => this.#closed,
    });
    this.#conn = this.#connect(options);
    this.#conn.catch(() => {});
  }

  async #connect(options: RedisPresenceOptions): Promise<Conn> {
    const made = options.client
      ? { client: options.client as any, flavour: flavourOf(options.client) }
      : await clientForUrl(options.url!, options.driver, "presence", this.#log);
    if (this.#closed) {
      if (!options.client) await quitConnection(made.client, made.flavour);
      throw closedError();
    }
    const c: Conn = { pub: made.client, sub: undefined, flavour: made.flavour, ownPub: !options.client };
    this.#made = c;
    if (this.#keys.cluster) {
      c.sub = shardedSubscriber(c.pub, c.flavour);
      c.watch = this.#watchCluster(c);
    } else {
      c.sub = c.pub.duplicate();
      watchConnection(c.sub, c.flavour, "presence subscriber", this.#log, { up: (afterOutage) => { if (afterOutage) void this.#recover(); } });
    }
    if (c.flavour === "ioredis") {
      c.sub.on(this.#keys.cluster ? "smessage" : "message", this.#watched.onMessage);
    } else {
      if (!c.pub.isOpen) await c.pub.connect();
      await c.sub.connect();
      c.watch?.arm();
    }
    // Registered before the first track: a process that died unregistered would leave fields no sweep finds.
    while ((await this.#tick()) === undefined) {
      if (this.#closed) throw closedError();
      await sleep(Math.min(this.#heartbeat, 1000));
    }
    if (this.#closed) throw closedError();
    this.#timer = setInterval(() => void this.#tick(), this.#heartbeat).unref();
    return c;
  }

  async #ready(): Promise<Conn> {
    if (this.#closed) throw closedError();
    return this.#conn;
  }

  /** Topics with local listeners (for tests and the dashboard). */
  get topicCount(): number {
    return this.#watched.size;
  }

  async track(topic: string, key: string, meta: PresenceMeta): Promise<string> {
    this.#open();
    this.#checkTopic(topic);
    checkKey(key);
    const copy = copyMeta(meta);
    const c = await this.#ready();
    await this.#reserve(c, topic).catch((err) => { throw this.#failed("track on", topic, err); });
    const ref = newRef();
    const tracking: Tracking = { ref, key, meta: copy.meta };
    const value = valueOf(ref, key, copy.json);
    const hash = this.#keys.topic(topic), field = fieldOf(this.processId, ref);
    this.#own.set(ref, { topic, tracking, value });
    this.#ownTopics.set(topic, (this.#ownTopics.get(topic) ?? 0) + 1);
    try {
      await this.#send(c, [
        ["SADD", this.#keys.proc(this.processId), topic],
        ["HSET", hash, field, value],
        [this.#keys.publish, hash, messageOf(this.processId, [value], [])],
      ]);
    } catch (err) {
      this.#own.delete(ref);
      this.#forgetOwn(topic);
      this.#orphans.set(field, { topic, value });
      throw this.#failed("track on", topic, err);
    } finally {
      this.#inflight.set(topic, this.#inflight.get(topic)! - 1);
    }
    this.#watched.apply(topic, [], [tracking]);
    return ref;
  }

  async update(topic: string, ref: string, meta: PresenceMeta): Promise<void> {
    this.#open();
    this.#checkTopic(topic);
    const copy = copyMeta(meta);
    const own = this.#own.get(ref);
    if (!own || own.topic !== topic) throw unknownRef(topic, ref);
    const c = await this.#ready();
    const old = own.tracking, oldValue = own.value;
    own.tracking = { ref, key: old.key, meta: copy.meta };
    own.value = valueOf(ref, old.key, copy.json);
    const hash = this.#keys.topic(topic);
    try {
      await this.#send(c, [
        ["HSET", hash, fieldOf(this.processId, ref), own.value],
        [this.#keys.publish, hash, messageOf(this.processId, [own.value], [oldValue])],
      ]);
    } catch (err) {
      throw this.#failed("update on", topic, err);
    }
    this.#watched.apply(topic, [old], [own.tracking]);
  }

  async untrack(topic: string, ref: string): Promise<void> {
    this.#open();
    this.#checkTopic(topic);
    const own = this.#own.get(ref);
    if (!own || own.topic !== topic) return;
    this.#own.delete(ref);
    const last = this.#forgetOwn(topic);
    const c = await this.#ready();
    const hash = this.#keys.topic(topic), field = fieldOf(this.processId, ref);
    const commands = [["HDEL", hash, field], [this.#keys.publish, hash, messageOf(this.processId, [], [own.value])]];
    if (last) commands.push(["SREM", this.#keys.proc(this.processId), topic]);
    try {
      await this.#send(c, commands);
    } catch (err) {
      this.#orphans.set(field, { topic, value: own.value });
      throw this.#failed("untrack on", topic, err, "; the next heartbeat tries again");
    } finally {
      this.#watched.apply(topic, [own.tracking], []);
    }
  }

  async list(topic: string): Promise<PresenceList> {
    this.#open();
    this.#checkTopic(topic);
    const table = await this.#watched.table(topic);
    if (table) return table.list();
    const c = await this.#ready();
    try {
      return tableOf(readHash(await commandOn(c.pub, c.flavour, ["HGETALL", this.#keys.topic(topic)]))).list();
    } catch (err) {
      throw this.#failed("list of", topic, err);
    }
  }

  async subscribe(topic: string, listener: PresenceListener): Promise<() => Promise<void>> {
    this.#open();
    this.#checkTopic(topic);
    try {
      return await this.#watched.subscribe(topic, listener);
    } catch (err) {
      throw this.#failed("subscribe to", topic, err);
    }
  }

  /** Untracks everything (here and in Redis; listeners get the leaves), then ends subscriptions and closes its connections. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#made?.watch?.close();
    clearInterval(this.#timer);
    this.#watched.stopReloads();
    const c = this.#made;
    if (!c) return;
    let timer: NodeJS.Timeout | undefined;
    const within = <T>(p: Promise<T>, ms: number) =>
      Promise.race([p, new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error("timed out")), ms); })]).finally(() => clearTimeout(timer));
    await within(this.#conn, 1000).catch(() => {});
    if (this.#registered) {
      try {
        await within(this.#leaveRedis(c), 2000);
      } catch (err) {
        this.#log(`hotline/redis: presence close could not untrack in Redis (${reasonOf(err)}); other processes drop this one's presences after processTimeoutMs`);
      }
    }
    for (const own of this.#own.values()) this.#watched.apply(own.topic, [own.tracking], []);
    this.#own.clear();
    this.#watched.clear();
    if (c.sub) await quitConnection(c.sub, c.flavour);
    if (c.ownPub) await quitConnection(c.pub, c.flavour);
  }

  #open(): void {
    if (this.#closed) throw closedError();
  }

  #checkTopic(topic: string): void {
    checkTopic(topic);
    const problem = this.#keys.cluster ? clusterTopicProblem(topic) : undefined;
    if (problem) throw new HotlineError("bad_message", `a presence topic is refused: ${problem}`, { fault: "app" });
  }

  /** Checks the topic has room (this process's list when it has one, else HLEN) and counts the track in flight. */
  async #reserve(c: Conn, topic: string): Promise<void> {
    const table = await this.#watched.table(topic);
    const held = table ? table.size : Number(await commandOn(c.pub, c.flavour, ["HLEN", this.#keys.topic(topic)]));
    const inflight = this.#inflight.get(topic) ?? 0;
    if (held + inflight >= this.#max) throw topicFull(topic, this.#max);
    this.#inflight.set(topic, inflight + 1);
  }

  /** One round trip: commands issued in the same tick are pipelined by both libraries. */
  #send(c: Conn, commands: string[][]): Promise<unknown[]> {
    return Promise.all(commands.map((args) => commandOn(c.pub, c.flavour, args)));
  }

  /** Decrements this process's count on `topic`; true when it was the last tracking there. */
  #forgetOwn(topic: string): boolean {
    const n = (this.#ownTopics.get(topic) ?? 1) - 1;
    if (n > 0) this.#ownTopics.set(topic, n);
    else this.#ownTopics.delete(topic);
    return n <= 0;
  }

  #failed(what: string, topic: string, err: unknown, more = ""): HotlineError {
    if (err instanceof HotlineError) return err;
    return new HotlineError("handler_error", `hotline/redis: presence ${what} "${topic}" failed (${reasonOf(err)})${more}`,
      { fault: "framework", cause: err });
  }

  /**
   * On a cluster, once every watched topic's SSUBSCRIBE holds again after a lost master: as after
   * a reconnect, a heartbeat (tracking everything again if this process's presences are gone with
   * the master's unreplicated writes), then the lists reloaded.
   */
  #watchCluster(c: Conn): { arm(): void; close(): void } {
    return watchShardedSubscriptions({
      sub: c.sub, flavour: c.flavour, name: "presence subscriber", log: this.#log, listener: this.#watched.onNodeRedisMessage,
      closing: () => this.#closed,
      channels: () => this.#watched.channels(),
      wanted: (ch) => this.#watched.wants(ch),
      stale: this.#watched.stale,
      recovered: () => void this.#tick().then((rejoined) => this.#watched.scheduleReload(rejoined ? this.#heartbeat : 0)),
    });
  }

  /** After the subscriber reconnected: channels live again, a heartbeat now, then the lists reloaded. */
  async #recover(): Promise<void> {
    const c = this.#made;
    if (this.#closed || !c) return;
    await this.#watched.resubscribe(c);
    // When Redis came back empty, the heartbeat finds out and tracks everything again; the reload
    // then waits a heartbeat, so that the other processes have done the same first.
    const rejoined = await this.#tick();
    this.#watched.scheduleReload(rejoined ? this.#heartbeat : 0);
  }

  /** One heartbeat (and sweep); resolves true when this process had been dropped, undefined on failure. */
  #tick(): Promise<boolean | undefined> {
    const c = this.#made;
    if (this.#ticking) return this.#ticking;
    if (!c || this.#closed) return Promise.resolve(undefined);
    const ticking = this.#beat(c).then(
      (rejoined) => {
        if (this.#tickFailing) this.#log("hotline/redis: presence heartbeat is back");
        this.#tickFailing = false;
        return rejoined;
      },
      (err) => {
        if (!this.#tickFailing) this.#log(`hotline/redis: presence heartbeat failed (${reasonOf(err)}); retrying every ${this.#heartbeat} ms`);
        this.#tickFailing = true;
        return undefined;
      },
    ).finally(() => { if (this.#ticking === ticking) this.#ticking = undefined; });
    return (this.#ticking = ticking);
  }

  async #beat(c: Conn): Promise<boolean> {
    const added = await heartbeat((args) => commandOn(c.pub, c.flavour, args), this.#keys, this.processId, this.#staleAfter, 50);
    const rejoined = added === 1 && this.#registered;
    this.#registered = true;
    if (rejoined) {
      this.#log("hotline/redis: this process's presences were gone from Redis (swept after a partition, or Redis lost its data); tracking them again");
      // Kept until done: the next heartbeat finds this process registered again and would not know.
      this.#mustTrackAgain = true;
    }
    if (this.#mustTrackAgain && !this.#closed) {
      await this.#trackAllAgain(c);
      this.#mustTrackAgain = false;
      this.#watched.scheduleReload(this.#heartbeat);
    }
    if (this.#orphans.size) await this.#dropOrphans(c);
    return rejoined;
  }

  async #trackAllAgain(c: Conn): Promise<void> {
    const commands: string[][] = [];
    for (const [topic, owns] of this.#ownByTopic()) {
      const hash = this.#keys.topic(topic);
      commands.push(["SADD", this.#keys.proc(this.processId), topic]);
      for (let i = 0; i < owns.length; i += CHUNK) {
        const chunk = owns.slice(i, i + CHUNK);
        commands.push(["HSET", hash, ...chunk.flatMap((o) => [fieldOf(this.processId, o.tracking.ref), o.value])]);
        commands.push([this.#keys.publish, hash, messageOf(this.processId, chunk.map((o) => o.value), [])]);
      }
    }
    await this.#send(c, commands);
  }

  async #dropOrphans(c: Conn): Promise<void> {
    for (const [field, o] of [...this.#orphans]) {
      const hash = this.#keys.topic(o.topic);
      const commands = [["HDEL", hash, field], [this.#keys.publish, hash, messageOf(this.processId, [], [o.value])]];
      if (!this.#ownTopics.has(o.topic)) commands.push(["SREM", this.#keys.proc(this.processId), o.topic]);
      await this.#send(c, commands);
      this.#orphans.delete(field);
    }
  }

  /** close(): every tracking out of Redis, with its leave published, and this process's bookkeeping deleted. */
  async #leaveRedis(c: Conn): Promise<void> {
    await this.#dropOrphans(c);
    const commands: string[][] = [];
    for (const [topic, owns] of this.#ownByTopic()) {
      const hash = this.#keys.topic(topic);
      for (let i = 0; i < owns.length; i += CHUNK) {
        const chunk = owns.slice(i, i + CHUNK);
        commands.push(["HDEL", hash, ...chunk.map((o) => fieldOf(this.processId, o.tracking.ref))]);
        commands.push([this.#keys.publish, hash, messageOf(this.processId, [], chunk.map((o) => o.value))]);
      }
    }
    commands.push(["DEL", this.#keys.proc(this.processId)], ["ZREM", this.#keys.procs, this.processId]);
    await this.#send(c, commands);
  }

  #ownByTopic(): Map<string, Own[]> {
    const by = new Map<string, Own[]>();
    for (const own of this.#own.values()) {
      const list = by.get(own.topic);
      if (list) list.push(own);
      else by.set(own.topic, [own]);
    }
    return by;
  }
}

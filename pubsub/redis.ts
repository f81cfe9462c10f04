import { createHash, randomBytes } from "node:crypto";
import type { DeliveryInfo, Listener, PubSub } from "./pubsub.js";
import { decode, PUBLISH_SCRIPT, SPUBLISH_SCRIPT, toJson } from "./redis-codec.js";
import {
  checkClusterPrefix, clusterTopicProblem, shardedSubscriber, subscribeChannels, taggedName, topicOfTagged,
  unsubscribeChannels, watchShardedSubscriptions,
} from "./redis-cluster.js";
import {
  clientForUrl, commandOn, flavourOf, isClusterClient, quitConnection, reasonOf, watchConnection,
  type LogLine, type RedisClientLike, type RedisFlavour,
} from "./redis-driver.js";

/** Options of {@link RedisPubSub}: give `client` or `url`. */
export interface RedisPubSubOptions {
  /**
   * An ioredis or node-redis client to publish with; RedisPubSub duplicates it once to subscribe.
   * It is not closed by `close()`. A cluster client (ioredis `Cluster`, node-redis
   * `createCluster()`) switches to sharded pub/sub (SSUBSCRIBE/SPUBLISH) and hash-tagged names:
   * docs/deploy-redis.md, "Redis Cluster".
   */
  client?: RedisClientLike;
  /** A Redis URL (`redis://host:6379`); RedisPubSub opens (and closes) its own connections. */
  url?: string;
  /** With `url`: which library to use. Default: ioredis when installed, else node-redis. */
  driver?: RedisFlavour;
  /** Prefix of channel and sequence-key names, so apps can share a Redis. Default `"hotline:"`. */
  prefix?: string;
  /** How long a topic's sequence counter outlives its last publish, in ms. Default 24 hours. */
  seqTtlMs?: number;
  /** Where connection trouble is reported, one line per outage. Default `console.warn`. */
  log?: LogLine;
}

interface Topic {
  readonly listeners: Set<Listener>;
  /** Settles when Redis confirmed the SUBSCRIBE for this topic's channel. */
  live: Promise<void>;
  /** The last sequence number delivered; unknown right after (re)subscribing. */
  lastSeq: number | undefined;
}

interface Connections {
  pub: any;
  sub: any;
  flavour: RedisFlavour;
  ownPub: boolean;
  /** On a cluster: the subscriber's watch, armed once it is connected. */
  watch?: { arm(): void; close(): void };
}

const SHA = createHash("sha1").update(PUBLISH_SCRIPT).digest("hex");
const SSHA = createHash("sha1").update(SPUBLISH_SCRIPT).digest("hex");

/**
 * A {@link PubSub} over Redis, so that every server process sees every publish. One PUBLISH per
 * `publish()`, one subscriber connection per instance, a Redis channel per topic only while a
 * local listener wants it, and one decoded message per incoming payload shared by all local
 * listeners. Messages carry per-topic sequence numbers: after a gap or a reconnect, listeners get
 * `(undefined, { topic, resync: true })` and should re-read current state.
 *
 * While Redis is unreachable, `publish()` waits in the client's offline queue and is sent when
 * Redis is back; it rejects with a clear error if the client gives up (ioredis: after
 * `maxRetriesPerRequest`). It never resolves without Redis having accepted the message.
 *
 * Given a cluster client, it uses sharded pub/sub: the channel of a topic is `<prefix>{<topic>}`,
 * its sequence key `<prefix>seq:{<topic>}` (one slot per topic, spread over the masters), still
 * one SPUBLISH per `publish()`. When a master dies, publishes to its slots fail until a replica
 * has taken over; then every topic is resubscribed and its listeners told to resync.
 *
 * @example
 * import { Redis } from "ioredis";
 * import { RedisPubSub } from "hotline/redis";
 * const pubsub = new RedisPubSub({ client: new Redis(process.env.REDIS_URL!) });
 * const off = await pubsub.subscribe("orders:42", (msg, info) => info.resync ? reload() : apply(msg));
 * await pubsub.publish("orders:42", { status: "paid" });
 */
export class RedisPubSub implements PubSub {
  readonly #topics = new Map<string, Topic>();
  /** Channels whose UNSUBSCRIBE failed during an outage; dropped again on reconnect. */
  readonly #stale = new Set<string>();
  readonly #prefix: string;
  readonly #seqTtl: number;
  readonly #origin = randomBytes(6).toString("hex");
  readonly #log: LogLine;
  readonly #conn: Promise<Connections>;
  readonly #onMessage = (channel: string, payload: string) => this.#receive(channel, payload);
  /** node-redis calls listeners with (message, channel), ioredis emits (channel, message). */
  readonly #onNodeRedisMessage = (payload: string, channel: string) => this.#receive(channel, payload);
  #closed = false;
  #made: Connections | undefined;
  /** Given a cluster client: sharded pub/sub and hash-tagged names. */
  readonly #cluster: boolean;

  constructor(options: RedisPubSubOptions) {
    this.#prefix = options.prefix ?? "hotline:";
    this.#seqTtl = options.seqTtlMs ?? 24 * 3600_000;
    this.#log = options.log ?? ((line) => console.warn(line));
    if (!options.client && !options.url) throw new TypeError("hotline/redis: RedisPubSub needs `client` or `url`");
    this.#cluster = !!options.client && isClusterClient(options.client);
    if (this.#cluster) checkClusterPrefix(this.#prefix, "RedisPubSub");
    this.#conn = this.#connect(options);
    // A failure here is reported by the next publish/subscribe; don't let it go unhandled meanwhile.
    this.#conn.catch(() => {});
  }

  async #connect(options: RedisPubSubOptions): Promise<Connections> {
    const made = options.client
      ? { client: options.client as any, flavour: flavourOf(options.client) }
      : await clientForUrl(options.url!, options.driver, "publisher", this.#log);
    if (this.#closed) {
      if (!options.client) await quitConnection(made.client, made.flavour);
      throw new Error("pubsub is closed");
    }
    const c: Connections = { pub: made.client, sub: undefined, flavour: made.flavour, ownPub: !options.client };
    // Recorded before any await on the network, so close() can end a connection still retrying.
    this.#made = c;
    if (this.#cluster) {
      c.sub = shardedSubscriber(c.pub, c.flavour);
      c.watch = this.#watchCluster(c);
    } else {
      c.sub = c.pub.duplicate();
      watchConnection(c.sub, c.flavour, "subscriber", this.#log, { up: (afterOutage) => { if (afterOutage) void this.#recover(); } });
    }
    if (c.flavour === "ioredis") {
      c.sub.on(this.#cluster ? "smessage" : "message", this.#onMessage);
    } else {
      // A node-redis client refuses commands until connected; connect() retries until Redis answers.
      if (!c.pub.isOpen) await c.pub.connect();
      await c.sub.connect();
      c.watch?.arm();
    }
    if (this.#closed) throw new Error("pubsub is closed");
    return c;
  }

  /** The name of the Redis channel that carries `topic` (`<prefix>{<topic>}` on a cluster). */
  channelOf(topic: string): string {
    return this.#cluster ? taggedName(this.#prefix, "", topic) : this.#prefix + topic;
  }

  #seqKey(topic: string): string {
    return this.#cluster ? taggedName(this.#prefix, "seq:", topic) : this.#prefix + "seq:" + topic;
  }

  #checkTopic(topic: string): void {
    const problem = this.#cluster ? clusterTopicProblem(topic) : undefined;
    if (problem) throw new TypeError(`hotline/redis: bad topic ${JSON.stringify(topic)}: ${problem}`);
  }

  /** Topics with at least one local listener (for tests and the dashboard). */
  get topicCount(): number {
    return this.#topics.size;
  }

  async publish(topic: string, message: unknown): Promise<void> {
    if (this.#closed) throw new Error("pubsub is closed");
    this.#checkTopic(topic);
    const json = toJson(message);
    const { pub, flavour } = await this.#conn;
    const args = [this.#seqKey(topic), this.channelOf(topic), `${this.#origin}@${Date.now()}`, json, String(this.#seqTtl)];
    try {
      try {
        await commandOn(pub, flavour, ["EVALSHA", this.#cluster ? SSHA : SHA, "1", ...args]);
      } catch (err) {
        // The script cache is empty after a Redis restart or on a fresh server (or master): EVAL loads it.
        if (!reasonOf(err).startsWith("NOSCRIPT")) throw err;
        await commandOn(pub, flavour, ["EVAL", this.#cluster ? SPUBLISH_SCRIPT : PUBLISH_SCRIPT, "1", ...args]);
      }
    } catch (err) {
      throw new Error(`hotline/redis: publish to "${topic}" failed (${reasonOf(err)})`, { cause: err });
    }
  }

  async subscribe(topic: string, listener: Listener): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error("pubsub is closed");
    this.#checkTopic(topic);
    const entry: Listener = (m, i) => listener(m, i);
    let t = this.#topics.get(topic);
    if (!t) {
      const created: Topic = { listeners: new Set(), live: Promise.resolve(), lastSeq: undefined };
      created.live = this.#conn.then((c) => this.#redisSubscribe(c, [this.channelOf(topic)]));
      this.#topics.set(topic, (t = created));
      this.#stale.delete(this.channelOf(topic));
    }
    t.listeners.add(entry);
    try {
      await t.live;
    } catch (err) {
      this.#drop(topic, t, entry, false);
      throw new Error(`hotline/redis: subscribe to "${topic}" failed (${reasonOf(err)})`, { cause: err });
    }
    const live = t;
    return async () => this.#drop(topic, live, entry, true);
  }

  async #drop(topic: string, t: Topic, entry: Listener, unsubscribe: boolean): Promise<void> {
    if (!t.listeners.delete(entry) || t.listeners.size > 0) return;
    if (this.#topics.get(topic) === t) this.#topics.delete(topic);
    if (!unsubscribe || this.#closed) return;
    const channel = this.channelOf(topic);
    try {
      await this.#redisUnsubscribe(await this.#conn, [channel]);
    } catch (err) {
      // Local delivery has already stopped, which is what the caller asked for; Redis is told later.
      if (!this.#topics.has(topic)) this.#stale.add(channel);
      this.#log(`hotline/redis: unsubscribe from "${topic}" deferred until Redis is back (${reasonOf(err)})`);
    }
  }

  #redisSubscribe(c: Connections, channels: string[]): Promise<void> {
    return subscribeChannels(c.sub, c.flavour, this.#cluster, channels, this.#onNodeRedisMessage);
  }

  #redisUnsubscribe(c: Connections, channels: string[]): Promise<void> {
    return unsubscribeChannels(c.sub, c.flavour, this.#cluster, channels, this.#onNodeRedisMessage);
  }

  #topicOf(channel: string): string | undefined {
    if (this.#cluster) return topicOfTagged(channel, this.#prefix, "");
    return channel.startsWith(this.#prefix) ? channel.slice(this.#prefix.length) : undefined;
  }

  #receive(channel: string, payload: string): void {
    const topic = this.#topicOf(channel);
    if (topic === undefined) return;
    const t = this.#topics.get(topic);
    if (!t) return;
    const d = decode(payload);
    if (d.kind === "unreadable") {
      this.#log(`hotline/redis: unreadable message on "${topic}" (${d.reason}); asking listeners to resync`);
      return this.#resync(topic, t);
    }
    if (d.seq !== undefined) {
      const gap = t.lastSeq !== undefined && d.seq !== t.lastSeq + 1;
      t.lastSeq = d.seq;
      // After a gap the missed messages can't be replayed, and this one may build on them.
      if (gap) return this.#resync(topic, t);
    }
    this.#deliver(t, d.value, d.publishedAt === undefined ? { topic } : { topic, publishedAt: d.publishedAt });
  }

  #resync(topic: string, t: Topic): void {
    this.#deliver(t, undefined, { topic, resync: true });
  }

  #deliver(t: Topic, value: unknown, info: DeliveryInfo): void {
    for (const listener of [...t.listeners]) {
      try {
        listener(value, info);
      } catch (err) {
        console.error(`[hotline] a listener on "${info.topic}" threw`, err);
      }
    }
  }

  /** After the subscriber reconnected: every channel live again, then every topic told to resync. */
  async #recover(): Promise<void> {
    if (this.#closed) return;
    const c = await this.#conn;
    const topics = [...this.#topics.keys()];
    try {
      // node-redis resubscribes before "ready"; ioredis after it, so wait for ours to be confirmed.
      if (c.flavour === "ioredis" && topics.length) await this.#redisSubscribe(c, topics.map((t) => this.channelOf(t)));
      const stale = [...this.#stale].filter((ch) => !this.#topics.has(ch.slice(this.#prefix.length)));
      this.#stale.clear();
      if (stale.length) await this.#redisUnsubscribe(c, stale).catch(() => {});
    } catch (err) {
      this.#log(`hotline/redis: resubscribe after reconnect failed (${reasonOf(err)})`);
    }
    for (const topic of topics) {
      const t = this.#topics.get(topic);
      if (!t) continue;
      t.lastSeq = undefined;
      this.#resync(topic, t);
    }
  }

  /** On a cluster: after a lost node, every topic resubscribed, then told to resync. */
  #watchCluster(c: Connections): { arm(): void; close(): void } {
    return watchShardedSubscriptions({
      sub: c.sub, flavour: c.flavour, name: "subscriber", log: this.#log, listener: this.#onNodeRedisMessage,
      closing: () => this.#closed,
      channels: () => [...this.#topics.keys()].map((t) => this.channelOf(t)),
      wanted: (ch) => this.#topics.has(this.#topicOf(ch)!),
      stale: this.#stale,
      recovered: () => {
        for (const [topic, t] of this.#topics) {
          t.lastSeq = undefined;
          this.#resync(topic, t);
        }
      },
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#made?.watch?.close();
    this.#topics.clear();
    const c = this.#made;
    if (!c) return;
    // A node-redis connect in flight can't be aborted without leaking its socket: let it settle
    // first, briefly (when Redis is down it never settles, and there is no socket to leak).
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#conn.catch(() => {}), new Promise((r) => { timer = setTimeout(r, 1000); })]);
    clearTimeout(timer);
    if (c.sub) await quitConnection(c.sub, c.flavour);
    if (c.ownPub) await quitConnection(c.pub, c.flavour);
  }
}

/**
 * What RedisPubSub and RedisPresence do differently on a Redis Cluster: sharded pub/sub
 * (SSUBSCRIBE/SPUBLISH, through each library's own slot routing), hash-tagged names, and the
 * recovery after a node is lost. docs/deploy-redis.md ("Redis Cluster") describes the behaviour.
 */
import { reasonOf, type LogLine, type RedisFlavour } from "./redis-driver.js";

/**
 * A name whose hash tag is `{<topic>}`, so that every key and channel of one topic lives in one
 * slot (a script may touch them together, and SPUBLISH from it reaches the topic's channel).
 */
export function taggedName(prefix: string, part: string, topic: string): string {
  return `${prefix}${part}{${topic}}`;
}

/** The topic of a tagged channel name (`<prefix><part>{<topic>}`), or undefined when it is not one. */
export function topicOfTagged(channel: string, prefix: string, part: string): string | undefined {
  const head = prefix + part + "{";
  return channel.startsWith(head) && channel.endsWith("}") ? channel.slice(head.length, -1) : undefined;
}

/** A prefix with a brace would move the hash tag off the topic: one slot for the whole app, or cross-slot scripts. */
export function checkClusterPrefix(prefix: string, who: string): void {
  if (/[{}]/.test(prefix)) {
    throw new TypeError(`hotline/redis: ${who} on a Redis Cluster needs a prefix without '{' or '}' (the topic is the hash tag)`);
  }
}

/** A topic that is empty or starts with '}' gives an empty hash tag, and its names would land in different slots. */
export function clusterTopicProblem(topic: string): string | undefined {
  return topic === "" || topic.startsWith("}") ? "on a Redis Cluster a topic must not be empty or start with '}'" : undefined;
}

/**
 * A second cluster client for sharded subscriptions. ioredis needs `shardedSubscribers: true`
 * (one subscriber connection per master, following slot moves); node-redis keeps one per master
 * on any cluster client.
 */
export function shardedSubscriber(pub: any, flavour: RedisFlavour): any {
  return flavour === "ioredis" ? pub.duplicate([], { shardedSubscribers: true }) : pub.duplicate();
}

/** SSUBSCRIBE to one channel (channels of different slots can't share a command). */
export function ssubscribe(sub: any, flavour: RedisFlavour, channel: string, nodeRedisListener: (m: string, ch: string) => void): Promise<void> {
  return flavour === "ioredis" ? sub.ssubscribe(channel) : sub.sSubscribe(channel, nodeRedisListener);
}

export function sunsubscribe(sub: any, flavour: RedisFlavour, channel: string, nodeRedisListener: (m: string, ch: string) => void): Promise<void> {
  return flavour === "ioredis" ? sub.sunsubscribe(channel) : sub.sUnsubscribe(channel, nodeRedisListener);
}

/** SUBSCRIBE (one command) or, on a cluster, SSUBSCRIBE (one per channel, each to its slot's master). */
export async function subscribeChannels(sub: any, flavour: RedisFlavour, cluster: boolean, channels: string[],
  nodeRedisListener: (m: string, ch: string) => void): Promise<void> {
  if (cluster) return void (await Promise.all(channels.map((ch) => ssubscribe(sub, flavour, ch, nodeRedisListener))));
  return flavour === "ioredis" ? sub.subscribe(...channels) : sub.subscribe(channels, nodeRedisListener);
}

export async function unsubscribeChannels(sub: any, flavour: RedisFlavour, cluster: boolean, channels: string[],
  nodeRedisListener: (m: string, ch: string) => void): Promise<void> {
  if (cluster) return void (await Promise.all(channels.map((ch) => sunsubscribe(sub, flavour, ch, nodeRedisListener))));
  return flavour === "ioredis" ? sub.unsubscribe(...channels) : sub.unsubscribe(channels, nodeRedisListener);
}

/**
 * Watches a cluster subscriber for the loss of a node connection (its subscriptions with it):
 * `lost()` on each sign, one log line per outage. Also the `error` listener both libraries need
 * so that a node's failure is not an unhandled error event.
 */
export function watchClusterSubscriber(sub: any, flavour: RedisFlavour, name: string, log: LogLine,
  hooks: { lost(): void; closing(): boolean }): { arm(): void; recovered(): void } {
  let down = false;
  // While the client connects it replaces its startup connections ("-node"): not an outage.
  let armed = false;
  let startFailed = false;
  const signal = (err?: unknown) => {
    // Closing on purpose ends every node connection: not an outage.
    if (hooks.closing()) return;
    if (!armed) {
      // Not connected yet: the subscribe calls wait for it; one line says why.
      if (err !== undefined && !startFailed) log(`hotline/redis: ${name}: cannot reach the Redis Cluster yet (${reasonOf(err)}); retrying in the background`);
      startFailed ||= err !== undefined;
      return;
    }
    if (!down) log(`hotline/redis: ${name}: a Redis Cluster node was lost${err === undefined ? "" : ` (${reasonOf(err)})`}; resubscribing once the cluster has recovered`);
    down = true;
    hooks.lost();
  };
  sub.on("error", (err: unknown) => signal(err));
  if (flavour === "ioredis") {
    // "-node": a connection (a sharded subscriber's included) ended; "-subscriber": a shard's subscriber was dropped.
    sub.on("-node", () => signal());
    sub.on("-subscriber", () => signal());
    sub.on("node error", (err: unknown) => signal(err));
  } else {
    sub.on("node-error", (err: unknown) => signal(err));
    sub.on("node-reconnecting", () => signal());
  }
  if (flavour === "ioredis") sub.once("ready", () => { armed = true; });
  return {
    /** node-redis: call once connect() resolved (ioredis arms itself on "ready"). */
    arm() {
      armed = true;
    },
    recovered() {
      if (down) log(`hotline/redis: ${name}: subscriptions are live again on the Redis Cluster`);
      down = false;
    },
  };
}

/**
 * Resubscribes after a node loss until it holds, then tells the caller to resync. Signals that
 * arrive while it runs are folded into it; a resubscribe that succeeds while signals still come
 * (the failover is not over) is tried again, a few times at most.
 */
export class ClusterRecovery {
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;
  #timer: NodeJS.Timeout | undefined;
  #wake: (() => void) | undefined;

  readonly #steps: { resubscribe(): Promise<void>; done(): void; failed(err: unknown): void };

  constructor(steps: { resubscribe(): Promise<void>; done(): void; failed(err: unknown): void }) {
    this.#steps = steps;
  }

  /** A node was lost: recover (once, however many signals come). */
  trigger(): void {
    if (this.#closed) return;
    this.#again = true;
    this.#running ??= this.#run().finally(() => { this.#running = undefined; });
  }

  async #run(): Promise<void> {
    let delay = 100;
    let stableTries = 0;
    while (!this.#closed) {
      // Lets a failover progress and a burst of signals settle before the first try.
      await new Promise<void>((resolve) => { this.#wake = resolve; this.#timer = setTimeout(resolve, delay); });
      if (this.#closed) return;
      this.#again = false;
      try {
        await this.#steps.resubscribe();
        if (!this.#again || ++stableTries >= 3) break;
      } catch (err) {
        this.#steps.failed(err);
      }
      delay = Math.min(delay * 2, 1000);
    }
    if (!this.#closed) this.#steps.done();
  }

  close(): void {
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#wake?.();
  }
}

/** How long one resubscribe may wait for a node during a recovery. */
const RESUBSCRIBE_TIMEOUT_MS = 2000;

/** What {@link watchShardedSubscriptions} needs of its owner. */
export interface ShardedSubscriptions {
  sub: any;
  flavour: RedisFlavour;
  /** For the log lines: "subscriber", "presence subscriber". */
  name: string;
  log: LogLine;
  /** The listener given to node-redis's sSubscribe (ioredis emits "smessage" instead). */
  listener: (message: string, channel: string) => void;
  closing(): boolean;
  /** The channels that must be live now, and whether one still must be. */
  channels(): string[];
  wanted(channel: string): boolean;
  /** Channels whose unsubscribe failed during the outage: dropped on recovery. */
  stale: Set<string>;
  /** Every wanted channel holds again: resync. */
  recovered(): void;
}

/**
 * On a cluster, a lost node takes the subscriptions of its slots with it; the libraries move them
 * to the new master after a failover, but what was published meanwhile is gone. This redoes every
 * SSUBSCRIBE until each is confirmed by the node that owns its slot now, then calls `recovered()`.
 */
export function watchShardedSubscriptions(o: ShardedSubscriptions): { arm(): void; close(): void } {
  let recovery: ClusterRecovery | undefined;
  const watch = watchClusterSubscriber(o.sub, o.flavour, o.name, o.log, { lost: () => recovery?.trigger(), closing: o.closing });
  const off = (ch: string) => within(sunsubscribe(o.sub, o.flavour, ch, o.listener), RESUBSCRIBE_TIMEOUT_MS, "unsubscribe").catch(() => {});
  recovery = new ClusterRecovery({
    resubscribe: async () => {
      const stale = [...o.stale];
      o.stale.clear();
      await Promise.all(stale.map(off));
      // Off and on again: a library that thinks a channel is still subscribed would not send the command.
      await Promise.all(o.channels().map(async (ch) => {
        await off(ch);
        if (o.wanted(ch)) await within(ssubscribe(o.sub, o.flavour, ch, o.listener), RESUBSCRIBE_TIMEOUT_MS, "resubscribe");
      }));
    },
    done: () => {
      watch.recovered();
      o.recovered();
    },
    failed: () => {},
  });
  return { arm: () => watch.arm(), close: () => recovery!.close() };
}

/** Rejects after `ms`: a command queued for a dead node must not hold a recovery forever. */
export function within<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const t = new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} timed out`)), ms); });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

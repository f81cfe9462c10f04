import type { StateStore } from "../core/store.js";

/** Options of {@link RedisStore}: give `client` or `url`. */
export interface RedisStoreOptions {
  /**
   * An ioredis `Redis` or a node-redis client (connected, or connected here). Not closed by
   * `close()`. A cluster client (ioredis `Cluster`, node-redis `createCluster()`) works too: every
   * command names one key, so keys spread over the slots (docs/deploy-redis.md, "Redis Cluster").
   */
  client?: { on(event: string, listener: (...args: any[]) => void): unknown };
  /** A Redis URL; the store opens and closes its own connection. */
  url?: string;
  /** With `url`: which library to use. Default: ioredis when installed, else node-redis. */
  driver?: "ioredis" | "node-redis";
  /** Prefix of every key, so apps and environments can share a Redis. Default `"hotline:state:"`. */
  prefix?: string;
  /** Default time to live, in ms. Default 30 minutes. */
  ttlMs?: number;
  /** Where trouble with a connection the store opened is reported, once per outage. Default `console.warn`. */
  log?: (line: string) => void;
}

type Send = (args: string[]) => Promise<unknown>;

/**
 * A {@link StateStore} in Redis, so that a client reconnecting to any server process resumes its
 * components: `SET key json PX ttl`, `GET`, `DEL`. Works with ioredis and node-redis. After a
 * reconnect it tells its `onReset` listeners (the hub saves every live state again), so that a
 * Redis that restarted empty gets back the sessions that were idle at the time. It keeps no
 * per-owner quota: give Redis a `maxmemory` and `maxmemory-policy volatile-lru` instead.
 *
 * On a Redis Cluster every command is single-key (SET, GET, DEL of `<prefix><key>`), so sessions
 * spread over every master and no command can cross slots. A command that ever needs several keys
 * of one owner must hash-tag them by that owner (`<prefix>{<owner>}…`) so that they share a slot.
 * The prefix itself must hold no `{` or `}` on a cluster: it would pin every key to one slot.
 *
 * @example
 * import { Redis } from "ioredis";
 * import { RedisStore } from "hotline/redis";
 * const store = new RedisStore({ client: new Redis(process.env.REDIS_URL!), ttlMs: 15 * 60_000 });
 */
export class RedisStore implements StateStore {
  readonly #prefix: string;
  readonly #ttl: number;
  readonly #log: (line: string) => void;
  readonly #ready: Promise<Send>;
  readonly #resets = new Set<() => void>();
  #closed = false;
  #own: { client: any; ioredis: boolean } | undefined;
  /** Set once connected: a save then goes to the socket without waiting a turn. */
  #send: Send | undefined;
  #client: any;
  /**
   * A single-node client: the saves of one turn leave as one script. (A cluster's keys lie in many
   * slots: each save goes alone there.) ioredis puts a command on its socket within the call;
   * node-redis in a `setImmediate` of its own (`#writesLater`), so the live runtime is told when
   * a batch is on the connection through {@link afterWrites}.
   */
  #batchSend: Send | undefined;
  /** The client writes a command in a `setImmediate` it schedules when given one (node-redis). */
  #writesLater = false;
  /** Saves of this turn not yet written (key, json, ttl, …), and the one promise they all return. */
  #batch: Batch | undefined;
  #batchTimer: NodeJS.Immediate | undefined;

  constructor(options: RedisStoreOptions) {
    if (!options.client && !options.url) throw new TypeError("hotline/redis: RedisStore needs `client` or `url`");
    this.#prefix = options.prefix ?? "hotline:state:";
    this.#ttl = options.ttlMs ?? 30 * 60_000;
    this.#log = options.log ?? ((line) => console.warn(line));
    this.#ready = options.client ? this.#adopt(options.client) : this.#open(options.url!, options.driver);
    this.#ready.then((send) => { this.#send = send; }, () => {});
  }

  async #adopt(client: any): Promise<Send> {
    this.#client = client;
    this.#watch(client);
    if (isCluster(client) && /[{}]/.test(this.#prefix)) {
      throw new TypeError("hotline/redis: RedisStore on a Redis Cluster needs a prefix without '{' or '}' (it would pin every key to one slot)");
    }
    // An ioredis Cluster routes `call` by the command's key itself.
    if (typeof client.call === "function" && typeof client.status === "string") {
      const send: Send = (args) => client.call(args[0], ...args.slice(1));
      if (isCluster(client)) this.#watchCluster(client, true, send);
      else this.#batchSend = client.options?.enableAutoPipelining ? (args) => pipelineNow(client, args) : send;
      return send;
    }
    if (typeof client.sendCommand === "function" && "isOpen" in client) {
      if (!client.isOpen) await client.connect();
      if (!isCluster(client)) {
        const send: Send = (args) => client.sendCommand(args);
        this.#batchSend = send;
        this.#writesLater = true;
        return send;
      }
      // A node-redis cluster is told the key to route by; every command here has its key first.
      const send: Send = (args) => client.sendCommand(args[1], false, args);
      this.#watchCluster(client, false, send);
      return send;
    }
    throw new TypeError("hotline/redis: `client` must be an ioredis Redis or a node-redis client");
  }

  async #open(url: string, driver: RedisStoreOptions["driver"]): Promise<Send> {
    for (const flavour of driver ? [driver] : ["ioredis", "node-redis"]) {
      const mod = await import(flavour === "ioredis" ? "ioredis" : "redis").catch((err) => {
        if (err?.code === "ERR_MODULE_NOT_FOUND") return undefined;
        throw err;
      });
      if (!mod) continue;
      const ioredis = flavour === "ioredis";
      // ioredis: commands issued in one turn (many sessions' saves) leave in one write
      const client = ioredis ? new (mod.Redis ?? mod.default)(url, { enableAutoPipelining: true }) : mod.createClient({ url });
      this.#own = { client, ioredis };
      let down = false;
      client.on("error", (err: { code?: string; message?: string }) => {
        if (!down) this.#log(`hotline/redis: state store cannot reach Redis (${err?.code ?? err?.message}); retrying in the background`);
        down = true;
      });
      client.on("ready", () => { down = false; });
      return this.#adopt(client);
    }
    throw new Error("hotline/redis: install ioredis or redis to connect to Redis by URL");
  }

  /**
   * Every `ready` after the first is a reconnect, and Redis may have restarted empty (or failed
   * over to a replica that missed the last writes): the listeners save what is live again.
   */
  #watch(client: any): void {
    let up = client.status === "ready" || client.isReady === true;
    client.on("ready", () => {
      if (up) this.#reset();
      up = true;
    });
  }

  #reset(): void {
    for (const listener of [...this.#resets]) {
      try {
        listener();
      } catch (err) {
        this.#log(`hotline/redis: a state store reset listener failed (${(err as Error)?.message ?? err})`);
      }
    }
  }

  /**
   * On a cluster a lost master is replaced by a replica that may have missed its last writes, and
   * the client stays "ready" throughout. After a sign of a lost node, once every master of the
   * slot map accepts a write (a short-lived probe key in one of its slots), the reset listeners
   * save what is live again.
   */
  #watchCluster(client: any, ioredis: boolean, send: Send): void {
    let armed = !ioredis || client.status === "ready";
    let probing = false;
    if (!armed) client.once("ready", () => { armed = true; });
    const lost = () => {
      if (!armed || probing || this.#closed) return;
      probing = true;
      void this.#untilEveryMasterWrites(send).then(() => {
        probing = false;
        if (!this.#closed) this.#reset();
      });
    };
    for (const event of ioredis ? ["-node", "node error"] : ["node-reconnecting", "node-error"]) client.on(event, lost);
  }

  async #untilEveryMasterWrites(send: Send): Promise<void> {
    for (let delay = 100; !this.#closed; delay = Math.min(delay * 2, 1000)) {
      await new Promise((resolve) => setTimeout(resolve, delay).unref());
      try {
        const slots = (await send(["CLUSTER", "SLOTS"])) as [number, number, ...unknown[]][];
        await Promise.all(slots.map(([from, to]) => send(["SET", `${this.#prefix}probe:{${tagIn(from, to)}}`, "1", "PX", "10000"])));
        return;
      } catch {
        // Not over yet (a master still down, or the slot map not updated): try again.
      }
    }
  }

  onReset(listener: () => void): () => void {
    this.#resets.add(listener);
    return () => void this.#resets.delete(listener);
  }

  /**
   * `SET <prefix><key> <json> PX <ttl>`. On a single node the saves of one turn of the event loop
   * (many sessions' events read in one poll) leave together in a `setImmediate` the call schedules:
   * one save as a SET, several as one `EVAL` of a script that SETs each in the order given (one
   * command and one reply instead of one per save: about half the client's CPU per save with 20 at
   * once). The state is serialised within the call, so a later change to it is not written.
   * `owner` is ignored: Redis bounds its memory by its own policy (`maxmemory`, `maxmemory-policy
   * volatile-lru`).
   */
  save(key: string, state: Record<string, unknown>, ttlMs?: number, _owner?: string): Promise<void> {
    const ttl = String(Math.max(1, Math.ceil(ttlMs ?? this.#ttl)));
    let json: string;
    try {
      json = JSON.stringify(state);
    } catch (err) {
      return Promise.reject(err);
    }
    if (!this.#send || !this.#batchSend) return this.#saveAlone(this.#prefix + key, json, ttl);
    // The write-behind runtime releases a patch when afterWrites() says: one setImmediate after
    // its save() (scheduled later than this one), or with node-redis one after the client's own
    // write. The batch is on the connection before the patch leaves. The saves of a batch succeed
    // or fail together: they share one promise (one per turn, not one per save).
    let batch = this.#batch;
    if (!batch) {
      batch = this.#batch = newBatch();
      this.#batchTimer = setImmediate(this.#flush);
    }
    batch.items.push(this.#prefix + key, json, ttl);
    return batch.done;
  }

  /**
   * Calls `callback` once every save handed to the store so far is on the Redis connection (the
   * live runtime then sends the patches that wait for those saves). With node-redis, which writes
   * a command in a `setImmediate` it schedules, that is a `setImmediate` after the one the batch's
   * flush makes it schedule; otherwise a `setImmediate` from now, after the flush of this turn's
   * batch (scheduled by the first save) and the client's own write.
   */
  afterWrites(callback: () => void): void {
    const batch = this.#batch;
    if (batch && this.#writesLater) (batch.written ??= []).push(callback);
    else setImmediate(callback);
  }

  async #saveAlone(key: string, json: string, ttl: string): Promise<void> {
    await (this.#send ?? (await this.#ready))(["SET", key, json, "PX", ttl]);
  }

  /** Writes the saves of this turn now: a GET or DEL issued after a save must not overtake it. */
  #flushNow(): void {
    if (!this.#batch) return;
    clearImmediate(this.#batchTimer);
    this.#flush();
  }

  readonly #flush = (): void => {
    // (a script refusal may have ended batching since this batch began: then the plain client)
    const send = this.#batchSend ?? this.#send!;
    const { items: batch, settle, written } = this.#batch!;
    this.#batch = undefined;
    this.#batchTimer = undefined;
    const n = batch.length / 3;
    let args: string[];
    if (n === 1) {
      args = ["SET", batch[0]!, batch[1]!, "PX", batch[2]!];
    } else {
      // EVAL, not EVALSHA: no NOSCRIPT retry that a later batch could overtake (Redis caches the
      // script by its hash; the body costs ~100 bytes per batch)
      const ttl = batch[2]!;
      let oneTtl = true;
      for (let i = 5; i < batch.length && oneTtl; i += 3) oneTtl = batch[i] === ttl;
      // The common case, every save with the app's TTL: the TTL once, a fifth less work for Redis.
      // Else each state is followed by its own TTL.
      const per = oneTtl ? 1 : 2;
      args = new Array<string>(3 + n + per * n + (oneTtl ? 1 : 0));
      args[0] = "EVAL";
      args[1] = oneTtl ? SAVE_SCRIPT_ONE_TTL : SAVE_SCRIPT;
      args[2] = String(n);
      for (let i = 0; i < n; i++) {
        args[3 + i] = batch[3 * i]!;
        args[3 + n + per * i] = batch[3 * i + 1]!;
        if (!oneTtl) args[4 + n + 2 * i] = batch[3 * i + 2]!;
      }
      if (oneTtl) args[3 + 2 * n] = ttl;
    }
    let sent: Promise<unknown>;
    try {
      sent = send(args);
    } catch (err) {
      sent = Promise.reject(err);
    }
    // after the write the client has just scheduled (node-redis): see afterWrites
    if (written) setImmediate(runAll, written);
    sent.then(
      () => settle(true),
      (err: unknown) => {
        // A server without scripting (or that refuses it to this user): each save alone from now
        // on. The saves of this batch fail; the live runtime writes their state again.
        if (n > 1 && this.#batchSend && /unknown command|NOPERM|not allowed|disabled/i.test(String((err as Error)?.message))) {
          this.#log(`hotline/redis: state store cannot run a script (${String((err as Error)?.message).split("\n")[0]}); saving each state with its own SET`);
          this.#batchSend = undefined;
        }
        settle(false, err);
      },
    );
  };

  /**
   * Whether a write issued now goes straight onto a live connection: false before the first
   * connect, while reconnecting (it would wait in the client's offline queue), behind a full socket
   * buffer, and after close. The live runtime then holds patches until their write is answered.
   */
  writable(): boolean {
    const c = this.#client;
    if (this.#closed || !this.#send || !c) return false;
    if (typeof c.status === "string") {
      if (c.status !== "ready") return false;
      const stream = c.stream as { writable?: boolean; writableNeedDrain?: boolean } | undefined;
      return !stream || (stream.writable !== false && stream.writableNeedDrain !== true);
    }
    return c.isReady === true;
  }

  async load(key: string): Promise<Record<string, unknown> | null> {
    this.#flushNow();
    const json = await (await this.#ready)(["GET", this.#prefix + key]);
    if (json === null || json === undefined) return null;
    return JSON.parse(String(json)) as Record<string, unknown>;
  }

  async delete(key: string): Promise<void> {
    this.#flushNow();
    await (await this.#ready)(["DEL", this.#prefix + key]);
  }

  /** Closes the connection the store opened from `url`; a client passed in stays open. */
  async close(): Promise<void> {
    this.#closed = true;
    const own = this.#own;
    this.#own = undefined;
    if (!own) return;
    // A node-redis connect in flight can't be aborted without leaking its socket: let it settle first.
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.#ready.catch(() => {}), new Promise((r) => { timer = setTimeout(r, 1000); })]);
    clearTimeout(timer);
    const c = own.client;
    if (own.ioredis) {
      if (c.status === "ready") await c.quit().catch(() => c.disconnect());
      else c.disconnect();
    } else if (c.isOpen) {
      if (c.isReady) await (c.close ?? c.quit).call(c).catch(() => (c.destroy ?? c.disconnect).call(c));
      else await (c.destroy ?? c.disconnect).call(c);
    }
  }
}

/** The saves of one turn: key, json, ttl, … and the promise every one of them returned. */
interface Batch {
  items: string[];
  /** what waits for the batch to be on the connection ({@link RedisStore.afterWrites}, node-redis only) */
  written?: (() => void)[];
  done: Promise<void>;
  /** resolves `done`, or rejects it with `err` */
  settle(ok: boolean, err?: unknown): void;
}

function newBatch(): Batch {
  let settle!: Batch["settle"];
  const done = new Promise<void>((resolve, reject) => {
    settle = (ok, err) => (ok ? resolve() : reject(err));
  });
  return { items: [], done, settle };
}

function runAll(callbacks: (() => void)[]): void {
  for (const f of callbacks) f();
}

/** KEYS: the states' keys; ARGV: each one's JSON and TTL in ms, in turn. SETs them in order. */
const SAVE_SCRIPT = "for i=1,#KEYS do redis.call('SET',KEYS[i],ARGV[2*i-1],'PX',ARGV[2*i]) end return #KEYS";
/** The same when every save has one TTL: ARGV holds the states, then the TTL. */
const SAVE_SCRIPT_ONE_TTL = "local t=ARGV[#KEYS+1] for i=1,#KEYS do redis.call('SET',KEYS[i],ARGV[i],'PX',t) end return #KEYS";

/** One command on an ioredis client with auto-pipelining, written to its socket now (a pipeline's exec writes at once). */
async function pipelineNow(client: any, args: string[]): Promise<unknown> {
  const pipeline = client.pipeline();
  pipeline.call(...args);
  const [[err, reply]] = (await pipeline.exec()) as [[Error | null, unknown]];
  if (err) throw err;
  return reply;
}

/** An ioredis `Cluster` or a node-redis `createCluster()` client. */
function isCluster(client: any): boolean {
  return client.isCluster === true || (typeof client.nodeClient === "function" && "masters" in client);
}

/** A short hash tag whose slot lies in [from, to] (CRC16/XMODEM mod 16384, as Redis Cluster computes it). */
function tagIn(from: number, to: number): string {
  for (let i = 0; i < 1_000_000; i++) {
    const slot = crc16(`p${i}`) % 16384;
    if (slot >= from && slot <= to) return `p${i}`;
  }
  throw new Error(`no short hash tag found for slots ${from}-${to}`);
}

function crc16(s: string): number {
  let crc = 0;
  for (const byte of Buffer.from(s)) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc;
}

// Write-behind with the saves of many sessions batched (issue 16): RedisStore on a single-node client
// (ioredis, or node-redis, which writes in a setImmediate of its own) writes the saves of one turn as
// one EVAL, and no patch may leave before the write of its state is on the Redis connection. Thirty sessions click at once; every patch, when it arrives,
// finds its session's state already written to the store's socket. Real WebSockets, real Redis.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Redis } from "ioredis";
import { Socket } from "node:net";
import { createClient } from "redis";
import { RedisStore, type RedisStoreOptions } from "../../server/stores/redis.js";
import { needRedis } from "../support/services.js";
import { runPrefix } from "../pubsub/redis-clients.js";
import { startServer, TestClient } from "../support/ws-client.js";
import { counterRegistry } from "../support/counter.js";

const url = await needRedis();

const registry = counterRegistry();

/** The counts of every state saved for `session` in `wire` (RESP commands: SET key json …, or EVAL script n keys… json ttl …). */
function savedCounts(wire: string, session: string): number[] {
  const counts: number[] = [];
  let at = 0;
  const line = () => {
    const end = wire.indexOf("\r\n", at);
    const text = wire.slice(at, end);
    at = end + 2;
    return text;
  };
  while (at < wire.length) {
    const n = Number(line().slice(1));
    const args: string[] = [];
    for (let k = 0; k < n; k++) {
      const len = Number(line().slice(1));
      args.push(wire.slice(at, at + len));
      at += len + 2;
    }
    const name = args[0]!.toUpperCase();
    const pairs: [string, string][] = name === "SET" ? [[args[1]!, args[2]!]] : [];
    if (name === "EVAL") {
      const keys = Number(args[2]);
      // states then one TTL (every save with the app's TTL), or state and TTL by turns
      const oneTtl = args.length === 4 + 2 * keys;
      for (let k = 0; k < keys; k++) pairs.push([args[3 + k]!, args[3 + keys + (oneTtl ? k : 2 * k)]!]);
    }
    for (const [key, json] of pairs) if (key.includes(session)) counts.push((JSON.parse(json) as { s: { count: number } }).s.count);
  }
  return counts;
}

const SESSIONS = 30;
const CLICKS = 5;

/** The store's client, what its connection wrote (in order, as text), and what the test reads back with it. */
interface Driver {
  client: RedisStoreOptions["client"];
  wire: string[];
  keys(pattern: string): Promise<string[]>;
  get(key: string): Promise<string | null>;
  del(keys: string[]): Promise<unknown>;
  close(): Promise<void>;
}

/** ioredis: its socket is `client.stream`. */
async function ioredis(autoPipelining: boolean): Promise<Driver> {
  const client = new Redis(url, { enableAutoPipelining: autoPipelining });
  await client.ping();
  const wire: string[] = [];
  const stream = client.stream as unknown as { write(chunk: unknown, ...rest: unknown[]): boolean };
  const write = stream.write.bind(stream);
  stream.write = (chunk: unknown, ...rest: unknown[]) => {
    wire.push(Buffer.isBuffer(chunk) ? chunk.toString() : String(chunk));
    return write(chunk, ...rest);
  };
  return { client, wire, keys: (p) => client.keys(p), get: (k) => client.get(k), del: (k) => client.del(...k), close: async () => client.disconnect() };
}

/**
 * node-redis: it writes in a setImmediate of its own, on a socket it keeps private; the writes
 * to Redis's port are read from `net.Socket.prototype.write` (this test opens no other Redis connection).
 */
async function nodeRedis(): Promise<Driver> {
  const client = createClient({ url });
  await client.connect();
  const port = Number(new URL(url).port || 6379);
  const wire: string[] = [];
  const proto = Socket.prototype as unknown as { write(this: Socket, chunk: unknown, ...rest: unknown[]): boolean };
  const write = proto.write;
  proto.write = function (this: Socket, chunk: unknown, ...rest: unknown[]) {
    if (this.remotePort === port) wire.push(Buffer.isBuffer(chunk) ? chunk.toString() : String(chunk));
    return write.call(this, chunk, ...rest);
  };
  return {
    client, wire,
    keys: (p) => client.keys(p), get: (k) => client.get(k), del: (k) => client.del(k),
    async close() {
      proto.write = write;
      await client.quit();
    },
  };
}

const drivers: [string, () => Promise<Driver>][] = [
  ["ioredis, enableAutoPipelining: false", () => ioredis(false)],
  ["ioredis, enableAutoPipelining: true", () => ioredis(true)],
  ["node-redis", nodeRedis],
];

for (const [name, open] of drivers) {
  const test = suite(`write-behind, batched saves (${name})`);

  test(`${SESSIONS} sessions click at once: every patch leaves after its state is on the Redis socket, and saves leave batched`, async () => {
    const driver = await open();
    const { client, wire } = driver;
    const prefix = runPrefix(`write-behind-batch-${name.replace(/\W+/g, "-")}`);
    const store = new RedisStore({ client, prefix });
    const app = await startServer({ registry, store, rateLimit: { perSecond: 1e6, burst: 1e6 } });
    const clients: TestClient[] = [];
    try {
      const sessions: string[] = [];
      for (let i = 0; i < SESSIONS; i++) {
        const c = await TestClient.open(app.url);
        clients.push(c);
        const ok = await c.join("c", "counter");
        assert.is(ok.t, "ok", JSON.stringify(ok));
        sessions.push(ok.session as string);
      }
      const late: string[] = [];
      const seen = clients.map((c, i) => {
        const frames: Promise<void>[] = [];
        for (let k = 1; k <= CLICKS; k++) {
          frames.push(c.next((m) => m.t === "patch" && m.ref === 900 + k, 10_000).then((m) => {
            // Runs as the patch is read: the write carrying this count must be on the socket already.
            // (a write may cover several clicks: its count is then higher)
            const count = m["0"] as number;
            const written = savedCounts(wire.join(""), sessions[i]!);
            if (!written.some((n) => n >= count)) late.push(`session ${i} count ${count} (written: ${written.join(",")})`);
          }));
        }
        return Promise.all(frames);
      });
      for (let k = 1; k <= CLICKS; k++) for (const c of clients) c.send({ t: "event", ref: 900 + k, id: "c", event: "increment" });
      await Promise.all(seen);
      assert.equal(late, [], "patches that overtook the write of their state");
      const evals = wire.filter((w) => w.includes("EVAL")).length;
      assert.ok(evals > 0, `the saves of sessions clicking at once leave as one script (${wire.length} writes, no EVAL)`);
      await app.hotline.close();
      for (let i = 0; i < SESSIONS; i++) {
        const keys = await driver.keys(`${prefix}${sessions[i]}*`);
        assert.is(keys.length, 1, `session ${i}: one saved state`);
        assert.equal(JSON.parse((await driver.get(keys[0]!))!).s, { count: CLICKS }, `session ${i}: every click saved`);
      }
    } finally {
      for (const c of clients) c.close();
      await app.stop();
      const keys = await driver.keys(`${prefix}*`);
      if (keys.length) await driver.del(keys);
      await driver.close();
    }
  });

  test.run();
}

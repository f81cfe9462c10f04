// The server's own cost of one counter event, without sockets: parse-free, straight into the live
// instance (handler, state checks, render, diff, state write, frame). It tells how much of a
// WebSocket round trip is Hotline's work and how much is the kernel's. With the memory store, and
// with the Redis store (write-behind, and writeBehind: false where each event waits for Redis's
// answer); `live.event()` resolves once the patch is sent, so each figure is one event's latency
// in the server with nothing else going on.
// Run: node --conditions=hotline-source --import tsx bench/event-path.ts   (N=20000, STORES=memory,redis,redis-strict)
import { Redis } from "ioredis";
import { hotlineServer, type Setup } from "./ws-support.js";
import { median } from "./measure.js";
import { summary } from "./summary.js";
import { RedisStore } from "../server/redis.js";
import { haveRedisServer, startRedisServer, type PrivateRedis } from "../test/support/redis-server.js";

const N = Number(process.env.N ?? 20_000);
const wanted = (process.env.STORES ?? "memory,redis,redis-strict").split(",");
let priv: PrivateRedis | undefined;
const redisUrl = wanted.some((s) => s.startsWith("redis")) ? ((await haveRedisServer()) ? (priv = await startRedisServer()).url : process.env.REDIS_URL) : undefined;

async function measure(setup: Setup): Promise<number> {
  const hot = await hotlineServer(setup);
  const hub = hot.hotline.hub;
  const { live, key } = await hub.open({ name: "counter", format: "html" });
  let bytes = 0;
  const viewer = { id: "c1", key, user: null, send(f: string | Buffer) { bytes += f.length; } };
  await live.join(viewer, 1);
  const runs: number[] = [];
  for (let round = 0; round < 7; round++) {
    const t0 = performance.now();
    for (let i = 0; i < N; i++) await live.event(viewer, i + 2, "increment", undefined);
    runs.push(((performance.now() - t0) * 1000) / N);
  }
  await hot.stop();
  return median(runs);
}

const figures: Record<string, number> = {};
for (const store of wanted) {
  if (store === "memory") {
    figures.memory_us = await measure({});
    continue;
  }
  if (!redisUrl) {
    console.log(`${store}: skipped (no redis-server on the PATH and no REDIS_URL)`);
    continue;
  }
  const client = new Redis(redisUrl);
  const setup: Setup = { store: new RedisStore({ client, prefix: `bench:${process.pid}:` }), ...(store === "redis-strict" && { writeBehind: false }) };
  figures[`${store.replace("-", "_")}_us`] = await measure(setup);
  client.disconnect();
}
await priv?.stop();
console.log(`server-side cost of one counter event (no socket), median of 7 runs of ${N}:`);
for (const [k, v] of Object.entries(figures)) console.log(`  ${k.replace(/_us$/, "").padEnd(13)} ${v.toFixed(2)} µs`);
summary("event-path", Object.fromEntries(Object.entries(figures).map(([k, v]) => [k, Math.round(v * 100) / 100])));
process.exit(0);

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

/** Median µs of latency per event, and of this process's CPU per event. */
async function measure(setup: Setup): Promise<{ us: number; cpu: number }> {
  const hot = await hotlineServer(setup);
  const hub = hot.hotline.hub;
  const { live, key } = await hub.open({ name: "counter", format: "html" });
  let bytes = 0;
  const viewer = { id: "c1", key, user: null, send(f: string | Buffer) { bytes += f.length; } };
  await live.join(viewer, 1);
  const runs: number[] = [];
  const cpus: number[] = [];
  for (let round = 0; round < 7; round++) {
    const t0 = performance.now();
    const c0 = process.cpuUsage();
    for (let i = 0; i < N; i++) await live.event(viewer, i + 2, "increment", undefined);
    const c = process.cpuUsage(c0);
    runs.push(((performance.now() - t0) * 1000) / N);
    cpus.push((c.user + c.system) / N);
  }
  await hot.stop();
  return { us: median(runs), cpu: median(cpus) };
}

const figures: Record<string, { us: number; cpu: number }> = {};
for (const store of wanted) {
  if (store === "memory") {
    figures.memory = await measure({});
    continue;
  }
  if (!redisUrl) {
    console.log(`${store}: skipped (no redis-server on the PATH and no REDIS_URL)`);
    continue;
  }
  const client = new Redis(redisUrl);
  const setup: Setup = { store: new RedisStore({ client, prefix: `bench:${process.pid}:` }), ...(store === "redis-strict" && { writeBehind: false }) };
  figures[store.replace("-", "_")] = await measure(setup);
  client.disconnect();
}
await priv?.stop();
console.log(`server-side cost of one counter event (no socket), median of 7 runs of ${N}: latency, and CPU of this process (all threads)`);
for (const [k, v] of Object.entries(figures)) console.log(`  ${k.padEnd(13)} ${v.us.toFixed(2).padStart(7)} µs   CPU ${v.cpu.toFixed(2).padStart(7)} µs`);
const round2 = (n: number) => Math.round(n * 100) / 100;
summary("event-path", Object.fromEntries(Object.entries(figures).flatMap(([k, v]) => [[`${k}_us`, round2(v.us)], [`${k}_cpu_us`, round2(v.cpu)]])));
process.exit(0);

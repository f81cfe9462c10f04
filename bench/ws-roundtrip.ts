// Event round trip over WebSocket: a Hotline counter (event -> handler -> render -> diff -> save ->
// patch) against a raw `ws` echo server answering a frame of the same size, in the same run. Clients
// run in a child process. Two setups: the memory store and pub/sub, and the Redis store and Redis
// pub/sub (on a private redis-server when one can be started, else REDIS_URL); each is compared with
// the floor measured in its own interleaved rounds.
// Run: node --conditions=hotline-source --import tsx bench/ws-roundtrip.ts
//   STORES=memory,redis (default both; redis-strict: the Redis setup with writeBehind: false, every
//   patch waiting for its write's answer, as before write-behind)  ROUNDS=5  PER1=2000 (events per
//   round, 1 client)  PER50=200  AUTOPIPELINE=1 (the store's ioredis client with enableAutoPipelining)
//   Profile the server: node --cpu-prof --cpu-prof-dir=prof --conditions=hotline-source --import tsx bench/ws-roundtrip.ts
import { WebSocket } from "ws";
import { Redis } from "ioredis";
import { child, fmt, hotlineServer, percentile, rawServer, type Setup } from "./ws-support.js";
import { median } from "./measure.js";
import { summary } from "./summary.js";
import { RedisPubSub, RedisStore } from "../server/redis.js";
import { haveRedisServer, startRedisServer, type PrivateRedis } from "../test/support/redis-server.js";

type Job = { url: string; clients: number; perClient: number; hotline: boolean };
type Result = { lat: number[]; ms: number; events: number };
type Figures = { p50: number; p99: number; rate: number };

if (process.argv[2] === "client") {
  process.on("message", async (job: Job) => process.send!(await load(job)));
} else {
  await main();
}

async function load(job: Job): Promise<Result> {
  const socks = await Promise.all(Array.from({ length: job.clients }, () => open(job.url)));
  if (job.hotline) {
    await Promise.all(socks.map((ws) => ask(ws, JSON.stringify({ t: "join", ref: 1, id: "c1", name: "counter" }))));
  }
  const frame = (ref: number) => (process.env.PING ? `{"t":"ping","ref":${ref}}` : `{"t":"event","ref":${ref},"id":"c1","event":"increment"}`);
  // warm-up
  await Promise.all(socks.map(async (ws) => { for (let i = 0; i < 50; i++) await ask(ws, frame(i + 2)); }));
  const lat: number[] = [];
  const t0 = performance.now();
  await Promise.all(socks.map(async (ws) => {
    for (let i = 0; i < job.perClient; i++) {
      const s = performance.now();
      await ask(ws, frame(i + 100));
      lat.push(performance.now() - s);
    }
  }));
  const ms = performance.now() - t0;
  for (const ws of socks) ws.terminate();
  return { lat, ms, events: job.clients * job.perClient };
}

function open(url: string): Promise<WebSocket> {
  return new Promise((ok, no) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.once("open", () => ok(ws));
    ws.once("error", no);
  });
}

function ask(ws: WebSocket, frame: string): Promise<void> {
  return new Promise((ok) => {
    ws.once("message", (d) => {
      JSON.parse(String(d)); // the client parses both answers alike
      ok();
    });
    ws.send(frame);
  });
}

/** The Redis setup: a RedisStore and a RedisPubSub on their own ioredis connections. */
async function redisSetup(): Promise<{ setup: Setup; where: string; stop(): Promise<void> } | undefined> {
  let priv: PrivateRedis | undefined;
  if (await haveRedisServer()) priv = await startRedisServer();
  const url = priv?.url ?? process.env.REDIS_URL;
  if (!url) return undefined;
  const storeClient = new Redis(url, { enableAutoPipelining: process.env.AUTOPIPELINE === "1" });
  const busClient = new Redis(url);
  const prefix = `bench:${process.pid}:`;
  const pubsub = new RedisPubSub({ client: busClient, prefix });
  const store = new RedisStore({ client: storeClient, prefix: `${prefix}state:` });
  return {
    setup: { store, pubsub },
    where: priv ? "a private redis-server" : url,
    async stop() {
      await pubsub.close();
      storeClient.disconnect();
      busClient.disconnect();
      await priv?.stop();
    },
  };
}

async function main() {
  const wanted = (process.env.STORES ?? "memory,redis").split(",");
  const ROUNDS = Number(process.env.ROUNDS ?? 5);
  const configs = [[1, Number(process.env.PER1 ?? 2000)], [50, Number(process.env.PER50 ?? 200)]] as const;
  // The raw server answers with a patch-sized frame built per message, as a minimal app would.
  const raw = await rawServer((ws, data) => {
    const m = JSON.parse(String(data)) as { ref: number; id: string };
    ws.send(`{"t":"patch","id":${JSON.stringify(m.id ?? "c1")},"ref":${m.ref},"0":${m.ref}}`);
  });
  const kid = child(new URL(import.meta.url).pathname, ["client"]);
  const run = async (url: string, hotline: boolean, clients: number, perClient: number): Promise<Figures> => {
    kid.send({ url, hotline, clients, perClient } satisfies Job);
    const r = await kid.next<Result>();
    const s = r.lat.sort((a, b) => a - b);
    return { p50: percentile(s, 50), p99: percentile(s, 99), rate: (r.events / r.ms) * 1000 };
  };
  const med = (xs: Figures[]): Figures => ({
    p50: median(xs.map((x) => x.p50)), p99: median(xs.map((x) => x.p99)), rate: median(xs.map((x) => x.rate)),
  });
  const rows: { store: string; clients: number; h: Figures; r: Figures }[] = [];
  const notes: string[] = [];
  for (const store of wanted) {
    let setup: Setup = {};
    let stopSetup = async () => {};
    if (store === "redis" || store === "redis-strict") {
      const redis = await redisSetup();
      if (!redis) {
        notes.push("redis: skipped (no redis-server on the PATH and no REDIS_URL)");
        continue;
      }
      setup = store === "redis" ? redis.setup : { ...redis.setup, writeBehind: false };
      stopSetup = redis.stop;
      notes.push(`${store}: RedisStore + RedisPubSub (ioredis${process.env.AUTOPIPELINE === "1" ? ", autopipelining" : ""}) on ${redis.where}`);
    } else if (store !== "memory") {
      throw new Error(`unknown store "${store}" in STORES (memory, redis, redis-strict)`);
    }
    const hot = await hotlineServer(setup);
    for (const [clients, per] of configs) {
      // Interleave Hotline and raw runs and take the median of each figure over the rounds: the
      // machine is shared, and a single run says little.
      const hs: Figures[] = [];
      const rs: Figures[] = [];
      for (let i = 0; i < ROUNDS; i++) {
        hs.push(await run(hot.url, true, clients, per));
        rs.push(await run(raw.url, false, clients, per));
      }
      rows.push({ store, clients, h: med(hs), r: med(rs) });
    }
    await hot.stop();
    await stopSetup();
  }
  console.log(`event round trip (counter increment), clients in a child process; medians of ${ROUNDS} interleaved rounds`);
  for (const n of notes) console.log(`  ${n}`);
  console.log("store        | clients | hotline p50 / p99 ms | raw ws p50 / p99 ms | p50 ratio | p99 ratio | hotline ev/s | raw ev/s | ev/s ratio");
  const figures: Record<string, number> = {};
  for (const { store, clients, h, r } of rows) {
    console.log(
      `${store.padEnd(12)} | ${String(clients).padEnd(7)} | ${fmt(h.p50, 3)} / ${fmt(h.p99, 3)}`.padEnd(46) + ` | ${fmt(r.p50, 3)} / ${fmt(r.p99, 3)}`.padEnd(22) +
        ` | ${fmt(h.p50 / r.p50, 2)}x`.padEnd(12) + ` | ${fmt(h.p99 / r.p99, 2)}x`.padEnd(12) + ` | ${fmt(h.rate, 0)}`.padEnd(15) + ` | ${fmt(r.rate, 0)}`.padEnd(11) + ` | ${fmt(h.rate / r.rate, 2)}x`,
    );
    const k = `${store.replace("-", "_")}_c${clients}`;
    Object.assign(figures, {
      [`${k}_p50_ms`]: round(h.p50), [`${k}_p99_ms`]: round(h.p99), [`${k}_events_per_s`]: Math.round(h.rate),
      [`${k}_p50_ratio`]: round(h.p50 / r.p50), [`${k}_p99_ratio`]: round(h.p99 / r.p99), [`${k}_rate_ratio`]: round(h.rate / r.rate),
    });
  }
  console.log("goals: p50 <= 1.3x and p99 <= 1.5x raw with 1 client; events/s >= 0.8x raw with 50 clients (memory store and Redis store)");
  kid.kill();
  await raw.stop();
  summary("ws-roundtrip", figures);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

// Event round trip over WebSocket: a Hotline counter (event -> handler -> render -> diff -> save ->
// patch) against a raw `ws` echo server answering a frame of the same size, in the same run. Clients
// run in a child process. Setups: the memory store and pub/sub, and the Redis store and Redis pub/sub
// (on a private redis-server when one can be started, else REDIS_URL); they take turns within each
// round, and each is compared with the floor run right after each of its runs. With a local Redis it
// also prints redis-server's CPU per event (read from /proc): it runs on the same cores.
// Run: node --conditions=hotline-source --import tsx bench/ws-roundtrip.ts
//   STORES=memory,redis (default; also redis-strict: writeBehind: false, every patch waiting for its
//   write's answer as before write-behind; redis-ap: the store's ioredis client with
//   enableAutoPipelining; redis-node: the store on a node-redis client; raw-redis: no Hotline, the
//   raw server itself handing Redis a SET before each answer, the floor of the durability rule)  ROUNDS=5  PER1=2000 (events per round, 1 client)  PER50=200
//   PIN=1: servers on CPU 0, clients on CPU 1, as issue 16 measured (default: unpinned)
//   Profile the server: node --cpu-prof --cpu-prof-dir=prof --conditions=hotline-source --import tsx bench/ws-roundtrip.ts
import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { child, fmt, hotlineServer, percentile, pinCpus, rawServer, redisSetup, roundTrips, type RoundTripJob, type RoundTripResult, type Setup } from "./ws-support.js";
import { median } from "./measure.js";
import { summary } from "./summary.js";
import { haveRedisServer, startRedisServer, type PrivateRedis } from "../test/support/redis-server.js";

type Job = RoundTripJob;
type Result = RoundTripResult;
/**
 * Round trip percentiles (ms), events per second, the server process's CPU per event (µs, this
 * process: the servers run here), and redis-server's (µs; 0 without a local Redis).
 */
type Figures = { p50: number; p99: number; rate: number; cpu: number; redisCpu: number };

const SETUPS: Record<string, string> = {
  memory: "MemoryStore + MemoryPubSub",
  redis: "RedisStore + RedisPubSub (ioredis)",
  "redis-strict": "the same with writeBehind: false (every patch waits for Redis's answer)",
  "redis-ap": "the same as redis, the store's client with enableAutoPipelining",
  "redis-node": "the same as redis, the store on a node-redis client",
  "raw-redis": "no Hotline: the raw ws server handing Redis a SET of the state (ioredis, not awaited) before it answers, as the durability rule asks (docs/durability.md): what the rule costs any server on this machine",
};

if (process.argv[2] === "client") {
  process.on("message", async (job: Job) => process.send!(await roundTrips(job)));
} else {
  await main();
}

/** A private redis-server when one can be started, else REDIS_URL. */
async function redisServer(): Promise<{ url: string; where: string; stop(): Promise<void> } | undefined> {
  if (await haveRedisServer()) {
    const priv: PrivateRedis = await startRedisServer();
    return { url: priv.url, where: "a private redis-server", stop: () => priv.stop() };
  }
  const url = process.env.REDIS_URL;
  return url ? { url, where: url, stop: async () => {} } : undefined;
}



async function main() {
  const wanted = (process.env.STORES ?? "memory,redis").split(",");
  for (const w of wanted) if (!SETUPS[w]) throw new Error(`unknown setup "${w}" in STORES (${Object.keys(SETUPS).join(", ")})`);
  const ROUNDS = Number(process.env.ROUNDS ?? 5);
  const configs = [[1, Number(process.env.PER1 ?? 2000)], [50, Number(process.env.PER50 ?? 200)]] as const;
  // The raw server answers with a patch-sized frame built per message, as a minimal app would.
  const raw = await rawServer((ws, data) => {
    const m = JSON.parse(String(data)) as { ref: number; id: string };
    ws.send(`{"t":"patch","id":${JSON.stringify(m.id ?? "c1")},"ref":${m.ref},"0":${m.ref}}`);
  });
  const kid = child(new URL(import.meta.url).pathname, ["client"]);
  const notes: string[] = [];
  const redis = wanted.some((w) => w.includes("redis")) ? await redisServer() : undefined;
  // Redis shares the machine's cores with the servers and the clients: its CPU per event is a figure too.
  const redisCpu = redis ? await cpuOfRedis(redis.url) : () => 0;
  const run = async (url: string, hotline: boolean, clients: number, perClient: number): Promise<Figures> => {
    const before = process.cpuUsage();
    const redisBefore = redisCpu();
    kid.send({ url, hotline, clients, perClient } satisfies Job);
    const r = await kid.next<Result>();
    const used = process.cpuUsage(before);
    const events = r.events + 50 * clients;
    const s = r.lat.sort((a, b) => a - b);
    return { p50: percentile(s, 50), p99: percentile(s, 99), rate: (r.events / r.ms) * 1000, cpu: (used.user + used.system) / events, redisCpu: (redisCpu() - redisBefore) / events };
  };
  const med = (xs: Figures[]): Figures => ({
    p50: median(xs.map((x) => x.p50)), p99: median(xs.map((x) => x.p99)), rate: median(xs.map((x) => x.rate)), cpu: median(xs.map((x) => x.cpu)),
    redisCpu: median(xs.map((x) => x.redisCpu)),
  });
  const servers: { store: string; url: string; join: boolean; stop(): Promise<void> }[] = [];
  for (const store of wanted) {
    if (store !== "memory" && !redis) {
      notes.push(`${store}: skipped (no redis-server on the PATH and no REDIS_URL)`);
      continue;
    }
    if (store === "raw-redis") {
      const client = new Redis(redis!.url);
      const rr = await rawServer((ws, data) => {
        const m = JSON.parse(String(data)) as { ref: number; id: string };
        const id = JSON.stringify(m.id ?? "c1");
        void client.set(`bench:raw:${process.pid}:${m.id}`, `{"c":"counter","s":{"count":${m.ref}}}`, "PX", 600_000).catch(() => {});
        ws.send(`{"t":"patch","id":${id},"ref":${m.ref},"0":${m.ref}}`);
      });
      servers.push({ store, url: rr.url, join: false, stop: async () => { await rr.stop(); client.disconnect(); } });
      notes.push(`${store}: ${SETUPS[store]} on ${redis!.where}`);
      continue;
    }
    const r = store === "memory" ? undefined : await redisSetup(redis!.url, store);
    const setup: Setup = r ? { ...r.setup, ...(store === "redis-strict" && { writeBehind: false }) } : {};
    const hot = await hotlineServer(setup);
    servers.push({ store, url: hot.url, join: true, stop: async () => { await hot.stop(); await r?.stop(); } });
    notes.push(`${store}: ${SETUPS[store]}${r ? ` on ${redis!.where}` : ""}`);
  }
  // after the private redis-server is started: it must not inherit the servers' CPU
  const pinning = pinCpus(kid.pid);
  const rows: { store: string; clients: number; h: Figures; r: Figures }[] = [];
  for (const [clients, per] of configs) {
    // Each Hotline run is followed by a floor run, setups take turns within each round, and each
    // figure is the median over the rounds: the machine is shared, and a single run says little.
    const hs = new Map<string, Figures[]>(servers.map((s) => [s.store, []]));
    const rs = new Map<string, Figures[]>(servers.map((s) => [s.store, []]));
    for (let i = 0; i < ROUNDS; i++) {
      for (const s of servers) {
        hs.get(s.store)!.push(await run(s.url, s.join, clients, per));
        rs.get(s.store)!.push(await run(raw.url, false, clients, per));
      }
    }
    for (const s of servers) rows.push({ store: s.store, clients, h: med(hs.get(s.store)!), r: med(rs.get(s.store)!) });
  }
  for (const s of servers) await s.stop();
  await redis?.stop();
  console.log(`event round trip (counter increment), clients in a child process; medians of ${ROUNDS} interleaved rounds`);
  for (const n of [pinning, ...notes]) console.log(`  ${n}`);
  console.log("store        | clients | hotline p50 / p99 ms | raw ws p50 / p99 ms | p50 ratio | p99 ratio | hotline ev/s | raw ev/s | ev/s ratio | server CPU µs/event hotline / raw");
  const figures: Record<string, number> = {};
  for (const { store, clients, h, r } of rows) {
    console.log(
      `${store.padEnd(12)} | ${String(clients).padEnd(7)} | ${fmt(h.p50, 3)} / ${fmt(h.p99, 3)}`.padEnd(46) + ` | ${fmt(r.p50, 3)} / ${fmt(r.p99, 3)}`.padEnd(22) +
        ` | ${fmt(h.p50 / r.p50, 2)}x`.padEnd(12) + ` | ${fmt(h.p99 / r.p99, 2)}x`.padEnd(12) + ` | ${fmt(h.rate, 0)}`.padEnd(15) + ` | ${fmt(r.rate, 0)}`.padEnd(11) + ` | ${fmt(h.rate / r.rate, 2)}x`.padEnd(13) + ` | ${fmt(h.cpu, 1)} / ${fmt(r.cpu, 1)}`,
    );
    const k = `${store.replace("-", "_")}_c${clients}`;
    Object.assign(figures, {
      [`${k}_p50_ms`]: round(h.p50), [`${k}_p99_ms`]: round(h.p99), [`${k}_events_per_s`]: Math.round(h.rate),
      [`${k}_server_cpu_us`]: round(h.cpu), [`${k}_floor_cpu_us`]: round(r.cpu),
      [`${k}_p50_ratio`]: round(h.p50 / r.p50), [`${k}_p99_ratio`]: round(h.p99 / r.p99), [`${k}_rate_ratio`]: round(h.rate / r.rate),
    });
    if (store !== "memory" && h.redisCpu > 0) figures[`${k}_redis_cpu_us`] = round(h.redisCpu);
  }
  const redisRows = rows.filter((x) => x.store !== "memory" && x.h.redisCpu > 0);
  if (redisRows.length) console.log(`redis-server CPU µs/event (on the same cores): ${redisRows.map((x) => `${x.store} ${x.clients} client${x.clients > 1 ? "s" : ""} ${fmt(x.h.redisCpu, 1)}`).join(", ")}`);
  console.log("goals: p50 <= 1.3x and p99 <= 1.5x raw with 1 client; events/s >= 0.8x raw with 50 clients (memory store and Redis store)");
  kid.kill();
  await raw.stop();
  summary("ws-roundtrip", figures);
}

/**
 * A reader of the local redis-server's CPU time so far, in µs (utime + stime from /proc, at the
 * usual 100 ticks a second), or one that reads 0 when the server is not a process of this machine.
 */
async function cpuOfRedis(url: string): Promise<() => number> {
  const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  try {
    await client.connect();
    const pid = Number(/process_id:(\d+)/.exec(await client.info("server"))?.[1]);
    const read = () => {
      const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
      return (Number(fields[11]) + Number(fields[12])) * 10_000;
    };
    read();
    return () => {
      try {
        return read();
      } catch {
        return 0;
      }
    };
  } catch {
    return () => 0;
  } finally {
    client.disconnect();
  }
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}

// Memory per idle connection on the server, N = 8000: bare ws connections (silent, and answering
// the client's join with the bytes of Hotline's `ok`: the floor of a joined session), Hotline
// connections with nothing joined, with a joined counter (MemoryStore + MemoryPubSub), and with a
// joined counter on RedisStore + RedisPubSub (a private redis-server, else REDIS_URL; skipped
// without either). Each joined setup twice: awake (`hibernateAfterMs: 0`) and hibernated (what an
// idle session becomes after `hibernateAfterMs`, 15 s by default: docs/hibernation.md; here 500 ms,
// measured once every session has hibernated). Figures: the JS heap and the process's RSS (resident memory: the heap plus what
// sockets, buffers and clients hold outside it), each as growth per connection after a full GC,
// between N and 2N open connections: what one more idle session costs, without what the first ones
// pay once (code compiled, caches and pools made). Each setup runs in a fresh server process (RSS
// does not shrink back when connections close, so a process measured twice would under-count the
// second); the clients run in another child process.
// Run: node --conditions=hotline-source --import tsx bench/heap.ts
import { WebSocket } from "ws";
import { child, hotlineServer, rawServer, redisSetup } from "./ws-support.js";
import { round, summary } from "./summary.js";
import { median } from "./measure.js";
import { haveRedisServer, startRedisServer, type PrivateRedis } from "../test/support/redis-server.js";

// RSS moves by megabytes from run to run: at 2,000 connections that was ±1 KiB per connection,
// at 8,000 a quarter of it. Both processes then hold 16,000 sockets: `ulimit -n` must allow it.
const N = Number(process.env.N ?? 8000);
const SETTLE_MS = Number(process.env.SETTLE_MS ?? 0);
const self = new URL(import.meta.url).pathname;

type Setup = "bare" | "bare-answer" | "connection" | "memory" | "redis" | "memory-asleep" | "redis-asleep";
type Usage = { heap: number; rss: number };

if (process.argv[2] === "client") {
  const socks: WebSocket[] = [];
  process.on("message", async (m: { url?: string; join?: boolean; close?: boolean }) => {
    if (m.close) {
      for (const s of socks.splice(0)) s.terminate();
      return process.send!("closed");
    }
    for (let i = 0; i < N; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, N - i) }, async () => {
        const ws = new WebSocket(m.url!, { perMessageDeflate: false, handshakeTimeout: 30_000 });
        // a socket refused (EMFILE past `ulimit -n`, say) ends the run instead of leaving it waiting
        await new Promise((resolve, reject) => {
          ws.once("open", resolve);
          ws.once("error", (err) => reject(new Error(`bench/heap.ts: connection ${socks.length + 1} of ${2 * N} failed (${err.message}); a smaller N, or a higher ulimit -n`)));
          ws.once("close", () => reject(new Error(`bench/heap.ts: connection ${socks.length + 1} closed before it opened`)));
        });
        if (m.join) {
          ws.send(JSON.stringify({ t: "join", ref: 1, id: "c1", name: "counter" }));
          await new Promise((r) => ws.once("message", r));
        }
        socks.push(ws);
      }));
    }
    process.send!("ready");
  });
} else if (process.argv[2] === "serve") {
  await serve(process.argv[3] as Setup, process.argv[4]);
} else {
  await main();
}

/** One server process: a setup's server, its memory on request (after a full GC), gone on "stop". */
async function serve(setup: Setup, redisUrl: string | undefined): Promise<void> {
  let stop: () => Promise<unknown>;
  let url: string;
  let settle = async (): Promise<void> => {};
  if (setup === "bare" || setup === "bare-answer") {
    // the floor of a joined session: a bare ws server that answers the join with the same bytes
    const ok = setup === "bare-answer" ? await counterOk() : undefined;
    const raw = await rawServer(ok ? (ws) => ws.send(ok) : undefined);
    ({ url, stop } = raw);
  } else {
    const redis = setup.startsWith("redis") ? await redisSetup(redisUrl!) : undefined;
    const asleep = setup.endsWith("-asleep");
    const hot = await hotlineServer({ ...redis?.setup, hibernateAfterMs: asleep ? 500 : 0 });
    url = hot.url;
    // measured once every joined session has hibernated
    if (asleep) {
      settle = async () => {
        await until(() => hot.hotline.stats().instances === 0);
        // SETTLE_MS: then a quiet spell, in which V8 gives back pages the awake sessions took.
        // Default 0: with 3 s, RSS growth read 0.7-1.0x the floor, less than the sessions' own
        // heap, since the process gave back more pages between the two measurements than it took.
        if (SETTLE_MS > 0) await new Promise((r) => setTimeout(r, SETTLE_MS));
      };
    }
    stop = async () => {
      await hot.stop();
      await redis?.stop();
    };
  }
  process.on("message", async (m: string) => {
    if (m === "measure") {
      await settle();
      process.send!(await usage());
    }
    if (m === "stop") {
      await stop();
      process.send!("stopped", () => process.exit(0));
    }
  });
  process.send!({ url });
}

/** The `ok` frame Hotline answers the bench's join with (a counter at 0). */
async function counterOk(): Promise<string> {
  const hot = await hotlineServer({ hibernateAfterMs: 0 });
  const ws = new WebSocket(hot.url, { perMessageDeflate: false });
  await new Promise((r) => ws.once("open", r));
  ws.send(JSON.stringify({ t: "join", ref: 1, id: "c1", name: "counter" }));
  const frame = String(await new Promise((r) => ws.once("message", r)));
  ws.terminate();
  await hot.stop();
  return frame;
}

async function until(done: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !done(); i++) await new Promise((r) => setTimeout(r, 100));
  if (!done()) throw new Error("bench/heap.ts: the sessions did not hibernate within 60 s");
}

async function usage(): Promise<Usage> {
  for (let i = 0; i < 3; i++) {
    global.gc!();
    await new Promise((r) => setTimeout(r, 20));
  }
  const m = process.memoryUsage();
  return { heap: m.heapUsed, rss: m.rss };
}

async function main(): Promise<void> {
  let priv: PrivateRedis | undefined;
  const redisUrl = (await haveRedisServer()) ? (priv = await startRedisServer()).url : process.env.REDIS_URL;
  const kid = child(self, ["client"]);
  const measure = async (setup: Setup): Promise<Usage> => {
    const server = child(self, ["serve", setup, redisUrl ?? ""], ["--expose-gc"]);
    const { url } = await server.next<{ url: string }>();
    const join = setup !== "bare" && setup !== "connection";
    // N connections, then N more: the second N's growth is the figure
    kid.send({ url, join });
    await kid.next();
    server.send("measure");
    const before = await server.next<Usage>();
    kid.send({ url, join });
    await kid.next();
    server.send("measure");
    const after = await server.next<Usage>();
    kid.send({ close: true });
    await kid.next();
    server.send("stop");
    await server.next();
    return { heap: (after.heap - before.heap) / N, rss: (after.rss - before.rss) / N };
  };
  // REPEAT fresh processes per setup, the setups taking turns; the median of each figure. RSS
  // moves by megabytes in some runs and not others (V8 resizing its young generation, the
  // allocator's arenas, pages given back): at N = 2000 the floor read 2.2-2.9 KiB per connection
  // in most runs, 5.5-6.3 in about a third and 0.3 or 1.0 in others; at N = 8000, 2.8-3.1. Its
  // range is printed beside it.
  const REPEAT = Number(process.env.REPEAT ?? 5);
  const all: Setup[] = ["bare", "bare-answer", "connection", "memory", "memory-asleep", ...(redisUrl ? (["redis", "redis-asleep"] as const) : [])];
  // SETUPS=bare-answer,memory-asleep: some of them (the floor always runs)
  const only = process.env.SETUPS?.split(",");
  const setups = only ? all.filter((s) => s === "bare" || s === "bare-answer" || only.includes(s)) : all;
  const runs = new Map<Setup, Usage[]>(setups.map((s) => [s, []]));
  for (let i = 0; i < REPEAT; i++) for (const s of setups) runs.get(s)!.push(await measure(s));
  const med = (s: Setup): Usage => ({ heap: median(runs.get(s)!.map((u) => u.heap)), rss: median(runs.get(s)!.map((u) => u.rss)) });
  const range = (s: Setup): string => {
    const r = runs.get(s)!.map((u) => u.rss / 1024);
    return `${Math.min(...r).toFixed(1)}-${Math.max(...r).toFixed(1)}`;
  };
  const has = (s: Setup) => (runs.get(s)?.length ?? 0) > 0;
  const silent = med("bare");
  const bare = med("bare-answer");
  kid.kill();
  await priv?.stop();
  const kib = (b: number) => (b / 1024).toFixed(2) + " KiB";
  // a joined session against the floor that answered its join; a silent connection against the silent floor
  const row = (name: string, s: Setup) => {
    if (!has(s)) return;
    const u = med(s);
    const floor = s === "bare" || s === "connection" ? silent : bare;
    console.log(`${name.padEnd(48)} | ${kib(u.heap).padStart(9)} | ${kib(u.rss).padStart(9)} (${(u.rss / floor.rss).toFixed(2)}x ${floor === bare ? "the floor" : "the silent floor"}; ${(u.rss / silent.rss).toFixed(2)}x silent; runs ${range(s)})`);
  };
  console.log(`server memory per idle connection: growth from ${N} to ${2 * N} connections, each setup in a fresh process, medians of ${REPEAT} (the MemoryStore's saved states included)`);
  console.log(`${"".padEnd(48)} |  JS heap  | RSS`);
  row("bare ws connection, silent", "bare");
  row("bare ws answering the join (the floor)", "bare-answer");
  row("hotline connection, nothing joined", "connection");
  row("hotline + joined counter (memory), awake", "memory");
  row("hotline + joined counter (memory), hibernated", "memory-asleep");
  row("hotline + joined counter (Redis), awake", "redis");
  row("hotline + joined counter (Redis), hibernated", "redis-asleep");
  if (!redisUrl) console.log("hotline + joined counter (Redis): skipped (no redis-server on the PATH and no REDIS_URL)");
  console.log(`goals: JS heap <= 5 KiB per session; RSS per idle joined session <= 1.25x the floor (issue 16): an idle session hibernates after hibernateAfterMs`);
  const figures: Record<string, number> = {
    n: N, silent_ws_kib: round(silent.heap / 1024, 2), silent_ws_rss_kib: round(silent.rss / 1024, 2),
    bare_ws_kib: round(bare.heap / 1024, 2), bare_ws_rss_kib: round(bare.rss / 1024, 2),
  };
  const names: [Setup, string][] = [["connection", "connection"], ["memory", "joined_counter"], ["memory-asleep", "hibernated"], ["redis", "redis_joined_counter"], ["redis-asleep", "redis_hibernated"]];
  for (const [s, k] of names) {
    if (!has(s)) continue;
    const u = med(s);
    Object.assign(figures, { [`${k}_kib`]: round(u.heap / 1024, 2), [`${k}_rss_kib`]: round(u.rss / 1024, 2), [`${k}_rss_ratio`]: round(u.rss / (s === "connection" ? silent.rss : bare.rss), 2) });
  }
  summary("heap", figures);
}

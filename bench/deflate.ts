// permessage-deflate on the demo's board and cart, driven by real WebSocket clients: bytes on the
// wire per frame, server CPU per frame and server memory per connection, for each setting against
// deflate off (the floor) in the same run. The server runs in a child process (its CPU and RSS are
// its own); the clients here offer deflate the way a browser does (and compress what they send).
//   node --conditions=hotline-source --import tsx bench/deflate.ts [--quick]
// Scenarios:
//   board      V viewers of the shared board; one adds items, then toggles them: every change is one
//              patch frame to each viewer (the fan-out case).
//   cart-sdui  C clients, each with its own cart in sdui format: add, more, remove (APPEND, MATCH, REPLACE).
//   cart-html  the same carts in HTML (stream container inserts and deletes).
//   memory     M idle board viewers, each having received one compressed patch: server RSS per connection.
import { fork } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { WebSocket } from "ws";
import { fmt, median } from "./measure.js";
import { summary } from "./summary.js";
import type { PerMessageDeflateOptions } from "../server/transports/websocket/deflate.js";

const QUICK = process.argv.includes("--quick") || process.env.BENCH_QUICK === "1";
const RUNS = QUICK ? 1 : 3;
const VIEWERS = QUICK ? 10 : 25;
const BOARD_ROUNDS = QUICK ? 20 : 40;
const CARTS = QUICK ? 10 : 20;
const CART_ROUNDS = QUICK ? 20 : 40;
const IDLE = QUICK ? 100 : 300;

type Setting = false | true | PerMessageDeflateOptions;
const SETTINGS: [string, Setting][] = [
  ["off", false],
  ["true (level 1, window 15, memLevel 8)", true],
  ["level 6", { level: 6 }],
  ["small (window 11, memLevel 4)", { serverMaxWindowBits: 11, memLevel: 4 }],
  ["no context takeover", { serverNoContextTakeover: true }],
];

type Mark = { cpu: number; written: number };
type Figures = { frames: number; json: number; wire: number; cpuUs: number };

/** The child: the demo's board and cart behind createHotline, answering marks over IPC. */
async function serve(perMessageDeflate: Setting): Promise<void> {
  const { createHotline } = await import("../server/hotline.js");
  const { Registry } = await import("../server/core/registry.js");
  const { Board } = await import("../components/board.js");
  const { MemoryBoardRepo } = await import("../components/board-repo.js");
  const { Cart } = await import("../components/cart.js");
  const registry = new Registry();
  registry.register("board", Board);
  registry.register("cart", Cart);
  const hotline = createHotline({
    registry, secret: "bench-secret-0123456789abcdef", heartbeatMs: 0, perMessageDeflate,
    services: { board: new MemoryBoardRepo() }, rateLimit: { perSecond: 1e9, burst: 1e9 },
    maxConnectionsPerAddress: 0, connectRate: { perSecond: 0 },
  });
  const sockets = new Set<Socket>();
  let closedBytes = 0;
  const server = createServer((req, res) => void hotline.handler(req, res));
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.once("close", () => (sockets.delete(s), (closedBytes += s.bytesWritten)));
  });
  hotline.attach(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", 4096, r));
  process.on("message", (m: { cmd: string }) => {
    if (m.cmd === "mark") {
      const c = process.cpuUsage();
      let written = closedBytes;
      for (const s of sockets) written += s.bytesWritten;
      process.send!({ cpu: c.user + c.system, written } satisfies Mark);
    } else if (m.cmd === "rss") {
      for (let i = 0; i < 3; i++) global.gc?.();
      process.send!({ rss: process.memoryUsage().rss });
    } else if (m.cmd === "stop") {
      void hotline.close().then(() => process.exit(0));
    }
  });
  process.send!({ port: (server.address() as AddressInfo).port });
}

/** One server process with a setting: marks (CPU, bytes written) and its RSS on demand. */
async function startChild(setting: Setting) {
  const proc = fork(new URL(import.meta.url).pathname, ["--server", JSON.stringify(setting)], {
    execArgv: ["--conditions=hotline-source", "--import", "tsx", "--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const waiters: ((m: any) => void)[] = [];
  proc.on("message", (m) => waiters.shift()?.(m));
  const next = <T>() => new Promise<T>((r) => waiters.push(r));
  const ask = <T>(cmd: string) => (proc.send({ cmd }), next<T>());
  const { port } = await next<{ port: number }>();
  return {
    url: `ws://127.0.0.1:${port}/live`,
    mark: () => ask<Mark>("mark"),
    rss: async () => (await ask<{ rss: number }>("rss")).rss,
    stop: () => new Promise<void>((r) => (proc.once("exit", () => r()), proc.send({ cmd: "stop" }))),
  };
}

/** A protocol client counting what it receives (JSON bytes and frames). */
class Client {
  readonly ws: WebSocket;
  frames = 0;
  json = 0;
  #ref = 0;
  #waiters = new Map<number, (m: any) => void>();
  #onAny: (() => void) | undefined;

  constructor(url: string) {
    // like a browser: offers deflate, and compresses every message it sends
    this.ws = new WebSocket(url, { perMessageDeflate: { threshold: 0 } });
    this.ws.on("message", (d) => {
      const s = String(d);
      this.frames++;
      this.json += Buffer.byteLength(s);
      const m = JSON.parse(s);
      if (m.ref !== undefined && m.done !== false) this.#waiters.get(m.ref)?.(m), this.#waiters.delete(m.ref);
      this.#onAny?.();
    });
  }
  opened(): Promise<void> {
    return new Promise((r, no) => (this.ws.once("open", () => r()), this.ws.once("error", no)));
  }
  request(m: Record<string, unknown>): Promise<any> {
    const ref = ++this.#ref;
    this.ws.send(JSON.stringify({ ...m, ref }));
    return new Promise((r) => this.#waiters.set(ref, r));
  }
  /** Resolves once `frames` reaches `n`. */
  until(n: number): Promise<void> {
    if (this.frames >= n) return Promise.resolve();
    return new Promise((r) => (this.#onAny = () => this.frames >= n && ((this.#onAny = undefined), r())));
  }
}

async function clients(url: string, n: number, join: (c: Client, i: number) => Promise<unknown>): Promise<Client[]> {
  const all: Client[] = [];
  for (let i = 0; i < n; i += 50) {
    const batch = Array.from({ length: Math.min(50, n - i) }, () => new Client(url));
    await Promise.all(batch.map((c) => c.opened()));
    await Promise.all(batch.map((c, k) => join(c, i + k)));
    all.push(...batch);
  }
  return all;
}

/** Runs `drive` between two marks; the figures of the frames the clients received meanwhile. */
async function measured(server: Awaited<ReturnType<typeof startChild>>, cs: Client[], drive: () => Promise<void>): Promise<Figures> {
  const f0 = cs.reduce((n, c) => n + c.frames, 0);
  const j0 = cs.reduce((n, c) => n + c.json, 0);
  const m0 = await server.mark();
  await drive();
  const m1 = await server.mark();
  return {
    frames: cs.reduce((n, c) => n + c.frames, 0) - f0,
    json: cs.reduce((n, c) => n + c.json, 0) - j0,
    wire: m1.written - m0.written,
    cpuUs: m1.cpu - m0.cpu,
  };
}

const TEXTS = ["Buy oolong for the office", "Call the roaster about the Shizuoka sencha", "Ship order 1043 to Lyon", "Reorder stoneware mugs, 350 ml", "Check the gooseneck kettle returns"];

async function board(setting: Setting): Promise<Figures> {
  const server = await startChild(setting);
  const cs = await clients(server.url, VIEWERS, (c) => c.request({ t: "join", id: "b", name: "board" }));
  const [writer] = cs;
  const f = await measured(server, cs, async () => {
    const change = async (event: string, payload: Record<string, unknown>) => {
      const targets = cs.map((c) => c.frames + 1);
      await writer!.request({ t: "event", id: "b", event, payload });
      await Promise.all(cs.map((c, i) => c.until(targets[i]!)));
    };
    for (let r = 0; r < BOARD_ROUNDS; r++) await change("add", { text: `${TEXTS[r % TEXTS.length]} (${r + 1})` });
    for (let r = 0; r < BOARD_ROUNDS; r += 2) await change("toggle", { id: `i${r + 1}` });
  });
  for (const c of cs) c.ws.terminate();
  await server.stop();
  return f;
}

async function cart(setting: Setting, format: "sdui" | "html"): Promise<Figures> {
  const server = await startChild(setting);
  const cs = await clients(server.url, CARTS, (c) => c.request({ t: "join", id: "c", name: "cart", format, params: {} }));
  const f = await measured(server, cs, async () => {
    await Promise.all(cs.map(async (c) => {
      // the cart's own rules, mirrored: a product already in the cart gets one more
      const lines: { id: number; sku: string }[] = [];
      let next = 1;
      for (let r = 0; r < CART_ROUNDS; r++) {
        if (r % 5 === 4 && lines.length) {
          await c.request({ t: "event", id: "c", event: "remove", payload: { id: lines.shift()!.id } });
          continue;
        }
        const sku = ["tea", "mug", "kettle"][r % 3]!;
        if (!lines.some((l) => l.sku === sku)) lines.push({ id: next++, sku });
        await c.request({ t: "event", id: "c", event: "add", payload: { sku } });
      }
    }));
  });
  for (const c of cs) c.ws.terminate();
  await server.stop();
  return f;
}

/** Server RSS per idle board viewer that has received one (compressed) patch. */
async function memory(setting: Setting): Promise<number> {
  const server = await startChild(setting);
  const before = await server.rss();
  const cs = await clients(server.url, IDLE, (c) => c.request({ t: "join", id: "b", name: "board" }));
  const targets = cs.map((c) => c.frames + 1);
  await cs[0]!.request({ t: "event", id: "b", event: "add", payload: { text: "one change for every viewer" } });
  await Promise.all(cs.map((c, i) => c.until(targets[i]!)));
  const after = await server.rss();
  for (const c of cs) c.ws.terminate();
  await server.stop();
  return (after - before) / IDLE;
}

async function main(): Promise<void> {
  console.log(`permessage-deflate on the demo's board (${VIEWERS} viewers, ${BOARD_ROUNDS} adds + ${BOARD_ROUNDS / 2} toggles) and cart (${CARTS} clients x ${CART_ROUNDS} events); median of ${RUNS} run(s)${QUICK ? " (quick)" : ""}\n`);
  type Row = { bytes: number; json: number; cpu: number };
  const results = new Map<string, Record<string, Row>>();
  const mem = new Map<string, number>();
  for (const [name, setting] of SETTINGS) {
    const rows: Record<string, Row> = {};
    for (const [scenario, run] of [["board", () => board(setting)], ["cart-sdui", () => cart(setting, "sdui")], ["cart-html", () => cart(setting, "html")]] as const) {
      const runs: Figures[] = [];
      for (let i = 0; i < RUNS; i++) runs.push(await run());
      rows[scenario] = {
        bytes: median(runs.map((r) => r.wire / r.frames)),
        json: median(runs.map((r) => r.json / r.frames)),
        cpu: median(runs.map((r) => r.cpuUs / r.frames)),
      };
    }
    results.set(name, rows);
    mem.set(name, median(await Promise.all([memory(setting)])));
  }
  const off = results.get("off")!;
  const memOff = mem.get("off")!;
  console.log(`${"setting".padEnd(40)} ${"scenario".padEnd(10)} ${"JSON B/frame".padStart(12)} ${"wire B/frame".padStart(12)} ${"x off".padStart(6)} ${"CPU us/frame".padStart(13)} ${"x off".padStart(6)}`);
  const figures: Record<string, number> = {};
  for (const [name, rows] of results) {
    for (const [scenario, r] of Object.entries(rows)) {
      const o = off[scenario]!;
      console.log(`${name.padEnd(40)} ${scenario.padEnd(10)} ${fmt(r.json, 0).padStart(12)} ${fmt(r.bytes, 1).padStart(12)} ${fmt(r.bytes / o.bytes, 2).padStart(6)} ${fmt(r.cpu, 1).padStart(13)} ${fmt(r.cpu / o.cpu, 2).padStart(6)}`);
      const key = `${keyOf(name)}.${scenario}`;
      figures[`${key}.wire_bytes_per_frame`] = round(r.bytes, 1);
      figures[`${key}.wire_ratio`] = round(r.bytes / o.bytes, 3);
      figures[`${key}.cpu_us_per_frame`] = round(r.cpu, 1);
      figures[`${key}.cpu_ratio`] = round(r.cpu / o.cpu, 3);
    }
  }
  console.log(`\nServer RSS per idle board viewer after one patch (${IDLE} connections; clients compress what they send, as browsers do):`);
  for (const [name, m] of mem) {
    console.log(`  ${name.padEnd(40)} ${fmt(m / 1024, 1).padStart(8)} KiB   (${m >= memOff ? "+" : ""}${fmt((m - memOff) / 1024, 1)} KiB over off)`);
    figures[`${keyOf(name)}.rss_kib_per_connection`] = round(m / 1024, 1);
  }
  summary("deflate", figures);
}

function keyOf(name: string): string {
  return name.split(" (")[0]!.replace(/[^a-z0-9]+/gi, "_").toLowerCase();
}

function round(n: number, digits: number): number {
  return Number(n.toFixed(digits));
}

// Last: the classes above must be initialised before either side runs.
if (process.argv[2] === "--server") await serve(JSON.parse(process.argv[3]!) as Setting);
else await main();

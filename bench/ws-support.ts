// Shared pieces of the WebSocket benchmarks: a counter and a shared board, a Hotline server on a
// free port, a raw `ws` server, and statistics. Benchmarks print figures; they fail nothing.
import { execFileSync, fork } from "node:child_process";
import { availableParallelism } from "node:os";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, WebSocketServer } from "ws";
import { Component } from "../server/core/component.js";
import { Registry } from "../server/core/registry.js";
import { html } from "../server/core/template/template.js";
import { createHotline, type Hotline, type HotlineOptions } from "../server/hotline.js";
import { Redis } from "ioredis";
import { createClient } from "redis";
import { RedisPubSub, RedisStore } from "../server/redis.js";

export class Counter extends Component<{ count: number }> {
  mount() {
    this.state.count = 0;
  }
  onIncrement() {
    this.state.count += 1;
  }
  render() {
    return html`<button hl-click="increment">Count: ${this.state.count}</button>`;
  }
}

export class Board extends Component<{ score: number }> {
  static shared = true;
  static renders = 0;
  mount() {
    this.state.score = 0;
    this.subscribe("board");
  }
  onMessage(_t: string, m: unknown) {
    this.state.score = (m as { score: number }).score;
  }
  render() {
    Board.renders++;
    return html`<h1>Score: ${this.state.score}</h1>`;
  }
}

export function benchRegistry(): Registry {
  const r = new Registry();
  r.register("counter", Counter);
  r.register("board", Board);
  return r;
}

/** Where a benchmark's Hotline keeps state and fans out: the memory defaults, or Redis ones. */
export type Setup = Pick<HotlineOptions, "store" | "pubsub" | "writeBehind">;

export async function hotlineServer(options: HotlineOptions = {}): Promise<{ hotline: Hotline; url: string; stop(): Promise<void> }> {
  const hotline = createHotline({
    registry: benchRegistry(), secret: "bench-secret-0123456789abcdef", heartbeatMs: 0,
    rateLimit: { perSecond: 1e9, burst: 1e9 }, stateTtlMs: 600_000,
    // every load client comes from 127.0.0.1: the per-address limits would refuse them
    maxConnectionsPerAddress: 0, connectRate: { perSecond: 0 }, ...options,
  });
  const server = createServer((req, res) => void hotline.handler(req, res));
  hotline.attach(server);
  return { hotline, url: `ws://127.0.0.1:${await listen(server)}/live`, stop: () => stopAll(server, () => hotline.close()) };
}

/**
 * A Redis setup: a RedisStore and a RedisPubSub on their own connections, ioredis; `name` tells
 * the variant (ws-roundtrip.ts's STORES): the store on node-redis for "redis-node", with
 * auto-pipelining for "redis-ap".
 */
export async function redisSetup(url: string, name = "redis"): Promise<{ setup: Setup; stop(): Promise<void> }> {
  const storeClient = name === "redis-node" ? createClient({ url }) : new Redis(url, { enableAutoPipelining: name === "redis-ap" });
  if (!(storeClient instanceof Redis)) await storeClient.connect();
  const busClient = new Redis(url);
  const prefix = `bench:${process.pid}:${name}:`;
  const pubsub = new RedisPubSub({ client: busClient, prefix });
  const store = new RedisStore({ client: storeClient, prefix: `${prefix}state:` });
  return {
    setup: { store, pubsub },
    async stop() {
      await pubsub.close();
      if (storeClient instanceof Redis) storeClient.disconnect();
      else await storeClient.quit();
      busClient.disconnect();
    },
  };
}

/** A raw ws server; `onMessage` answers each message. */
export async function rawServer(onMessage?: (ws: import("ws").WebSocket, data: Buffer) => void): Promise<{ wss: WebSocketServer; url: string; stop(): Promise<void> }> {
  const server = createServer();
  const wss = new WebSocketServer({ server, perMessageDeflate: false, clientTracking: true });
  if (onMessage) wss.on("connection", (ws) => ws.on("message", (d) => onMessage(ws, d as Buffer)));
  return { wss, url: `ws://127.0.0.1:${await listen(server)}/`, stop: () => stopAll(server, async () => wss.close()) };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", 4096, r));
  return (server.address() as AddressInfo).port;
}

async function stopAll(server: Server, first: () => Promise<unknown>): Promise<void> {
  await first();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
}

/**
 * Runs `file` as a child process (the load generator), sends it `msg`, resolves with its answers
 * as they come. It loads modules as this process does (the `--conditions` it was started with:
 * `import … from "hotline"` reaches the TypeScript source, not a build that may be absent). A
 * child that exits fails whatever waits for its next answer, instead of leaving the benchmark
 * waiting until run-all's timeout.
 */
export function child(file: string, args: string[] = [], execArgv: string[] = []) {
  const conditions: string[] = [];
  process.execArgv.forEach((a, i, all) => {
    if (a.startsWith("--conditions=")) conditions.push(a);
    else if (a === "--conditions" || a === "-C") conditions.push(a, all[i + 1]!);
  });
  const proc = fork(file, args, { execArgv: [...conditions, "--import", "tsx", ...execArgv], stdio: "inherit" });
  const queue: unknown[] = [];
  const waiters: { ok: (m: unknown) => void; fail: (e: Error) => void }[] = [];
  let exited: Error | undefined;
  proc.on("message", (m) => (waiters.length ? waiters.shift()!.ok(m) : queue.push(m)));
  proc.on("exit", (code, signal) => {
    exited = new Error(`the load generator (${file} ${args.join(" ")}) exited (${signal ?? `code ${code}`})`);
    for (const w of waiters.splice(0)) w.fail(exited);
  });
  return {
    send: (m: unknown) => proc.send(m as never),
    next: <T>(): Promise<T> =>
      new Promise((ok, fail) => {
        if (queue.length) ok(queue.shift() as T);
        else if (exited) fail(exited);
        else waiters.push({ ok: ok as (m: unknown) => void, fail });
      }),
    kill: () => proc.kill(),
    pid: proc.pid!,
  };
}

/**
 * With `PIN=1`: pins this process (the servers, every thread, V8's helpers included) to CPU 0 and
 * the load generator `clientPid` to CPU 1, as issue 16's figures were taken; a Redis started for
 * the run stays where the scheduler puts it. On a 2-core machine the servers' GC and compiler
 * threads then share the event loop's core, which costs p99, so it is not the default. One CPU, or
 * no `taskset` (util-linux), leave everything unpinned. Returns what was done, for the report.
 */
export function pinCpus(clientPid: number): string {
  if (process.env.PIN !== "1") return "unpinned (PIN=1: servers on CPU 0, clients on CPU 1)";
  if (availableParallelism() < 2) return "unpinned (one CPU)";
  try {
    execFileSync("taskset", ["-a", "-pc", "0", String(process.pid)], { stdio: "ignore" });
    execFileSync("taskset", ["-a", "-pc", "1", String(clientPid)], { stdio: "ignore" });
    return "servers pinned to CPU 0, clients to CPU 1 (PIN=1)";
  } catch {
    return "unpinned (no taskset)";
  }
}

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export const fmt = (n: number, d = 1) => n.toFixed(d);

/** What a bench's client child is asked to run: `clients` sockets, each joining the counter (when `hotline`), then `perClient` round trips. */
export type RoundTripJob = { url: string; clients: number; perClient: number; hotline: boolean };
export type RoundTripResult = { lat: number[]; ms: number; events: number };

/** Runs a {@link RoundTripJob} (50 warm-up round trips per socket first); the latencies in ms. */
export async function roundTrips(job: RoundTripJob): Promise<RoundTripResult> {
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

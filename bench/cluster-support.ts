// Shared pieces of the cluster benchmarks: a Hotline server process (memory or Redis pub/sub and
// store) and a load-generating client process, both driven over IPC, plus a private redis-server.
// Run as a child: `node --import tsx bench/cluster-support.ts server|client`.
import { fork, type ChildProcess } from "node:child_process";
import { WebSocket } from "ws";
import { z } from "zod";
import { MemoryPubSub } from "../pubsub/memory.js";
import type { PubSub } from "../pubsub/pubsub.js";
import type { StateStore } from "../server/core/store.js";
import { Component } from "../server/core/component.js";
import { Registry } from "../server/core/registry.js";
import { html } from "../server/core/template/template.js";
import { hotlineServer } from "./ws-support.js";

/**
 * A shared score per room: every viewer of a room on a process shares one instance. `bump` (an
 * event from any viewer) raises it and publishes the new score; every process re-renders once.
 */
export class Tally extends Component<{ score: number }> {
  static shared = true;
  /** The room a client asks for (join params are refused unless declared). */
  static clientParams = z.object({ room: z.number().int().min(0).max(1_000_000).optional() });
  mount() {
    this.state.score = 0;
    this.subscribe(topicOf(this.params));
  }
  onMessage(_t: string, m: unknown) {
    this.state.score = (m as { score: number }).score;
  }
  async onBump() {
    this.state.score += 1;
    await this.publish(topicOf(this.params), { score: this.state.score });
  }
  render() {
    return html`<p class="tally">Score: <b>${this.state.score}</b></p>`;
  }
}

export function topicOf(params: unknown): string {
  return `tally:${Number((params as { room?: number }).room ?? 0)}`;
}

/** What the orchestrator sends a server process. */
export type ServerCmd = { publish?: { topic: string; score: number } } | { stop: true };
/** What the orchestrator sends a client process. */
export type ClientCmd =
  | { open: { url: string; n: number; room?: number } }
  | { expect: number }
  | { bump: true }
  | { close: true };

const self = new URL(import.meta.url).pathname;

/** A child process driven over IPC: `send` a command, `next` answer. */
export interface Kid {
  send(m: unknown): void;
  next<T = unknown>(): Promise<T>;
  ask<T = unknown>(m: unknown): Promise<T>;
  kill(): void;
}

const kids = new Set<ChildProcess>();
process.on("exit", () => {
  for (const k of kids) k.kill("SIGKILL");
});

/** Forks this file in `mode` with `args`; killed when the benchmark exits, however it exits. */
export function kid(mode: "server" | "client", args: string[] = []): Kid {
  const proc = fork(self, [mode, ...args], { execArgv: ["--import", "tsx"], stdio: ["ignore", "inherit", "inherit", "ipc"] });
  kids.add(proc);
  proc.once("exit", () => kids.delete(proc));
  const queue: unknown[] = [];
  const waiters: ((m: unknown) => void)[] = [];
  proc.on("message", (m) => (waiters.length ? waiters.shift()!(m) : queue.push(m)));
  const next = <T>() => new Promise<T>((r) => (queue.length ? r(queue.shift() as T) : waiters.push(r as (m: unknown) => void)));
  return {
    send: (m) => proc.send(m as never),
    next,
    ask: <T>(m: unknown) => (proc.send(m as never), next<T>()),
    kill: () => proc.kill("SIGKILL"),
  };
}

/** A Hotline server process: memory, or Redis pub/sub and state store at `url` under `prefix` (redis-cluster: `url` is the node ports). */
async function serverMain(kind: string, url?: string, prefix?: string): Promise<void> {
  const registry = new Registry();
  registry.register("tally", Tally);
  let pubsub: PubSub;
  let store: StateStore | undefined;
  if (kind === "redis") {
    const { RedisPubSub, RedisStore } = await import("../server/redis.js");
    pubsub = new RedisPubSub({ url: url!, prefix: prefix! });
    store = new RedisStore({ url: url!, prefix: `${prefix}state:` });
  } else if (kind === "redis-cluster") {
    // url: the cluster's node ports, comma-separated; one ioredis Cluster client for both.
    const { Cluster } = await import("ioredis");
    const { RedisPubSub, RedisStore } = await import("../server/redis.js");
    const client = new Cluster(url!.split(",").map((port) => ({ host: "127.0.0.1", port: Number(port) })));
    await new Promise((resolve) => client.once("ready", resolve));
    pubsub = new RedisPubSub({ client, prefix: prefix! });
    store = new RedisStore({ client, prefix: `${prefix}state:` });
  } else {
    pubsub = new MemoryPubSub();
  }
  const hot = await hotlineServer({ registry, pubsub, ...(store && { store }), maxBufferedBytes: 64 * 1024 * 1024 });
  process.on("message", async (m: ServerCmd) => {
    if ("stop" in m) {
      await hot.stop();
      await pubsub.close();
      await store?.close?.();
      process.send!("stopped");
      return process.exit(0);
    }
    if (m.publish) {
      await hot.hotline.pubsub.publish(m.publish.topic, { score: m.publish.score });
      process.send!("published");
    }
  });
  process.send!({ url: hot.url });
}

/** Opens viewers, counts the patches they get, and reports when every viewer has one. */
function clientMain(): void {
  let socks: WebSocket[] = [];
  let left = 0;
  const onFrame = (d: Buffer) => {
    // every frame after the join is a patch of the tally (there is nothing else to send)
    if (left > 0 && --left === 0) process.send!("all");
    void d;
  };
  process.on("message", async (m: ClientCmd) => {
    if ("close" in m) {
      for (const s of socks) s.terminate();
      socks = [];
      return process.send!("closed");
    }
    if ("expect" in m) {
      left = m.expect;
      return process.send!("armed");
    }
    if ("bump" in m) {
      socks[0]!.send(JSON.stringify({ t: "event", ref: 2, id: "t", event: "bump" }));
      return;
    }
    const { url, n, room } = m.open;
    for (let i = 0; i < n; i += 200) {
      await Promise.all(Array.from({ length: Math.min(200, n - i) }, async () => {
        const ws = new WebSocket(url, { perMessageDeflate: false });
        await new Promise((r) => ws.once("open", r));
        ws.send(JSON.stringify({ t: "join", ref: 1, id: "t", name: "tally", params: { room: room ?? 0 } }));
        const ok = JSON.parse(String(await new Promise((r) => ws.once("message", r))));
        if (ok.t !== "ok") throw new Error(`join failed: ${JSON.stringify(ok)}`);
        ws.on("message", onFrame);
        socks.push(ws);
      }));
    }
    process.send!("ready");
  });
}

export const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1]!;

if (process.argv[1] === self) {
  // the orchestrator is gone (even killed): do not linger on a port or a Redis
  process.on("disconnect", () => process.exit(0));
  if (process.argv[2] === "server") void serverMain(process.argv[3]!, process.argv[4], process.argv[5]);
  else if (process.argv[2] === "client") clientMain();
}

/** Starts a server child (`args` as its process.argv tail) and waits for its WebSocket URL. */
export async function serveIn(args: string[]): Promise<Kid & { url: string }> {
  const k = kid("server", args);
  const { url } = await k.next<{ url: string }>();
  return Object.assign(k, { url });
}

/**
 * Times `changes` publishes until every client child has seen `perClient` patches for each: the
 * time from the publish to the last viewer's patch, per change.
 */
export async function timeFanOut(clients: Kid[], perClient: number, changes: number, publish: (score: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 1; i <= changes; i++) {
    await Promise.all(clients.map((c) => c.ask({ expect: perClient })));
    const t0 = performance.now();
    const all = Promise.all(clients.map((c) => c.next()));
    await publish(i);
    await all;
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 50));
  }
  return times;
}

/** Closes every client child's sockets, and lets the servers see them go. */
export async function closeClients(clients: Kid[]): Promise<void> {
  await Promise.all(clients.map((c) => c.ask({ close: true })));
  await new Promise((r) => setTimeout(r, 300));
}

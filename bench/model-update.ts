/**
 * Live model updates at scale: from a committed UPDATE to the patch arriving at 100 joined
 * `order_editor` viewers of that row (each on its own WebSocket), next to the same fan-out from a
 * plain `pubsub.publish` (a component that takes the value from the message, no database).
 *
 *   node --import tsx bench/model-update.ts            # PostgreSQL at DATABASE_URL if reachable, else memory
 *   HOTLINE_BENCH_MEMORY=1 node --import tsx bench/model-update.ts
 *
 * Prints p50/p99 over the updates (time to the LAST of the viewers) and over every single
 * delivery; fails nothing.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import pg from "pg";
import { WebSocket } from "ws";
import { OrderEditor } from "../components/order-editor.js";
import { Component, html, Registry } from "../server/core/index.js";
import type { ModelAdapter } from "../server/models/model.js";
import { createHotline } from "../server/hotline.js";
import { startModelFeed } from "../server/models/feed.js";
import { createMemoryOrders, openPostgresOrders } from "../demo/orders-model.js";
import { fmt, median, percentile } from "./measure.js";
import { round, summary } from "./summary.js";

const VIEWERS = Number(process.env.HOTLINE_BENCH_VIEWERS ?? 100);
const UPDATES = Number(process.env.HOTLINE_BENCH_UPDATES ?? 50);
const WARMUP = 5;
const DATABASE_URL = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

class Plain extends Component<{ customer: string; version: number }> {
  mount() {
    this.state.customer = "";
    this.state.version = 0;
    this.subscribe("bench:plain");
  }
  onMessage(_t: string, m: unknown) {
    Object.assign(this.state, m as { customer: string; version: number });
  }
  render() {
    return html`<div><h2>version ${this.state.version}</h2><input name="customer" value="${this.state.customer}"></div>`;
  }
}

const registry = new Registry();
registry.register("order_editor", OrderEditor);
registry.register("plain", Plain);

async function openDb(): Promise<{ adapter: ModelAdapter; write: (i: number) => Promise<void>; close: () => Promise<void>; kind: string }> {
  if (!process.env.HOTLINE_BENCH_MEMORY) {
    const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10, connectionTimeoutMillis: 1500 });
    try {
      await pool.query("SELECT 1");
      const table = `hl_bench_${process.pid}`;
      const adapter = await openPostgresOrders(pool, { table });
      const outside = new pg.Client({ connectionString: DATABASE_URL });
      await outside.connect();
      return {
        adapter, kind: "PostgreSQL (UPDATE by a separate client, NOTIFY)",
        write: async (i) => { await outside.query(`UPDATE "${table}" SET customer = $1 WHERE id = 1`, [`bench ${i}`]); },
        close: async () => { await outside.end(); await adapter.close(); await pool.query(`DROP TABLE IF EXISTS "${table}"`); await pool.end(); },
      };
    } catch {
      await pool.end().catch(() => {});
    }
  }
  const adapter = createMemoryOrders();
  let version = 1;
  return {
    adapter, kind: "memory adapter (save through the adapter)",
    write: async (i) => { await adapter.save(1, { customer: `bench ${i}` }, version++); },
    close: () => adapter.close(),
  };
}

/**
 * Opens `n` sockets, each joining `name` with `join` (a page's token, say); returns them with a way
 * to wait for a marker in a pushed patch.
 */
async function viewers(url: string, name: string, join: Record<string, unknown>, n: number) {
  const arrivals = new Map<string, number[]>();
  const sockets: WebSocket[] = [];
  await Promise.all(Array.from({ length: n }, async (_, k) => {
    const ws = new WebSocket(url);
    sockets.push(ws);
    await new Promise((ok, no) => { ws.once("open", ok); ws.once("error", no); });
    const joined = new Promise<void>((ok, no) => {
      ws.on("message", (data) => {
        const s = String(data);
        if (s.includes('"t":"ok"')) return ok();
        if (s.includes('"t":"error"')) return no(new Error(s));
        const m = /bench \d+/.exec(s);
        if (m && s.includes('"t":"patch"')) {
          let list = arrivals.get(m[0]);
          if (!list) arrivals.set(m[0], (list = []));
          list.push(performance.now());
        }
      });
    });
    ws.send(JSON.stringify({ t: "join", ref: 1, id: `v${k}`, name, ...join }));
    await joined;
  }));
  return {
    async waitAll(marker: string, ms = 10_000): Promise<number[]> {
      const until = performance.now() + ms;
      while ((arrivals.get(marker)?.length ?? 0) < n) {
        if (performance.now() > until) throw new Error(`only ${arrivals.get(marker)?.length ?? 0} of ${n} viewers got ${marker}`);
        await new Promise((r) => setImmediate(r));
      }
      return arrivals.get(marker)!;
    },
    close() { for (const ws of sockets) ws.terminate(); },
  };
}

async function run(label: string, v: Awaited<ReturnType<typeof viewers>>, write: (i: number) => Promise<void>) {
  const last: number[] = [];
  const each: number[] = [];
  for (let i = 1; i <= WARMUP + UPDATES; i++) {
    const t0 = performance.now();
    await write(i);
    const times = await v.waitAll(`bench ${i}`);
    if (i <= WARMUP) continue;
    const lat = times.map((t) => t - t0);
    last.push(Math.max(...lat));
    each.push(...lat);
  }
  console.log(`${label.padEnd(52)} last viewer p50 ${fmt(median(last), 2).padStart(7)} ms  p99 ${fmt(percentile(last, 99), 2).padStart(7)} ms   every delivery p50 ${fmt(median(each), 2).padStart(7)} ms  p99 ${fmt(percentile(each, 99), 2).padStart(7)} ms`);
  return { p50: median(last), p99: percentile(last, 99) };
}

const db = await openDb();
const hotline = createHotline({
  registry, services: { orders: db.adapter }, secret: "bench-secret-0123456789abcdef",
  // every viewer connects from 127.0.0.1: the per-address limits would refuse them
  maxConnectionsPerAddress: 0, connectRate: { perSecond: 0 },
  logger: { error: (...a: unknown[]) => console.error(...a) },
});
const server = createServer((req, res) => void hotline.handler(req, res));
hotline.attach(server);
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/live`;
const feed = await startModelFeed(db.adapter, hotline.pubsub);

console.log(`model updates to ${VIEWERS} viewers, ${UPDATES} updates (after ${WARMUP} warm-up), ${db.kind}`);
const plainViewers = await viewers(url, "plain", {}, VIEWERS);
let version = 0;
const base = await run("baseline: pubsub.publish -> plain component", plainViewers, (i) => hotline.pubsub.publish("bench:plain", { customer: `bench ${i}`, version: ++version }));
plainViewers.close();
// As the orders page opens an editor: the key signed into the embed's token (a client may not choose it).
const token = /hl-state="([^"]+)"/.exec(await hotline.live("order_editor", { pk: 1 }))![1]!;
const editors = await viewers(url, "order_editor", { state: token }, VIEWERS);
const model = await run("model: committed write -> feed -> order_editor", editors, db.write);
editors.close();
console.log(`ratio (model / baseline, p50 to the last viewer): ${fmt(model.p50 / base.p50, 1)}x`);
summary("model-update", {
  source: db.kind.startsWith("PostgreSQL") ? "postgres" : "memory", viewers: VIEWERS,
  baseline_last_p50_ms: round(base.p50), baseline_last_p99_ms: round(base.p99), model_last_p50_ms: round(model.p50), model_last_p99_ms: round(model.p99), ratio_p50: round(model.p50 / base.p50),
});

await feed.close();
await hotline.close();
server.closeAllConnections();
await new Promise((r) => server.close(r));
await db.close();

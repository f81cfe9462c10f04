// Event round trip over WebSocket: a Hotline counter (event -> handler -> render -> diff -> patch)
// against a raw `ws` echo server answering a frame of the same size, in the same run. Clients run in
// a child process. Run: node --import tsx bench/ws-roundtrip.ts
import { WebSocket } from "ws";
import { child, fmt, hotlineServer, percentile, rawServer } from "./ws-support.js";
import { median } from "./measure.js";

type Job = { url: string; clients: number; perClient: number; hotline: boolean };
type Result = { lat: number[]; ms: number; events: number };

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

async function main() {
  const hot = await hotlineServer();
  // The raw server answers with a patch-sized frame built per message, as a minimal app would.
  const raw = await rawServer((ws, data) => {
    const m = JSON.parse(String(data)) as { ref: number; id: string };
    ws.send(`{"t":"patch","id":${JSON.stringify(m.id ?? "c1")},"ref":${m.ref},"0":${m.ref}}`);
  });
  const kid = child(new URL(import.meta.url).pathname, ["client"]);
  const run = async (url: string, hotline: boolean, clients: number, perClient: number) => {
    kid.send({ url, hotline, clients, perClient } satisfies Job);
    const r = await kid.next<Result>();
    const s = r.lat.sort((a, b) => a - b);
    return { p50: percentile(s, 50), p99: percentile(s, 99), rate: (r.events / r.ms) * 1000 };
  };
  const rows: [string, Awaited<ReturnType<typeof run>>, Awaited<ReturnType<typeof run>>][] = [];
  const ROUNDS = Number(process.env.ROUNDS ?? 5);
  for (const [clients, per] of [[1, 2000], [50, 200]] as const) {
    // Interleave Hotline and raw runs and take the median of each figure over the rounds: the
    // machine is shared, and a single run says little.
    const hs: Awaited<ReturnType<typeof run>>[] = [];
    const rs: Awaited<ReturnType<typeof run>>[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      hs.push(await run(hot.url, true, clients, per));
      rs.push(await run(raw.url, false, clients, per));
    }
    const med = (xs: Awaited<ReturnType<typeof run>>[]) => ({
      p50: median(xs.map((x) => x.p50)), p99: median(xs.map((x) => x.p99)), rate: median(xs.map((x) => x.rate)),
    });
    rows.push([`${clients} client${clients > 1 ? "s" : ""}`, med(hs), med(rs)]);
  }
  console.log(`event round trip (counter increment), clients in a child process; medians of ${ROUNDS} interleaved rounds`);
  console.log("clients     | hotline p50 / p99 ms | raw ws p50 / p99 ms | p50 ratio | hotline ev/s | raw ev/s | ev/s ratio");
  for (const [label, h, r] of rows) {
    console.log(
      `${label.padEnd(11)} | ${fmt(h.p50, 3)} / ${fmt(h.p99, 3)}`.padEnd(35) + ` | ${fmt(r.p50, 3)} / ${fmt(r.p99, 3)}`.padEnd(22) +
        ` | ${fmt(h.p50 / r.p50, 2)}x`.padEnd(12) + ` | ${fmt(h.rate, 0)}`.padEnd(15) + ` | ${fmt(r.rate, 0)}`.padEnd(11) + ` | ${fmt(h.rate / r.rate, 2)}x`,
    );
  }
  console.log("goals: p50 <= 1.3x raw with 1 client; events/s >= 0.8x raw with 50 clients");
  kid.kill();
  await hot.stop();
  await raw.stop();
}

// What the devtools inspector costs on the event path: a counter's event round trip over WebSocket
// with devtools off, on with no inspector open (the default state of an app that enables it), and
// on with an inspector open (its relay listens to every activity record and publishes batches;
// its two components re-render on each batch), in interleaved rounds of the same run. The load
// client runs in a child process, the inspector's page (a raw WebSocket client) in another. Ratios are against "off" of the same run.
// Run: node --conditions=hotline-source --import tsx bench/devtools.ts
//   ROUNDS=6  PER=2000 (events per round)
import { WebSocket } from "ws";
import { child, fmt, hotlineServer, percentile } from "./ws-support.js";
import { median } from "./measure.js";
import { summary } from "./summary.js";
import { Inspector } from "../test/devtools/support.js";

type Job = { url: string; per: number };
type Result = { lat: number[]; ms: number };

if (process.argv[2] === "client") {
  process.on("message", async (job: Job) => process.send!(await load(job)));
} else if (process.argv[2] === "inspector") {
  // The inspector's page in a process of its own, as a browser would be: its patches are parsed
  // and applied here, not in the server measured.
  let inspector: Inspector | undefined;
  process.on("message", async (m: { http?: string; ws?: string; rows?: true }) => {
    if (m.http && m.ws) {
      inspector = await Inspector.open(m.http, m.ws);
      await inspector.until("devtools-panel", (h) => /class="hdt-process"/.test(h));
      process.send!("open");
    } else if (m.rows) {
      process.send!((inspector!.timeline.match(/class="hdt-entry/g) ?? []).length);
      inspector!.close();
    }
  });
} else {
  await main();
}

async function load(job: Job): Promise<Result> {
  const ws = await new Promise<WebSocket>((ok, no) => {
    const s = new WebSocket(job.url, { perMessageDeflate: false });
    s.once("open", () => ok(s));
    s.once("error", no);
  });
  const ask = (frame: string) => new Promise<void>((ok) => {
    ws.once("message", () => ok());
    ws.send(frame);
  });
  await ask(JSON.stringify({ t: "join", ref: 1, id: "c1", name: "counter" }));
  const frame = (ref: number) => `{"t":"event","ref":${ref},"id":"c1","event":"increment"}`;
  for (let i = 0; i < 100; i++) await ask(frame(i + 2));
  const lat: number[] = [];
  const t0 = performance.now();
  for (let i = 0; i < job.per; i++) {
    const s = performance.now();
    await ask(frame(i + 200));
    lat.push(performance.now() - s);
  }
  const ms = performance.now() - t0;
  ws.terminate();
  return { lat, ms };
}

async function main(): Promise<void> {
  const rounds = Number(process.env.ROUNDS ?? 6);
  const per = Number(process.env.PER ?? 2000);
  const off = await hotlineServer();
  const idle = await hotlineServer({ devtools: { enabled: true } });
  const open = await hotlineServer({ devtools: { enabled: true } });
  const http = open.url.replace(/^ws/, "http").replace(/\/live$/, "");
  const inspector = child(new URL(import.meta.url).pathname, ["inspector"]);
  inspector.send({ http, ws: open.url });
  await inspector.next<string>();
  const client = child(new URL(import.meta.url).pathname, ["client"]);
  const setups = { off, idle, open } as const;
  const figures: Record<keyof typeof setups, { rate: number[]; p50: number[]; p99: number[] }> = {
    off: { rate: [], p50: [], p99: [] }, idle: { rate: [], p50: [], p99: [] }, open: { rate: [], p50: [], p99: [] },
  };
  let shown = 0;
  try {
    for (let r = 0; r < rounds; r++) {
      // rotated each round, so that no setup always runs first
      const names = Object.keys(setups) as (keyof typeof setups)[];
      for (const name of [...names.slice(r % 3), ...names.slice(0, r % 3)]) {
        client.send({ url: setups[name].url, per } satisfies Job);
        const res = await client.next<Result>();
        const sorted = res.lat.sort((a, b) => a - b);
        figures[name].rate.push((per / res.ms) * 1000);
        figures[name].p50.push(percentile(sorted, 50));
        figures[name].p99.push(percentile(sorted, 99));
      }
    }
    inspector.send({ rows: true });
    shown = await inspector.next<number>();
  } finally {
    client.kill();
    inspector.kill();
    await Promise.all([off.stop(), idle.stop(), open.stop()]);
  }
  const m = (k: keyof typeof setups) => ({ rate: median(figures[k].rate), p50: median(figures[k].p50), p99: median(figures[k].p99) });
  const [a, b, c] = [m("off"), m("idle"), m("open")];
  console.log(`devtools cost on the event round trip (1 client, ${per} events x ${rounds} rounds, medians)`);
  for (const [label, f] of [["devtools off", a], ["devtools on, no inspector open", b], ["devtools on, an inspector open", c]] as const) {
    console.log(`${label.padEnd(34)} ${fmt(f.rate, 0).padStart(7)} events/s   p50 ${fmt(f.p50 * 1000, 0).padStart(4)} µs   p99 ${fmt(f.p99 * 1000, 0).padStart(5)} µs   rate vs off ${fmt(f.rate / a.rate, 2)}   p50 vs off ${fmt(f.p50 / a.p50, 2)}`);
  }
  console.log(`(the open inspector's timeline showed ${shown} rows at the end: it was receiving)`);
  summary("devtools", {
    offRate: Math.round(a.rate), idleRate: Math.round(b.rate), openRate: Math.round(c.rate),
    idleVsOff: Number((b.rate / a.rate).toFixed(3)), openVsOff: Number((c.rate / a.rate).toFixed(3)),
    idleP50VsOff: Number((b.p50 / a.p50).toFixed(3)), openP50VsOff: Number((c.p50 / a.p50).toFixed(3)), timelineRows: shown,
  });
}

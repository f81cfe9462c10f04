// One change to 1,000 and 10,000 viewers of a shared component, against raw ws broadcasting the same
// bytes to as many sockets: the time until every client has received it (clients in a child
// process, which reports when the last one got it). Run: node --import tsx bench/fanout.ts
import { WebSocket } from "ws";
import { Board, child, fmt, hotlineServer, rawServer } from "./ws-support.js";
import { median } from "./measure.js";
import { round, summary } from "./summary.js";

const self = new URL(import.meta.url).pathname;
type Cmd = { open?: { url: string; n: number; join: boolean }; expect?: number; close?: boolean };

if (process.argv[2] === "client") {
  let socks: WebSocket[] = [];
  let left = 0;
  const onFrame = () => {
    if (--left === 0) process.send!("all");
  };
  process.on("message", async (m: Cmd) => {
    if (m.close) {
      for (const s of socks) s.terminate();
      socks = [];
      return process.send!("closed");
    }
    if (m.expect) {
      left = m.expect;
      return process.send!("armed");
    }
    const { url, n, join } = m.open!;
    for (let i = 0; i < n; i += 200) {
      await Promise.all(Array.from({ length: Math.min(200, n - i) }, async () => {
        const ws = new WebSocket(url, { perMessageDeflate: false });
        await new Promise((r) => ws.once("open", r));
        if (join) {
          ws.send(JSON.stringify({ t: "join", ref: 1, id: "board", name: "board" }));
          await new Promise((r) => ws.once("message", r));
        }
        ws.on("message", (d) => (JSON.parse(String(d)), onFrame()));
        socks.push(ws);
      }));
    }
    process.send!("ready");
  });
} else {
  const kid = child(self, ["client"]);
  const hot = await hotlineServer({ maxBufferedBytes: 64 * 1024 * 1024 });
  const raw = await rawServer();
  const rows: string[] = [];
  const figures: Record<string, number> = {};
  // Two blocks each, alternating (Hotline, raw, Hotline, raw), CHANGES changes per block: the
  // medians then come from both halves of the run, which damps a drifting machine.
  const CHANGES = Number(process.env.CHANGES ?? 11);
  let score = 0;
  for (const n of [1000, 10_000]) {
    const h: number[] = [];
    const r: number[] = [];
    let renders = 0;
    for (let block = 0; block < 2; block++) {
      kid.send({ open: { url: hot.url, n, join: true } });
      await kid.next();
      const before = Board.renders;
      for (let i = 0; i < CHANGES; i++) {
        kid.send({ expect: n });
        await kid.next();
        const t0 = performance.now();
        await hot.hotline.pubsub.publish("board", { score: ++score });
        await kid.next();
        h.push(performance.now() - t0);
      }
      renders += Board.renders - before;
      kid.send({ close: true });
      await kid.next();
      await new Promise((res) => setTimeout(res, 500));
      kid.send({ open: { url: raw.url, n, join: false } });
      await kid.next();
      for (let i = 0; i < CHANGES; i++) {
        const frame = Buffer.from(`{"t":"patch","id":"board","1":${++score}}`);
        kid.send({ expect: n });
        await kid.next();
        const t0 = performance.now();
        for (const ws of raw.wss.clients) ws.send(frame, { binary: false });
        await kid.next();
        r.push(performance.now() - t0);
      }
      kid.send({ close: true });
      await kid.next();
      await new Promise((res) => setTimeout(res, 500));
    }
    const rendersPerChange = renders / (2 * CHANGES);
    Object.assign(figures, { [`hotline_ms_${n}`]: round(median(h)), [`raw_ms_${n}`]: round(median(r)), [`ratio_${n}`]: round(median(h) / median(r)), [`renders_per_change_${n}`]: rendersPerChange });
    rows.push(`${String(n).padStart(6)} viewers | hotline ${fmt(median(h), 2)} ms | raw ws ${fmt(median(r), 2)} ms | ${fmt(median(h) / median(r), 2)}x | renders per change: ${rendersPerChange}`);
  }
  console.log(`one change to every viewer of a shared component: time until the last client has it (medians of ${2 * CHANGES} changes each)`);
  for (const row of rows) console.log(row);
  console.log("goal: <= 1.25x raw");
  summary("fanout", figures);
  kid.kill();
  await hot.stop();
  await raw.stop();
}

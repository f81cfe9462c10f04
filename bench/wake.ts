// What waking a hibernated session costs (docs/hibernation.md): the round trip of an event to an
// idle counter that hibernated, against the same event to one that is awake, on one connection,
// the server in this process; and the bytes of the patch that wakes it (the whole root) against an
// ordinary one. Each waking event waits for the session to hibernate first (hibernateAfterMs 20:
// a sweep every 20 ms; each sample comes after 60 ms of quiet, not timed), and so does each awake
// one, on an app whose sessions never hibernate.
// Run: node --conditions=hotline-source --import tsx bench/wake.ts
import { WebSocket } from "ws";
import { hotlineServer } from "./ws-support.js";
import { median, percentile } from "./measure.js";
import { round, summary } from "./summary.js";

const RUNS = Number(process.env.RUNS ?? 300);
// two apps in this process: one whose idle sessions hibernate, one whose never do; each sample of
// either comes after the same idle spell (the wait for the first app's session to hibernate), so
// that both pay what a quiet process pays to wake up (timers, caches, the CPU's own sleep).
const sleepy = await hotlineServer({ hibernateAfterMs: 20 });
const awakeApp = await hotlineServer({ hibernateAfterMs: 0 });

async function client(url: string) {
  const ws = new WebSocket(url, { perMessageDeflate: false });
  await new Promise((r) => ws.once("open", r));
  let ref = 0;
  let answer: ((frame: string) => void) | undefined;
  ws.on("message", (d) => answer?.(String(d)));
  const request = (m: Record<string, unknown>) =>
    new Promise<{ ms: number; frame: string }>((resolve) => {
      const t0 = performance.now();
      answer = (frame) => resolve({ ms: performance.now() - t0, frame });
      ws.send(JSON.stringify({ ...m, ref: ++ref }));
    });
  await request({ t: "join", id: "c1", name: "counter" });
  return { ws, bump: () => request({ t: "event", id: "c1", event: "increment" }) };
}
const a = await client(sleepy.url);
const b = await client(awakeApp.url);

const awake: number[] = [];
const woken: number[] = [];
const hot: number[] = [];
let awakeBytes = 0;
let wakeBytes = 0;
const idle = () => new Promise((r) => setTimeout(r, 60));
for (let i = 0; i < RUNS; i++) {
  // the same idle spell before each (the sleepy app's session hibernates within 20-40 ms of it)
  await idle();
  if (sleepy.hotline.stats().hibernated !== 1) throw new Error("bench/wake.ts: the session did not hibernate");
  const w = await a.bump();
  woken.push(w.ms);
  wakeBytes = Buffer.byteLength(w.frame);
  await idle();
  const x = await b.bump();
  awake.push(x.ms);
  awakeBytes = Buffer.byteLength(x.frame);
  // and one right after, to an awake session that just handled one
  hot.push((await b.bump()).ms);
}
a.ws.terminate();
b.ws.terminate();
await sleepy.stop();
await awakeApp.stop();

const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
console.log(`event round trip on one connection, ${RUNS} of each, after the same 60 ms of quiet (medians; p99):`);
console.log(`  awake counter                     ${us(median(awake)).padStart(8)}  (p99 ${us(percentile(awake, 99))}); patch ${awakeBytes} bytes`);
console.log(`  hibernated counter (woken by it)  ${us(median(woken)).padStart(8)}  (p99 ${us(percentile(woken, 99))}); patch ${wakeBytes} bytes (the whole root)`);
console.log(`  ratio ${(median(woken) / median(awake)).toFixed(2)}x; an awake counter's event right after another: ${us(median(hot))}`);
summary("wake", {
  awake_p50_us: round(median(awake) * 1000, 0), woken_p50_us: round(median(woken) * 1000, 0), ratio: round(median(woken) / median(awake), 2),
  back_to_back_p50_us: round(median(hot) * 1000, 0), awake_patch_bytes: awakeBytes, wake_patch_bytes: wakeBytes,
});

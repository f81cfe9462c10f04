// What waking a hibernated session costs (docs/hibernation.md): the round trip of an event to an
// idle counter that hibernated, against the same event to one that is awake, on one connection,
// the server in this process; and the bytes of the patch that wakes it (the whole root) against an
// ordinary one. Each waking event waits for the session to hibernate first (hibernateAfterMs 20:
// a sweep every 20 ms, so each sample waits 20-40 ms; the wait is not timed).
// Run: node --conditions=hotline-source --import tsx bench/wake.ts
import { WebSocket } from "ws";
import { hotlineServer } from "./ws-support.js";
import { median, percentile } from "./measure.js";
import { round, summary } from "./summary.js";

const RUNS = Number(process.env.RUNS ?? 300);
const hot = await hotlineServer({ hibernateAfterMs: 20 });
const ws = new WebSocket(hot.url, { perMessageDeflate: false });
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

const awake: number[] = [];
const woken: number[] = [];
let awakeBytes = 0;
let wakeBytes = 0;
const asleep = async () => {
  while (hot.hotline.stats().hibernated === 0) await new Promise((r) => setTimeout(r, 2));
};
for (let i = 0; i < RUNS; i++) {
  await asleep();
  const w = await request({ t: "event", id: "c1", event: "increment" });
  woken.push(w.ms);
  wakeBytes = Buffer.byteLength(w.frame);
  // the next one right after: the session is awake
  const a = await request({ t: "event", id: "c1", event: "increment" });
  awake.push(a.ms);
  awakeBytes = Buffer.byteLength(a.frame);
}
ws.terminate();
await hot.stop();

const us = (ms: number) => `${(ms * 1000).toFixed(0)} µs`;
console.log(`event round trip on one connection, ${RUNS} of each (medians; p99):`);
console.log(`  awake counter                     ${us(median(awake)).padStart(8)}  (p99 ${us(percentile(awake, 99))}); patch ${awakeBytes} bytes`);
console.log(`  hibernated counter (woken by it)  ${us(median(woken)).padStart(8)}  (p99 ${us(percentile(woken, 99))}); patch ${wakeBytes} bytes (the whole root)`);
console.log(`  ratio ${(median(woken) / median(awake)).toFixed(2)}x`);
summary("wake", {
  awake_p50_us: round(median(awake) * 1000, 0), woken_p50_us: round(median(woken) * 1000, 0), ratio: round(median(woken) / median(awake), 2),
  awake_patch_bytes: awakeBytes, wake_patch_bytes: wakeBytes,
});

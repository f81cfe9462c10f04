// The server's own cost of one counter event, without sockets: parse-free, straight into the live
// instance (handler, state checks, render, diff, save to the MemoryStore, frame). It tells how much
// of a WebSocket round trip is Hotline's work and how much is the kernel's.
// Run: node --import tsx bench/event-path.ts
import { hotlineServer } from "./ws-support.js";
import { median } from "./measure.js";

const hot = await hotlineServer();
const hub = hot.hotline.hub;
const { live, key } = await hub.open({ name: "counter", format: "html" });
let bytes = 0;
const viewer = { id: "c1", key, user: null, send(f: string | Buffer) { bytes += f.length; } };
await live.join(viewer, 1);

const N = 100_000;
const runs: number[] = [];
for (let round = 0; round < 7; round++) {
  const t0 = performance.now();
  for (let i = 0; i < N; i++) await live.event(viewer, i + 2, "increment", undefined);
  runs.push(((performance.now() - t0) * 1000) / N);
}
console.log(`server-side cost of one counter event (no socket), median of 7 runs of ${N}: ${median(runs).toFixed(2)} µs`);
await hot.stop();
process.exit(0);

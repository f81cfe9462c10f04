// Bytes per counter patch frame on the wire (what a client receives per click), against the
// smallest hand-written JSON that carries the same information. Run: node --import tsx bench/ws-bytes.ts
import { WebSocket } from "ws";
import { hotlineServer } from "./ws-support.js";
import { round, summary } from "./summary.js";

const hot = await hotlineServer();
const ws = new WebSocket(hot.url);
await new Promise((r) => ws.once("open", r));
const frames: string[] = [];
ws.on("message", (d) => frames.push(String(d)));
const until = (n: number) => new Promise<void>((r) => { const t = setInterval(() => frames.length >= n && (clearInterval(t), r()), 1); });
ws.send(JSON.stringify({ t: "join", ref: 1, id: "c1", name: "counter" }));
await until(1);
const N = 200;
for (let i = 0; i < N; i++) ws.send(`{"t":"event","ref":${i + 2},"id":"c1","event":"increment"}`);
await until(N + 1);
const patches = frames.slice(1).map((f) => Buffer.byteLength(f));
const avg = patches.reduce((a, b) => a + b, 0) / patches.length;
const html = JSON.parse(frames.at(-1)!)["0"];
const fullHtml = Buffer.byteLength(JSON.stringify({ t: "patch", id: "c1", ref: N + 1, html: `<button hl-click="increment">Count: ${html}</button>` }));
console.log(`join (ok) frame: ${Buffer.byteLength(frames[0]!)} bytes`);
console.log(`counter patch frame: ${avg.toFixed(1)} bytes on average over ${N} clicks (min ${Math.min(...patches)}, max ${Math.max(...patches)}); e.g. ${frames.at(-1)}`);
console.log(`the same patch carrying the whole HTML instead: ${fullHtml} bytes (${(fullHtml / avg).toFixed(2)}x)`);
console.log(`goal: <= 40 bytes per counter patch frame`);
summary("ws-bytes", { ok_frame_bytes: Buffer.byteLength(frames[0]!), counter_patch_bytes_avg: round(avg, 1), counter_patch_bytes_min: Math.min(...patches), counter_patch_bytes_max: Math.max(...patches), whole_html_patch_bytes: fullHtml });
ws.terminate();
await hot.stop();

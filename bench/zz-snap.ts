import v8 from "node:v8";
import { fork } from "node:child_process";
import { hotlineServer } from "./ws-support.js";
import fs from "node:fs";
const hot = await hotlineServer();
const kid = fork("/tmp/snapclient.mjs", [hot.url, "1000"], { stdio: "inherit" });
function summarize(file: string) {
  const snap = JSON.parse(fs.readFileSync(file, "utf8"));
  const f = snap.snapshot.meta.node_fields; const nf = f.length; const nodes = snap.nodes; const strings = snap.strings;
  const types = snap.snapshot.meta.node_types[0];
  const ti = f.indexOf("type"), ni = f.indexOf("name"), si = f.indexOf("self_size");
  const m = new Map<string, number>();
  for (let i = 0; i < nodes.length; i += nf) { const t = types[nodes[i + ti]]; const k = t + ":" + (t.includes("string") ? "" : strings[nodes[i + ni]]).slice(0,60); m.set(k, (m.get(k) || 0) + nodes[i + si]); }
  return m;
}
const step = async (w: string) => { kid.send(w); await new Promise((r) => kid.once("message", r)); (globalThis as any).gc(); await new Promise(r => setTimeout(r, 200)); (globalThis as any).gc(); };
await step("connect");
const a = summarize(v8.writeHeapSnapshot("/tmp/a.heapsnapshot"));
await step("join");
const b = summarize(v8.writeHeapSnapshot("/tmp/b.heapsnapshot"));
const d = [...b].map(([k, v]) => [k, v - (a.get(k) || 0)] as const).sort((x, y) => y[1] - x[1]).slice(0, 25);
let tot = 0; for (const [, v] of b) tot += v; let tota = 0; for (const [, v] of a) tota += v;
console.log("per joined instance bytes:", ((tot - tota) / 1000).toFixed(0));
for (const [k, v] of d) console.log((v / 1000).toFixed(0).padStart(6), k);
kid.kill(); await hot.stop(); process.exit(0);

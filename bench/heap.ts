// JS heap per idle joined counter session on the server, against bare ws connections, N = 2000.
// The server runs here (with --expose-gc), the clients in a child process. Run: node --import tsx bench/heap.ts
import { spawnSync } from "node:child_process";
import { WebSocket } from "ws";
import { child, hotlineServer, rawServer } from "./ws-support.js";
import { round, summary } from "./summary.js";

const N = Number(process.env.N ?? 2000);
const self = new URL(import.meta.url).pathname;

if (process.argv[2] === "client") {
  const socks: WebSocket[] = [];
  process.on("message", async (m: { url?: string; join?: boolean; close?: boolean }) => {
    if (m.close) {
      for (const s of socks.splice(0)) s.terminate();
      return process.send!("closed");
    }
    for (let i = 0; i < N; i += 100) {
      await Promise.all(Array.from({ length: Math.min(100, N - i) }, async () => {
        const ws = new WebSocket(m.url!, { perMessageDeflate: false });
        await new Promise((r) => ws.once("open", r));
        if (m.join) {
          ws.send(JSON.stringify({ t: "join", ref: 1, id: "c1", name: "counter" }));
          await new Promise((r) => ws.once("message", r));
        }
        socks.push(ws);
      }));
    }
    process.send!("ready");
  });
} else if (typeof global.gc !== "function") {
  spawnSync(process.execPath, ["--expose-gc", "--import", "tsx", self], { stdio: "inherit" });
} else {
  const heap = async () => {
    for (let i = 0; i < 3; i++) {
      global.gc!();
      await new Promise((r) => setTimeout(r, 20));
    }
    return process.memoryUsage().heapUsed;
  };
  const kid = child(self, ["client"]);
  const measure = async (url: string, join: boolean) => {
    const before = await heap();
    kid.send({ url, join });
    await kid.next();
    const after = await heap();
    kid.send({ close: true });
    await kid.next();
    await new Promise((r) => setTimeout(r, 300));
    return (after - before) / N;
  };
  const raw = await rawServer();
  const bare = await measure(raw.url, false);
  await raw.stop();
  const hot = await hotlineServer();
  const conn = await measure(hot.url, false);
  const joined = await measure(hot.url, true);
  kid.kill();
  await hot.stop();
  const kib = (b: number) => (b / 1024).toFixed(2) + " KiB";
  console.log(`server JS heap per connection, N=${N} (the MemoryStore's saved states included)`);
  console.log(`bare ws connection:                 ${kib(bare)}`);
  console.log(`hotline connection, nothing joined:  ${kib(conn)}`);
  console.log(`hotline connection + joined counter: ${kib(joined)}  (${kib(joined - bare)} over bare ws; ${(joined / bare).toFixed(2)}x)`);
  console.log(`goal: <= 5 KiB per session`);
  summary("heap", { n: N, bare_ws_kib: round(bare / 1024, 2), connection_kib: round(conn / 1024, 2), joined_counter_kib: round(joined / 1024, 2), over_bare_kib: round((joined - bare) / 1024, 2), ratio_to_bare: round(joined / bare, 2) });
}

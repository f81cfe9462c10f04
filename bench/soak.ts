// Soak: a Hotline app (public API, a counter) serving legitimate clients while hostile ones attack
// it: malformed frames, deeply nested frames, join floods, slow readers that never read, oversize
// frames. The server and the attackers run in their own child processes; the legitimate clients
// run here. Prints server RSS every 5 s (it should level off), the legitimate clients' event round
// trip p50/p99 without and with the attackers, errors they saw (goal 0), and acknowledged state
// lost (goal 0: each client's last acknowledged count against what a fresh resume shows).
// Loopback only; bounded in time (SOAK_SECONDS, default 60: a quarter without attackers, the rest
// with them). Prints figures, fails nothing.
// Run: SOAK_SECONDS=60 node --conditions=hotline-source --import tsx bench/soak.ts
import { fork, type ChildProcess } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { WebSocket } from "ws";
import { summary } from "./summary.js";

const SELF = fileURLToPath(import.meta.url);
const role = process.argv[2];
if (role === "server") await serve();
else if (role === "hostile") await attack(process.argv[3]!, Number(process.argv[4]));
else await main();

// ---------------------------------------------------------------- server (child process)

async function serve(): Promise<void> {
  const { createHotline, Component, Registry, html } = await import("hotline");
  class Counter extends Component<{ count: number }> {
    mount() {
      this.state.count = 0;
    }
    onIncrement() {
      this.state.count += 1;
    }
    render() {
      return html`<button hl-click="increment">Count: ${this.state.count}</button>`;
    }
  }
  const registry = new Registry();
  registry.register("counter", Counter);
  // Defaults everywhere (limits, rate limit, heartbeat), as an app would run; a quiet logger, counted.
  let logLines = 0;
  const hotline = createHotline({ registry, secret: "soak-secret-0123456789abcdef", logger: { error: () => void logLines++ } });
  const server = createServer((req, res) => void hotline.handler(req, res));
  hotline.attach(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", 4096, r));
  process.on("message", (m: string) => {
    if (m === "stats") process.send!({ rss: process.memoryUsage().rss, logLines, ...hotline.stats() });
  });
  process.send!({ port: (server.address() as AddressInfo).port });
}

// ---------------------------------------------------------------- attackers (child process)

async function attack(url: string, seconds: number): Promise<void> {
  const until = Date.now() + seconds * 1000;
  // From another loopback address: the legitimate clients (127.0.0.1) are another client address.
  const from = { localAddress: "127.0.0.2", perMessageDeflate: false } as const;
  const counts = { opened: 0, refused: 0, frames: 0, closes: {} as Record<number, number> };
  const open = () =>
    new Promise<WebSocket | undefined>((resolve) => {
      const ws = new WebSocket(url, from);
      ws.once("open", () => (counts.opened++, resolve(ws)));
      ws.once("error", () => (counts.refused++, resolve(undefined)));
      ws.on("close", (code) => (counts.closes[code] = (counts.closes[code] ?? 0) + 1));
    });
  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  const send = (ws: WebSocket, frame: string | Buffer) => {
    if (ws.readyState !== 1) return false;
    ws.send(frame);
    counts.frames++;
    return true;
  };
  const deep = `{"t":"join","ref":1,"id":"d","name":"counter","params":${"[".repeat(30_000)}${"]".repeat(30_000)}}`;
  const deepObj = (n: number) => `{"t":"join","ref":2,"id":"o","name":"counter","params":${'{"a":'.repeat(n)}1${"}".repeat(n)}}`;
  const oversize = JSON.stringify({ t: "event", id: "c", event: "increment", payload: { x: "x".repeat(100_000) } });
  // Each attacker: open, hammer until closed, open again; a refused upgrade (429) waits a little.
  const loop = async (body: (ws: WebSocket) => Promise<void>) => {
    while (Date.now() < until) {
      const ws = await open();
      if (!ws) {
        await pause(50);
        continue;
      }
      await body(ws).catch(() => {});
      ws.terminate();
    }
  };
  const hammer = (make: (i: number) => string | Buffer) => async (ws: WebSocket) => {
    for (let i = 0; ws.readyState === 1 && Date.now() < until; i++) {
      send(ws, make(i));
      if (i % 20 === 19) await pause(5);
    }
  };
  const attackers: Promise<void>[] = [];
  for (let k = 0; k < 4; k++) attackers.push(loop(hammer((i) => (i % 2 ? "garbage{" : Buffer.from([0xff, 0x00, 0x7b])))));
  for (let k = 0; k < 4; k++) attackers.push(loop(hammer((i) => (i % 2 ? deep : deepObj(200)))));
  for (let k = 0; k < 4; k++) attackers.push(loop(hammer((i) => (i % 3 === 2 ? `{"t":"leave","id":"j${i - 1}"}` : `{"t":"join","ref":${i + 1},"id":"j${i}","name":"counter"}`))));
  for (let k = 0; k < 2; k++) attackers.push(loop(hammer(() => oversize)));
  // Slow readers: join and ask for renders, never read (the server must close them, not buffer forever).
  for (let k = 0; k < 4; k++) {
    attackers.push(
      loop(async (ws) => {
        (ws as unknown as { _socket: { pause(): void } })._socket.pause();
        for (let i = 0; i < 50; i++) send(ws, `{"t":"join","ref":${i + 1},"id":"s${i}","name":"counter"}`);
        for (let i = 0; ws.readyState === 1 && Date.now() < until; i++) {
          send(ws, `{"t":"event","id":"s${i % 50}","event":"increment"}`);
          if (i % 10 === 9) await pause(20);
        }
      }),
    );
  }
  await Promise.all(attackers);
  process.send!(counts);
}

// ---------------------------------------------------------------- legitimate clients (this process)

type Legit = { ws: WebSocket; session: string; acked: number; errors: number; rtts: number[]; pending: Map<number, (m: Msg) => void> };
type Msg = { t: string; ref?: number; code?: string; html?: string; session?: string; message?: string };

function connect(url: string): Promise<WebSocket> {
  return new Promise((ok, no) => {
    const ws = new WebSocket(url, { localAddress: "127.0.0.1", perMessageDeflate: false });
    ws.once("open", () => ok(ws));
    ws.once("error", no);
  });
}

async function legit(url: string): Promise<Legit> {
  const ws = await connect(url);
  const c: Legit = { ws, session: "", acked: 0, errors: 0, rtts: [], pending: new Map() };
  ws.on("message", (d) => {
    const m = JSON.parse(String(d)) as Msg;
    if (m.t === "error") c.errors++;
    const done = m.ref !== undefined ? c.pending.get(m.ref) : undefined;
    if (done) (c.pending.delete(m.ref!), done(m));
  });
  ws.on("close", (code) => {
    if (code !== 1000 && code !== 1005) c.errors++;
  });
  const ok = await ask(c, { t: "join", ref: 1, id: "c", name: "counter" });
  c.session = ok.session ?? "";
  return c;
}

function ask(c: Legit, m: { ref: number } & Record<string, unknown>): Promise<Msg> {
  return new Promise((resolve) => {
    c.pending.set(m.ref, resolve);
    c.ws.send(JSON.stringify(m));
  });
}

/** Increments at a person's pace (about 20 a second) until `until`; counts what the server acknowledged. */
async function drive(c: Legit, until: number, rtts: number[], refBase: { n: number }): Promise<void> {
  while (Date.now() < until && c.ws.readyState === 1) {
    const ref = ++refBase.n;
    const t0 = performance.now();
    const answer = await Promise.race([ask(c, { t: "event", ref, id: "c", event: "increment" }), new Promise<Msg>((r) => setTimeout(() => r({ t: "timeout" }), 10_000))]);
    if (answer.t === "patch") {
      // the first events of each client warm the JIT up: not counted in the figures
      if (++c.acked > 10) rtts.push(performance.now() - t0);
    } else c.errors++;
    await new Promise((r) => setTimeout(r, 40 + Math.random() * 20));
  }
}

async function main(): Promise<void> {
  const total = Number(process.env.SOAK_SECONDS ?? 60);
  const calm = Math.max(5, Math.round(total / 4));
  const storm = Math.max(5, total - calm);
  const CLIENTS = Number(process.env.SOAK_CLIENTS ?? 20);
  const server = fork(SELF, ["server"], { execArgv: ["--conditions=hotline-source", "--import", "tsx"], stdio: "inherit" });
  const { port } = await once<{ port: number }>(server);
  const url = `ws://127.0.0.1:${port}/live`;
  const stats = async () => {
    server.send("stats");
    return once<{ rss: number; connections: number; instances: number; logLines: number }>(server);
  };
  console.log(`soak: ${CLIENTS} legitimate clients; ${calm} s without attackers, then ${storm} s with them (server: defaults, pid ${server.pid})`);
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => legit(url)));
  const refs = clients.map(() => ({ n: 100 }));
  const t0 = Date.now();
  const rssSeries: number[] = [];
  const ticker = setInterval(async () => {
    const s = await stats();
    rssSeries.push(s.rss);
    console.log(`  t=${String(Math.round((Date.now() - t0) / 1000)).padStart(3)} s  rss ${(s.rss / 2 ** 20).toFixed(1)} MiB  connections ${s.connections}  instances ${s.instances}  log lines ${s.logLines}`);
  }, 5000);

  const calmRtts: number[] = [];
  await Promise.all(clients.map((c, i) => drive(c, Date.now() + calm * 1000, calmRtts, refs[i]!)));
  const calmErrors = clients.reduce((a, c) => a + c.errors, 0);

  const hostile = fork(SELF, ["hostile", url, String(storm)], { execArgv: ["--import", "tsx"], stdio: "inherit" });
  const hostileDone = once<Record<string, unknown>>(hostile);
  const stormRtts: number[] = [];
  await Promise.all(clients.map((c, i) => drive(c, Date.now() + storm * 1000, stormRtts, refs[i]!)));
  const attackCounts = await hostileDone;
  clearInterval(ticker);
  const stormErrors = clients.reduce((a, c) => a + c.errors, 0) - calmErrors;

  // Acknowledged state: leave, then resume each session on a fresh connection and read the count.
  let lost = 0;
  let checked = 0;
  for (const c of clients) c.ws.close(1000);
  await new Promise((r) => setTimeout(r, 500));
  for (const c of clients) {
    const again = await legit(url).catch(() => undefined);
    if (!again) continue;
    const m = await ask(again, { t: "join", ref: 2, id: "r", name: "counter", session: c.session });
    const shown = Number(/Count: (\d+)/.exec(m.html ?? "")?.[1] ?? NaN);
    checked++;
    if (shown !== c.acked) {
      lost++;
      console.log(`  lost: acknowledged ${c.acked}, resumed ${Number.isNaN(shown) ? JSON.stringify(m).slice(0, 120) : shown}`);
    }
    again.ws.close(1000);
  }
  const end = await stats();
  const mib = (b: number) => `${(b / 2 ** 20).toFixed(1)} MiB`;
  const third = Math.max(1, Math.floor(rssSeries.length / 3));
  const midMax = Math.max(...rssSeries.slice(third, 2 * third));
  const lastMax = Math.max(...rssSeries.slice(2 * third));
  console.log(`attackers: ${JSON.stringify(attackCounts)}`);
  console.log(`round trip without attackers: p50 ${pct(calmRtts, 50)} ms, p99 ${pct(calmRtts, 99)} ms (${calmRtts.length} events)`);
  console.log(`round trip with attackers:    p50 ${pct(stormRtts, 50)} ms, p99 ${pct(stormRtts, 99)} ms (${stormRtts.length} events); p50 x${ratio(stormRtts, calmRtts, 50)}, p99 x${ratio(stormRtts, calmRtts, 99)}`);
  console.log(`server rss: first ${mib(rssSeries[0] ?? 0)}, max of the middle third ${mib(midMax)}, max of the last third ${mib(lastMax)} (${lastMax <= midMax * 1.1 ? "levelled off" : "still growing"}); after ${mib(end.rss)}`);
  console.log(`errors seen by legitimate clients: ${calmErrors} without attackers, ${stormErrors} with them (goal 0)`);
  console.log(`acknowledged state lost: ${lost} of ${checked} clients (goal 0); server log lines ${end.logLines}`);
  const num = (s: string) => (s === "n/a" ? "n/a" : Number(s));
  summary("soak", {
    seconds: total, clients: CLIENTS, calm_p50_ms: num(pct(calmRtts, 50)), calm_p99_ms: num(pct(calmRtts, 99)), storm_p50_ms: num(pct(stormRtts, 50)), storm_p99_ms: num(pct(stormRtts, 99)),
    storm_p50_ratio: Number(ratio(stormRtts, calmRtts, 50)), storm_p99_ratio: Number(ratio(stormRtts, calmRtts, 99)),
    rss_last_third_mib: Number((lastMax / 2 ** 20).toFixed(1)), rss_levelled_off: lastMax <= midMax * 1.1, errors_calm: calmErrors, errors_storm: stormErrors, state_lost: lost,
  });
  server.kill("SIGTERM");
  hostile.kill("SIGTERM");
}

function once<T>(proc: ChildProcess): Promise<T> {
  return new Promise((r) => proc.once("message", (m) => r(m as T)));
}

function pct(xs: number[], p: number): string {
  if (!xs.length) return "n/a";
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(2);
}

function ratio(a: number[], b: number[], p: number): string {
  return (Number(pct(a, p)) / Number(pct(b, p))).toFixed(2);
}

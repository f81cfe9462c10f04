// What identity costs: the same counter over real WebSockets, in two apps in one process, one
// without identity and one with a signed-cookie `authenticate`, an app mount hook, a class's
// `static authorize` and an `authorizeEvent` on every event. Rounds of both alternate; the figures
// are medians of the rounds. Run: node --conditions=hotline-source --import tsx bench/identity.ts
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket } from "ws";
import { Component, createHotline, html, Registry, type HotlineOptions } from "hotline";
import { createCookieSession } from "hotline/session";
import { fmt, median } from "./measure.js";
import { round, summary } from "./summary.js";

type User = { id: string; name: string };

class Counter extends Component<{ count: number }> {
  mount() {
    this.state.count = 0;
  }
  onIncrement() {
    this.state.count += 1;
  }
  render() {
    return html`<b>${this.state.count}</b>`;
  }
}

class GuardedCounter extends Counter {
  static authorize(user: unknown) {
    return user !== null;
  }
  authorizeEvent() {
    return (this.user as User | null)?.id === "ada";
  }
}

const session = createCookieSession<User>({ secret: "bench-identity-cookie-secret-0123456789" });

async function serve(options: HotlineOptions) {
  const hotline = createHotline({ secret: "bench-identity-secret-0123456789", logger: { error() {} }, rateLimit: { perSecond: 1e9, burst: 1e9 },
    // every connection comes from 127.0.0.1: the per-address limits would refuse them
    maxConnectionsPerAddress: 0, connectRate: { perSecond: 0 }, ...options });
  let cookie = "";
  const server = createServer((req, res) => {
    if (req.url === "/signin") {
      session.write(res, { id: "ada", name: "Ada" });
      return void res.end();
    }
    void hotline.handler(req, res);
  });
  hotline.attach(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  cookie = (await fetch(`http://127.0.0.1:${port}/signin`)).headers.get("set-cookie")!.split(";")[0]!;
  return { url: `ws://127.0.0.1:${port}/live`, cookie, hotline, server };
}

const plainRegistry = new Registry();
plainRegistry.register("counter", Counter);
const guardedRegistry = new Registry();
guardedRegistry.register("counter", GuardedCounter);

const plain = await serve({ registry: plainRegistry });
const guarded = await serve({ registry: guardedRegistry, authenticate: session.authenticate, onMount: ({ user }) => user !== null });

function open(url: string, cookie: string): Promise<WebSocket> {
  return new Promise((ok, no) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, headers: { cookie } });
    ws.once("open", () => ok(ws));
    ws.once("error", no);
  });
}

function ask(ws: WebSocket, frame: string): Promise<string> {
  return new Promise((ok) => {
    ws.once("message", (d) => ok(String(d)));
    ws.send(frame);
  });
}

/** µs per connection opened (upgrade, authenticate) and one join, then closed. */
async function connectJoin(app: { url: string; cookie: string }, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const ws = await open(app.url, app.cookie);
    const ok = await ask(ws, `{"t":"join","ref":1,"id":"c","name":"counter"}`);
    if (!ok.startsWith('{"t":"ok"')) throw new Error(ok);
    ws.terminate();
  }
  return ((performance.now() - t0) * 1000) / n;
}

/** µs per join and leave on one open connection (the mount hooks and authorize run per join). */
async function joins(ws: WebSocket, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const ok = await ask(ws, `{"t":"join","ref":${i + 1},"id":"j${i}","name":"counter"}`);
    if (!ok.startsWith('{"t":"ok"')) throw new Error(ok);
    ws.send(`{"t":"leave","id":"j${i}"}`);
  }
  return ((performance.now() - t0) * 1000) / n;
}

/** µs per event round trip (authorizeEvent runs on each). */
async function events(ws: WebSocket, n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await ask(ws, `{"t":"event","ref":${i + 2},"id":"e","event":"increment"}`);
  return ((performance.now() - t0) * 1000) / n;
}

const ROUNDS = process.env.BENCH_QUICK === "1" ? 3 : 7;
const figures = { connect: [[], []] as number[][], join: [[], []] as number[][], event: [[], []] as number[][] };
const apps = [plain, guarded];
const sockets = await Promise.all(apps.map((a) => open(a.url, a.cookie)));
for (const ws of sockets) await ask(ws, `{"t":"join","ref":1,"id":"e","name":"counter"}`);
// warm-up
for (let k = 0; k < 2; k++) {
  await connectJoin(apps[k]!, 50);
  await joins(sockets[k]!, 200);
  await events(sockets[k]!, 1000);
}
for (let r = 0; r < ROUNDS; r++) {
  for (const k of r % 2 ? [1, 0] : [0, 1]) {
    figures.connect[k]!.push(await connectJoin(apps[k]!, 200));
    figures.join[k]!.push(await joins(sockets[k]!, 1000));
    figures.event[k]!.push(await events(sockets[k]!, 3000));
  }
}
console.log(`identity cost, medians of ${ROUNDS} alternating rounds (µs; lower is better)`);
console.log(`${"".padEnd(44)}${"no identity".padStart(14)}${"identity".padStart(12)}${"ratio".padStart(8)}`);
const out: Record<string, number> = {};
for (const [label, key] of [["connect + authenticate + join, per connection", "connect"], ["join + leave on an open connection", "join"], ["event round trip", "event"]] as const) {
  const a = median(figures[key][0]!);
  const b = median(figures[key][1]!);
  console.log(`${label.padEnd(44)}${fmt(a, 1).padStart(14)}${fmt(b, 1).padStart(12)}${(b / a).toFixed(2).padStart(8)}`);
  Object.assign(out, { [`${key}_us`]: round(a, 1), [`${key}_identity_us`]: round(b, 1), [`${key}_ratio`]: round(b / a, 3) });
}
summary("identity", out);
for (const ws of sockets) ws.terminate();
for (const a of apps) {
  await a.hotline.close();
  a.server.closeAllConnections();
  a.server.close();
}

// A tiny fake Hotline server for client tests: speaks protocol v1 over a real `ws` WebSocket, with
// a counter component ("counter") whose tree is [1, count] under statics {"1": ["<b>", "</b>"]}.
// Tests steer it through `handle` to send what the case needs.
import { createServer, type Server, type IncomingMessage } from "node:http";
import { WebSocketServer, type WebSocket } from "ws";

export type Frame = { t: string; ref?: number; id?: string; [k: string]: unknown };
export type Conn = { ws: WebSocket; send(m: Frame): void; received: Frame[] };

export interface FakeServer {
  url: string;
  port: number;
  http: Server;
  conns: Conn[];
  /** every frame received, in order, over all connections */
  received: Frame[];
  /** replaces the default handling of one frame; return true when handled */
  handle: ((m: Frame, c: Conn) => boolean | void) | null;
  /** counter state per session key */
  counts: Map<string, number>;
  waitFor(pred: (m: Frame) => boolean, ms?: number): Promise<Frame>;
  close(): Promise<void>;
}

/** Starts the fake on a free port; `onRequest` may serve HTTP on the same server. */
export async function fakeServer(onRequest?: (req: IncomingMessage, res: import("node:http").ServerResponse) => void): Promise<FakeServer> {
  const http = createServer(onRequest ?? ((_q, r) => r.writeHead(404).end()));
  const wss = new WebSocketServer({ server: http, path: "/live" });
  let sessions = 0;
  const f: FakeServer = {
    url: "", port: 0, http, conns: [], received: [], handle: null, counts: new Map(),
    waitFor(pred, ms = 3000) {
      const found = f.received.find(pred);
      if (found) return Promise.resolve(found);
      return new Promise((ok, no) => {
        const t = setTimeout(() => { clearInterval(i); no(new Error("waitFor: timed out")); }, ms);
        const i = setInterval(() => { const m = f.received.find(pred); if (m) { clearTimeout(t); clearInterval(i); ok(m); } }, 5);
      });
    },
    close: () => new Promise((ok) => { for (const c of wss.clients) c.terminate(); wss.close(); http.close(() => ok()); }),
  };
  const views = new WeakMap<WebSocket, Map<string, string>>(); // id -> session
  wss.on("connection", (ws) => {
    const c: Conn = { ws, received: [], send: (m) => ws.send(JSON.stringify(m)) };
    f.conns.push(c);
    views.set(ws, new Map());
    ws.on("message", (data) => {
      const m = JSON.parse(String(data)) as Frame;
      f.received.push(m); c.received.push(m);
      if (f.handle?.(m, c)) return;
      const mine = views.get(ws)!;
      if (m.t === "join") {
        let session = m.session as string | undefined;
        if (session && !f.counts.has(session)) return c.send({ t: "error", ref: m.ref, id: m.id, code: "bad_state", message: "unknown session" });
        if (!session) {
          session = `s${++sessions}`;
          const start = m.state ? Number(String(m.state).replace("tok:", "")) : Number((m.params as any)?.start ?? 0);
          f.counts.set(session, start);
        }
        mine.set(m.id!, session);
        const n = f.counts.get(session)!;
        c.send({ t: "ok", ref: m.ref, id: m.id, session, html: `<b>${n}</b>`, p: { "1": ["<b>", "</b>"] }, r: [1, n] });
      } else if (m.t === "event") {
        const s = mine.get(m.id!);
        if (!s) return c.send({ t: "error", ref: m.ref, id: m.id, code: "not_joined", message: "not joined" });
        if (m.event === "inc") {
          const n = f.counts.get(s)! + Number((m.payload as any)?.by ?? 1);
          f.counts.set(s, n);
          c.send({ t: "patch", ref: m.ref, id: m.id, "0": n });
        } else if (m.event === "count3") {
          for (let i = 1; i <= 3; i++) c.send({ t: "patch", ref: m.ref, id: m.id, done: i === 3, "0": f.counts.get(s)! + i });
          f.counts.set(s, f.counts.get(s)! + 3);
        } else c.send({ t: "error", ref: m.ref, id: m.id, code: "unknown_event", message: "no such event" });
      } else if (m.t === "leave") mine.delete(m.id!);
      else if (m.t === "ping") c.send({ t: "pong", ref: m.ref });
    });
  });
  await new Promise<void>((ok) => http.listen(0, "127.0.0.1", ok));
  f.port = (http.address() as import("node:net").AddressInfo).port;
  f.url = `ws://127.0.0.1:${f.port}/live`;
  return f;
}

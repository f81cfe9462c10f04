// Bytes on the wire of a live navigate (docs/navigation.md) against a full page load of the same
// page. Live navigate from /orders to /orders/7 on an open socket: the frames the client sends
// (leave, join by URL) and receives (ok, the title's nav). Full load of /orders/7: the HTML
// document (status line, headers, body), then the WebSocket join of its embed (join with the
// token, ok, nav). Frame bytes include the WebSocket frame headers (masked client frames), before
// any permessage-deflate; the client script is cached in both cases, and the full load's
// WebSocket upgrade handshake (a new socket per page load) is not counted: the ratio is a floor.
// Run: node --import tsx bench/navigate.ts
import { createServer, request } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket } from "ws";
import { createHotline } from "../server/hotline.js";
import { layout, navRegistry, routes } from "../test/live/navigation-app.js";
import { median } from "./measure.js";
import { round, summary } from "./summary.js";

const RUNS = 41;
const hotline = createHotline({
  registry: navRegistry(), routes, layout, secret: "bench-secret-0123456789abcdef", heartbeatMs: 0,
  rateLimit: { perSecond: 1e9, burst: 1e9 }, maxConnectionsPerAddress: 0, connectRate: { perSecond: 0 }, perMessageDeflate: false,
});
const server = createServer((req, res) => void hotline.handler(req, res));
hotline.attach(server);
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const port = (server.address() as AddressInfo).port;

/** A WebSocket frame's bytes: header (2, or 4 from 126 bytes of payload, 10 from 64 KiB), the client's mask, the payload. */
const frameBytes = (payload: string, masked: boolean) => {
  const n = Buffer.byteLength(payload);
  return n + 2 + (n >= 65536 ? 8 : n >= 126 ? 2 : 0) + (masked ? 4 : 0);
};

/** A socket that counts what it sends and receives and hands out frames as they come. */
async function connect() {
  const ws = new WebSocket(`ws://127.0.0.1:${port}/live`);
  await new Promise((r) => ws.once("open", r));
  const inbox: string[] = [];
  let waiting: (() => void) | undefined;
  const c = { sent: 0, received: 0, ws };
  ws.on("message", (d) => {
    const s = String(d);
    c.received += frameBytes(s, false);
    inbox.push(s);
    waiting?.();
  });
  const send = (m: unknown) => {
    const s = JSON.stringify(m);
    c.sent += frameBytes(s, true);
    ws.send(s);
  };
  /** Resolves with the first frame received from now on that matches. */
  const next = async (pred: (m: any) => boolean) => {
    for (;;) {
      const i = inbox.findIndex((s) => pred(JSON.parse(s)));
      if (i >= 0) return JSON.parse(inbox.splice(i, 1)[0]!);
      await new Promise<void>((r) => (waiting = r));
    }
  };
  return Object.assign(c, { send, next, reset: () => ((c.sent = 0), (c.received = 0), (inbox.length = 0)) });
}

/** A GET's bytes as they travel: status line, headers, body. */
function getPage(path: string): Promise<{ bytes: number; body: string }> {
  return new Promise((resolve, reject) => {
    request({ host: "127.0.0.1", port, path }, (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (d) => (body += d));
      res.on("end", () => {
        const head = `HTTP/1.1 ${res.statusCode} ${res.statusMessage}\r\n` + res.rawHeaders.map((h, i) => (i % 2 ? `${h}\r\n` : `${h}: `)).join("") + "\r\n";
        resolve({ bytes: Buffer.byteLength(head) + Buffer.byteLength(body), body });
      });
    }).on("error", reject).end();
  });
}

const live: number[] = [];
const liveSent: number[] = [];
const full: number[] = [];
const doc: number[] = [];
for (let i = 0; i < RUNS; i++) {
  // live: on an open page (/orders), leave it and join /orders/7 by URL
  const c = await connect();
  c.send({ t: "join", ref: 1, id: "p0", name: "", url: "/orders" });
  await c.next((m) => m.t === "ok");
  await c.next((m) => m.t === "nav");
  c.reset();
  c.send({ t: "leave", ref: 2, id: "p0" });
  c.send({ t: "join", ref: 3, id: "p1", name: "", url: "/orders/7" });
  await c.next((m) => m.t === "ok" && m.id === "p1");
  await c.next((m) => m.t === "nav" && m.id === "p1");
  live.push(c.sent + c.received);
  liveSent.push(c.sent);
  c.ws.terminate();

  // full load: the document, then its embed's join
  const page = await getPage("/orders/7");
  const m = /hl-component="([^"]+)" hl-id="([^"]+)" hl-state="([^"]+)"/.exec(page.body)!;
  const f = await connect();
  f.send({ t: "join", ref: 1, id: m[2], name: m[1], state: m[3]!.replace(/&quot;/g, '"').replace(/&amp;/g, "&"), url: "/orders/7" });
  await f.next((x) => x.t === "ok");
  await f.next((x) => x.t === "nav");
  full.push(page.bytes + f.sent + f.received);
  doc.push(page.bytes);
  f.ws.terminate();
}

const l = median(live);
const fl = median(full);
console.log(`live navigate /orders -> /orders/7: ${l} bytes (client sends ${median(liveSent)}: leave + join by URL; receives ok + title)`);
console.log(`full page load of /orders/7: ${fl} bytes (document ${median(doc)} with headers, then the embed's join ${fl - median(doc)})`);
console.log(`ratio: a live navigate moves ${round(l / fl, 3)} of a full load's bytes (${round(fl / l, 2)}x fewer); medians of ${RUNS} runs`);
summary("navigate", { live_navigate_bytes: l, live_navigate_sent_bytes: median(liveSent), full_load_bytes: fl, full_load_document_bytes: median(doc), ratio_full_to_live: round(fl / l, 2) });
await hotline.close();
server.closeAllConnections();
server.close();

// The WebSocket transport's protections: origin check, frame size, rate limit, a client that stops
// reading, heartbeats, and the graceful shutdown.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Component } from "../../../server/core/component.js";
import { Registry } from "../../../server/core/registry.js";
import { html } from "../../../server/core/template/template.js";
import { MemoryStore } from "../../../server/core/memory-store.js";
import { createHotline } from "../../../server/hotline.js";
import { startServer, TestClient, sleep } from "../../support/ws-client.js";
import { Counter } from "../../support/counter.js";

const registry = new Registry();
registry.register("counter", Counter);

class Feed extends Component<{ blob: string }> {
  mount() {
    this.state.blob = "";
    this.subscribe("feed");
  }
  onMessage(_t: string, m: unknown) {
    this.state.blob = (m as { blob: string }).blob;
  }
  render() {
    return html`<pre>${this.state.blob}</pre>`;
  }
}
Object.assign(Feed, { maxStateBytes: 1 << 20 });
registry.register("feed", Feed);

test("origin: the page's own origin is allowed, another gets 403 before any upgrade, no Origin is allowed", async () => {
  const s = await startServer({ registry });
  const host = new URL(s.http).host;
  const same = await TestClient.open(s.url, { origin: `http://${host}` });
  same.close();
  const none = await TestClient.open(s.url);
  none.close();
  const err = await TestClient.open(s.url, { origin: "http://evil.example" }).catch((e) => e);
  assert.is(err.status, 403);
  await s.stop();
});

test("origin: a configured list; allowMissingOrigin: false refuses clients without Origin", async () => {
  const s = await startServer({ registry, allowedOrigins: ["https://app.example"], allowMissingOrigin: false });
  (await TestClient.open(s.url, { origin: "https://app.example" })).close();
  assert.is((await TestClient.open(s.url, { origin: new URL(s.http).origin }).catch((e) => e)).status, 403);
  assert.is((await TestClient.open(s.url).catch((e) => e)).status, 403);
  await s.stop();
});

test("upgrades on other paths are left to other listeners", async () => {
  const s = await startServer({ registry });
  let seen = "";
  s.server.on("upgrade", (req, socket) => {
    if (req.url === "/other") {
      seen = req.url;
      socket.destroy();
    }
  });
  await TestClient.open(s.url.replace("/live", "/other")).catch(() => {});
  assert.is(seen, "/other");
  await s.stop();
});

test("a frame over maxPayload closes the connection with 1009", async () => {
  const s = await startServer({ registry, maxPayload: 1024 });
  const c = await TestClient.open(s.url);
  c.send({ t: "ping", ref: 1, pad: "x".repeat(2000) });
  assert.is((await c.closed).code, 1009);
  await s.stop();
});

test("rate limit: over it, rate_limited answers with their refs; a client that keeps going is closed with 1008", async () => {
  const s = await startServer({ registry, rateLimit: { perSecond: 10, burst: 20, maxStrikes: 10 } });
  const c = await TestClient.open(s.url);
  for (let i = 1; i <= 60; i++) c.send({ t: "ping", ref: i });
  const closed = await c.closed;
  assert.is(closed.code, 1008);
  assert.is(c.all((m) => m.t === "pong").length, 20);
  const limited = c.all((m) => m.code === "rate_limited");
  assert.ok(limited.length >= 10);
  assert.is(limited[0]!.ref, 21);
  await s.stop();
});

test("bad messages cost more: a client sending garbage is rate-limited, then closed with 1008", async () => {
  const s = await startServer({ registry });
  const c = await TestClient.open(s.url);
  for (let i = 0; i < 60; i++) c.send("garbage");
  assert.is((await c.closed).code, 1008);
  assert.ok(c.all((m) => m.code === "rate_limited").length > 0);
  await s.stop();
});

test("a client that stops reading is closed (1013) and the server's buffers stay bounded", async () => {
  const maxBufferedBytes = 256 * 1024;
  const s = await startServer({ registry, maxBufferedBytes });
  const c = await TestClient.open(s.url);
  await c.join("f", "feed");
  const session = [...s.hotline.websocket.connections][0]!;
  (c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  const blob = "y".repeat(200 * 1024);
  let maxBuffered = 0;
  global.gc?.();
  const heap0 = process.memoryUsage().heapUsed;
  for (let i = 0; i < 400 && session.ws.readyState === 1; i++) {
    await s.hotline.pubsub.publish("feed", { blob: blob + i });
    await sleep(1);
    maxBuffered = Math.max(maxBuffered, session.ws.bufferedAmount);
  }
  assert.is(session.ws.readyState, 2, "the server is closing the connection");
  await sleep(1100); // the close handshake's grace, then the socket is cut
  assert.is(s.hotline.websocket.connections.size, 0, "the server closed the connection");
  assert.ok(maxBuffered <= maxBufferedBytes + 2 * 210 * 1024, `bufferedAmount stayed bounded (${maxBuffered})`);
  const grew = process.memoryUsage().heapUsed - heap0;
  assert.ok(grew < 40 * 1024 * 1024, `heap grew by ${grew}`);
  (c.ws as unknown as { _socket: { resume(): void } })._socket.resume();
  const closed = await c.closed;
  assert.ok([1013, 1006].includes(closed.code), String(closed.code));
  await s.stop();
});

test("heartbeat: a connection that answers no ping is cut", async () => {
  const s = await startServer({ registry, heartbeatMs: 40 });
  const c = await TestClient.open(s.url);
  (c.ws as unknown as { _socket: { pause(): void } })._socket.pause();
  await sleep(200);
  assert.is(s.hotline.websocket.connections.size, 0);
  c.close();
  await s.stop();
});

test("heartbeat: a live client stays connected", async () => {
  const s = await startServer({ registry, heartbeatMs: 30 });
  const c = await TestClient.open(s.url);
  await sleep(150);
  assert.is((await c.request({ t: "ping" })).t, "pong");
  c.close();
  await s.stop();
});

test("graceful close: queued work finishes, states are saved, clients get 1012; own store and pubsub closed", async () => {
  const store = new MemoryStore();
  const hotline = createHotline({ registry, store, secret: "test-secret-0123456789abcdef", logger: { error() {} } });
  const server = createServer((req, res) => void hotline.handler(req, res));
  hotline.attach(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/live`;
  const c = await TestClient.open(url);
  const ok = await c.join("c", "counter");
  c.send({ t: "event", ref: 5, id: "c", event: "increment" });
  await c.next((m) => m.ref === 5);
  await hotline.close();
  assert.is((await c.closed).code, 1012);
  assert.equal((await store.load(ok.session))?.s, { count: 1 });
  await assert.not.throws(() => store.load("x"), "a store it was given is left open");
  await hotline.pubsub.publish("t", 1).then(
    () => assert.unreachable("its own pubsub is closed"),
    () => {},
  );
  assert.ok(await TestClient.open(url).then((x) => (x.close(), false), () => true), "no new connections after close");
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

test.run();

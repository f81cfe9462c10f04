// Issue 17 (items 1 and 7), WebSocket side: what one unauthenticated client may make the server
// hold (nesting depth and size of params and payloads, components per connection, connections per
// address), and that a flood of bad frames cannot fill the logs.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import { Component } from "../../../server/core/component.js";
import { Registry } from "../../../server/core/registry.js";
import { html } from "../../../server/core/template/template.js";
import { startServer, TestClient, sleep } from "../../support/ws-client.js";

const registry = new Registry();
class Counter extends Component<{ count: number }> {
  mount() {
    this.state.count = 0;
  }
  onIncrement() {
    this.state.count += 1;
  }
  onEcho(payload: Record<string, unknown>) {
    this.state.count = Object.keys(payload).length;
  }
  render() {
    return html`<b>${this.state.count}</b>`;
  }
}
registry.register("counter", Counter);

// Takes any params a client sends (as a careless app might: z.record(z.any())).
class Open extends Component<{ n: number }> {
  static clientParams = z.record(z.string(), z.any());
  mount() {
    this.state.n = Object.keys(this.params).length;
  }
  render() {
    return html`<i>${this.state.n}</i>`;
  }
}
registry.register("open", Open);

class Broken extends Component<{ n: number }> {
  mount() {
    throw new Error("the database is down");
  }
  render() {
    return html`<i></i>`;
  }
}
registry.register("broken", Broken);

class Guarded extends Component<{ n: number }> {
  static authorize = () => false;
  mount() {
    this.state.n = 0;
  }
  render() {
    return html`<i></i>`;
  }
}
registry.register("guarded", Guarded);

/** `{"a":{"a":…{}}}` with `depth` objects. */
function nested(depth: number): Record<string, unknown> {
  let o: Record<string, unknown> = {};
  for (let i = 1; i < depth; i++) o = { a: o };
  return o;
}

test("depth: params nested deeper than maxDepth are bad_message; at maxDepth they pass; the connection stays open", async () => {
  const s = await startServer({ registry });
  const c = await TestClient.open(s.url);
  const ok = await c.join("a", "open", { params: nested(8) });
  assert.is(ok.t, "ok", JSON.stringify(ok));
  const deep = await c.join("b", "open", { params: nested(9) });
  assert.is(deep.code, "bad_message");
  assert.match(deep.message, /nested/);
  assert.is(deep.id, "b");
  assert.is((await c.request({ t: "ping" })).t, "pong", "still open");
  c.close();
  await s.stop();
});

test("depth: an event payload nested too deep is bad_message before it reaches the component", async () => {
  const s = await startServer({ registry });
  const c = await TestClient.open(s.url);
  await c.join("c", "counter");
  const deep = await c.event("c", "echo", nested(40));
  assert.is(deep.code, "bad_message");
  const fine = await c.event("c", "echo", { x: 1, y: { z: 2 } });
  assert.is(fine.t, "patch");
  c.close();
  await s.stop();
});

test("depth: a deeply nested frame (in any field) is refused unparsed, as bad_message, within maxPayload", async () => {
  const s = await startServer({ registry });
  const c = await TestClient.open(s.url);
  const depth = 30_000; // 60 KB: under the 64 KiB maxPayload
  c.send(`{"t":"ping","ref":7,"x":${"[".repeat(depth)}${"]".repeat(depth)}}`);
  const m = await c.next((x) => x.t === "error" || x.t === "pong");
  assert.is(m.t, "error");
  assert.is(m.code, "bad_message");
  // brackets inside strings are not nesting
  c.send(JSON.stringify({ t: "ping", ref: 8, x: "[[[[[[[[[[[[[[[[[[[[[[[[{{{{{{{{{{{{{{{{{{{\\\"[[[[" }));
  assert.is((await c.next((x) => x.ref === 8)).t, "pong");
  c.close();
  await s.stop();
});

test("size: params over maxParamsBytes are bad_message (they would be kept for the instance's lifetime)", async () => {
  const s = await startServer({ registry, maxParamsBytes: 1024 });
  const c = await TestClient.open(s.url);
  const big = await c.join("a", "open", { params: { text: "x".repeat(2000) } });
  assert.is(big.code, "bad_message");
  assert.match(big.message, /params/);
  const many = await c.join("b", "open", { params: Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i])) });
  assert.is(many.code, "bad_message");
  assert.is((await c.join("c", "open", { params: { text: "x".repeat(500) } })).t, "ok");
  c.close();
  await s.stop();
});

test("instances per connection: past maxInstancesPerConnection a join is too_large; a leave makes room", async () => {
  const s = await startServer({ registry, maxInstancesPerConnection: 3 });
  const c = await TestClient.open(s.url);
  for (const id of ["a", "b", "c"]) assert.is((await c.join(id, "counter")).t, "ok");
  const refused = await c.join("d", "counter");
  assert.is(refused.code, "too_large");
  assert.match(refused.message, /too many components on this connection/);
  c.send({ t: "leave", id: "a" });
  assert.is((await c.join("d", "counter")).t, "ok");
  assert.is(s.hotline.stats().instances, 3);
  c.close();
  await s.stop();
});

test("instances per connection: the default is 100", async () => {
  const s = await startServer({ registry, rateLimit: { perSecond: 1000, burst: 1000 } });
  const c = await TestClient.open(s.url);
  const answers = await Promise.all(Array.from({ length: 101 }, (_, i) => c.join(`i${i}`, "counter")));
  assert.is(answers.filter((m) => m.t === "ok").length, 100);
  assert.is(answers.filter((m) => m.code === "too_large").length, 1);
  c.close();
  await s.stop();
});

/** Opens a client, retrying while the server still counts a connection that was just closed. */
async function openEventually(url: string, headers: Record<string, string> = {}): Promise<TestClient> {
  for (let i = 0; ; i++) {
    try {
      return await TestClient.open(url, { headers });
    } catch (e) {
      if ((e as { status?: number }).status !== 429 || i > 200) throw e;
      await sleep(20);
    }
  }
}

test("connections per address: past maxConnectionsPerAddress the upgrade is refused with 429; a close frees a place", async () => {
  const s = await startServer({ registry, maxConnectionsPerAddress: 2 });
  const a = await TestClient.open(s.url);
  const b = await TestClient.open(s.url);
  const err = await TestClient.open(s.url).catch((e) => e);
  assert.is(err.status, 429);
  // X-Forwarded-For is not trusted unless configured: a spoofed one changes nothing
  assert.is((await TestClient.open(s.url, { headers: { "x-forwarded-for": "10.9.9.9" } }).catch((e) => e)).status, 429);
  a.close();
  await a.closed;
  const c = await openEventually(s.url);
  assert.is((await c.request({ t: "ping" })).t, "pong");
  b.close();
  c.close();
  await s.stop();
});

test("connections per address: an upgrade refused after it was counted (a foreign origin) gives its place back; closed sockets leave the transport", async () => {
  const s = await startServer({ registry, maxConnectionsPerAddress: 1, allowedOrigins: ["http://app.example"] });
  try {
    for (let i = 0; i < 3; i++) {
      const err = await TestClient.open(s.url, { headers: { origin: "http://evil.example" } }).catch((e) => e);
      assert.is(err.status, 403, "a foreign origin is refused");
    }
    // each refusal closed its socket, which gave the address's one place back
    const a = await openEventually(s.url);
    assert.is(s.hotline.stats().connections, 1);
    assert.is((await TestClient.open(s.url).catch((e) => e)).status, 429, "the one place is taken");
    a.close();
    await a.closed;
    for (let i = 0; i < 100 && s.hotline.stats().connections > 0; i++) await sleep(10);
    assert.is(s.hotline.stats().connections, 0, "the transport forgot the closed connection");
    const b = await openEventually(s.url);
    assert.is((await b.request({ t: "ping" })).t, "pong");
    b.close();
  } finally {
    await s.stop();
  }
});

test("connect rate per address: past the burst, new upgrades get 429 although few are open (reconnecting does not reset a limit)", async () => {
  const s = await startServer({ registry, connectRate: { perSecond: 0.001, burst: 3 } });
  for (let i = 0; i < 3; i++) {
    const c = await TestClient.open(s.url);
    c.close();
    await c.closed;
  }
  assert.is((await TestClient.open(s.url).catch((e) => e)).status, 429);
  await s.stop();
});

test("connections per address: 0 turns the cap off (with the connect rate off too)", async () => {
  const s = await startServer({ registry, maxConnectionsPerAddress: 0, connectRate: { perSecond: 0 } });
  const all = await Promise.all(Array.from({ length: 20 }, () => TestClient.open(s.url)));
  assert.is(all.length, 20);
  for (const c of all) c.close();
  await s.stop();
});

test("connections per address: with trustProxy the last X-Forwarded-For hop is the address", async () => {
  const s = await startServer({ registry, trustProxy: true, maxConnectionsPerAddress: 1 });
  const a = await TestClient.open(s.url, { headers: { "x-forwarded-for": "203.0.113.9, 198.51.100.1" } });
  // the client-written first entries do not matter: the last hop (what the proxy saw) does
  assert.is((await TestClient.open(s.url, { headers: { "x-forwarded-for": "1.2.3.4, 198.51.100.1" } }).catch((e) => e)).status, 429);
  const b = await TestClient.open(s.url, { headers: { "x-forwarded-for": "198.51.100.2" } });
  a.close();
  b.close();
  await s.stop();
});

test("logs: 10,000 bad frames that each log something produce a bounded number of log lines, without client stacks", async () => {
  const lines: unknown[][] = [];
  const s = await startServer({ registry, logger: { error: (...args: unknown[]) => void lines.push(args) }, rateLimit: { perSecond: 1e6, burst: 1e6 } });
  const c = await TestClient.open(s.url);
  const kinds = [
    (i: number) => ({ t: "join", ref: 100_000 + i, id: `x${i}`, name: "broken" }),
    (i: number) => ({ t: "join", ref: 100_000 + i, id: `x${i}`, name: "guarded" }),
    (i: number) => ({ t: "join", ref: 100_000 + i, id: `x${i}`, name: "open", params: nested(20) }),
    (i: number) => ({ t: "event", ref: 100_000 + i, id: "nope", event: "increment" }),
  ];
  for (let i = 1; i <= 10_000; i++) c.send(kinds[i % kinds.length]!(i));
  await c.next((m) => m.ref === 110_000, 60_000);
  assert.is((await c.request({ t: "ping" })).t, "pong");
  assert.ok(lines.length <= 40, `${lines.length} log lines`);
  for (const l of lines) {
    const err = l[1] as { fault?: string; stack?: string } | undefined;
    assert.ok(!(err && err.fault === "client"), "a client's fault is never logged with its error object");
  }
  c.close();
  await s.stop();
});

test.run();

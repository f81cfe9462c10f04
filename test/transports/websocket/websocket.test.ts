// The WebSocket transport, protocol v1 (docs/protocol.md §1): joins, events and their refs,
// streaming, pushes, and every error code, over real sockets against a real node:http server.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import { Component } from "../../../server/core/component.js";
import { HotlineError } from "../../../server/core/errors.js";
import { Registry } from "../../../server/core/registry.js";
import { html } from "../../../server/core/template/template.js";
import { startServer, TestClient, sleep } from "../../support/ws-client.js";

const registry = new Registry();

class Counter extends Component<{ count: number }, { start?: number }> {
  static clientParams = z.object({ start: z.number().optional() }).strict();
  static mounts = 0;
  mount() {
    Counter.mounts++;
    this.state.count = typeof this.params.start === "number" ? this.params.start : 0;
  }
  onIncrement() {
    this.state.count += 1;
  }
  onBoom() {
    this.state.count = 999;
    throw new Error("secret internals at /srv/app.ts:12");
  }
  onForbidden() {
    throw new HotlineError("unauthorized", "you may not do this");
  }
  onNothing() {}
  async onSlow(p: { by?: number }) {
    await sleep(20);
    this.state.count = this.state.count * 10 + (p.by ?? 0);
  }
  onPoke() {
    this.pushEvent("poked", { count: this.state.count });
  }
  render() {
    return html`<button hl-click="increment">${this.state.count}</button>`;
  }
}
registry.register("counter", Counter);

class Streamer extends Component<{ i: number }> {
  mount() {
    this.state.i = 0;
  }
  async *onCount(p: { n: number }) {
    for (let k = 0; k < p.n; k++) {
      this.state.i += 1;
      yield;
    }
  }
  async *onFail() {
    this.state.i = 50;
    yield;
    throw new Error("stream broke");
  }
  render() {
    return html`<p>${this.state.i}</p>`;
  }
}
registry.register("streamer", Streamer);

class BadMount extends Component {
  mount() {
    throw new Error("db down");
  }
  render() {
    return html`<p></p>`;
  }
}
registry.register("bad-mount", BadMount);

const logged: unknown[][] = [];
const srv = await startServer({ registry, rateLimit: { burst: 1000 }, logger: { error: (...a: unknown[]) => void logged.push(a) } });

test("join answers ok with html, session, statics and root; an event answers a patch with its ref", async () => {
  const c = await TestClient.open(srv.url);
  const ok = await c.join("c1", "counter", { params: { start: 1 } });
  assert.equal(ok.t, "ok");
  assert.equal(ok.id, "c1");
  assert.is(ok.html, '<button hl-click="increment">1</button>');
  assert.ok(typeof ok.session === "string" && ok.session.length >= 22, "a 128-bit+ session key");
  assert.equal(Object.values(ok.p as object)[0], ['<button hl-click="increment">', "</button>"]);
  assert.equal((ok.r as unknown[])[1], 1);
  const ref = 7;
  c.send({ t: "event", ref, id: "c1", event: "increment" });
  await c.next((m) => m.ref === ref);
  assert.is(c.raw.at(-1), '{"t":"patch","id":"c1","ref":7,"0":2}');
  c.close();
});

test("an event that changes nothing gets an empty patch with its ref", async () => {
  const c = await TestClient.open(srv.url);
  await c.join("c1", "counter");
  const p = await c.event("c1", "nothing");
  assert.equal(p, { t: "patch", id: "c1", ref: p.ref });
  c.close();
});

test("ping gets pong with the same ref", async () => {
  const c = await TestClient.open(srv.url);
  assert.equal(await c.request({ t: "ping" }), { t: "pong", ref: 1001 });
  c.close();
});

test("events of one instance run in order; another instance is not blocked", async () => {
  const c = await TestClient.open(srv.url);
  await c.join("a", "counter", { params: { start: 1 } });
  await c.join("b", "counter", { params: { start: 5 } });
  const slow = [c.event("a", "slow", { by: 1 }), c.event("a", "slow", { by: 2 }), c.event("a", "increment")];
  const fast = await c.event("b", "increment");
  assert.is(fast["0"], 6);
  const answers = await Promise.all(slow);
  assert.equal(answers.map((m) => m["0"]), [11, 112, 113]);
  c.close();
});

test("a streaming handler sends one patch per step, the last with done: true", async () => {
  const c = await TestClient.open(srv.url);
  await c.join("s", "streamer");
  const last = await c.event("s", "count", { n: 3 });
  const steps = c.all((m) => m.t === "patch" && m.ref === last.ref);
  assert.equal(steps.map((m) => [m["0"], m.done]), [[1, false], [2, false], [3, false], [undefined, true]]);
  c.close();
});

test("a streaming handler that fails: its steps, then one error, then the view taken back", async () => {
  const c = await TestClient.open(srv.url);
  await c.join("s", "streamer");
  const err = await c.event("s", "fail");
  assert.is(err.code, "handler_error");
  const restore = await c.next((m) => m.t === "patch" && m.ref === undefined);
  assert.is(restore["0"], 0);
  c.close();
});

test("push: a handler's pushEvent reaches the client as {t:'push', id, event, payload}", async () => {
  const c = await TestClient.open(srv.url);
  await c.join("c1", "counter", { params: { start: 4 } });
  c.send({ t: "event", ref: 3, id: "c1", event: "poke" });
  const push = await c.next((m) => m.t === "push");
  assert.equal(push, { t: "push", id: "c1", event: "poked", payload: { count: 4 } });
  await c.next((m) => m.ref === 3);
  c.close();
});

test("handler_error: generic message, state as before, connection and other instances untouched, real error logged", async () => {
  const c = await TestClient.open(srv.url);
  await c.join("a", "counter", { params: { start: 3 } });
  await c.join("b", "counter");
  logged.length = 0;
  const err = await c.event("a", "boom");
  assert.is(err.t, "error");
  assert.is(err.code, "handler_error");
  assert.is(err.id, "a");
  assert.not.match(JSON.stringify(err), /secret|srv|at /);
  assert.ok(logged.some((a) => a.some((x) => x instanceof Error && x.message.includes("secret internals"))), "logged server-side");
  assert.is((await c.event("a", "increment"))["0"], 4, "the state is as before the failed event");
  assert.is((await c.event("b", "increment"))["0"], 1);
  c.close();
});

test("a mount that throws: handler_error, generic", async () => {
  const c = await TestClient.open(srv.url);
  const err = await c.join("x", "bad-mount");
  assert.is(err.code, "handler_error");
  assert.not.match(err.message, /db down/);
  c.close();
});

test("bad_message: binary, invalid JSON, not an object, unknown t, missing or mistyped fields; the connection stays", async () => {
  const c = await TestClient.open(srv.url);
  const cases: [unknown, boolean][] = [
    [Buffer.from('{"t":"ping"}'), true],
    ["{nope", false],
    ["[1,2]", false],
    ['"str"', false],
    [{ t: "dance", ref: 1 }, false],
    [{ ref: 2 }, false],
    [{ t: "join", ref: 3, name: "counter" }, false],
    [{ t: "join", ref: 4, id: "", name: "counter" }, false],
    [{ t: "join", ref: 5, id: "x".repeat(129), name: "counter" }, false],
    [{ t: "join", ref: 6, id: "j", name: 5 }, false],
    [{ t: "join", ref: 7, id: "j", name: "counter", params: [1] }, false],
    [{ t: "join", ref: 8, id: "j", name: "counter", state: 5 }, false],
    [{ t: "ping", ref: -1 }, false],
    [{ t: "ping", ref: 1.5 }, false],
    [{ t: "event", ref: 9, id: "j" }, false],
    [{ t: "event", ref: 10, id: "j", event: "x", payload: "no" }, false],
    [{ t: "leave", ref: 11 }, false],
  ];
  for (const [frame, binary] of cases) {
    c.send(frame, binary);
    const m = await c.next();
    assert.is(m.t, "error", JSON.stringify(frame));
    assert.is(m.code, "bad_message", JSON.stringify(frame));
  }
  assert.is((await c.request({ t: "ping" })).t, "pong");
  const e = c.log.find((m) => m.code === "bad_message" && m.ref === 7);
  assert.ok(e, "the answer carries the message's ref when it has a valid one");
  c.close();
});

test("bad_message for a duplicate join id; unknown_component; unknown_event; not_joined", async () => {
  const c = await TestClient.open(srv.url);
  await c.join("c1", "counter");
  assert.is((await c.join("c1", "counter")).code, "bad_message");
  const unknown = await c.join("c2", "<script>nope</script>");
  assert.is(unknown.code, "unknown_component");
  assert.not.match(unknown.message, /script/);
  assert.is((await c.event("c1", "dance")).code, "unknown_event");
  assert.is((await c.event("c1", "constructor")).code, "unknown_event");
  assert.is((await c.event("zz", "increment")).code, "not_joined");
  assert.is((await c.request({ t: "leave", id: "zz" })).code, "not_joined");
  c.send({ t: "leave", ref: 50, id: "c1" });
  assert.is((await c.event("c1", "increment")).code, "not_joined");
  assert.is((await c.join("c1", "counter", { params: { start: 9 } })).html, '<button hl-click="increment">9</button>', "the id is free again");
  c.close();
});

test("bad_state: tampered token, unknown session, session under another name; unauthorized passes through", async () => {
  const c = await TestClient.open(srv.url);
  const ok = await c.join("c1", "counter", { params: { start: 2 } });
  const token = srv.hotline.tokens.sign("counter", { state: { count: 5 } });
  assert.is((await c.join("t1", "counter", { state: token.slice(0, -2) + "AA" })).code, "bad_state");
  assert.is((await c.join("t2", "streamer", { state: token })).code, "bad_state", "a token for another component");
  assert.is((await c.join("t3", "counter", { session: "A".repeat(24) })).code, "bad_state");
  assert.is((await c.join("t4", "streamer", { session: ok.session })).code, "bad_state", "a session key under another name");
  assert.is((await c.event("c1", "forbidden")).code, "unauthorized");
  c.close();
});

test("too_large: a state token over its limit", async () => {
  const big = await startServer({ registry, maxPayload: 512 * 1024 });
  const c = await TestClient.open(big.url);
  assert.is((await c.join("t", "counter", { state: "v1." + "a".repeat(200_000) })).code, "too_large");
  c.close();
  await big.stop();
});

test.after(async () => {
  await srv.stop();
});

test.run();

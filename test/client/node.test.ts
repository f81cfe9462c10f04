// The Node client against a fake server speaking protocol v1 over a real WebSocket.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { WebSocket } from "ws";
import { connect, ClientError, type Msg } from "../../client/node.js";
import { fakeServer, type FakeServer } from "./fake-server.js";

const test = suite<{ srv: FakeServer }>("node client", {} as { srv: FakeServer });
test.before.each(async (ctx) => { ctx.srv = await fakeServer(); });
test.after.each(async (ctx) => { await ctx.srv.close(); });

test("join, event, html: the tree follows the patches", async ({ srv }) => {
  const c = await connect(srv.url, { WebSocket });
  const ok = await c.join("c1", "counter", { start: 5 });
  assert.is(ok.session, "s1");
  assert.is(c.html("c1"), "<b>5</b>");
  const answers = await c.event("c1", "inc", { by: 2 });
  assert.is(answers.length, 1);
  assert.is(c.html("c1"), "<b>7</b>");
  const join = srv.received.find((m) => m.t === "join")!;
  assert.equal(join, { t: "join", id: "c1", name: "counter", params: { start: 5 }, ref: 1 });
  const ev = srv.received.find((m) => m.t === "event")!;
  assert.equal(ev, { t: "event", id: "c1", event: "inc", payload: { by: 2 }, ref: 2 });
  c.close();
});

test("refs are positive integers, increasing, one per message", async ({ srv }) => {
  const c = await connect(srv.url, { WebSocket });
  await c.join("a", "counter");
  await Promise.all([c.event("a", "inc"), c.event("a", "inc"), c.ping()]);
  await c.leave("a");
  await srv.waitFor((m) => m.t === "leave");
  assert.equal(srv.received.map((m) => m.ref), [1, 2, 3, 4, 5]);
  c.close();
});

test("a streaming event resolves on done:true with every step; onPatch sees each", async ({ srv }) => {
  const c = await connect(srv.url, { WebSocket });
  await c.join("c1", "counter", { start: 0 });
  const seen: string[] = [];
  c.onPatch((id) => seen.push(c.html(id)!));
  const steps = await c.event("c1", "count3");
  assert.equal(steps.map((m) => m.done), [false, false, true]);
  assert.equal(seen, ["<b>1</b>", "<b>2</b>", "<b>3</b>"]);
  c.close();
});

test("an error answer rejects with its code; the connection goes on", async ({ srv }) => {
  const c = await connect(srv.url, { WebSocket });
  await c.join("c1", "counter");
  const e = await c.event("c1", "nope").catch((x) => x);
  assert.instance(e, ClientError);
  assert.is(e.code, "unknown_event");
  assert.is(e.ref, 2);
  const e2 = await c.event("zz", "inc").catch((x) => x);
  assert.is(e2.code, "not_joined");
  const e3 = await c.join("c2", "counter", undefined, { session: "forged" }).catch((x) => x);
  assert.is(e3.code, "bad_state");
  assert.ok((await c.ping()) >= 0);
  c.close();
});

test("resume with a session key: the state survives a new connection", async ({ srv }) => {
  const a = await connect(srv.url, { WebSocket });
  const ok = await a.join("c1", "counter", { start: 1 });
  await a.event("c1", "inc");
  a.close();
  const b = await connect(srv.url, { WebSocket });
  await b.join("c1", "counter", undefined, { session: ok.session as string });
  assert.is(b.html("c1"), "<b>2</b>");
  b.close();
});

test("server-initiated patches and pushes reach onPatch/onMessage", async ({ srv }) => {
  const c = await connect(srv.url, { WebSocket });
  await c.join("c1", "counter");
  const msgs: Msg[] = [];
  c.onMessage((m) => msgs.push(m));
  const got = new Promise<string>((ok) => c.onPatch((id) => ok(c.html(id)!)));
  srv.conns[0]!.send({ t: "push", id: "c1", event: "flash", payload: { x: 1 } });
  srv.conns[0]!.send({ t: "patch", id: "c1", "0": 99 });
  assert.is(await got, "<b>99</b>");
  assert.equal(msgs[0], { t: "push", id: "c1", event: "flash", payload: { x: 1 } });
  c.close();
});

test("a malformed diff makes the client rejoin with its session and recover the server's state", async ({ srv }) => {
  const c = await connect(srv.url, { WebSocket });
  const ok = await c.join("c1", "counter", { start: 4 });
  srv.conns[0]!.send({ t: "patch", id: "c1", "7": "no such slot" });
  const rejoin = await srv.waitFor((m) => m.t === "join" && m.session === ok.session);
  assert.is(rejoin.id, "c1");
  await new Promise((r) => setTimeout(r, 50));
  assert.is(c.html("c1"), "<b>4</b>");
  c.close();
});

test("pending promises reject with code closed when the connection drops", async ({ srv }) => {
  const c = await connect(srv.url, { WebSocket });
  await c.join("c1", "counter");
  srv.handle = (m) => m.t === "event"; // never answer
  const p = c.event("c1", "inc").catch((x) => x);
  await srv.waitFor((m) => m.t === "event");
  srv.conns[0]!.ws.terminate();
  assert.is((await p).code, "closed");
});

test.run();

// The WebSocket transport with pub/sub, shared renders, resume from the store, and page embeds.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import { MemoryPubSub } from "../../pubsub/memory.js";
import { Component } from "../../server/core/component.js";
import { MemoryStore } from "../../server/core/memory-store.js";
import { Registry } from "../../server/core/registry.js";
import { html, repeat } from "../../server/core/template/template.js";
import { startServer, TestClient } from "../support/ws-client.js";

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
  render() {
    return html`<b>${this.state.count}</b>`;
  }
}
registry.register("counter", Counter);

class Chat extends Component<{ lines: string[] }, { room: string }> {
  static clientParams = z.object({ room: z.string().max(64) }).strict();
  mount() {
    this.state.lines = [];
    this.subscribe(`room:${this.params.room}`);
  }
  async onSay(p: { text: string }) {
    await this.publish(`room:${this.params.room}`, { text: p.text });
  }
  onMessage(_topic: string, m: unknown) {
    this.state.lines.push((m as { text: string }).text);
  }
  render() {
    return html`<ul>${repeat(this.state.lines, (_l, i) => i, (l) => html`<li>${l}</li>`)}</ul>`;
  }
}
registry.register("chat", Chat);

class Board extends Component<{ score: number }, { game: string }> {
  static clientParams = z.object({ game: z.string().max(64) }).strict();
  static shared = true;
  static renders = 0;
  static mounts = 0;
  mount() {
    Board.mounts++;
    this.state.score = 0;
    this.subscribe(`game:${this.params.game}`);
  }
  onGoal() {
    this.state.score += 1;
  }
  onMessage(_t: string, m: unknown) {
    this.state.score = (m as { score: number }).score;
  }
  render() {
    Board.renders++;
    return html`<h1>${this.params.game}: ${this.state.score}</h1>`;
  }
}
registry.register("board", Board);

const store = new MemoryStore();
const pubsub = new MemoryPubSub();
const a = await startServer({ registry, store, pubsub });
const b = await startServer({ registry, store, pubsub });

test("pub/sub: a client's publish reaches another client's instance as a patch without ref", async () => {
  const c1 = await TestClient.open(a.url);
  const c2 = await TestClient.open(b.url);
  await c1.join("chat", "chat", { params: { room: "r1" } });
  await c2.join("chat", "chat", { params: { room: "r1" } });
  const answer = await c1.event("chat", "say", { text: "hi <there>" });
  assert.is(answer.t, "patch");
  const p = await c2.next((m) => m.t === "patch" && m.ref === undefined);
  assert.match(JSON.stringify(p), /hi &lt;there&gt;/);
  c1.close();
  c2.close();
});

test("one bus subscription per topic per process; leave and disconnect end them", async () => {
  const index = a.hotline.hub.index;
  const c1 = await TestClient.open(a.url);
  const c2 = await TestClient.open(a.url);
  await c1.join("x", "chat", { params: { room: "r2" } });
  await c1.join("y", "chat", { params: { room: "r2" } });
  await c2.join("x", "chat", { params: { room: "r2" } });
  assert.is(index.listeners("room:r2"), 3);
  const before = pubsub.topicCount;
  c1.send({ t: "leave", ref: 1, id: "x" });
  c1.send({ t: "leave", ref: 2, id: "y" });
  await c1.request({ t: "ping" });
  assert.is(index.listeners("room:r2"), 1);
  c2.close();
  await c2.closed;
  await new Promise((r) => setTimeout(r, 20));
  assert.is(index.listeners("room:r2"), 0);
  assert.is(pubsub.topicCount, before - 1, "the bus subscription is gone with the last local listener");
  await pubsub.publish("room:r2", { text: "nobody" });
  c1.close();
});

test("resume: a session key from an earlier ok, on a new connection and on another process sharing the store", async () => {
  const c1 = await TestClient.open(a.url);
  const ok = await c1.join("c", "counter", { params: { start: 10 } });
  await c1.event("c", "increment");
  c1.close();
  const mounts = Counter.mounts;
  const c2 = await TestClient.open(a.url);
  const again = await c2.join("c", "counter", { session: ok.session });
  assert.is(again.html, "<b>11</b>");
  assert.is(again.session, ok.session);
  await c2.event("c", "increment");
  c2.close();
  const c3 = await TestClient.open(b.url);
  const other = await c3.join("c", "counter", { session: ok.session });
  assert.is(other.html, "<b>12</b>", "another process resumes the state saved before the patch was sent");
  assert.is(Counter.mounts, mounts, "resuming does not mount");
  c3.close();
});

test("resume keeps the topics", async () => {
  const c1 = await TestClient.open(a.url);
  const ok = await c1.join("chat", "chat", { params: { room: "r3" } });
  c1.close();
  await c1.closed;
  const c2 = await TestClient.open(b.url);
  await c2.join("chat", "chat", { session: ok.session });
  await pubsub.publish("room:r3", { text: "after resume" });
  const p = await c2.next((m) => m.t === "patch");
  assert.match(JSON.stringify(p), /after resume/);
  c2.close();
});

test("page embed: live() markup, and a join with its token hydrates without running mount again", async () => {
  const embed = await a.hotline.live("counter", { start: 41 }, { id: "main-counter" });
  const m = /^<div hl-component="counter" hl-id="main-counter" hl-state="([^"]+)"><b>41<\/b><\/div>$/.exec(embed);
  assert.ok(m, embed);
  assert.equal(a.hotline.tokens.verify("counter", m![1]).params, { start: 41 }, "the params travel signed in the token");
  const mounts = Counter.mounts;
  const c = await TestClient.open(b.url);
  const ok = await c.join("main-counter", "counter", { state: m![1] });
  assert.is(ok.html, "<b>41</b>");
  assert.is(Counter.mounts, mounts);
  assert.is((await c.event("main-counter", "increment"))["0"], 42);
  c.close();
});

test("page embed: the token carries the topics", async () => {
  const embed = await a.hotline.live("chat", { room: "r4" });
  const token = /hl-state="([^"]+)"/.exec(embed)![1]!;
  assert.equal(a.hotline.tokens.verify("chat", token).topics, ["room:r4"]);
  const c = await TestClient.open(a.url);
  await c.join("chat", "chat", { state: token });
  await pubsub.publish("room:r4", { text: "to the embed" });
  assert.match(JSON.stringify(await c.next((m) => m.t === "patch")), /to the embed/);
  c.close();
});

test("shared render: one render per change for N viewers; the same bytes per id; the sender gets its ref", async () => {
  const N = 25;
  const clients = await Promise.all(Array.from({ length: N }, () => TestClient.open(a.url)));
  const mounts = Board.mounts;
  await Promise.all(clients.map((c, i) => c.join(i % 2 ? "board" : "b2", "board", { params: { game: "g1" } })));
  assert.is(Board.mounts, mounts + 1, "one instance for the group");
  const renders = Board.renders;
  await pubsub.publish("game:g1", { score: 3 });
  const patches = await Promise.all(clients.map((c) => c.next((m) => m.t === "patch")));
  assert.is(Board.renders, renders + 1, "render() ran once for every viewer");
  for (const [i, p] of patches.entries()) assert.equal(p, { t: "patch", id: i % 2 ? "board" : "b2", "1": 3 });
  const sender = clients[3]!;
  const answer = await sender.event("board", "goal");
  assert.is(answer["1"], 4);
  const others = await Promise.all(clients.filter((c) => c !== sender).map((c) => c.next((m) => m.t === "patch")));
  for (const p of others) {
    assert.is(p.ref, undefined);
    assert.is(p["1"], 4);
  }
  // a viewer joining later gets the group's current render
  const late = await TestClient.open(b.url);
  await late.join("board", "board", { params: { game: "g1" } });
  const late2 = await TestClient.open(a.url);
  const ok = await late2.join("board", "board", { params: { game: "g1" } });
  assert.is(ok.html, "<h1>g1: 4</h1>");
  for (const c of [...clients, late, late2]) c.close();
});

test("shared render: the group ends with its last viewer, and a new one mounts afresh", async () => {
  const c = await TestClient.open(a.url);
  const mounts = Board.mounts;
  await c.join("b", "board", { params: { game: "g2" } });
  c.send({ t: "leave", ref: 1, id: "b" });
  await c.request({ t: "ping" });
  assert.is(a.hotline.hub.index.listeners("game:g2"), 0);
  await c.join("b", "board", { params: { game: "g2" } });
  assert.is(Board.mounts, mounts + 2);
  c.close();
});

test.after(async () => {
  await a.stop();
  await b.stop();
});

test.run();

// Acknowledged state is not lost (issue 17, item 3), over real WebSockets: a client flooding the
// memory store with joins evicts its own entries, not other users' sessions; two connections
// joining with one session key share one live instance (no increment lost); a shared component's
// groups are bounded per class. The Redis restart half is in state-redis-restart.test.ts.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import { Component } from "../../server/core/component.js";
import { MemoryStore } from "../../server/core/memory-store.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import { startServer, TestClient, type Msg } from "../support/ws-client.js";

const registry = new Registry();

class Counter extends Component<{ n: number }> {
  mount() {
    this.state.n = 0;
  }
  onBump() {
    this.state.n++;
  }
  render() {
    return html`<p>n=${this.state.n}</p>`;
  }
}
registry.register("counter", Counter);

class Room extends Component<{ room: string; n: number }, { room: string }> {
  static shared = true;
  static clientParams = z.object({ room: z.string().max(40) }).strict();
  mount() {
    this.state.room = this.params.room;
    this.state.n = 0;
  }
  onBump() {
    this.state.n++;
  }
  render() {
    return html`<p>${this.state.room}:${this.state.n}</p>`;
  }
}
registry.register("room", Room);

/** The count a client's view shows now (its `ok` html, then every patch applied is not tracked: read n from the store instead). */
const countIn = (m: Msg) => Number(/n=(\d+)/.exec(JSON.stringify(m))?.[1] ?? NaN);

// Signed in with `?user=name`; anonymous without.
const authenticate = (req: { url?: string }) => {
  const u = new URL(req.url ?? "/", "http://x").searchParams.get("user");
  return u ? { id: u, name: u } : null;
};

// ---------------------------------------------------------------------------------------------

const flood = suite("a join flood");

flood("a client flooding the memory store with joins evicts its own entries, not a signed-in user's idle session", async () => {
  const store = new MemoryStore({ maxEntries: 40 });
  const srv = await startServer({ registry, store, authenticate });
  try {
    const alice = await TestClient.open(`${srv.url}?user=alice`);
    const ok = await alice.join("c", "counter");
    assert.is(ok.t, "ok");
    for (let i = 0; i < 3; i++) assert.is((await alice.event("c", "bump")).t, "patch");
    alice.close();

    // 120 cheap joins from anonymous clients (4 connections of 30 joins: under any per-connection cap)
    for (let c = 0; c < 4; c++) {
      const bad = await TestClient.open(srv.url);
      for (let i = 0; i < 30; i++) assert.is((await bad.join(`x${i}`, "counter")).t, "ok");
      bad.close();
    }
    assert.ok(store.size <= 40, `the store stays bounded (${store.size})`);

    const back = await TestClient.open(`${srv.url}?user=alice`);
    const again = await back.join("c", "counter", { session: ok.session });
    assert.is(again.t, "ok", `alice resumes her idle session: ${JSON.stringify(again)}`);
    assert.is(countIn(again), 3);
    back.close();
  } finally {
    await srv.stop();
  }
});

flood("anonymous clients are owners by address: a flood from one address evicts its own sessions, not another anonymous client's", async () => {
  const store = new MemoryStore({ maxEntries: 40 });
  const srv = await startServer({ registry, store });
  try {
    // Two anonymous clients on two loopback addresses (the whole of 127.0.0.0/8 reaches the server).
    const quiet = await TestClient.open(srv.url, { localAddress: "127.0.0.2" });
    const ok = await quiet.join("c", "counter");
    for (let i = 0; i < 2; i++) await quiet.event("c", "bump");
    quiet.close();
    for (let c = 0; c < 4; c++) {
      const bad = await TestClient.open(srv.url, { localAddress: "127.0.0.3" });
      for (let i = 0; i < 30; i++) assert.is((await bad.join(`x${i}`, "counter")).t, "ok");
      bad.close();
    }
    const back = await TestClient.open(srv.url, { localAddress: "127.0.0.2" });
    const again = await back.join("c", "counter", { session: ok.session });
    assert.is(again.t, "ok", `the quiet client resumes: ${JSON.stringify(again)}`);
    assert.is(countIn(again), 2);
    back.close();
  } finally {
    await srv.stop();
  }
});

flood.run();

// ---------------------------------------------------------------------------------------------

const twice = suite("one session key, two connections");

twice("a second join with a live session key attaches to the same instance: no acknowledged increment is lost", async () => {
  const store = new MemoryStore();
  const srv = await startServer({ registry, store });
  try {
    const a = await TestClient.open(srv.url);
    const b = await TestClient.open(srv.url);
    const ok = await a.join("c", "counter");
    const ok2 = await b.join("c", "counter", { session: ok.session });
    assert.is(ok2.t, "ok", JSON.stringify(ok2));
    assert.is(ok2.session, ok.session);

    const N = 20;
    const answers = await Promise.all(Array.from({ length: N }, (_, i) => (i % 2 ? a : b).event("c", "bump")));
    for (const x of answers) assert.is(x.t, "patch", JSON.stringify(x));
    const saved = (await store.load(ok.session)) as { s: { n: number } };
    assert.is(saved.s.n, N, "every acknowledged increment is in the store");
    assert.is(srv.hotline.hub.lives.size, 1, "one live instance for the key");

    // each tab sees the other's clicks
    const seenByA = a.all((m) => m.t === "patch" && m.ref === undefined).length;
    assert.ok(seenByA > 0, "a is patched for b's events");

    a.close();
    b.close();
    const c = await TestClient.open(srv.url);
    const resumed = await c.join("c", "counter", { session: ok.session });
    assert.is(countIn(resumed), N);
    c.close();
  } finally {
    await srv.stop();
  }
});

twice("a second join with a live key, from another user, is refused", async () => {
  const srv = await startServer({ registry, authenticate });
  try {
    const a = await TestClient.open(`${srv.url}?user=alice`);
    const ok = await a.join("c", "counter");
    const mallory = await TestClient.open(`${srv.url}?user=mallory`);
    const no = await mallory.join("c", "counter", { session: ok.session });
    assert.is(no.t, "error");
    assert.is(no.code, "bad_state");
    const anon = await TestClient.open(srv.url);
    assert.is((await anon.join("c", "counter", { session: ok.session })).code, "bad_state");
    assert.is(srv.hotline.hub.lives.size, 1);
    a.close();
    mallory.close();
    anon.close();
  } finally {
    await srv.stop();
  }
});

twice.run();

// ---------------------------------------------------------------------------------------------

const groups = suite("shared groups");

groups("the groups of a shared component are bounded per class: past the cap a join is refused rate_limited", async () => {
  const srv = await startServer({ registry, maxGroupsPerComponent: 3 });
  try {
    const c = await TestClient.open(srv.url);
    for (let i = 0; i < 3; i++) assert.is((await c.join(`r${i}`, "room", { params: { room: `room-${i}` } })).t, "ok");
    const no = await c.join("r3", "room", { params: { room: "room-3" } });
    assert.is(no.t, "error", JSON.stringify(no));
    assert.is(no.code, "rate_limited");
    // an existing group still takes viewers
    assert.is((await c.join("r0b", "room", { params: { room: "room-0" } })).t, "ok");
    assert.is(srv.hotline.stats().sharedGroups, 3);
    // a group closed frees its place
    c.send({ t: "leave", id: "r1" });
    await c.request({ t: "ping" });
    assert.is((await c.join("r4", "room", { params: { room: "room-4" } })).t, "ok");
    c.close();
  } finally {
    await srv.stop();
  }
});

groups.run();

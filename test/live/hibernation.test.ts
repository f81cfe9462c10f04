// Hibernation (docs/hibernation.md), over real WebSockets: an idle private session drops its
// instance and keeps its state; its next event wakes it, and the patch brings the client's copy
// up to date (a whole root: a render may read more than the state). A second join with its key
// wakes it too; a store that lost its data gets it back; sessions that would lose something stay
// awake; a session whose class is gone answers bad_state.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Component } from "../../server/core/component.js";
import { MemoryStore } from "../../server/core/memory-store.js";
import { Registry } from "../../server/core/registry.js";
import type { StateStore } from "../../server/core/store.js";
import { html } from "../../server/core/template/template.js";
import { stream } from "../../server/core/template/stream.js";
import { Rendered } from "../../client/rendered.js";
import { sleep, startServer, TestClient, type Msg } from "../support/ws-client.js";
import { calls, layout, mounts, navRegistry, routes } from "./navigation-app.js";

/** What the clock shows: a render that reads more than the state (the wake's patch must show the new value). */
let clock = "t0";

class Counter extends Component<{ n: number }> {
  mount() {
    this.state.n = 0;
  }
  onBump() {
    this.state.n++;
  }
  render() {
    return html`<p>n=${this.state.n} <i>${clock}</i></p>`;
  }
}

class Awake extends Counter {
  static hibernate = false;
}

class Cached extends Counter {
  cache = new Map<string, number>();
}

/** Listens to "news" (every message counts) and "quiet" (nothing is published there). */
class Listener extends Counter {
  mount() {
    super.mount();
    this.subscribe("news");
    this.subscribe("quiet");
  }
  onMessage(_topic: string, message: unknown) {
    this.state.n += (message as { add: number }).add;
  }
}

class Streamed extends Counter {
  mount() {
    super.mount();
    this.streamInsert("items", [{ id: 1 }]);
  }
  render() {
    return html`<ul hl-stream="items">${stream(this, "items", { key: (i: { id: number }) => i.id, render: (i, id) => html`<li id="${id}">${i.id}</li>` })}</ul><p>n=${this.state.n}</p>`;
  }
}

class Invalid extends Counter {
  onCheck() {
    this.errors = { n: "too small" };
  }
}

function registry(): Registry {
  const r = new Registry();
  r.register("counter", Counter);
  r.register("awake", Awake);
  r.register("cached", Cached);
  r.register("listener", Listener);
  r.register("streamed", Streamed);
  r.register("invalid", Invalid);
  return r;
}

const SLEEP_MS = 40;

/** Waits until the server holds `n` hibernated sessions (two sweeps at most, then some). */
async function hibernated(srv: { hotline: { stats(): { hibernated: number } } }, n: number): Promise<void> {
  for (let i = 0; i < 50 && srv.hotline.stats().hibernated !== n; i++) await sleep(SLEEP_MS / 2);
  assert.is(srv.hotline.stats().hibernated, n, "hibernated sessions");
}

/** A client's copy of a view: the `ok`'s tree with every patch applied. */
function copyOf(ok: Msg): { apply(m: Msg): void; html(): string } {
  const r = Rendered.fromJoin(ok);
  return { apply: (m) => r.apply(m), html: () => r.toHTML() };
}

const sleepSuite = suite("an idle session hibernates");

sleepSuite.before.each(() => {
  clock = "t0";
});

sleepSuite("it drops its instance; the next event wakes it and its patch replaces the root with what is true now", async () => {
  const srv = await startServer({ registry: registry(), hibernateAfterMs: SLEEP_MS });
  try {
    const c = await TestClient.open(srv.url);
    const ok = await c.join("c", "counter");
    const copy = copyOf(ok);
    copy.apply(await c.event("c", "bump"));
    await hibernated(srv, 1);
    assert.is(srv.hotline.stats().instances, 0, "no live instance is kept");
    assert.is(srv.hotline.stats().connections, 1, "the connection stays");

    clock = "t1";
    const woke = await c.event("c", "bump");
    assert.is(woke.t, "patch");
    assert.ok(woke.r !== undefined, `the first patch after waking replaces the root: ${JSON.stringify(woke)}`);
    copy.apply(woke);
    assert.match(copy.html(), /n=2/);
    assert.match(copy.html(), /t1/, "what the render reads besides the state is current");
    assert.is(srv.hotline.stats().hibernated, 0);
    assert.is(srv.hotline.stats().instances, 1);

    const next = await c.event("c", "bump");
    assert.is(next.r, undefined, "then patches are diffs again");
    copy.apply(next);
    assert.match(copy.html(), /n=3/);
  } finally {
    await srv.stop();
  }
});

sleepSuite("a hibernated session's state is the store's: a reconnect on a new connection resumes it, a second join with its key wakes it", async () => {
  const srv = await startServer({ registry: registry(), hibernateAfterMs: SLEEP_MS });
  try {
    const a = await TestClient.open(srv.url);
    const ok = await a.join("c", "counter");
    await a.event("c", "bump");
    await a.event("c", "bump");
    await hibernated(srv, 1);

    // a second tab with the same session key: it attaches to the woken instance
    const b = await TestClient.open(srv.url);
    const joined = await b.join("c", "counter", { session: ok.session });
    assert.is(joined.t, "ok", JSON.stringify(joined));
    assert.match(JSON.stringify(joined), /n=2/);
    assert.is(srv.hotline.stats().hibernated, 0);
    assert.is(srv.hotline.stats().instances, 1, "one instance for both views");

    const copyA = copyOf(ok);
    const p = await b.event("c", "bump");
    assert.is(p.t, "patch");
    const seen = await a.next((m) => m.t === "patch" && m.id === "c");
    assert.ok(seen.r !== undefined, "the first view's patch replaces its root");
    copyA.apply(seen);
    assert.match(copyA.html(), /n=3/);

    b.close();
    await b.closed;
    await hibernated(srv, 1);
    a.close();
    await a.closed;
    await sleep(20);
    assert.is(srv.hotline.stats().hibernated, 0, "a closed connection forgets its hibernated session");

    const c = await TestClient.open(srv.url);
    const back = await c.join("c", "counter", { session: ok.session });
    assert.is(back.t, "ok");
    assert.match(JSON.stringify(back), /n=3/, "the store has the hibernated state");
  } finally {
    await srv.stop();
  }
});

sleepSuite("a store that lost its data gets the hibernated sessions' states again (onReset)", async () => {
  const inner = new MemoryStore();
  let reset: (() => void) | undefined;
  // A MemoryStore that can be wiped, and says so, as RedisStore does when Redis comes back empty.
  const store: StateStore = {
    load: (k) => inner.load(k),
    save: (k, s, ttl, owner) => inner.save(k, s, ttl, owner),
    delete: (k) => inner.delete(k),
    onReset(fn) {
      reset = fn;
      return () => (reset = undefined);
    },
  };
  const srv = await startServer({ registry: registry(), store, hibernateAfterMs: SLEEP_MS });
  try {
    const a = await TestClient.open(srv.url);
    const ok = await a.join("c", "counter");
    await a.event("c", "bump");
    await hibernated(srv, 1);
    await inner.delete(ok.session);
    assert.is(await inner.load(ok.session), null);
    reset!();
    await sleep(20);
    const saved = (await inner.load(ok.session)) as { c: string; s: { n: number } } | null;
    assert.equal(saved?.c, "counter");
    assert.equal(saved?.s, { n: 1 });
    assert.is(srv.hotline.stats().hibernated, 1, "it stays asleep");
  } finally {
    await srv.stop();
  }
});

sleepSuite("a leave of a hibernated view forgets it; a message for it answers not_joined", async () => {
  const srv = await startServer({ registry: registry(), hibernateAfterMs: SLEEP_MS });
  try {
    const a = await TestClient.open(srv.url);
    await a.join("c", "counter");
    await hibernated(srv, 1);
    a.send({ t: "leave", id: "c" });
    await sleep(20);
    assert.is(srv.hotline.stats().hibernated, 0);
    const e = await a.event("c", "bump");
    assert.is(e.t, "error");
    assert.is(e.code, "not_joined");
  } finally {
    await srv.stop();
  }
});

sleepSuite("sessions that would lose something stay awake: static hibernate = false, a field of their own, streams, errors shown", async () => {
  const srv = await startServer({ registry: registry(), hibernateAfterMs: SLEEP_MS });
  try {
    const a = await TestClient.open(srv.url);
    await a.join("c", "counter");
    for (const name of ["awake", "cached", "streamed", "invalid"]) assert.is((await a.join(name, name)).t, "ok", name);
    assert.is((await a.event("invalid", "check")).t, "patch");
    await hibernated(srv, 1);
    await sleep(SLEEP_MS * 3);
    assert.is(srv.hotline.stats().hibernated, 1, "only the plain counter hibernates");
    assert.is(srv.hotline.stats().instances, 4);
  } finally {
    await srv.stop();
  }
});

sleepSuite("sdui sessions and shared components stay awake; hibernateAfterMs: 0 never hibernates", async () => {
  class Shared extends Counter {
    static shared = true;
  }
  const r = registry();
  r.register("shared", Shared);
  const srv = await startServer({ registry: r, hibernateAfterMs: SLEEP_MS });
  const off = await startServer({ registry: registry(), hibernateAfterMs: 0 });
  try {
    const a = await TestClient.open(srv.url);
    assert.is((await a.join("s", "shared")).t, "ok");
    await sleep(SLEEP_MS * 4);
    assert.is(srv.hotline.stats().hibernated, 0);
    const b = await TestClient.open(off.url);
    assert.is((await b.join("c", "counter")).t, "ok");
    await sleep(SLEEP_MS * 4);
    assert.is(off.hotline.stats().hibernated, 0);
    assert.is(off.hotline.stats().instances, 1);
  } finally {
    await srv.stop();
    await off.stop();
  }
});

/** A server whose component `name` (a `Base`) can no longer be rebuilt once `broke()` is called (a class changed since its sessions slept), and its log. */
async function fragileServer(name: string, Base: typeof Counter) {
  let broken = false;
  class Fragile extends Base {
    hydrate(state: Partial<{ n: number }>) {
      if (broken) throw new Error("cannot hydrate");
      super.hydrate(state);
    }
  }
  const r = registry();
  r.register(name, Fragile);
  const logged: unknown[] = [];
  const srv = await startServer({ registry: r, hibernateAfterMs: SLEEP_MS, logger: { error: (...args: unknown[]) => logged.push(args) } });
  return { srv, logged, broke: (on = true) => void (broken = on) };
}

sleepSuite("a session whose component can no longer be rebuilt answers the waking event with bad_state, and the client can join again", async () => {
  const { srv, logged, broke } = await fragileServer("fragile", Counter);
  try {
    const a = await TestClient.open(srv.url);
    await a.join("f", "fragile");
    await hibernated(srv, 1);
    broke();
    const e = await a.event("f", "bump");
    assert.is(e.t, "error");
    assert.is(e.code, "bad_state");
    assert.is(e.id, "f");
    assert.is(e.stack, undefined, "no stack to the client");
    assert.ok(logged.length > 0, "the failure is logged");
    assert.is(srv.hotline.stats().hibernated, 0);
    broke(false);
    assert.is((await a.join("f", "fragile")).t, "ok", "the id is free again");
  } finally {
    await srv.stop();
  }
});

sleepSuite("a route's page keeps its route and URL while it sleeps: a url message wakes it, handleParams runs, the title follows", async () => {
  const srv = await startServer({ registry: navRegistry(), routes, layout, hibernateAfterMs: SLEEP_MS });
  try {
    const page = await (await fetch(`${srv.http}/orders?status=paid`)).text();
    const m = /hl-id="([^"]+)" hl-state="([^"]+)"/.exec(page)!;
    const id = m[1]!;
    const c = await TestClient.open(srv.url);
    const ok = await c.join(id, "orders", { state: m[2]!.replace(/&quot;/g, '"').replace(/&amp;/g, "&"), url: "/orders?status=paid" });
    assert.is(ok.t, "ok");
    const copy = copyOf(ok);
    copy.apply(await c.event(id, "bump"));
    await hibernated(srv, 1);
    calls.length = 0;
    const mounted = mounts.orders;
    const answer = await c.request({ t: "url", id, url: "/orders?status=open" });
    assert.is(answer.t, "patch", JSON.stringify(answer));
    assert.ok(answer.r !== undefined, "the root is replaced");
    copy.apply(answer);
    assert.match(copy.html(), /<span class="status">open<\/span>/);
    assert.equal(calls, [{ name: "orders", params: { status: "open" }, url: "/orders?status=open" }]);
    assert.is(mounts.orders, mounted, "woken, not mounted");
    const title = await c.next((x) => x.t === "nav" && x.title === "Orders: open");
    assert.is(title.id, id);
    copy.apply(await c.event(id, "bump"));
    assert.match(copy.html(), /2/, "the bumps went on from the state it slept with");
  } finally {
    await srv.stop();
  }
});

sleepSuite("a session with topics hibernates and keeps listening: a message wakes it, onMessage runs, its viewer gets the whole root; the bus subscription stays", async () => {
  const srv = await startServer({ registry: registry(), hibernateAfterMs: SLEEP_MS });
  try {
    const a = await TestClient.open(srv.url);
    const ok = await a.join("l", "listener");
    const copy = copyOf(ok);
    await hibernated(srv, 1);
    assert.is(srv.hotline.stats().topics, 2, "the topics are still listened to");
    await srv.hotline.pubsub.publish("news", { add: 5 });
    const p = await a.next((m) => m.t === "patch" && m.id === "l");
    assert.ok(p.r !== undefined, "the whole root");
    copy.apply(p);
    assert.match(copy.html(), /n=5/);
    assert.is(srv.hotline.stats().hibernated, 0);
    assert.is(srv.hotline.stats().topics, 2);
    // it sleeps again; a second message wakes it again, and the saved record keeps its topics
    await hibernated(srv, 1);
    await srv.hotline.pubsub.publish("news", { add: 2 });
    copy.apply(await a.next((m) => m.t === "patch" && m.id === "l"));
    assert.match(copy.html(), /n=7/);
    const again = await TestClient.open(srv.url);
    a.close();
    await a.closed;
    await sleep(20);
    assert.is(srv.hotline.stats().topics, 0, "a session that goes (asleep or not) stops listening");
    const back = await again.join("l", "listener", { session: ok.session });
    assert.match(JSON.stringify(back), /n=7/);
    await srv.hotline.pubsub.publish("news", { add: 1 });
    const resumed = await again.next((m) => m.t === "patch" && m.id === "l");
    assert.match(JSON.stringify(resumed), /8/, "the resumed session listens to the topics it slept with");
  } finally {
    await srv.stop();
  }
});

sleepSuite("a sleeping session with topics that leaves stops listening; one that cannot be woken by a message is logged, and the rest go on", async () => {
  const { srv, logged, broke } = await fragileServer("fragile-listener", Listener);
  try {
    const a = await TestClient.open(srv.url);
    await a.join("f", "fragile-listener");
    const copy = copyOf(await a.join("l", "listener"));
    await hibernated(srv, 2);
    broke();
    await srv.hotline.pubsub.publish("news", { add: 1 });
    const lost = await a.next((m) => m.t === "error" && m.id === "f");
    assert.is(lost.code, "bad_state");
    assert.ok(logged.some((l) => /failed to wake/.test(String((l as unknown[])[0]))), "logged");
    copy.apply(await a.next((m) => m.t === "patch" && m.id === "l"));
    assert.match(copy.html(), /n=1/, "the other session got the message");
    a.send({ t: "leave", id: "l" });
    await sleep(20);
    assert.is(srv.hotline.stats().topics, 0);
  } finally {
    await srv.stop();
  }
});

sleepSuite("hibernateAfterMs must be a number of milliseconds", async () => {
  let thrown: unknown;
  try {
    await startServer({ registry: registry(), hibernateAfterMs: -1 });
  } catch (err) {
    thrown = err;
  }
  assert.instance(thrown, TypeError);
});

sleepSuite.run();

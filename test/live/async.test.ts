// Async loading (assignAsync, startAsync) over a real WebSocket, over HTTP and SSE, and through
// hotline/testing: loading at once, the outcome later as a patch, pub/sub not blocked meanwhile,
// failures with a safe message, cancel on leave, restart on resume.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Component } from "../../server/core/component.js";
import { HotlineError } from "../../server/core/errors.js";
import { MemoryStore } from "../../server/core/memory-store.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import type { AsyncContext, AsyncOutcome, AsyncResult } from "../../server/core/async.js";
import { Rendered } from "../../client/rendered.js";
import { live } from "../../server/testing/live.js";
import { startServer, TestClient, type Msg } from "../support/ws-client.js";

/** A load the test ends by hand. */
interface Load {
  signal: AbortSignal;
  resolve(v: unknown): void;
  reject(e: unknown): void;
}
const loads: Load[] = [];
function nextLoad(signal: AbortSignal): Promise<unknown> {
  return new Promise((resolve, reject) => loads.push({ signal, resolve, reject }));
}
/** Waits (without sleeping) until the n-th load has started. */
async function loadStarted(n: number): Promise<Load> {
  for (let i = 0; i < 2000 && loads.length < n; i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(loads.length >= n, `load #${n} never started`);
  return loads[n - 1]!;
}

type OrdersState = { orders: AsyncResult<string[]>; ticks: number; note: string };

function body(s: OrdersState) {
  const o = s.orders;
  return html`<p class="ticks">ticks ${s.ticks}</p>${o.loading ? html`<p class="loading">Loading…</p>` : ""}${o.result ? html`<ul>${o.result.map((x) => html`<li>${x}</li>`)}</ul>` : ""}${o.failed ? html`<p class="failed">${o.failed}</p>` : ""}<p class="note">${s.note}</p>`;
}

class Orders extends Component<OrdersState> {
  static loaders = {
    orders(this: Orders, { signal }: AsyncContext) {
      return nextLoad(signal) as Promise<string[]>;
    },
  };
  static last: Orders | undefined;
  mount() {
    Orders.last = this;
    this.state.ticks = 0;
    this.state.note = "";
    this.subscribe("orders:ticks");
    this.assignAsync("orders");
  }
  hydrate(state: Partial<OrdersState>) {
    Orders.last = this;
    super.hydrate(state);
  }
  onMessage() {
    this.state.ticks += 1;
  }
  onReload() {
    this.assignAsync("orders");
  }
  onReloadThenFail() {
    this.assignAsync("orders");
    throw new Error("changed my mind");
  }
  onImport() {
    this.state.note = "importing";
    this.startAsync("import", ({ signal }) => nextLoad(signal));
  }
  handleAsync(name: string, o: AsyncOutcome) {
    this.state.note = `${name}: ${o.ok ? `ok ${String(o.result)}` : `failed ${o.failed}`}`;
  }
  render() {
    return body(this.state);
  }
  /** Server-driven UI reads the same state: LOADING while it loads, the list once loaded. */
  describe() {
    const o = this.state.orders;
    return { screens: { orders: { components: { list: { rel: "list", behavior: o.loading ? "LOADING" : o.ok ? "VISIBLE" : "HIDDEN", locale: { failed: o.failed ?? "" }, payload: { items: o.result ?? [] } } } } } };
  }
}

/** The same load, inline in mount(): it cannot start again after a resume. */
class Inline extends Component<OrdersState> {
  mount() {
    this.state.ticks = 0;
    this.state.note = "";
    this.assignAsync("orders", ({ signal }) => nextLoad(signal) as Promise<string[]>);
  }
  render() {
    return body(this.state);
  }
}

const registry = new Registry();
registry.register("orders", Orders);
registry.register("inline", Inline);
const logged: unknown[] = [];
const store = new MemoryStore();
const srv = await startServer({ registry, store, logger: { error: (...a: unknown[]) => void logged.push(a) } });

/** A client's copy of one instance's HTML, kept up to date from its frames. */
class Screen {
  tree: Rendered;
  constructor(ok: Msg) {
    this.tree = Rendered.fromJoin(ok);
  }
  apply(m: Msg): string {
    this.tree.apply(m);
    return this.tree.toHTML();
  }
  get html(): string {
    return this.tree.toHTML();
  }
}

const patchFor = (id: string) => (m: Msg) => m.t === "patch" && m.id === id && m.ref === undefined;

test.before.each(() => {
  loads.length = 0;
});

test("a join answers at once with loading; the loaded value comes later as a patch without ref", async () => {
  const c = await TestClient.open(srv.url);
  const ok = await c.join("o1", "orders");
  assert.is(ok.t, "ok");
  const screen = new Screen(ok);
  assert.match(screen.html, "Loading…");
  const load = await loadStarted(1);
  load.resolve(["Milk", "Eggs"]);
  const html = screen.apply(await c.next(patchFor("o1")));
  assert.match(html, "<li>Milk</li><li>Eggs</li>");
  assert.not.match(html, "Loading");
  assert.equal(Orders.last!.state.orders, { loading: false, ok: true, failed: null, result: ["Milk", "Eggs"] });
  c.close();
});

test("while a slow load runs, a pub/sub message to the component is delivered and rendered", async () => {
  const c = await TestClient.open(srv.url);
  const screen = new Screen(await c.join("o2", "orders"));
  const load = await loadStarted(1);
  await srv.hotline.pubsub.publish("orders:ticks", 1);
  const html = screen.apply(await c.next(patchFor("o2")));
  assert.match(html, "ticks 1");
  assert.match(html, "Loading…", "the load is still running");
  // and events are answered meanwhile
  const answer = await c.event("o2", "import");
  assert.is(answer.t, "patch");
  screen.apply(answer);
  assert.match(screen.html, "importing");
  load.resolve(["Tea"]);
  assert.match(screen.apply(await c.next(patchFor("o2"))), "<li>Tea</li>");
  (await loadStarted(2)).resolve(42);
  assert.match(screen.apply(await c.next(patchFor("o2"))), "import: ok 42");
  c.close();
});

test("a load that throws renders failed with a safe message; the error is logged, never sent", async () => {
  logged.length = 0;
  const c = await TestClient.open(srv.url);
  const screen = new Screen(await c.join("o3", "orders"));
  (await loadStarted(1)).reject(new Error("connect ECONNREFUSED db password=hunter2"));
  const html = screen.apply(await c.next(patchFor("o3")));
  assert.match(html, '<p class="failed">loading failed</p>');
  assert.ok(!c.raw.some((f) => f.includes("hunter2") || f.includes("ECONNREFUSED")), "nothing of the error reaches the client");
  assert.ok(JSON.stringify(logged.map((l) => String((l as unknown[])[1]))).includes("hunter2"), "the server's log has it");
  // a HotlineError's message is meant for people: shown as is; and a reload keeps going
  await c.event("o3", "reload");
  (await loadStarted(2)).reject(new HotlineError("unauthorized", "you may not see these orders"));
  assert.match(screen.apply(await c.next(patchFor("o3"))), "you may not see these orders");
  // startAsync's failure goes to handleAsync with the same safe message
  await c.event("o3", "import");
  (await loadStarted(3)).reject(new TypeError("x is undefined"));
  assert.match(screen.apply(await c.next(patchFor("o3"))), "import: failed loading failed");
  c.close();
});

test("a handler that fails after assignAsync never starts the load; the state is as before", async () => {
  const c = await TestClient.open(srv.url);
  const screen = new Screen(await c.join("o4", "orders"));
  (await loadStarted(1)).resolve(["A"]);
  screen.apply(await c.next(patchFor("o4")));
  const answer = await c.event("o4", "reload_then_fail");
  assert.is(answer.t, "error");
  assert.is(answer.code, "handler_error");
  const ping = await c.request({ t: "ping" });
  assert.is(ping.t, "pong");
  assert.is(loads.length, 1, "no second load started");
  assert.equal(Orders.last!.state.orders, { loading: false, ok: true, failed: null, result: ["A"] });
  c.close();
});

test("a failed reload while a load runs leaves that load in charge: its value still lands", async () => {
  const c = await TestClient.open(srv.url);
  const screen = new Screen(await c.join("o4b", "orders"));
  const first = await loadStarted(1);
  assert.is((await c.event("o4b", "reload_then_fail")).code, "handler_error");
  first.resolve(["Still mine"]);
  assert.match(screen.apply(await c.next(patchFor("o4b"))), "<li>Still mine</li>");
  assert.is(first.signal.aborted, false);
  assert.is(loads.length, 1);
  c.close();
});

test("a reload while a load runs aborts the older one; only the newer value lands", async () => {
  const c = await TestClient.open(srv.url);
  const screen = new Screen(await c.join("o4c", "orders"));
  const first = await loadStarted(1);
  screen.apply(await c.event("o4c", "reload"));
  const second = await loadStarted(2);
  assert.is(first.signal.aborted, true);
  first.resolve(["old"]);
  second.resolve(["new"]);
  const html = screen.apply(await c.next(patchFor("o4c")));
  assert.match(html, "<li>new</li>");
  assert.not.match(html, "old");
  c.close();
});

test("leave aborts the load (signal.aborted) and nothing is written after", async () => {
  const c = await TestClient.open(srv.url);
  const ok = await c.join("o5", "orders");
  const component = Orders.last!;
  const load = await loadStarted(1);
  assert.is(load.signal.aborted, false);
  c.send({ t: "leave", id: "o5" });
  for (let i = 0; i < 400 && !load.signal.aborted; i++) await new Promise((r) => setTimeout(r, 5));
  assert.is(load.signal.aborted, true);
  load.resolve(["late"]);
  await srv.hotline.pubsub.publish("orders:ticks", 1); // a barrier: anything queued would come first
  const pong = await c.request({ t: "ping" });
  assert.is(pong.t, "pong");
  await new Promise((r) => setImmediate(r));
  assert.equal(component.state.orders, { loading: true, ok: false, failed: null, result: null }, "the late value was not written");
  assert.is(c.all((m) => m.id === "o5" && m.t === "patch").length, 0);
  const saved = (await store.load(ok.session)) as { s: OrdersState };
  assert.is(saved.s.orders.loading, true, "the store still says loading");
  c.close();
});

test("resume of a session whose load was pending starts it again (static loaders)", async () => {
  const c1 = await TestClient.open(srv.url);
  const ok = await c1.join("o6", "orders");
  const first = await loadStarted(1);
  c1.close();
  for (let i = 0; i < 400 && !first.signal.aborted; i++) await new Promise((r) => setTimeout(r, 5));
  assert.ok(first.signal.aborted, "the closed connection's load is aborted");
  const c2 = await TestClient.open(srv.url);
  const again = await c2.join("o6", "orders", { session: ok.session });
  assert.is(again.t, "ok");
  const screen = new Screen(again);
  assert.match(screen.html, "Loading…");
  const second = await loadStarted(2);
  second.resolve(["Resumed"]);
  assert.match(screen.apply(await c2.next(patchFor("o6"))), "<li>Resumed</li>");
  c2.close();
});

test("resume of an inline load (no static loaders entry) shows it failed as interrupted, never stuck loading", async () => {
  const c1 = await TestClient.open(srv.url);
  const ok = await c1.join("i1", "inline");
  await loadStarted(1);
  c1.close();
  await new Promise((r) => setTimeout(r, 50));
  const c2 = await TestClient.open(srv.url);
  const again = await c2.join("i1", "inline", { session: ok.session });
  assert.match(new Screen(again).html, '<p class="failed">loading was interrupted</p>');
  assert.is(loads.length, 1);
  c2.close();
});

test("a page embed hands a static loader on to the join as loading; an inline load is awaited by the page", async () => {
  const embedded = srv.hotline.live("orders");
  const markup = await embedded;
  assert.match(markup, "Loading…");
  assert.is(loads.length, 0, "the embed does not run a load the join starts again");
  const token = /hl-state="([^"]+)"/.exec(markup)![1]!;
  const c = await TestClient.open(srv.url);
  const screen = new Screen(await c.join("e1", "orders", { state: token }));
  (await loadStarted(1)).resolve(["From the join"]);
  assert.match(screen.apply(await c.next(patchFor("e1"))), "From the join");
  c.close();
  const inline = srv.hotline.live("inline");
  (await loadStarted(2)).resolve(["Inline"]);
  assert.match(await inline, "<li>Inline</li>");
});

test("HTTP waits for the loads before answering; SSE sends the loading render, then the loaded one", async () => {
  const answer = fetch(`${srv.http}/components/orders`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  (await loadStarted(1)).resolve(["Over HTTP"]);
  const json = (await (await answer).json()) as { html: string; state: string };
  assert.match(json.html, "<li>Over HTTP</li>");
  const sse = await fetch(`${srv.http}/components/orders/stream`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ state: json.state, event: "reload" }) });
  const reader = sse.body!.getReader();
  let text = "";
  while (!text.includes("Loading")) text += new TextDecoder().decode((await reader.read()).value);
  (await loadStarted(2)).resolve(["Streamed"]);
  for (let r = await reader.read(); !r.done; r = await reader.read()) text += new TextDecoder().decode(r.value);
  const frames = text.split("\n\n").filter((f) => f.startsWith("data:")).map((f) => JSON.parse(f.slice(5)) as { html: string; stream_done?: boolean });
  assert.is(frames.length, 2);
  assert.match(frames[0]!.html, "Loading…");
  assert.match(frames[0]!.html, "<li>Over HTTP</li>", "the previous result stays while reloading");
  assert.is(frames[0]!.stream_done, undefined);
  assert.match(frames[1]!.html, "<li>Streamed</li>");
  assert.is(frames[1]!.stream_done, true);
});

test("asyncDispatch() runs the loads to the end; dispatch() leaves them loading", async () => {
  const c = new Orders();
  const done = c.asyncDispatch();
  (await loadStarted(1)).resolve(["Direct"]);
  assert.equal((await done).state.orders.result, ["Direct"]);
  assert.equal(new Orders().dispatch().state.orders, { loading: true, ok: false, failed: null, result: null });
  assert.is(loads.length, 1);
});

test("a value the state cannot keep, a sync throw, a throwing handleAsync: failed or logged, never an unhandled rejection", async () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown) => void unhandled.push(e);
  process.on("unhandledRejection", onUnhandled);
  class Odd extends Component<{ a: AsyncResult<unknown>; b: AsyncResult<unknown>; note: string }> {
    mount() {
      this.state.note = "";
      this.assignAsync("a", () => new Date());
      this.assignAsync("b", () => { throw new Error("sync"); });
      this.startAsync("x", () => 1);
    }
    handleAsync() { this.state.note = "changed"; throw new Error("handleAsync broke"); }
    render() { return html`<p>${this.state.note}</p>`; }
  }
  const quiet = console.error;
  console.error = () => {};
  try {
    const { state } = await new Odd().asyncDispatch();
    assert.equal(state.a, { loading: false, ok: false, failed: "loading failed", result: null });
    assert.equal(state.b, { loading: false, ok: false, failed: "loading failed", result: null });
    assert.is(state.note, "", "a throwing handleAsync's changes are undone");
  } finally {
    console.error = quiet;
  }
  await new Promise((r) => setTimeout(r, 20));
  process.off("unhandledRejection", onUnhandled);
  assert.equal(unhandled, []);
});

test("hotline/testing: view.loaded() waits for the loads and their renders", async () => {
  const view = await live(Orders);
  assert.match(view.html(), "Loading…");
  (await loadStarted(1)).resolve(["Tested"]);
  await view.loaded();
  assert.match(view.html(), "<li>Tested</li>");
  await view.event("import");
  const load = await loadStarted(2);
  let settled = false;
  const waiting = view.loaded(5000).then(() => (settled = true));
  await view.settled();
  assert.is(settled, false, "loaded() waits for a running load");
  load.resolve("x");
  await waiting;
  assert.match(view.html(), "import: ok x");
  await view.close();
});

test("sdui: the same state, as screens: LOADING first, then the items", async () => {
  const c = await TestClient.open(srv.url);
  const ok = await c.join("s1", "orders", { format: "sdui" });
  assert.is(ok.screens.orders.components.list.behavior, "LOADING");
  (await loadStarted(1)).resolve(["Native"]);
  const patch = await c.next(patchFor("s1"));
  assert.is(patch.screens.orders.components.list.behavior, "VISIBLE");
  assert.equal(patch.screens.orders.components.list.payload.items, ["Native"]);
  c.close();
});

test("hostile: a client cannot reach handleAsync or the async plumbing as events", async () => {
  const c = await TestClient.open(srv.url);
  await c.join("h1", "orders");
  for (const event of ["handle_async", "handle-async", "async", "assign_async", "start_async"]) {
    const answer = await c.event("h1", event, { name: "import", outcome: { ok: true, result: "forged" } });
    assert.is(answer.t, "error", event);
    assert.is(answer.code, "unknown_event", event);
  }
  assert.not.match(JSON.stringify(Orders.last!.state), "forged");
  c.close();
});

test.after(() => srv.stop());
test.run();

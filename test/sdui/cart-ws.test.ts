// The cart in sdui format over a real WebSocket server (createHotline + ws): the join gives
// screens, every patch carries only the components that changed, with APPEND or MATCH and only the
// items concerned, checkout streams LOADING then HIDDEN, and a reference cache fed the frames
// equals what the component describes after every event.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Cart } from "../../components/cart.js";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { validateScreenSet, type ScreenSet } from "../../server/sdui/screens.js";
import { html } from "../../server/core/template/template.js";
import { SduiCache } from "../../client/sdui-cache.js";
import { startServer, TestClient, type Msg } from "../support/ws-client.js";

Cart.checkoutDelayMs = 30;

const TOPIC = `sdui-test:${process.pid}:${Date.now()}`;

/** Ticks whenever its topic says so; describes a single "clock" component. */
class Ticker extends Component<{ n: number }> {
  mount() {
    this.state.n = 0;
    this.subscribe(TOPIC);
  }
  onMessage(_topic: string, message: unknown) {
    this.state.n = (message as { n: number }).n;
  }
  onBump() {
    this.state.n += 1;
  }
  describe() {
    return { screens: { clock: { components: { face: { rel: "face", behavior: "VISIBLE", locale: { label: `tick ${this.state.n}` }, payload: { n: this.state.n } } } } } };
  }
  render() {
    return html`<p>${this.state.n}</p>`;
  }
}

/** No describe(): it cannot join in sdui format. */
class HtmlOnly extends Component {
  render() {
    return html`<p>html only</p>`;
  }
}

const registry = new Registry();
registry.register("cart", Cart);
registry.register("ticker", Ticker);
registry.register("html_only", HtmlOnly);
const s = await startServer({ registry });

/** The same cart, driven locally by the same events: what the client must end up holding. */
async function mirror(events: [string, Record<string, unknown>?][]): Promise<ScreenSet> {
  const cart = new Cart();
  cart.mount();
  for (const [event, payload] of events) await cart.asyncHandleEvent(event, payload);
  return validateScreenSet(cart.describe());
}

const components = (m: Msg) => m.screens?.cart?.components ?? {};

const ws = suite("sdui over WebSocket: the cart");

ws("join, add, add, more, checkout: minimal patches, and the cache equals describe() after each", async () => {
  const c = await TestClient.open(s.url);
  const cache = new SduiCache();
  const done: [string, Record<string, unknown>?][] = [];
  const check = async (what: string) => {
    assert.equal(cache.screen("cart"), (await mirror(done)).screens.cart, `cache after ${what}`);
  };

  const ok = await c.join("c1", "cart", { format: "sdui" });
  assert.is(ok.t, "ok");
  assert.is(ok.html, undefined, "no html in sdui format");
  assert.equal(Object.keys(components(ok)).sort(), ["appbar", "checkout_button", "order_list"]);
  assert.is(components(ok).checkout_button.behavior, "HIDDEN", "an empty cart hides checkout");
  cache.apply({ screens: ok.screens });
  await check("join");

  // first add: the button appears (ACTION), the list gets its first item
  let p = await c.event("c1", "add", { sku: "tea" });
  assert.is(p.t, "patch");
  assert.equal(Object.keys(components(p)).sort(), ["appbar", "checkout_button", "order_list"]);
  assert.is(components(p).checkout_button.behavior, "ACTION");
  cache.apply({ screens: p.screens });
  done.push(["add", { sku: "tea" }]);
  await check("the first add");

  // second add: APPEND with the new item only; checkout_button did not change, so it is absent
  p = await c.event("c1", "add", { sku: "mug" });
  assert.equal(Object.keys(components(p)).sort(), ["appbar", "order_list"]);
  const list = components(p).order_list;
  assert.equal(list.mergeStrategy, { type: "APPEND" });
  assert.is(list.payload.items.length, 1);
  assert.is(list.payload.items[0].product, "Stoneware mug");
  assert.is(components(p).appbar.locale.count, "2 items");
  cache.apply({ screens: p.screens });
  done.push(["add", { sku: "mug" }]);
  await check("the second add");

  // a quantity change: MATCH with that item only
  p = await c.event("c1", "more", { id: "1" });
  const matched = components(p).order_list;
  assert.equal(matched.mergeStrategy, { type: "MATCH" });
  assert.equal(matched.payload.items.map((i: { id: number; quantity: number }) => [i.id, i.quantity]), [[1, 2]]);
  cache.apply({ screens: p.screens });
  done.push(["more", { id: "1" }]);
  await check("more");
  assert.equal(cache.component("cart", "order_list")!.payload, { items: [
    { id: 1, product: "Green tea", description: "Sencha, loose leaf, 100 g tin", quantity: 2, price: "$8.50" },
    { id: 2, product: "Stoneware mug", description: "Hand-glazed, 350 ml, dishwasher safe", quantity: 1, price: "$14.00" },
  ] });

  // checkout: a LOADING step (done:false), then the end (done:true) with the button HIDDEN
  const ref = 777;
  c.send({ t: "event", id: "c1", event: "checkout", ref });
  const step = await c.next((m) => m.ref === ref);
  assert.is(step.done, false);
  assert.equal(Object.keys(components(step)), ["checkout_button"], "the LOADING step changes the button only");
  assert.is(components(step).checkout_button.behavior, "LOADING");
  cache.apply({ screens: step.screens });
  assert.is(cache.component("cart", "checkout_button")!.behavior, "LOADING");
  const last = await c.next((m) => m.ref === ref);
  assert.is(last.done, true);
  assert.is(components(last).checkout_button.behavior, "HIDDEN");
  assert.equal(components(last).order_list.payload.items, []);
  cache.apply({ screens: last.screens });
  done.push(["checkout"]);
  await check("checkout");
  assert.equal(cache.render("cart", { "*": (x) => x.rel }), ["appbar", "order_list"], "HIDDEN is not rendered");
  c.close();
});

ws("an event that changes nothing answers an empty patch (no screens)", async () => {
  const c = await TestClient.open(s.url);
  await c.join("c2", "cart", { format: "sdui" });
  const p = await c.event("c2", "checkout"); // nothing to check out
  assert.is(p.t, "patch");
  assert.is(p.screens, undefined);
  c.close();
});

ws("a rejoin with the session key sends every component whole again (REPLACE)", async () => {
  const a = await TestClient.open(s.url);
  const ok = await a.join("c3", "cart", { format: "sdui" });
  await a.event("c3", "add", { sku: "kettle" });
  a.close();
  const b = await TestClient.open(s.url);
  const again = await b.join("c3", "cart", { format: "sdui", session: ok.session });
  const list = components(again).order_list;
  assert.is(list.mergeStrategy, undefined);
  assert.is(list.payload.items.length, 1);
  assert.is(list.payload.items[0].product, "Gooseneck kettle");
  b.close();
});

ws("a bad event payload is an error, and the next patch is still minimal", async () => {
  const c = await TestClient.open(s.url);
  await c.join("c4", "cart", { format: "sdui" });
  const e = await c.event("c4", "add", { sku: "nope" });
  assert.is(e.t, "error");
  assert.is(e.code, "bad_message");
  const p = await c.event("c4", "add", { sku: "tea" });
  assert.is(components(p).order_list.payload.items.length, 1);
  c.close();
});

const other = suite("sdui over WebSocket: pub/sub, and components without describe()");

other("a pub/sub message patches every sdui viewer, without a ref", async () => {
  const a = await TestClient.open(s.url);
  const b = await TestClient.open(s.url);
  const okA = await a.join("t", "ticker", { format: "sdui" });
  await b.join("t", "ticker", { format: "sdui" });
  assert.is(okA.screens.clock.components.face.locale.label, "tick 0");
  await s.hotline.pubsub.publish(TOPIC, { n: 5 });
  for (const c of [a, b]) {
    const p = await c.next((m) => m.t === "patch");
    assert.is(p.ref, undefined);
    assert.equal(p.screens, { clock: { components: { face: { rel: "face", behavior: "VISIBLE", locale: { label: "tick 5" }, payload: { n: 5 } } } } });
  }
  const p = await a.event("t", "bump");
  assert.is(p.screens.clock.components.face.payload.n, 6);
  a.close();
  b.close();
});

other("joining a component without describe() in sdui format is a bad_message error", async () => {
  const c = await TestClient.open(s.url);
  const e = await c.join("h", "html_only", { format: "sdui" });
  assert.is(e.t, "error");
  assert.is(e.code, "bad_message");
  assert.match(e.message, "describe()");
  const ok = await c.join("h2", "html_only");
  assert.is(ok.t, "ok");
  assert.match(ok.html, "html only");
  c.close();
});

const http = suite("sdui over HTTP");

const post = (name: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${s.http}/components/${name}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });

http('"format": "sdui" in the body answers {screens, state}; the state carries the cart to the next request', async () => {
  let res = await post("cart", { format: "sdui" });
  assert.is(res.status, 200);
  assert.match(res.headers.get("content-type")!, "application/vnd.hotline.sdui+json");
  let body = (await res.json()) as { screens: ScreenSet["screens"]; state: string; html?: string };
  assert.is(body.html, undefined);
  assert.equal(body.screens, (await mirror([])).screens);
  res = await post("cart", { format: "sdui", state: body.state, event: "add", payload: { sku: "tea" } });
  body = (await res.json()) as typeof body;
  res = await post("cart", { format: "sdui", state: body.state, event: "add", payload: { sku: "mug" } });
  body = (await res.json()) as typeof body;
  assert.equal(body.screens, (await mirror([["add", { sku: "tea" }], ["add", { sku: "mug" }]])).screens, "every component whole");
  assert.is(body.screens.cart!.components.order_list!.mergeStrategy, undefined);
  // a streaming handler runs to its end over plain HTTP
  res = await post("cart", { format: "sdui", state: body.state, event: "checkout" });
  body = (await res.json()) as typeof body;
  assert.is(body.screens.cart!.components.checkout_button!.behavior, "HIDDEN");
});

http("Accept: application/vnd.hotline.sdui+json asks for the same; html stays the default", async () => {
  const res = await post("cart", {}, { accept: "application/vnd.hotline.sdui+json" });
  const body = (await res.json()) as { screens?: unknown; html?: string };
  assert.ok(body.screens);
  const plain = (await (await post("cart", {})).json()) as { screens?: unknown; html?: string };
  assert.is(plain.screens, undefined);
  assert.match(plain.html!, "cart-lines");
});

http("sdui for a component without describe(), or an unknown format, is 400 bad_message", async () => {
  let res = await post("html_only", { format: "sdui" });
  assert.is(res.status, 400);
  assert.is(((await res.json()) as { error: { code: string } }).error.code, "bad_message");
  res = await post("cart", { format: "xml" });
  assert.is(res.status, 400);
});

// uvu runs the suites in order: the last one's after hook closes the server
http.after(() => s.stop());
ws.run();
other.run();
http.run();

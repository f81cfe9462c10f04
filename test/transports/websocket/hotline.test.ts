// createHotline's request handler (client bundle, fall-through) and an sdui join over WebSocket.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Component } from "../../../server/core/component.js";
import { Registry } from "../../../server/core/registry.js";
import { html } from "../../../server/core/template/template.js";
import { startServer, TestClient } from "../../support/ws-client.js";

const registry = new Registry();
class Cart extends Component<{ items: { id: number }[] }> {
  mount() {
    this.state.items = [{ id: 1 }];
  }
  onAdd() {
    this.state.items.push({ id: this.state.items.length + 1 });
  }
  describe() {
    return { screens: { cart: { components: { list: { rel: "list", behavior: "VISIBLE", locale: {}, payload: { items: this.state.items } } } } } };
  }
  render() {
    return html`<p>${this.state.items.length}</p>`;
  }
}
registry.register("cart", Cart);

const s = await startServer({ registry });

test("the client bundle is served at clientPath with an ETag and Cache-Control; If-None-Match gives 304", async () => {
  const res = await fetch(`${s.http}/hotline.js`);
  assert.is(res.status, 200);
  assert.match(res.headers.get("content-type")!, /javascript/);
  assert.ok(res.headers.get("cache-control"));
  const etag = res.headers.get("etag")!;
  assert.ok((await res.text()).length > 1000);
  const again = await fetch(`${s.http}/hotline.js`, { headers: { "If-None-Match": etag } });
  assert.is(again.status, 304);
});

test("other requests go to the HTTP transport, then next() or 404", async () => {
  assert.is((await fetch(`${s.http}/nowhere`)).status, 404);
  let called = false;
  await new Promise<void>((done) => {
    const res = { headersSent: false, writeHead() { return this; }, end() { done(); } } as never;
    void s.hotline.handler({ url: "/nowhere", method: "GET", headers: {} } as never, res, () => {
      called = true;
      done();
    });
  });
  assert.ok(called);
});

test("sdui: a join with format sdui gets screens, and a patch carries only what changed", async () => {
  const c = await TestClient.open(s.url);
  const ok = await c.join("cart", "cart", { format: "sdui" });
  assert.equal(ok.screens, { cart: { components: { list: { rel: "list", behavior: "VISIBLE", locale: {}, payload: { items: [{ id: 1 }] } } } } });
  assert.is(ok.html, undefined);
  const p = await c.event("cart", "add");
  const list = p.screens.cart.components.list;
  const strategy = list.mergeStrategy?.type ?? "REPLACE";
  assert.equal(list.payload.items, strategy === "APPEND" ? [{ id: 2 }] : [{ id: 1 }, { id: 2 }]);
  c.close();
});

test.after(() => s.stop());
test.run();

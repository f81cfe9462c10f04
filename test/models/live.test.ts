// Live model updates over a real WebSocket server (memory adapter, memory pub/sub): a save by one
// viewer, and a write made through the adapter by no component at all, reach every joined
// editor and the orders list as patches; a page-embedded editor's token join hydrates and follows.
import { test } from "uvu";
import * as assert from "uvu/assert";
import "../../components/order-editor.js";
import "../../components/orders.js";
import { MemoryPubSub } from "../../pubsub/memory.js";
import { createMemoryOrders } from "../../demo/orders-model.js";
import { startModelFeed } from "../../server/models/feed.js";
import type { IncomingMessage } from "node:http";
import { setupModels } from "../../demo/models.js";
import { ordersPage } from "../../demo/pages/orders.js";
import { Rendered } from "../../client/rendered.js";
import { startServer, TestClient } from "../support/ws-client.js";

const adapter = createMemoryOrders();
const srv = await startServer({ services: { orders: adapter } });
const feed = await startModelFeed(adapter, srv.hotline.pubsub);
const unref = (m: { t: string; ref?: number }) => m.t === "patch" && m.ref === undefined;

test("a viewer's save reaches the other editor of the row and the list, as patches without ref", async () => {
  const a = await TestClient.open(srv.url);
  const b = await TestClient.open(srv.url);
  await a.join("ed", "order_editor", { params: { pk: 1 } });
  const okB = await b.join("ed", "order_editor", { params: { pk: 1 } });
  assert.match(okB.html as string, /value="Ada Lovelace"/);
  await b.join("list", "orders");
  const answer = await a.event("ed", "save", { customer: "Ada Byron", status: "paid" });
  assert.is(answer.t, "patch");
  const editor = Rendered.fromJoin(okB);
  editor.apply(await b.next((m) => unref(m) && m.id === "ed"));
  assert.match(editor.toHTML(), /name="customer" class="input" value="Ada Byron"/);
  assert.match(editor.toHTML(), /<option value="paid" selected>/);
  assert.match(editor.toHTML(), /version 2/);
  assert.match(JSON.stringify(await b.next((m) => unref(m) && m.id === "list")), /Ada Byron/);
  a.close();
  b.close();
});

test("a write through the adapter by no component reaches a joined editor; a refused field is an error frame", async () => {
  const c = await TestClient.open(srv.url);
  await c.join("ed", "order_editor", { params: { pk: 2 } });
  await adapter.save(2, { customer: "Rear Admiral Hopper" }, 1);
  const p = await c.next(unref);
  assert.match(JSON.stringify(p), /Rear Admiral Hopper/);
  const err = await c.event("ed", "bind", { name: "total", value: "0" });
  assert.is(err.t, "error");
  assert.is(err.code, "unauthorized");
  assert.is((await adapter.get(2))!.total, 89);
  c.close();
});

test("an editor embedded in a page joins with its token and follows its row", async () => {
  const embed = await srv.hotline.live("order_editor", { pk: 3 }, { id: "e3" });
  const token = /hl-state="([^"]+)"/.exec(embed)![1]!;
  const c = await TestClient.open(srv.url);
  const ok = await c.join("e3", "order_editor", { state: token, params: { pk: 3 } });
  assert.match(ok.html as string, /Alan Turing/);
  await adapter.save(3, { status: "cancelled" }, 1);
  const p = await c.next(unref);
  const view = Rendered.fromJoin(ok);
  view.apply(p);
  assert.match(view.toHTML(), /<option value="cancelled" selected>/);
  assert.match(view.toHTML(), /version 2/);
  c.close();
});

test("the demo: setupModels wires an in-memory orders table and its feed; the /orders page embeds the list and the editor", async () => {
  // the demo's order: the orders (and their feed, on the app's pub/sub) first, then the app that serves them
  const pubsub = new MemoryPubSub();
  const models = await setupModels({ pubsub, databaseUrl: "", role: "" });
  const demo = await startServer({ pubsub, services: { orders: models.adapter } });
  try {
    assert.ok(models.feed, "the feed runs in this (single) process");
    const req = { url: "/orders?pk=2" } as IncomingMessage;
    const body = await ordersPage.body({ req, live: (name, params) => demo.hotline.live(name, params) });
    assert.match(body, /hl-component="orders"/);
    assert.match(body, /hl-component="order_editor"[^>]*hl-params="\{&quot;pk&quot;:2\}"/);
    assert.match(body, /Grace Hopper/);
    const bad = await ordersPage.body({ req: { url: "/orders?pk=1%20OR%201=1" } as IncomingMessage, live: (n, p) => demo.hotline.live(n, p) });
    assert.not.match(bad, /hl-component="order_editor"/, "a malformed ?pk= embeds no editor");
    const c = await TestClient.open(demo.url);
    await c.join("list", "orders");
    await models.adapter.save(5, { status: "paid" }, 1);
    assert.match(JSON.stringify(await c.next(unref)), /paid/);
    c.close();
    const web = await setupModels({ pubsub, databaseUrl: "postgres://nobody@127.0.0.1:1/x", role: "web" }).catch((e: Error) => e);
    assert.instance(web, Error, "a configured database that cannot be reached fails the start-up");
  } finally {
    await models.close();
    await demo.stop();
    await pubsub.close();
  }
});

test.after(async () => {
  await feed.close();
  await srv.stop();
  await adapter.close();
});

test.run();

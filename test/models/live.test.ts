// Live model updates over a real WebSocket server (memory adapter, memory pub/sub): a save by one
// viewer, and a write made through the adapter by no component at all, reach every joined
// editor and the orders list as patches; a page-embedded editor's token join hydrates and follows.
// Editors are opened as a page opens them: `live("order_editor", { pk }, { user })`, the key signed
// into the token for that user; only an order's owner may change it.
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
import type { Hotline, HotlineOptions } from "../../server/hotline.js";
import { startServer, TestClient } from "../support/ws-client.js";

// Who sends a request, as the test's app resolves it: a header naming one of these users.
const USERS = { ada: { id: "ada", name: "Ada" }, grace: { id: "grace", name: "Grace" } } as const;
type Who = keyof typeof USERS;
const authenticate: HotlineOptions["authenticate"] = (req) => USERS[String(req.headers["x-test-user"]) as Who] ?? null;

const adapter = createMemoryOrders();
const srv = await startServer({ services: { orders: adapter }, authenticate });
const feed = await startModelFeed(adapter, srv.hotline.pubsub);
const unref = (m: { t: string; ref?: number }) => m.t === "patch" && m.ref === undefined;

/** A connection signed in as `who`. */
const as = (who: Who, url = srv.url) => TestClient.open(url, { headers: { "x-test-user": who } });

/** The editor of order `pk` as the orders page embeds it for `who`: its signed token. */
async function editorToken(pk: number, who: Who, hotline: Hotline = srv.hotline): Promise<string> {
  return /hl-state="([^"]+)"/.exec(await hotline.live("order_editor", { pk }, { user: USERS[who] }))![1]!;
}

/** Joins the editor of order `pk` on `c`, signed in as `who`, as the page's client would. */
async function openEditor(c: TestClient, id: string, pk: number, who: Who) {
  return c.join(id, "order_editor", { state: await editorToken(pk, who) });
}

test("a viewer's save reaches the other editor of the row and the list, as patches without ref", async () => {
  const a = await as("ada");
  const b = await as("grace");
  assert.is((await openEditor(a, "ed", 1, "ada")).t, "ok");
  const okB = await openEditor(b, "ed", 1, "grace");
  assert.match(okB.html as string, /value="Ada Lovelace"/);
  assert.match(okB.html as string, /Owned by ada: read-only/, "grace views ada's order read-only");
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
  const c = await as("grace");
  assert.is((await openEditor(c, "ed", 2, "grace")).t, "ok");
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
  const embed = await srv.hotline.live("order_editor", { pk: 3 }, { id: "e3", user: USERS.ada });
  assert.not.match(embed, /hl-params/, "the key travels signed in the token, not beside it");
  const token = /hl-state="([^"]+)"/.exec(embed)![1]!;
  const c = await as("ada");
  const ok = await c.join("e3", "order_editor", { state: token });
  assert.match(ok.html as string, /Alan Turing/);
  await adapter.save(3, { status: "cancelled" }, 1);
  const p = await c.next(unref);
  const view = Rendered.fromJoin(ok);
  view.apply(p);
  assert.match(view.toHTML(), /<option value="cancelled" selected>/);
  assert.match(view.toHTML(), /version 2/);
  c.close();
});

test("only the owner edits: another user's save and bind are unauthorized over WebSocket and HTTP, and change nothing", async () => {
  const before = await adapter.get(4); // grace's
  const c = await as("ada");
  const ok = await openEditor(c, "ed", 4, "ada");
  assert.match(ok.html as string, /Owned by grace: read-only/);
  assert.match(ok.html as string, /<fieldset class="read-only-form" disabled>/, "every control of the form is disabled");
  for (const [event, payload] of [["save", { customer: "Mallory" }], ["bind", { name: "customer", value: "Mallory" }], ["save", {}]] as const) {
    const e = await c.event("ed", event, payload);
    assert.is(e.code, "unauthorized", `${event} by another user`);
  }
  assert.equal(await adapter.get(4), before, "nothing changed");
  // The same over HTTP and htmx, with the editor's token made for ada.
  const token = await editorToken(4, "ada");
  for (const hx of [{}, { "hx-request": "true" }] as Record<string, string>[]) {
    const r = await fetch(`${srv.http}/components/order_editor`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-test-user": "ada", ...hx },
      body: JSON.stringify({ state: token, event: "save", payload: { customer: "Mallory" } }),
    });
    assert.is(r.status, 403);
  }
  assert.equal(await adapter.get(4), before, "nothing changed over HTTP either");
  // The connection goes on: ada edits her own order.
  await openEditor(c, "mine", 5, "ada");
  assert.is((await c.event("mine", "save", { status: "paid" })).t, "patch");
  assert.is((await adapter.get(5))!.status, "paid");
  c.close();
});

test("a client cannot choose the order: a join with its own {pk}, or the owner in a save, is refused", async () => {
  const c = await as("ada");
  const chosen = await c.join("x", "order_editor", { params: { pk: 2 } });
  assert.is(chosen.code, "bad_message", "pk is not a param a client may choose");
  await openEditor(c, "ed", 1, "ada");
  const steal = await c.event("ed", "save", { owner: "grace" });
  assert.is(steal.code, "unauthorized");
  const bind = await c.event("ed", "bind", { name: "owner", value: "grace" });
  assert.is(bind.code, "unauthorized");
  assert.is((await adapter.get(1))!.owner, "ada");
  const other = await as("grace");
  assert.is((await other.join("ed", "order_editor", { state: await editorToken(1, "ada") })).code, "bad_state", "a token made for ada opens nothing for grace");
  c.close();
  other.close();
});

test("the demo: setupModels wires an in-memory orders table and its feed; the /orders page embeds the list and the editor", async () => {
  // the demo's order: the orders (and their feed, on the app's pub/sub) first, then the app that serves them
  const pubsub = new MemoryPubSub();
  const models = await setupModels({ pubsub, databaseUrl: "", role: "" });
  const demo = await startServer({ pubsub, services: { orders: models.adapter }, authenticate });
  try {
    assert.ok(models.feed, "the feed runs in this (single) process");
    const req = { url: "/orders?pk=2" } as IncomingMessage;
    const user = USERS.grace;
    const body = await ordersPage.body({ req, user, live: (name, params) => demo.hotline.live(name, params, { user }) });
    assert.match(body, /hl-component="orders"/);
    assert.match(body, /hl-component="order_editor"/);
    assert.match(body, /Grace Hopper/);
    // the editor's key is signed into its token: joining with it (as grace) opens order 2, editable
    const token = /hl-component="order_editor"[^>]*hl-state="([^"]+)"/.exec(body)![1]!;
    const g = await as("grace", demo.url);
    const opened = await g.join("ed", "order_editor", { state: token });
    assert.match(opened.html as string, /Order #2/);
    assert.not.match(opened.html as string, /read-only/, "grace owns order 2");
    g.close();
    const bad = await ordersPage.body({ req: { url: "/orders?pk=1%20OR%201=1" } as IncomingMessage, user, live: (n, p) => demo.hotline.live(n, p, { user }) });
    assert.not.match(bad, /hl-component="order_editor"/, "a malformed ?pk= embeds no editor");
    const c = await as("ada", demo.url);
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

// The whole live path with a real database: an UPDATE committed by a separate `pg` client (as
// psql would) -> NOTIFY -> the adapter's feed -> startModelFeed -> pub/sub -> the joined
// order_editor re-reads its row -> a patch on a raw WebSocket client. The editor is opened as the
// orders page opens it (its key signed into a token for the signed-in user), by the order's owner.
import pg from "pg";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rendered } from "../../client/rendered.js";
import "../../components/order-editor.js";
import "../../components/orders.js";
import { openPostgresOrders } from "../../demo/orders-model.js";
import { startModelFeed } from "../../server/models/feed.js";
import type { HotlineOptions } from "../../server/hotline.js";
import { needPostgres } from "../support/services.js";
import { startServer, TestClient } from "../support/ws-client.js";

// Who sends a request, as the test's app resolves it: a header naming the user.
const authenticate: HotlineOptions["authenticate"] = (req) => {
  const id = req.headers["x-test-user"];
  return typeof id === "string" ? { id, name: id } : null;
};

const url = await needPostgres();
const pool = new pg.Pool({ connectionString: url, max: 4 });
const table = `hl_live_${process.pid}_${Date.now().toString(36)}`;
const adapter = await openPostgresOrders(pool, { table });
const srv = await startServer({ services: { orders: adapter }, authenticate });
const feed = await startModelFeed(adapter, srv.hotline.pubsub);
const outside = new pg.Client({ connectionString: url });
await outside.connect();
const unref = (m: { t: string; ref?: number }) => m.t === "patch" && m.ref === undefined;

/** A connection signed in as `who`, and the editor of order `pk` joined on it from the page's token. */
async function editorOf(pk: number, who: string): Promise<{ c: TestClient; ok: Awaited<ReturnType<TestClient["join"]>> }> {
  const c = await TestClient.open(srv.url, { headers: { "x-test-user": who } });
  const embed = await srv.hotline.live("order_editor", { pk }, { user: { id: who, name: who } });
  return { c, ok: await c.join("ed", "order_editor", { state: /hl-state="([^"]+)"/.exec(embed)![1] }) };
}

test("an UPDATE made outside the app reaches a joined editor and the list as patches", async () => {
  const { c, ok } = await editorOf(2, "grace");
  const list = await c.join("list", "orders");
  const view = Rendered.fromJoin(ok);
  await outside.query(`UPDATE "${table}" SET customer = 'Grace B. M. Hopper', status = 'shipped' WHERE id = 2`);
  view.apply(await c.next((m) => unref(m) && m.id === "ed"));
  const out = view.toHTML();
  assert.match(out, /name="customer" class="input" value="Grace B. M. Hopper"/);
  assert.match(out, /<option value="shipped" selected>/);
  assert.match(out, /version 2/, "the trigger moved the version, and the editor holds it");
  const lv = Rendered.fromJoin(list);
  lv.apply(await c.next((m) => unref(m) && m.id === "list"));
  assert.match(lv.toHTML(), /Grace B\. M\. Hopper/);
  // the editor's next save is made on top of version 2, so it is not a conflict
  const answer = await c.event("ed", "save", { status: "paid" });
  assert.is(answer.t, "patch");
  assert.is((await pool.query(`SELECT status, version FROM "${table}" WHERE id = 2`)).rows[0].version, 3);
  c.close();
});

test("an outside UPDATE while the viewer has an unsaved edit of that field keeps the edit and flags it", async () => {
  const { c, ok } = await editorOf(4, "grace");
  const view = Rendered.fromJoin(ok);
  view.apply(await c.event("ed", "bind", { name: "customer", value: "K. Johnson" }));
  await outside.query(`UPDATE "${table}" SET customer = 'Katherine G. Johnson' WHERE id = 4`);
  view.apply(await c.next(unref));
  const out = view.toHTML();
  assert.match(out, /value="K\. Johnson"/);
  assert.match(out, /Saved elsewhere as: <strong>Katherine G\. Johnson<\/strong>/);
  c.close();
});

test("another user's save of the order is unauthorized, and the row in the database is unchanged", async () => {
  const { c, ok } = await editorOf(1, "grace"); // ada's order
  assert.match(ok.html as string, /Owned by ada: read-only/);
  const before = (await pool.query(`SELECT customer, owner, version FROM "${table}" WHERE id = 1`)).rows[0];
  assert.is((await c.event("ed", "save", { customer: "Grace's now" })).code, "unauthorized");
  assert.equal((await pool.query(`SELECT customer, owner, version FROM "${table}" WHERE id = 1`)).rows[0], before);
  assert.is(before.owner, "ada");
  c.close();
});

test.after(async () => {
  await outside.end();
  await feed.close();
  await srv.stop();
  await adapter.close();
  await pool.query(`DROP TABLE IF EXISTS "${table}"`);
  await pool.end();
});

test.run();

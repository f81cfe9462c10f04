// The orders list and the demo's orders page, through the app's runtime (hotline/testing): the list
// filtered by a checked status, the editor of the chosen order as a child mounted from the row the
// list read, the URL's params checked by the page's schema, and a save in the editor reaching the
// page (emit "saved" -> a flash).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { live, createTestApp } from "hotline/testing";
import type { Hotline, ModelAdapter } from "hotline";
import { Orders, orderKey } from "../../components/orders.js";
import "../../components/order-editor.js";
import { OrdersPage } from "../../demo/pages/orders.js";
import { createMemoryOrders } from "../../demo/orders-model.js";

const ada = { id: "ada", name: "Ada" };
const grace = { id: "grace", name: "Grace" };
let orders: ModelAdapter;
let app: Hotline;
const test = suite("orders page");
test.before.each(() => {
  orders = createMemoryOrders();
  app = createTestApp({ services: { orders } as never });
});
test.after.each(async () => {
  await app.close();
});

test("orderKey takes plain positive integers only", () => {
  assert.equal(["1", "42", 7, "123456789"].map(orderKey), [1, 42, 7, 123456789]);
  assert.equal(["0", "-1", "1.5", "1e3", "01", "1 OR 1=1", "1234567890", "", null, undefined, {}, [1]].map(orderKey), Array(12).fill(null));
});

test("a status filters the list; an unknown one filters nothing; the chosen order's editor is a child", async () => {
  const view = await live(Orders, { app, user: grace, params: { status: "paid", selected: 2 } });
  assert.equal(view.find("table.orders tbody .status").map((e) => e.textContent), ["paid"]);
  assert.is(view.element(".filters [aria-current]").text(), "paid");
  const editor = view.child("editor-2");
  assert.ok(editor, "the editor of order 2 is a child of the list");
  assert.match(view.element('[hl-component="order_editor"] h2').text(), "Order #2");
  assert.is(view.find('[hl-component="order_editor"] input[name=customer]')[0]?.getAttribute("value"), "Grace Hopper");
  const all = await live(Orders, { app, user: grace, params: { status: "bogus", selected: "2; DROP TABLE" } });
  assert.is(all.find("table.orders tbody tr").length, 5);
  assert.is(all.find('[hl-component="order_editor"]').length, 0);
});

test("the page's schema checks the URL's params", async () => {
  const schema = OrdersPage.clientParams!["~standard"];
  const ok = async (v: unknown) => !("issues" in (await schema.validate(v)));
  assert.ok(await ok({}));
  assert.ok(await ok({ status: "paid", pk: "2" }));
  for (const bad of [{ status: "PAID" }, { status: ["paid", "pending"] }, { pk: "0" }, { pk: "2 OR 1=1" }, { pk: 2 }, { status: "<script>" }]) {
    assert.not.ok(await ok(bad), JSON.stringify(bad));
  }
});

test("handleParams takes the URL's status and key; the title follows the filter", async () => {
  const page = new OrdersPage({}, { services: { orders } as never, user: grace });
  await page.mount();
  page.handleParams({ status: "cancelled", pk: "4" });
  assert.equal([page.state.status, page.state.selected], ["cancelled", 4]);
  assert.is(page.pageTitle(), "Orders: cancelled · Hotline");
  page.handleParams({});
  assert.equal([page.state.status, page.state.selected], [null, null]);
  assert.is(page.pageTitle(), "Orders · Hotline");
});

test("a save in the editor child tells the page (emit 'saved'); a refused save tells it nothing", async () => {
  const heard: unknown[] = [];
  const onSaved = OrdersPage.prototype.onSaved;
  OrdersPage.prototype.onSaved = function (this: OrdersPage, p: { pk?: unknown }) {
    heard.push(p.pk);
    return onSaved.call(this, p);
  };
  try {
    const view = await live(OrdersPage, { app, user: grace, params: { selected: 4 } });
    const editor = view.child("editor-4")!;
    assert.ok(editor, "the editor of order 4 is live");
    await editor.event("save", { customer: "Katherine G. Johnson" });
    await view.settled();
    assert.equal(heard, [4]);
    assert.is((await orders.get(4))!.customer, "Katherine G. Johnson");
    await editor.event("save", {}); // nothing changed: no write, no word
    await view.settled();
    assert.equal(heard, [4]);
    const other = await live(OrdersPage, { app, user: ada, params: { selected: 4 } });
    await other.child("editor-4")!.event("save", { customer: "Ada's" }).catch(() => {}); // not hers: refused
    await other.settled();
    assert.equal(heard, [4]);
  } finally {
    OrdersPage.prototype.onSaved = onSaved;
  }
});

test.run();

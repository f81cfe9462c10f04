// The order editor and its owner: anyone signed in may view an order, only its owner may change it
// (every event of anyone else is unauthorized and changes nothing), the editor renders read-only
// for everyone else, the owner is never written by a client, and a new order belongs to its creator.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { OrderEditor } from "../../components/order-editor.js";
import { createMemoryOrders } from "../../demo/orders-model.js";
import { HotlineError, type HotlineUser } from "../../server/core/index.js";
import { toHTML } from "../../server/core/steps.js";
import type { ModelAdapter } from "../../server/models/model.js";

const ada: HotlineUser = { id: "ada", name: "Ada" };
const grace: HotlineUser = { id: "grace", name: "Grace" };
let orders: ModelAdapter = createMemoryOrders();
test.before.each(() => {
  orders = createMemoryOrders();
});

async function open(pk: number | undefined, user: HotlineUser | null, cls: typeof OrderEditor = OrderEditor): Promise<OrderEditor> {
  const c = new cls(pk === undefined ? {} : { pk }, { services: { orders }, user });
  await c.mount();
  return c;
}

async function refused(p: Promise<unknown>): Promise<void> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, HotlineError);
    assert.is((err as HotlineError).code, "unauthorized");
    return;
  }
  assert.unreachable("expected unauthorized");
}

test("the owner gets the form: controls enabled, Save, the owner shown as text", async () => {
  const c = await open(1, ada);
  const out = toHTML(c);
  assert.not.match(out, "read-only");
  assert.not.match(out, /disabled/);
  assert.match(out, /<button type="submit"[^>]*>Save<\/button>/);
  assert.match(out, /<output id="[^"]+" class="value"[^>]*>ada<\/output>/, "the owner, as text");
  assert.not.match(out, /name="owner"/, "no control for the owner");
  await c.asyncHandleEvent("save", { customer: "Ada King" });
  assert.is((await orders.get(1))!.customer, "Ada King");
});

test("another user views it read-only: a note, every control disabled; each event unauthorized, nothing changed", async () => {
  const c = await open(1, grace);
  const out = toHTML(c);
  assert.match(out, /<p class="read-only-note">Owned by ada: read-only<\/p>/);
  assert.match(out, /<fieldset class="read-only-form" disabled>\s*<form class="model-form"/);
  assert.match(out, /value="Ada Lovelace"/, "the values are shown");
  const before = await orders.get(1);
  const state = structuredClone(c.state);
  await refused(c.asyncHandleEvent("save", { customer: "Grace's" }));
  await refused(c.asyncHandleEvent("bind", { name: "status", value: "paid" }));
  assert.equal(c.state, state, "the state is as it was");
  assert.equal(await orders.get(1), before);
  assert.is(c.authorizeEvent(), false, "a plain (sync) check");
});

test("no user at all: read-only, every event unauthorized", async () => {
  const c = await open(2, null);
  assert.match(toHTML(c), "Owned by grace: read-only");
  await refused(c.asyncHandleEvent("save", { customer: "x" }));
});

test("the owner cannot give the order away: owner in a save or a bind is unauthorized", async () => {
  const c = await open(1, ada);
  await refused(c.asyncHandleEvent("save", { customer: "Ada", owner: "grace" }));
  await refused(c.asyncHandleEvent("bind", { name: "owner", value: "grace" }));
  await refused(c.asyncHandleEvent("bind", { field: "owner", value: "grace" }));
  assert.is((await orders.get(1))!.owner, "ada");
  assert.is(c.state.customer, "Ada Lovelace");
});

test("a change of owner made elsewhere reaches the editor: it turns read-only", async () => {
  const c = await open(3, ada);
  await orders.save(3, { owner: "grace" }, 1);
  await c.reload();
  assert.match(toHTML(c), "Owned by grace: read-only");
  await refused(c.asyncHandleEvent("save", { customer: "x" }));
});

test("a new order (no pk) belongs to its creator, who may save it", async () => {
  // The demo's editor shows the total read-only; an editor that lets the creator type it can create a row.
  class NewOrder extends OrderEditor {
    static fields = ["status", "customer", "total", "owner"];
    static readonly: string[] = [];
  }
  const c = await open(undefined, grace, NewOrder);
  assert.is(c.pk, null);
  assert.is(c.state.owner, "grace");
  assert.equal(c.dirty.size, 0, "the owner is not an edit");
  assert.not.match(toHTML(c), "read-only");
  await c.asyncHandleEvent("save", { customer: "Barbara Liskov", total: "10" });
  assert.is(c.pk, 6);
  assert.equal(await orders.get(6), { id: 6, status: "pending", customer: "Barbara Liskov", total: 10, owner: "grace", version: 1 });
  await refused(c.asyncHandleEvent("save", { owner: "ada" }));
  const other = await open(6, ada);
  await refused(other.asyncHandleEvent("save", { customer: "mine now" }));
});

test.run();

// ModelComponent over the memory adapter: declarative binding (what a client may write), type
// checks, validation beside the fields, dirty tracking, optimistic concurrency between two
// editors, changes from elsewhere, and the generated form's markup.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { MemoryPubSub } from "../../pubsub/memory.js";
import { HotlineError } from "../../server/core/index.js";
import type { ModelAdapter, ModelChange } from "../../server/models/model.js";
import { ModelComponent } from "../../server/models/model-component.js";
import { modelResyncTopic, modelTopic } from "../../server/models/live.js";
import { MemoryModelAdapter } from "../../server/models/memory.js";
import { createMemoryOrders } from "../../demo/orders-model.js";
import { startModelFeed } from "../../server/models/feed.js";
import { OrderEditor } from "../../components/order-editor.js";
import { Orders } from "../../components/orders.js";
import { toHTML } from "../../server/core/steps.js";
import type { ComponentContext, HotlineServices } from "../../server/core/context.js";

let adapter: ModelAdapter = createMemoryOrders();

/** The seed's declaration, bound to whichever adapter the test made. */
class Editor extends ModelComponent {
  static fields = ["status", "customer"];
  static readonly = ["total"];
  getModel() { return adapter; }
}
/** Every column editable (the default when `fields` is not given). */
class AllFields extends ModelComponent {
  getModel() { return adapter; }
}
/** `total` excluded: not shown, not in state, not writable. */
class NoTotal extends ModelComponent {
  static exclude = ["total"];
  getModel() { return adapter; }
}

/** The app's services, as createHotline({ services }) gives them (OrderEditor reads `orders`). */
const services = () => ({ orders: adapter });

async function open<T extends ModelComponent>(cls: new (p?: any, context?: ComponentContext) => T, params: Record<string, unknown> = { pk: 1 }): Promise<T> {
  const c = new cls(params, { services: services() });
  await c.mount();
  return c;
}

async function refused(p: Promise<unknown>, code: string): Promise<HotlineError> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, HotlineError);
    assert.is((err as HotlineError).code, code);
    return err as HotlineError;
  }
  throw new Error(`expected a ${code} error`);
}

const fresh = () => { adapter = createMemoryOrders(); };

// ---------------------------------------------------------------------------------------------
const binding = suite("binding");
binding.before.each(fresh);

binding("mount loads the row by params.pk: bound fields, key and version in state; follows the row", async () => {
  const c = await open(Editor, { pk: "2" });
  assert.is(c.state.status, "paid");
  assert.is(c.state.customer, "Grace Hopper");
  assert.is(c.state.total, 89);
  assert.is(c.state.id, 2);
  assert.is(c.state.version, 1);
  assert.is(c.pk, 2);
  assert.equal([...c.topics].sort(), [modelTopic("orders", 2), modelResyncTopic("orders")].sort());
  assert.equal(c.dirty.size, 0);
});

binding("bind writes an allowed field, coerced to its type, and marks it dirty until it matches again", async () => {
  const c = await open(Editor);
  await c.asyncHandleEvent("bind", { name: "status", value: "paid" });
  assert.is(c.state.status, "paid");
  assert.equal([...c.dirty], ["status"]);
  assert.ok(/data-field="status"[^]*?\(edited\)/.test(toHTML(c)), "the dirty field is marked");
  await c.asyncHandleEvent("bind", { field: "status", value: "pending" });
  assert.equal(c.dirty.size, 0, "back to the saved value: not dirty");
  assert.is((await adapter.get(1))!.status, "pending", "bind alone writes nothing to the table");
});

binding("a read-only, an excluded, an unknown field, the key and the version are refused with unauthorized", async () => {
  const c = await open(Editor);
  for (const name of ["total", "id", "version", "nope", "__proto__", "constructor"]) {
    await refused(c.asyncHandleEvent("bind", { name, value: "1" }), "unauthorized");
  }
  await refused(c.asyncHandleEvent("bind", { value: "1" }), "unauthorized");
  assert.is(c.state.total, 120.5);
  const n = await open(NoTotal);
  assert.not.ok("total" in n.state, "an excluded field is not kept in state");
  await refused(n.asyncHandleEvent("bind", { name: "total", value: 1 }), "unauthorized");
  assert.not.ok(toHTML(n).includes("total"), "nor shown");
});

binding("save with a read-only field in the payload is refused and writes nothing, not even the allowed fields", async () => {
  const c = await open(Editor);
  const err = await refused(c.asyncHandleEvent("save", { status: "paid", total: "0" }), "unauthorized");
  assert.not.ok(err.message.includes("total"), "the client's field name is not echoed");
  assert.is(c.state.status, "pending", "the state is restored");
  assert.equal(await adapter.get(1), { id: 1, status: "pending", customer: "Ada Lovelace", total: 120.5, owner: "ada", version: 1 });
});

binding("values are type-checked against the metadata: an ill-typed value is bad_message, a good one coerced", async () => {
  const c = await open(AllFields);
  await c.asyncHandleEvent("bind", { name: "total", value: "99.50" });
  assert.is(c.state.total, 99.5);
  await refused(c.asyncHandleEvent("bind", { name: "total", value: "12abc" }), "bad_message");
  await refused(c.asyncHandleEvent("bind", { name: "customer", value: { $ne: 1 } }), "bad_message");
  await refused(c.asyncHandleEvent("bind", { name: "customer", value: ["a", "b"] }), "bad_message");
  await refused(c.asyncHandleEvent("save", { total: "1 OR 1=1" }), "bad_message");
  assert.is(c.state.total, 99.5);
  assert.is((await adapter.get(1))!.total, 120.5);
});

binding("an ill-typed or unknown key in params is refused before the adapter sees it; a missing row says so", async () => {
  await refused(open(Editor, { pk: "1 OR 1=1" }), "bad_message");
  const c = await open(Editor, { pk: 999 });
  assert.ok(toHTML(c).includes("There is no such record."));
});

// ---------------------------------------------------------------------------------------------
const validation = suite("validation and saving");
validation.before.each(fresh);

validation("model validation errors land in errors and render beside their field, aria-linked", async () => {
  const c = await open(Editor);
  await c.asyncHandleEvent("bind", { name: "customer", value: "   " });
  await c.asyncHandleEvent("bind", { name: "status", value: "lost" });
  assert.is(c.errors.customer, "must not be blank");
  assert.ok(c.errors.status!.startsWith("must be one of"));
  const out = toHTML(c);
  const input = /<input[^>]*name="customer"[^>]*>/.exec(out)![0];
  assert.ok(input.includes('aria-invalid="true"'), input);
  const describedBy = /aria-describedby="([^"]+)"/.exec(input)![1]!;
  assert.ok(new RegExp(`<p class="field-error" id="${describedBy}">must not be blank</p>`).test(out), "the message is the described-by element");
  await c.asyncHandleEvent("save", {});
  assert.is((await adapter.get(1))!.version, 1, "an invalid form is not saved");
  assert.ok(toHTML(c).includes("Some values are not valid"));
});

validation("save writes the dirty fields with the version read; the form is clean and the version moves", async () => {
  const c = await open(Editor);
  await c.asyncHandleEvent("save", { status: "shipped", customer: "Ada King" });
  assert.equal(await adapter.get(1), { id: 1, status: "shipped", customer: "Ada King", total: 120.5, owner: "ada", version: 2 });
  assert.is(c.state.version, 2);
  assert.equal(c.dirty.size, 0);
  assert.ok(toHTML(c).includes("Saved."));
});

validation("a blank instance (no pk) creates the row on save and then follows it", async () => {
  const c = await open(AllFields, {});
  assert.is(c.pk, null);
  assert.equal([...c.topics], []);
  await c.asyncHandleEvent("save", { customer: "Barbara Liskov", total: "10", owner: "barbara" });
  assert.is(c.pk, 6);
  assert.equal(await adapter.get(6), { id: 6, status: "pending", customer: "Barbara Liskov", total: 10, owner: "barbara", version: 1 });
  assert.ok(c.topics.has(modelTopic("orders", 6)));
});

validation("two editors of one row: the second save gets a conflict that shows the current values", async () => {
  const a = await open(Editor);
  const b = await open(Editor);
  await a.asyncHandleEvent("save", { status: "paid", customer: "Ada Lovelace" });
  await b.asyncHandleEvent("bind", { name: "status", value: "cancelled" });
  await b.asyncHandleEvent("save", {});
  assert.is((await adapter.get(1))!.status, "paid", "the first save stands");
  assert.is(b.state.status, "cancelled", "the second editor keeps its edit");
  assert.equal(b.state.$conflicts, { status: "paid" });
  assert.is(b.state.version, 2, "and now holds the current version");
  assert.is(b.errors.status, "was changed by someone else");
  const out = toHTML(b);
  assert.ok(out.includes("Someone else saved this record after you opened it"), "a clear message");
  assert.ok(/id="([^"]+-status-conflict)">Saved elsewhere as: <strong>paid<\/strong>/.test(out), "the current value beside the field");
  assert.ok(out.includes(`hl-click="keep_mine"`), "a Keep mine button");
  // saving again is refused: writing over the shown value is the explicit Keep mine
  await b.asyncHandleEvent("save", {});
  assert.is((await adapter.get(1))!.status, "paid");
  assert.equal(b.state.$conflicts, { status: "paid" });
  await b.asyncHandleEvent("keep_mine", {});
  assert.equal(await adapter.get(1), { id: 1, status: "cancelled", customer: "Ada Lovelace", total: 120.5, owner: "ada", version: 3 });
  assert.equal(b.state.$conflicts, {});
});

validation("a conflict on a field the editor did not touch takes the new value silently", async () => {
  const a = await open(Editor);
  const b = await open(Editor);
  await a.asyncHandleEvent("save", { customer: "Countess Lovelace" });
  await b.asyncHandleEvent("save", { status: "paid" });
  assert.is(b.state.customer, "Countess Lovelace");
  assert.equal(b.state.$conflicts, {});
  assert.is((await adapter.get(1))!.status, "pending", "not written: the user reviews first");
});

validation("a row deleted elsewhere: the save says so", async () => {
  const c = await open(Editor);
  await adapter.delete(1, 1);
  await c.asyncHandleEvent("save", { status: "paid" });
  assert.ok(toHTML(c).includes("This record was deleted elsewhere"));
});

// ---------------------------------------------------------------------------------------------
const remote = suite("changes from elsewhere");
remote.before.each(fresh);

remote("a change to the row reloads it; an unsaved edit of another field is kept", async () => {
  const c = await open(Editor);
  await c.asyncHandleEvent("bind", { name: "customer", value: "A. L." });
  await adapter.save(1, { status: "paid" }, 1);
  await c.onMessage(modelTopic("orders", 1), { table: "orders", op: "update", pk: 1, version: 2 } satisfies ModelChange);
  assert.is(c.state.status, "paid");
  assert.is(c.state.customer, "A. L.");
  assert.is(c.state.version, 2);
  assert.equal([...c.dirty], ["customer"]);
  assert.equal(c.state.$conflicts, {});
});

remote("an edited field that changed remotely keeps the edit and is flagged; a resync reloads too", async () => {
  const c = await open(Editor);
  await c.asyncHandleEvent("bind", { name: "customer", value: "A. L." });
  await adapter.save(1, { customer: "Lady Lovelace", total: 1 }, 1);
  await c.onMessage(modelResyncTopic("orders"), { table: "orders", op: "resync", pk: null, version: null } satisfies ModelChange);
  assert.is(c.state.customer, "A. L.");
  assert.is(c.state.total, 1, "a read-only field always takes the stored value");
  assert.equal(c.state.$conflicts, { customer: "Lady Lovelace" });
  assert.ok(toHTML(c).includes("Saved elsewhere as: <strong>Lady Lovelace</strong>"));
});

remote("changes to other rows and the echo of its own save are ignored", async () => {
  const c = await open(Editor);
  let gets = 0;
  const get = adapter.get.bind(adapter);
  adapter.get = async (pk) => (gets++, get(pk));
  await c.onMessage(modelTopic("orders"), { table: "orders", op: "update", pk: 2, version: 2 });
  await c.asyncHandleEvent("save", { status: "paid" });
  await c.onMessage(modelTopic("orders", 1), { table: "orders", op: "update", pk: 1, version: 2 });
  assert.is(gets, 0);
});

remote("followers of one row in a process share one read per announced change", async () => {
  const eds = await Promise.all([1, 2, 3].map(() => open(Editor)));
  await adapter.save(1, { status: "paid" }, 1);
  let gets = 0;
  const get = adapter.get.bind(adapter);
  adapter.get = async (pk) => (gets++, get(pk));
  const change: ModelChange = { table: "orders", op: "update", pk: 1, version: 2 };
  await Promise.all(eds.map((e) => e.onMessage(modelTopic("orders", 1), change)));
  assert.is(gets, 1);
  assert.equal(eds.map((e) => e.state.status), ["paid", "paid", "paid"]);
  await adapter.save(1, { status: "shipped" }, 2);
  await eds[0]!.onMessage(modelTopic("orders", 1), { ...change, version: 3 });
  assert.is(gets, 2, "a later change is read again");
  assert.is(eds[0]!.state.status, "shipped");
});

remote("startModelFeed publishes each change on the row's and the table's topics, resyncs on the table's and :*", async () => {
  const pubsub = new MemoryPubSub();
  const got: [string, unknown][] = [];
  for (const t of [modelTopic("orders"), modelTopic("orders", 3), modelResyncTopic("orders")]) {
    await pubsub.subscribe(t, (m, i) => got.push([i.topic, m]));
  }
  let listener: ((c: ModelChange) => void) | undefined;
  const fake = { ...adapter, metadata: () => adapter.metadata(), watch: async (l: (c: ModelChange) => void) => ((listener = l), async () => {}) } as ModelAdapter;
  const feed = await startModelFeed(adapter, pubsub);
  const resyncFeed = await startModelFeed(fake, pubsub);
  await adapter.save(3, { status: "paid" }, 1);
  listener!({ table: "orders", op: "resync", pk: null, version: null });
  await new Promise((r) => setTimeout(r, 10));
  const change = { table: "orders", op: "update", pk: 3, version: 2 };
  const resync = { table: "orders", op: "resync", pk: null, version: null };
  assert.equal(got, [["model:orders:3", change], ["model:orders", change], ["model:orders:*", resync], ["model:orders", resync]]);
  await feed.close();
  await resyncFeed.close();
  await adapter.save(3, { status: "shipped" }, 2);
  await new Promise((r) => setTimeout(r, 10));
  assert.is(got.length, 4, "a closed feed publishes nothing");
  await pubsub.close();
});

// ---------------------------------------------------------------------------------------------
const forms = suite("generated form");
forms.before.each(fresh);

forms("the order editor: labels, a select for the enum, the read-only total as text, Save with hl-disable-with", async () => {
  const c = await open(OrderEditor, { pk: 1 });
  const out = toHTML(c);
  assert.ok(out.includes("Order #1"));
  assert.ok(/<form class="model-form" hl-submit="save"/.test(out));
  const select = /<select id="([^"]+)" name="status"[^>]*hl-change="bind"[^>]*required[^>]*>([^]*?)<\/select>/.exec(out)!;
  assert.ok(select, out);
  assert.ok(new RegExp(`<label\\s+for="${select[1]}">Status`).test(out));
  assert.equal([...select[2]!.matchAll(/<option value="([^"]*)"/g)].map((m) => m[1]), ["pending", "paid", "shipped", "cancelled"]);
  assert.ok(/<option value="pending" selected>/.test(select[2]!));
  assert.ok(/<input type="text" id="[^"]+" name="customer" class="input" value="Ada Lovelace" hl-change="bind" maxlength="80" required>/.test(out), out);
  assert.ok(/<output id="[^"]+" class="value"[^>]*>120.5<\/output>/.test(out));
  assert.not.ok(/name="total"/.test(out), "no control for a read-only field");
  assert.ok(/<button type="submit" class="btn primary" hl-disable-with="Saving…">Save<\/button>/.test(out));
});

forms("values are escaped: markup typed into a field comes back as text", async () => {
  const c = await open(Editor);
  await c.asyncHandleEvent("bind", { name: "customer", value: `"><script>alert(1)</script>` });
  const out = toHTML(c);
  assert.not.ok(out.includes("<script>"));
  assert.ok(out.includes('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"'));
});

forms("input types follow the column types: number, checkbox, date, datetime-local, textarea, select", async () => {
  adapter = new MemoryModelAdapter({
    table: "tasks",
    fields: [
      { name: "title", type: "string", nullable: false },
      { name: "qty", type: "integer", nullable: true },
      { name: "price", type: "number", nullable: true },
      { name: "done", type: "boolean", nullable: false },
      { name: "due", type: "date", nullable: true },
      { name: "remind_at", type: "datetime", nullable: true },
      { name: "notes", type: "text", nullable: true },
      { name: "size", type: "string", nullable: true, enum: ["S", "M"] },
    ],
    rows: [{ id: 1, title: "Pack", qty: 2, price: 1.5, done: true, due: "2026-01-31", remind_at: "2026-01-30T09:15:00.000Z", notes: "a\nb", size: null }],
  });
  const c = await open(AllFields);
  const out = toHTML(c);
  assert.ok(/<input type="number" [^>]*name="qty"[^>]*step="1"/.test(out));
  assert.ok(/<input type="number" [^>]*name="price"[^>]*value="1.5"[^>]*step="any"/.test(out));
  assert.ok(/<input type="hidden" name="done" value="false"><input type="checkbox" [^>]*name="done" value="true"[^>]* checked/.test(out), out);
  assert.ok(/<input type="date" [^>]*name="due" class="input" value="2026-01-31"/.test(out));
  assert.ok(/<input type="datetime-local" [^>]*name="remind_at" class="input" value="2026-01-30T09:15"/.test(out));
  assert.ok(/<textarea [^>]*name="notes"[^>]*>a\nb<\/textarea>/.test(out));
  assert.ok(/<select [^>]*name="size"[^>]*>\s*<option value="" selected>/.test(out), "a nullable enum offers an empty choice");
  assert.ok(/<label\s+for="tasks-1-remind_at">Remind at/.test(out), "labels from snake_case");
  // what those controls send comes back typed
  await c.asyncHandleEvent("save", { title: "Pack", qty: "3", price: "", done: ["false"], due: "2026-02-01", remind_at: "2026-02-01T08:00", notes: "", size: "M" });
  const row = (await adapter.get(1))!;
  assert.equal([row.qty, row.price, row.done, row.due, row.remind_at, row.size], [3, null, false, "2026-02-01", "2026-02-01T08:00", "M"]);
  await c.asyncHandleEvent("bind", { name: "done", value: true });
  assert.is(c.state.done, true);
});

// ---------------------------------------------------------------------------------------------
const list = suite("orders list");
list.before.each(fresh);

list("lists every order, follows the table's topic, re-reads on a change", async () => {
  const c = new Orders({ selected: 2 }, { services: services() });
  await c.mount();
  assert.ok(c.topics.has("model:orders"));
  let out = toHTML(c);
  assert.is((out.match(/<tr id="order-/g) ?? []).length, 5);
  assert.ok(/<tr id="order-2" class="selected">/.test(out));
  assert.ok(out.includes('<a href="?pk=3"'));
  await adapter.save(3, { customer: "<b>Alan</b>" }, 1);
  await c.onMessage();
  out = toHTML(c);
  assert.ok(out.includes("&lt;b&gt;Alan&lt;/b&gt;"));
});

// ---------------------------------------------------------------------------------------------
const app = suite("the adapter from the app's services");
app.before.each(fresh);

app("static model names a service: each app's context gives its own adapter to the same class", async () => {
  const other = createMemoryOrders();
  await other.save(1, { customer: "Other App Ltd" }, 1);
  const mine = await open(OrderEditor, { pk: 1 });
  const theirs = new OrderEditor({ pk: 1 }, { services: { orders: other } });
  await theirs.mount();
  assert.is(mine.state.customer, "Ada Lovelace");
  assert.is(theirs.state.customer, "Other App Ltd");
  const list = new Orders({}, { services: { orders: other } });
  await list.mount();
  assert.ok(toHTML(list).includes("Other App Ltd"));
});

app("a missing service, or one that is not an adapter, is the app's handler_error naming the class and the key", async () => {
  for (const [services, why] of [[{}, /OrderEditor[^]*"orders"/], [{ orders: { list() {} } }, /OrderEditor[^]*"orders"[^]*not a ModelAdapter/]] as const) {
    const err = await refused(Promise.resolve().then(() => new OrderEditor({ pk: 1 }, { services: services as HotlineServices }).mount()), "handler_error");
    assert.is(err.fault, "app");
    assert.match(err.message, why);
  }
  for (const [services, why] of [[{}, /Orders[^]*"orders"/], [{ orders: { list() {} } }, /Orders[^]*"orders"[^]*not a ModelAdapter/]] as const) {
    const err = await refused(new Orders({}, { services: services as HotlineServices }).mount(), "handler_error");
    assert.is(err.fault, "app");
    assert.match(err.message, why);
  }
});

binding.run();
validation.run();
remote.run();
forms.run();
list.run();
app.run();

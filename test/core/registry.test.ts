import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Component, Registry, register, registry, html, HotlineError, MemoryStore } from "../../server/core/index.js";

const r = suite("registry");

r("the decorator registers in the default registry; registry.register too", () => {
  @register("registry-test-a")
  class A extends Component { render() { return html`a`; } }
  assert.is(registry.get("registry-test-a"), A);
  const mine = new Registry();
  class B extends Component { render() { return html`b`; } }
  assert.is(mine.register("b", B), B);
  assert.is(mine.get("b"), B);
  assert.equal(mine.names(), ["b"]);
});

r("a name registered twice is an error", () => {
  const mine = new Registry();
  class C extends Component {}
  mine.register("c", C);
  assert.throws(() => mine.register("c", C), /already registered/);
  assert.throws(() => register("c", mine)(C), /already registered/);
});

r("unknown names: get gives undefined, require gives unknown_component", () => {
  const mine = new Registry();
  assert.is(mine.get("nope"), undefined);
  assert.is(mine.get(42 as unknown as string), undefined);
  try { mine.require("nope"); assert.unreachable(); } catch (e) { assert.is((e as HotlineError).code, "unknown_component"); }
  try { mine.require({ toString: () => "x" }); assert.unreachable(); } catch (e) { assert.is((e as HotlineError).code, "unknown_component"); }
});

r("invalid names are refused", () => {
  const mine = new Registry();
  for (const bad of ["", "1abc", "a b", "<x>", "a".repeat(65)]) assert.throws(() => mine.register(bad, class extends Component {}));
});

r.run();

const m = suite("MemoryStore: bounded, least recently used out first");

m("past maxEntries the least recently used entry goes", async () => {
  const store = new MemoryStore({ maxEntries: 3 });
  await store.save("a", { n: 1 });
  await store.save("b", { n: 2 });
  await store.save("c", { n: 3 });
  await store.load("a"); // a is now the most recently used
  await store.save("d", { n: 4 });
  assert.is(await store.load("b"), null);
  assert.equal(await store.load("a"), { n: 1 });
  assert.is(store.size, 3);
});

m("entries expire after their TTL; saved states are copies", async () => {
  const store = new MemoryStore();
  const state = { items: [1] };
  await store.save("k", state, 30);
  state.items.push(2);
  const loaded = await store.load("k");
  assert.equal(loaded, { items: [1] });
  (loaded!.items as number[]).push(3);
  assert.equal(await store.load("k"), { items: [1] });
  await new Promise((res) => setTimeout(res, 50));
  assert.is(await store.load("k"), null);
});

m.run();

// Server side of server-driven UI (docs/sdui.md): checking what describe() returns, and the diff.
// The property that matters: a cache holding `prev` that applies diffScreens(prev, next) holds
// exactly `next`, whatever strategy the diff chose.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { SduiCache } from "../../client/sdui-cache.js";
import { HotlineError } from "../../server/core/errors.js";
import { diffScreens, jsonEqual, validateScreenSet, type SduiComponent, type ScreenSet } from "../../server/sdui/screens.js";

type Item = Record<string, unknown>;
const comp = (rel: string, payload: unknown, extra: Partial<SduiComponent> = {}): SduiComponent =>
  ({ rel, behavior: "VISIBLE", locale: {}, payload, ...extra });
const screenSet = (screen: string, ...components: SduiComponent[]): ScreenSet =>
  ({ screens: { [screen]: { components: Object.fromEntries(components.map((c) => [c.rel, c])) } } });
const only = (patch: ScreenSet | null, screen = "cart", rel = "orders") => patch!.screens[screen]!.components[rel]!;

function throwsApp(fn: () => unknown, pattern: RegExp) {
  try {
    fn();
  } catch (err) {
    assert.instance(err, HotlineError);
    assert.is((err as HotlineError).code, "handler_error");
    assert.is((err as HotlineError).fault, "app");
    assert.match((err as Error).message, pattern);
    return;
  }
  assert.unreachable("expected a HotlineError");
}

const validate = suite("sdui: validateScreenSet");

validate("accepts a well-formed description and returns a deep copy of it", () => {
  const items = [{ id: 1 }];
  const described = screenSet("cart", comp("orders", { items }, { locale: { title: "Orders" }, mergeStrategy: { type: "APPEND" } }));
  const checked = validateScreenSet(described);
  assert.equal(checked, described);
  items.push({ id: 2 });
  assert.equal(only(checked).payload, { items: [{ id: 1 }] }, "mutating component state later cannot change the kept description");
});

validate("rejects bad components with handler_error naming the screen, the rel and the field", () => {
  const bad = (c: unknown, rel = "orders") => () => validateScreenSet({ screens: { cart: { components: { [rel]: c } } } });
  throwsApp(bad(comp("other", {})), /"orders" of screen "cart".*rel must equal its key/);
  throwsApp(bad(comp("", {}), ""), /rel must be a non-empty string/);
  throwsApp(bad(comp("orders", {}, { behavior: "" })), /"orders".*behavior must be a non-empty string/);
  throwsApp(bad(comp("orders", {}, { locale: { t: { nested: "x" } } as never })), /"orders".*locale\["t"\] must be a string/);
  throwsApp(bad({ rel: "orders", behavior: "VISIBLE", locale: {} }), /"orders".*payload is missing/);
  throwsApp(bad(comp("orders", { at: new Date() })), /"orders".*payload\.at is a Date, not plain JSON/);
  throwsApp(bad(comp("orders", { items: [1, Number.NaN] })), /payload\.items\[1\] is not a finite number/);
  throwsApp(bad(comp("orders", { f: () => 1 })), /payload\.f is a function/);
  throwsApp(bad(comp("orders", { u: undefined })), /payload\.u is undefined/);
  throwsApp(bad(comp("orders", { n: 1n })), /payload\.n is a bigint/);
  const cyclic: Item = {};
  cyclic.self = cyclic;
  throwsApp(bad(comp("orders", cyclic)), /payload\.self refers to itself/);
  throwsApp(bad(comp("orders", { title: "x" }, { mergeStrategy: { type: "APPEND" } })), /"orders".*only for a payload that holds a list/);
  throwsApp(bad(comp("orders", { items: [] }, { mergeStrategy: { type: "MERGE" } as never })), /mergeStrategy\.type must be one of/);
  throwsApp(bad("x"), /"orders".*must be an object/);
  throwsApp(() => validateScreenSet({ cart: {} }), /must return \{ screens/);
  throwsApp(() => validateScreenSet({ screens: { cart: [] } }), /screen "cart"/);
});

validate("a shared subobject is not a cycle", () => {
  const shared = { x: 1 };
  validateScreenSet(screenSet("s", comp("a", { a: shared, b: shared })));
});

const diff = suite("sdui: diffScreens");

const list = (n: number, from = 0): Item[] => Array.from({ length: n }, (_, i) => ({ id: from + i, name: `item ${from + i}`, price: (from + i) % 97 }));
const orders = (items: Item[], extra: Partial<SduiComponent> = {}) =>
  screenSet("cart", comp("orders", { items }, { locale: { title: "Your orders" }, ...extra }), comp("appbar", {}, { locale: { title: "Cart" } }));

diff("the first diff sends everything whole, as REPLACE; no change gives null", () => {
  const s = orders(list(3), { mergeStrategy: { type: "APPEND" } });
  const first = diffScreens(undefined, s)!;
  assert.equal(first, orders(list(3)), "no merge instruction: a rejoining client replaces what it had");
  assert.is(diffScreens(s, structuredClone(s)), null);
  assert.equal(diffScreens(undefined, { screens: { empty: { components: {} } } }), { screens: { empty: { components: {} } } });
});

diff("only changed components are sent", () => {
  const prev = orders(list(3));
  const next = structuredClone(prev);
  next.screens.cart!.components.appbar!.locale.title = "Basket";
  const patch = diffScreens(prev, next)!;
  assert.equal(Object.keys(patch.screens.cart!.components), ["appbar"]);
  assert.equal(only(patch, "cart", "appbar"), comp("appbar", {}, { locale: { title: "Basket" } }));
});

diff("a pure append is sent as APPEND with only the new items", () => {
  const patch = only(diffScreens(orders(list(3)), orders(list(5))));
  assert.equal(patch.mergeStrategy, { type: "APPEND" });
  assert.equal(patch.payload, { items: list(2, 3) });
});

diff("changed items with the same ids in the same order go as MATCH with only those items", () => {
  const next = list(6);
  next[2]!.price = 1000;
  next.push({ id: 99, name: "new", price: 1 });
  const patch = only(diffScreens(orders(list(6)), orders(next)));
  assert.equal(patch.mergeStrategy, { type: "MATCH" });
  assert.equal(patch.payload, { items: [next[2], next[6]] });
});

diff("a removal, a reorder or an insert in the middle goes as REPLACE", () => {
  const base = list(5);
  const cases = [base.filter((i) => i.id !== 2), [base[1], base[0], ...base.slice(2)], [...base.slice(0, 2), { id: 50 }, ...base.slice(2)]];
  for (const next of cases) {
    const patch = only(diffScreens(orders(base), orders(next as Item[])));
    assert.is(patch.mergeStrategy, undefined);
    assert.equal(patch.payload, { items: next });
  }
});

diff("a declared strategy is used when correct and ignored when not", () => {
  const matchAppend = only(diffScreens(orders(list(3)), orders(list(4), { mergeStrategy: { type: "MATCH" } })));
  assert.equal(matchAppend.mergeStrategy, { type: "MATCH" });
  assert.equal(matchAppend.payload, { items: list(1, 3) });
  const changed = list(3);
  changed[0]!.price = 7;
  const appendWrong = only(diffScreens(orders(list(3)), orders(changed, { mergeStrategy: { type: "APPEND" } })));
  assert.equal(appendWrong.mergeStrategy, { type: "MATCH" }, "APPEND would be wrong: the smallest correct one is chosen");
  const replace = only(diffScreens(orders(list(3)), orders(list(4), { mergeStrategy: { type: "REPLACE" } })));
  assert.equal(replace, comp("orders", { items: list(4) }, { locale: { title: "Your orders" } }));
});

diff("a rel or screen that disappears is the app's error (rels are stable; use HIDDEN)", () => {
  const prev = orders(list(1));
  throwsApp(() => diffScreens(prev, screenSet("cart", comp("orders", { items: list(1) }))), /component "appbar" disappeared from screen "cart".*HIDDEN/);
  throwsApp(() => diffScreens(prev, screenSet("home", comp("h", {}))), /screen "cart" disappeared/);
});

const sizes = suite("sdui: patch sizes");

sizes("one item added to a 1000-item list: the patch is the item plus small overhead", () => {
  const before = list(1000);
  const item = { id: 1000, name: "item 1000", price: 30 };
  const patch = diffScreens(orders(before), orders([...before, item]))!;
  const bytes = JSON.stringify(patch).length;
  const itemBytes = JSON.stringify(item).length;
  const full = JSON.stringify(orders([...before, item])).length;
  console.log(`  append 1 of 1001: patch ${bytes} B (item ${itemBytes} B), full screen set ${full} B`);
  assert.ok(bytes < itemBytes + 200, `patch ${bytes} B`);
  const cache = new SduiCache();
  cache.apply(diffScreens(undefined, orders(before))!);
  cache.apply(patch);
  assert.equal((cache.component("cart", "orders")!.payload as { items: Item[] }).items.length, 1001);
});

sizes("one item changed in a 1000-item list, and a locale-only change, stay small", () => {
  const before = list(1000);
  const next = structuredClone(before);
  next[500]!.price = 1;
  const patch = diffScreens(orders(before), orders(next))!;
  assert.ok(JSON.stringify(patch).length < JSON.stringify(next[500]).length + 200);
  const relabel = diffScreens(orders(before), orders(before, { locale: { title: "Orders" } }))!;
  assert.ok(JSON.stringify(relabel).length < 200, JSON.stringify(relabel));
});

// ---- the property: apply(prev) then apply(diff(prev, next)) holds exactly next ----

function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generator(seed: number) {
  const r = rng(seed);
  const int = (n: number) => Math.floor(r() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  let fresh = 0;
  const item = (): Item => {
    const roll = r();
    if (roll < 0.04) return { v: int(5) }; // no id
    if (roll < 0.08) return { id: pick([1, 2, "a"]), v: int(5) }; // likely duplicate id
    const id = r() < 0.5 ? ++fresh : `s${++fresh}`;
    return { id, v: int(5) };
  };
  const newList = () => Array.from({ length: int(6) }, item);
  const editList = (xs: Item[]): Item[] => {
    const out = structuredClone(xs);
    switch (int(9)) {
      case 0: return out; // unchanged
      case 1: return [...out, ...Array.from({ length: 1 + int(3) }, item)]; // append
      case 2: for (const x of out) if (r() < 0.4) x.v = int(9); return out; // update some
      case 3: out.splice(int(out.length + 1), 1); return out; // remove one
      case 4: out.splice(int(out.length + 1), 0, item()); return out; // insert
      case 5: if (out.length > 1) out.reverse(); return out; // reorder
      case 6: if (out[0]) out[0].v = 42; return [...out, item()]; // update + append
      case 7: return [];
      default: return newList();
    }
  };
  const payload = (): unknown => {
    const roll = r();
    if (roll < 0.08) return pick(["text", 3, null, [1, 2]]);
    const p: Item = { items: newList() };
    if (r() < 0.4) p.tags = Array.from({ length: int(3) }, () => pick(["a", "b", "c"]));
    if (r() < 0.5) p.title = pick(["x", "y"]);
    return p;
  };
  const editPayload = (p: unknown): unknown => {
    if (typeof p !== "object" || p === null || Array.isArray(p) || r() < 0.05) return r() < 0.5 ? p : payload();
    const out: Item = {};
    for (const [k, v] of Object.entries(p)) {
      if (Array.isArray(v)) { if (r() < 0.95) out[k] = k === "tags" ? (r() < 0.5 ? v : [...v, "d"]) : editList(v as Item[]); }
      else if (r() < 0.8) out[k] = r() < 0.3 ? pick(["x", "y", "z"]) : v;
    }
    if (r() < 0.1) out.extra = int(3);
    if (r() < 0.05) out.more = newList();
    return out;
  };
  const component = (rel: string, prev?: SduiComponent): SduiComponent => {
    const c: SduiComponent = prev
      ? { rel, behavior: r() < 0.8 ? prev.behavior : pick(["VISIBLE", "HIDDEN", "LOADING"]), locale: r() < 0.85 ? prev.locale : { t: pick(["a", "b"]) }, payload: editPayload(prev.payload) }
      : { rel, behavior: "VISIBLE", locale: { t: "a" }, payload: payload() };
    const hasList = typeof c.payload === "object" && c.payload !== null && !Array.isArray(c.payload) && Object.values(c.payload).some(Array.isArray);
    if (hasList && r() < 0.3) c.mergeStrategy = { type: pick(["REPLACE", "APPEND", "MATCH"] as const) };
    return c;
  };
  const first = (): ScreenSet => {
    const screens: ScreenSet["screens"] = {};
    for (let s = 0; s <= int(2); s++) {
      const components: Record<string, SduiComponent> = {};
      for (let c = 0; c <= int(3); c++) components[`c${c}`] = component(`c${c}`);
      screens[`s${s}`] = { components };
    }
    return { screens };
  };
  const edit = (prev: ScreenSet): ScreenSet => {
    const screens: ScreenSet["screens"] = {};
    for (const [name, screen] of Object.entries(prev.screens)) {
      const components: Record<string, SduiComponent> = {};
      for (const [rel, c] of Object.entries(screen.components)) components[rel] = r() < 0.5 ? structuredClone(c) : component(rel, c);
      if (r() < 0.05) components[`n${++fresh}`] = component(`n${fresh}`);
      screens[name] = { components };
    }
    if (r() < 0.03) screens[`new${++fresh}`] = { components: { a: component("a") } };
    return { screens };
  };
  return { first, edit };
}

const bare = (s: ScreenSet) => Object.fromEntries(Object.entries(s.screens).map(([name, screen]) => [name, {
  components: Object.fromEntries(Object.entries(screen.components).map(([rel, { mergeStrategy: _, ...c }]) => [rel, c])),
}]));
const held = (cache: SduiCache) => Object.fromEntries(cache.screenNames().map((n) => [n, cache.screen(n)!]));

const property = suite("sdui: diff property");

property("random screen sets and edits: the cache always ends up holding exactly next", () => {
  const seed = Number(process.env.SDUI_SEED ?? Math.floor(Math.random() * 2 ** 31));
  const used = { REPLACE: 0, APPEND: 0, MATCH: 0 };
  const g = generator(seed);
  for (let run = 0; run < 150; run++) {
    let prev = validateScreenSet(g.first());
    const cache = new SduiCache();
    cache.apply(diffScreens(undefined, prev)!);
    for (let step = 0; step < 25; step++) {
      const next = validateScreenSet(g.edit(prev));
      const patch = diffScreens(prev, next);
      const ctx = `(seed ${seed}, run ${run}, step ${step}; rerun with SDUI_SEED=${seed})`;
      assert.is(patch === null, jsonEqual(bare(prev), bare(next)), `null exactly when nothing changed ${ctx}`);
      if (patch) {
        for (const screen of Object.values(patch.screens)) {
          for (const c of Object.values(screen.components)) used[c.mergeStrategy?.type ?? "REPLACE"]++;
        }
        try {
          cache.apply(patch);
        } catch (err) {
          assert.unreachable(`${(err as Error).message} ${ctx}`);
        }
      }
      if (!jsonEqual(held(cache), bare(next))) assert.equal(held(cache), bare(next), `cache != next ${ctx}`);
      prev = next;
    }
  }
  console.log(`  seed ${seed}: strategies chosen ${JSON.stringify(used)}`);
  for (const [type, n] of Object.entries(used)) assert.ok(n > 0, `${type} never chosen (seed ${seed})`);
});

validate.run();
diff.run();
sizes.run();
property.run();

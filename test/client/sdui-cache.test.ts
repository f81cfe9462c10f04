// The reference sdui cache (docs/sdui.md): merge strategies, the list rule, edge cases that must
// fail loudly, and rendering from the whole cache. Native clients port these cases.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { SduiCache, SduiError } from "../../client/sdui-cache.js";
import type { SduiComponent, ScreenSet } from "../../protocol/sdui.js";

type Item = { id?: unknown; [k: string]: unknown };
const comp = (rel: string, payload: unknown, extra: Partial<SduiComponent> = {}): SduiComponent =>
  ({ rel, behavior: "VISIBLE", locale: {}, payload, ...extra });
const screenSet = (screen: string, ...components: SduiComponent[]): ScreenSet =>
  ({ screens: { [screen]: { components: Object.fromEntries(components.map((c) => [c.rel, c])) } } });
const items = (cache: SduiCache, screen = "cart", rel = "orders", key = "items") =>
  (cache.component(screen, rel)?.payload as Record<string, Item[]>)[key];
const ids = (cache: SduiCache, ...rest: string[]) => items(cache, ...rest).map((i) => i.id);

function throwsSdui(fn: () => unknown, pattern: RegExp, code = "bad_message") {
  try {
    fn();
  } catch (err) {
    assert.instance(err, SduiError);
    assert.is((err as SduiError).code, code);
    assert.match((err as Error).message, pattern);
    return;
  }
  assert.unreachable("expected an SduiError");
}

function seeded(list: Item[], extra: Partial<SduiComponent> = {}) {
  const cache = new SduiCache();
  cache.apply(screenSet("cart", comp("orders", { items: list, total: list.length }, extra)));
  return cache;
}

const strategies = suite("sdui cache: merge strategies");

strategies("REPLACE is the default: the incoming component replaces the cached one whole", () => {
  const cache = seeded([{ id: 1 }, { id: 2 }]);
  cache.apply(screenSet("cart", comp("orders", { items: [{ id: 3 }] }, { behavior: "LOADING", locale: { t: "x" } })));
  assert.equal(cache.component("cart", "orders"), comp("orders", { items: [{ id: 3 }] }, { behavior: "LOADING", locale: { t: "x" } }));
  cache.apply(screenSet("cart", comp("orders", { items: [{ id: 4 }] }, { mergeStrategy: { type: "REPLACE" } })));
  assert.equal(ids(cache), [4], "an explicit REPLACE does the same");
  assert.not.ok("mergeStrategy" in cache.component("cart", "orders")!, "the instruction is not cached");
});

strategies("APPEND adds the new items to the end of the cached list", () => {
  const cache = seeded([{ id: 1 }, { id: 2 }]);
  cache.apply(screenSet("cart", comp("orders", { items: [{ id: 3 }, { id: 4 }], total: 4 }, { mergeStrategy: { type: "APPEND" } })));
  assert.equal(ids(cache), [1, 2, 3, 4]);
  assert.is((cache.component("cart", "orders")!.payload as { total: number }).total, 4, "non-list keys come from the patch");
  cache.apply(screenSet("cart", comp("orders", { items: [{ id: 3 }] }, { mergeStrategy: { type: "APPEND" } })));
  assert.equal(ids(cache), [1, 2, 3, 4, 3], "APPEND does not look at ids");
});

strategies("MATCH updates matched items in place, keeps unmatched ones, appends new ones", () => {
  const cache = seeded([{ id: 1, n: "a" }, { id: 2, n: "b" }, { id: 3, n: "c" }]);
  cache.apply(screenSet("cart", comp("orders", { items: [{ id: 9, n: "new" }, { id: 2, n: "B" }] }, { mergeStrategy: { type: "MATCH" } })));
  assert.equal(items(cache), [{ id: 1, n: "a" }, { id: 2, n: "B" }, { id: 3, n: "c" }, { id: 9, n: "new" }]);
});

strategies("MATCH replaces a matched item whole (no deep merge); ids compare with ===", () => {
  const cache = seeded([{ id: 1, a: 1, b: 2 }, { id: "1", a: 0 }]);
  cache.apply(screenSet("cart", comp("orders", { items: [{ id: 1, a: 5 }] }, { mergeStrategy: { type: "MATCH" } })));
  assert.equal(items(cache), [{ id: 1, a: 5 }, { id: "1", a: 0 }]);
});

strategies("MATCH leaves cached items without an id in place", () => {
  const cache = seeded([{ n: "header" }, { id: 1, n: "a" }]);
  cache.apply(screenSet("cart", comp("orders", { items: [{ id: 1, n: "A" }] }, { mergeStrategy: { type: "MATCH" } })));
  assert.equal(items(cache), [{ n: "header" }, { id: 1, n: "A" }]);
});

strategies("every array-valued payload key is merged; other keys replace; keys the patch omits go", () => {
  const cache = new SduiCache();
  cache.apply(screenSet("s", comp("c", { items: [{ id: 1 }], tags: ["a"], title: "t", stale: true })));
  cache.apply(screenSet("s", comp("c", { items: [{ id: 2 }], tags: ["b"], title: "T" }, { mergeStrategy: { type: "APPEND" } })));
  assert.equal(cache.component("s", "c")!.payload, { items: [{ id: 1 }, { id: 2 }], tags: ["a", "b"], title: "T" });
  cache.apply(screenSet("s", comp("c", { items: [], tags: [] }, { mergeStrategy: { type: "APPEND" } })));
  assert.equal(cache.component("s", "c")!.payload, { items: [{ id: 1 }, { id: 2 }], tags: ["a", "b"] }, "an empty delta keeps the list");
});

strategies("APPEND/MATCH onto a component not in the cache acts as REPLACE", () => {
  const cache = new SduiCache();
  cache.apply(screenSet("s", comp("a", { items: [{ id: 1 }] }, { mergeStrategy: { type: "APPEND" } })));
  cache.apply(screenSet("s", comp("m", { items: [{ id: 2 }] }, { mergeStrategy: { type: "MATCH" } })));
  assert.equal(cache.component("s", "a"), comp("a", { items: [{ id: 1 }] }));
  assert.equal(cache.component("s", "m"), comp("m", { items: [{ id: 2 }] }));
});

const edges = suite("sdui cache: errors");

edges("MATCH with duplicate ids in one payload is bad_message, naming the id and rel", () => {
  const cache = seeded([{ id: 1 }]);
  throwsSdui(() => cache.apply(screenSet("cart", comp("orders", { items: [{ id: 2 }, { id: 2 }] }, { mergeStrategy: { type: "MATCH" } }))), /orders.*id 2 appears twice/);
  assert.equal(ids(cache), [1], "the cache is unchanged");
});

edges("MATCH items without a usable id are bad_message", () => {
  const cache = seeded([{ id: 1 }]);
  for (const bad of [{ n: 1 }, { id: null }, { id: { x: 1 } }, "s", [1]]) {
    throwsSdui(() => cache.apply(screenSet("cart", comp("orders", { items: [{ id: 5 }, bad] }, { mergeStrategy: { type: "MATCH" } }))), /payload\.items\[1\] has no id/);
  }
  throwsSdui(() => new SduiCache().apply(screenSet("s", comp("m", { items: [{}] }, { mergeStrategy: { type: "MATCH" } }))), /has no id/); // checked even with nothing cached
});

edges("MATCH onto a cached list that holds an id twice is ambiguous: bad_message", () => {
  const cache = seeded([{ id: 1 }, { id: 1 }]);
  throwsSdui(() => cache.apply(screenSet("cart", comp("orders", { items: [{ id: 1 }] }, { mergeStrategy: { type: "MATCH" } }))), /cached.*twice/);
});

edges("a mergeStrategy on a payload without a list, or an unknown one, is bad_message", () => {
  const cache = new SduiCache();
  throwsSdui(() => cache.apply(screenSet("s", comp("c", { title: "x" }, { mergeStrategy: { type: "APPEND" } }))), /without a list/);
  throwsSdui(() => cache.apply(screenSet("s", comp("c", [1, 2], { mergeStrategy: { type: "MATCH" } }))), /without a list/);
  throwsSdui(() => cache.apply(screenSet("s", comp("c", { items: [] }, { mergeStrategy: { type: "MERGE" as "MATCH" } }))), /REPLACE, APPEND or MATCH/);
});

edges("malformed screen sets and components are bad_message", () => {
  const cache = new SduiCache();
  throwsSdui(() => cache.apply({} as ScreenSet), /screens/);
  throwsSdui(() => cache.apply({ screens: { s: {} } } as unknown as ScreenSet), /screen "s"/);
  throwsSdui(() => cache.apply({ screens: { s: { components: { a: comp("b", {}) } } } }), /"a".*rel must equal its key/);
  throwsSdui(() => cache.apply(screenSet("s", comp("a", {}, { behavior: "" }))), /behavior/);
  throwsSdui(() => cache.apply(screenSet("s", comp("a", {}, { locale: { t: 1 as unknown as string } }))), /locale/);
  throwsSdui(() => cache.apply(screenSet("s", { rel: "a", behavior: "VISIBLE", locale: {} } as SduiComponent)), /payload is missing/);
});

edges("apply is all or nothing: one bad component leaves every other untouched", () => {
  const cache = seeded([{ id: 1 }]);
  const bad: ScreenSet = { screens: {
    cart: { components: { orders: comp("orders", { items: [{ id: 2 }] }, { mergeStrategy: { type: "APPEND" } })} },
    other: { components: { x: comp("x", { items: [{}] }, { mergeStrategy: { type: "MATCH" } }) } },
  } };
  throwsSdui(() => cache.apply(bad), /has no id/);
  assert.equal(ids(cache), [1]);
  assert.equal(cache.screenNames(), ["cart"]);
});

const cache = suite("sdui cache: the cache");

cache("screens and components absent from a screen set stay unchanged, and keep their identity", () => {
  const c = new SduiCache();
  c.apply({ screens: {
    cart: { components: { a: comp("a", { n: 1 }), b: comp("b", { n: 2 }) } },
    home: { components: { h: comp("h", {}) } },
  } });
  const b = c.component("cart", "b");
  const h = c.component("home", "h");
  const changes = c.apply(screenSet("cart", comp("a", { n: 10 })));
  assert.equal(changes, [{ screen: "cart", rel: "a" }]);
  assert.is(c.component("cart", "b"), b);
  assert.is(c.component("home", "h"), h);
  assert.equal(c.screen("cart"), { components: { a: comp("a", { n: 10 }), b: comp("b", { n: 2 }) } });
  assert.is(c.screen("nope"), undefined);
});

cache("unchanged list items keep their identity across an APPEND (cheap re-renders)", () => {
  const c = seeded([{ id: 1 }]);
  const first = items(c)[0];
  c.apply(screenSet("cart", comp("orders", { items: [{ id: 2 }] }, { mergeStrategy: { type: "APPEND" } })));
  assert.is(items(c)[0], first);
});

cache("the cache owns its data: it copies what it is given and hands out frozen values", () => {
  const c = new SduiCache();
  const s = screenSet("s", comp("a", { items: [{ id: 1 }] }));
  c.apply(s);
  ((s.screens.s!.components.a!.payload as { items: Item[] }).items[0] as Item).id = 99;
  assert.equal(ids(c, "s", "a"), [1], "a later change to the message does not reach the cache");
  assert.throws(() => { (items(c, "s", "a")[0] as Item).id = 5; }, TypeError);
});

cache("an empty screen is remembered; clear() forgets everything", () => {
  const c = new SduiCache();
  c.apply({ screens: { empty: { components: {} } } });
  assert.equal(c.screen("empty"), { components: {} });
  c.clear();
  assert.equal(c.screenNames(), []);
});

cache("weird keys such as __proto__ are ordinary names", () => {
  const c = new SduiCache();
  c.apply(JSON.parse('{"screens":{"__proto__":{"components":{"__proto__":{"rel":"__proto__","behavior":"VISIBLE","locale":{},"payload":{"__proto__":[1]},"mergeStrategy":{"type":"APPEND"}}}}}}'));
  c.apply(JSON.parse('{"screens":{"__proto__":{"components":{"__proto__":{"rel":"__proto__","behavior":"VISIBLE","locale":{},"payload":{"__proto__":[2]},"mergeStrategy":{"type":"APPEND"}}}}}}'));
  assert.equal(Object.getOwnPropertyDescriptor(c.component("__proto__", "__proto__")!.payload, "__proto__")!.value, [1, 2]);
  assert.equal(Object.keys(c.screen("__proto__")!.components), ["__proto__"]);
});

const render = suite("sdui cache: render");

render("renders the whole cache in first-seen order, skipping HIDDEN, by rel then behavior", () => {
  const c = new SduiCache();
  c.apply({ screens: { cart: { components: {
    appbar: comp("appbar", {}, { locale: { title: "Cart" } }),
    promo: comp("promo", {}, { behavior: "HIDDEN" }),
    orders: comp("orders", { items: [{ id: 1 }, { id: 2 }] }),
    checkout: comp("checkout", {}, { behavior: "ACTION", locale: { label: "Pay" } }),
    future: comp("future", {}),
  } } } });
  c.apply(screenSet("cart", comp("orders", { items: [{ id: 3 }] }, { mergeStrategy: { type: "APPEND" } })));
  const out = c.render<string>("cart", {
    appbar: (x) => `bar:${x.locale.title}`,
    promo: () => "never",
    orders: (x, screen) => `${screen}:${(x.payload as { items: Item[] }).items.map((i) => i.id).join(",")}`,
    checkout: { LINK: () => "link", ACTION: (x) => `button:${x.locale.label}` },
  });
  assert.equal(out, ["bar:Cart", "cart:1,2,3", "button:Pay"], "HIDDEN and components without a renderer are skipped");
  assert.equal(c.render("cart", { "*": (x) => x.rel }), ["appbar", "orders", "checkout", "future"]);
  assert.equal(c.render("cart", { checkout: { "*": () => "any" } }), ["any"]);
  assert.equal(c.render("nope", { "*": () => 1 }), []);
});

strategies.run();
edges.run();
cache.run();
render.run();

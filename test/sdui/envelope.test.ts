// The sdui envelope (docs/sdui.md §8): every component the server sends, in `ok` and in every
// APPEND, MATCH or REPLACE patch, carries rel, behavior, locale and payload, because the contract
// (shared/PROTOCOL.md §3) gives no meaning to a component without them; and the reference cache,
// the spec native clients port, refuses such a component with a clear bad_message and leaves
// itself as it was, whether or not it holds that (screen, rel).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Cart } from "../../components/cart.js";
import { SduiCache, SduiError } from "../../client/sdui-cache.js";
import { diffScreens, validateScreenSet, type ScreenSet } from "../../server/sdui/screens.js";

const KEYS = ["behavior", "locale", "payload", "rel"];

/** The cart after each of `events`, as the server keeps it (validated). */
function describeAfter(cart: Cart, event?: [string, Record<string, unknown>]): ScreenSet {
  if (event) cart.handleEvent(event[0], event[1]);
  return validateScreenSet(cart.describe());
}

const server = suite("the server sends every component whole in its keys");

server("ok, APPEND, MATCH and REPLACE patches of the cart: rel, behavior, locale, payload on each", () => {
  const cart = new Cart();
  cart.mount();
  let prev = describeAfter(cart);
  const sent: { strategy: string; keys: string[] }[] = [];
  const record = (set: ScreenSet) => {
    for (const c of Object.values(set.screens.cart!.components)) {
      sent.push({ strategy: c.mergeStrategy?.type ?? "REPLACE", keys: Object.keys(c).filter((k) => k !== "mergeStrategy").sort() });
    }
  };
  record(diffScreens(undefined, prev)!);
  for (const e of [["add", { sku: "tea" }], ["add", { sku: "mug" }], ["more", { id: 1 }], ["remove", { id: 1 }]] as [string, Record<string, unknown>][]) {
    const next = describeAfter(cart, e);
    record(diffScreens(prev, next)!);
    prev = next;
  }
  const strategies = new Set(sent.map((s) => s.strategy));
  assert.ok(strategies.has("APPEND") && strategies.has("MATCH") && strategies.has("REPLACE"), `all three strategies seen: ${[...strategies]}`);
  for (const s of sent) assert.equal(s.keys, KEYS, `a ${s.strategy} component carries every key`);
});

server("an APPEND whose behavior and locale did not change still carries them (equal to the cached ones)", () => {
  const cart = new Cart();
  cart.mount();
  const one = describeAfter(cart, ["add", { sku: "tea" }]);
  const two = describeAfter(cart, ["add", { sku: "mug" }]);
  const list = diffScreens(one, two)!.screens.cart!.components.order_list!;
  assert.is(list.mergeStrategy?.type, "APPEND");
  assert.is(list.behavior, one.screens.cart!.components.order_list!.behavior);
  assert.equal(Object.keys(list.locale), ["title", "empty", "total"]);
});

const cache = suite("the reference cache refuses a component with keys left out");

/** A cache that holds the cart after one add. */
function cachedCart(): { cache: SduiCache; before: unknown } {
  const cart = new Cart();
  cart.mount();
  const c = new SduiCache();
  c.apply(diffScreens(undefined, describeAfter(cart, ["add", { sku: "tea" }]))!);
  return { cache: c, before: c.screen("cart") };
}

function refused(fn: () => unknown, screen: string, rel: string, field: RegExp): void {
  try {
    fn();
  } catch (err) {
    assert.instance(err, SduiError);
    const e = err as SduiError;
    assert.is(e.code, "bad_message");
    assert.is(e.screen, screen);
    assert.is(e.rel, rel);
    assert.match(e.message, field);
    return;
  }
  assert.unreachable("the patch was applied");
}

cache("an APPEND without behavior and locale, for a rel the cache holds: bad_message naming the field; nothing changes", () => {
  const { cache: c, before } = cachedCart();
  const patch = { screens: { cart: { components: { order_list: { rel: "order_list", payload: { items: [{ id: 9, product: "Mug" }] }, mergeStrategy: { type: "APPEND" } } } } } };
  refused(() => c.apply(patch as unknown as ScreenSet), "cart", "order_list", /behavior must be a non-empty string/);
  assert.equal(c.screen("cart"), before, "the cache is as it was");
});

cache("a hostile patch that leaves keys out for a (screen, rel) the cache never saw: bad_message, nothing created", () => {
  const { cache: c, before } = cachedCart();
  const patch = { screens: { cart: { components: { ghost: { rel: "ghost", behavior: "VISIBLE", payload: { items: [] }, mergeStrategy: { type: "MATCH" } } } }, unseen: { components: { x: { rel: "x", payload: {} } } } } };
  refused(() => c.apply(patch as unknown as ScreenSet), "cart", "ghost", /locale must be a flat map of strings/);
  assert.is(c.component("cart", "ghost"), undefined);
  assert.equal(c.screenNames(), ["cart"], "no screen created by a refused message");
  assert.equal(c.screen("cart"), before);
});

cache("a patch without payload is refused too; a full REPLACE of the same rel is applied", () => {
  const { cache: c } = cachedCart();
  refused(() => c.apply({ screens: { cart: { components: { appbar: { rel: "appbar", behavior: "VISIBLE", locale: {} } } } } } as unknown as ScreenSet), "cart", "appbar", /payload is missing/);
  c.apply({ screens: { cart: { components: { appbar: { rel: "appbar", behavior: "HIDDEN", locale: { title: "t" }, payload: { count: 0 } } } } } });
  assert.equal(c.component("cart", "appbar"), { rel: "appbar", behavior: "HIDDEN", locale: { title: "t" }, payload: { count: 0 } });
});

server.run();
cache.run();

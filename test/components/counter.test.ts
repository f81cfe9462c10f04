// The counter demo component: its events change the count, and the HTML shows it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Counter } from "../../components/counter.js";
import { registry } from "../../server/core/index.js";

test("registers as \"counter\"", () => {
  assert.is(registry.get("counter"), Counter);
});

test("mounts at 0 with both buttons", () => {
  const { html, state } = new Counter().dispatch();
  assert.equal(state, { count: 0 });
  assert.match(html, "Count: 0");
  assert.match(html, /<button[^>]*hl-click="increment"[^>]*>Increment<\/button>/);
  assert.match(html, /<button[^>]*hl-click="decrement"[^>]*>Decrement<\/button>/);
});

test("increment and decrement from a dehydrated state", () => {
  let r = new Counter().dispatch({ event: "increment" });
  assert.is(r.state.count, 1);
  r = new Counter().dispatch({ event: "increment", state: r.state });
  r = new Counter().dispatch({ event: "increment", state: r.state });
  assert.is(r.state.count, 3);
  assert.match(r.html, "Count: 3");
  r = new Counter().dispatch({ event: "decrement", state: r.state });
  assert.is(r.state.count, 2);
  assert.match(r.html, "Count: 2");
});

test("a signed-in user's counter says whose it is; the count is the same as anyone's", () => {
  const user = { id: "ada", name: "Ada" };
  let r = new Counter({}, { user }).dispatch();
  assert.equal(r.state, { count: 0, owner: "Ada" });
  assert.match(r.html, /<p class="counter-owner muted">Ada's counter<\/p>/);
  r = new Counter({}, { user }).dispatch({ event: "increment", state: r.state });
  assert.equal(r.state, { count: 1, owner: "Ada" });
  assert.match(r.html, "Count: 1");
  assert.not.match(new Counter().dispatch().html, "counter-owner", "no owner line without a user");
});

test("an unknown event is unknown_event and leaves the state alone", () => {
  const c = new Counter();
  c.dispatch({ event: "increment" });
  try {
    c.handleEvent("reset");
    assert.unreachable("should have thrown");
  } catch (err) {
    assert.is((err as { code?: string }).code, "unknown_event");
  }
  assert.is(c.state.count, 1);
});

test.run();

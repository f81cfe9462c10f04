// The counter demo component, tested as a person uses it (hotline/testing): mounted through the
// app's runtime, its buttons clicked, its HTML read.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { live, createTestApp, LiveTestError, type LiveView } from "hotline/testing";
import { Counter } from "../../components/counter.js";
import { registry } from "../../server/core/index.js";

const ada = { id: "ada", name: "Ada" };
const count = (view: LiveView) => view.element(".counter-value").text();

const test = suite("counter");

test("registers as \"counter\"", () => {
  assert.is(registry.get("counter"), Counter);
});

test("mounts at 0 with both buttons", async () => {
  const view = await live(Counter);
  assert.equal(view.state, { count: 0 });
  assert.is(count(view), "Count: 0");
  assert.is(view.element("button", "Increment").attribute("hl-click"), "increment");
  assert.is(view.element("button", "Decrement").attribute("hl-click"), "decrement");
  await view.close();
});

test("the buttons count up and down", async () => {
  const view = await live(Counter);
  await view.element("button", "Increment").click();
  await view.element("button", "Increment").click();
  await view.element("button", "Increment").click();
  assert.is(count(view), "Count: 3");
  await view.element("button", "Decrement").click();
  assert.is(count(view), "Count: 2");
  assert.equal(view.state, { count: 2 });
  await view.close();
});

test("the page's start param sets the first count; anything but an integer is 0", async () => {
  const five = await live(Counter, { params: { start: 5 } });
  assert.is(count(five), "Count: 5");
  await five.close();
  const odd = await live(Counter, { params: { start: "lots" } });
  assert.is(count(odd), "Count: 0");
  await odd.close();
});

test("a signed-in user's counter says whose it is; the count is the same as anyone's", async () => {
  const view = await live(Counter, { user: ada });
  assert.equal(view.state, { count: 0, owner: "Ada" });
  assert.is(view.element("p.counter-owner").text(), "Ada's counter");
  await view.element("button", "Increment").click();
  assert.equal(view.state, { count: 1, owner: "Ada" });
  assert.is(count(view), "Count: 1");
  await view.close();
  const anonymous = await live(Counter);
  assert.equal(anonymous.find(".counter-owner"), [], "no owner line without a user");
  await anonymous.close();
});

test("a counter resumes for its user only: another user's join with its session key is refused", async () => {
  const app = createTestApp();
  try {
    const first = await live(Counter, { app, user: ada });
    await first.element("button", "Increment").click();
    const key = first.session!;
    await first.close();
    const again = await live(Counter, { app, user: ada, session: key });
    assert.is(count(again), "Count: 1", "the same user gets their counter back");
    await again.close();
    try {
      await live(Counter, { app, user: { id: "eve", name: "Eve" }, session: key });
      assert.unreachable("another user resumed Ada's counter");
    } catch (err) {
      assert.instance(err, LiveTestError);
      assert.is((err as LiveTestError).code, "bad_state");
    }
  } finally {
    await app.close();
  }
});

test("an unknown event is unknown_event and leaves the state alone", async () => {
  const view = await live(Counter);
  await view.element("button", "Increment").click();
  try {
    await view.event("reset");
    assert.unreachable("should have thrown");
  } catch (err) {
    assert.is((err as LiveTestError).code, "unknown_event");
  }
  assert.is(view.state.count, 1);
  assert.is(count(view), "Count: 1");
  await view.close();
});

test("without a runtime (the HTTP transport's dispatch), a dehydrated state carries the count", () => {
  let r = new Counter().dispatch({ event: "increment" });
  r = new Counter().dispatch({ event: "increment", state: r.state });
  assert.is(r.state.count, 2);
  assert.match(r.html, "Count: 2");
});

test.run();

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import { Component, HotlineError, Registry, html, register, type Renderer } from "../../server/core/index.js";
import { toHTML } from "../../server/core/steps.js";

const reg = new Registry();

@register("counter", reg)
class Counter extends Component<{ count: number }> {
  mounts = 0;
  mount() { this.mounts++; this.state.count = 0; }
  onIncrement() { this.state.count += 1; }
  onAdd({ by }: { by: number }) { this.state.count += by; }
  render() { return html`<button hl-click="increment">Count: ${this.state.count}</button>`; }
}

const lifecycle = suite("lifecycle");

lifecycle("the seed's own test: dispatch an increment", () => {
  const r = new Counter().dispatch({ event: "increment" });
  assert.is(r.state.count, 1);
  assert.ok(r.html.includes("Count: 1"));
});

lifecycle("asyncDispatch hydrates from a dehydrated state and does not mount", async () => {
  const r = new Counter().dispatch({ event: "increment" });
  const c = new Counter();
  const s = await c.asyncDispatch({ event: "increment", state: r.state });
  assert.is(s.state.count, 2);
  assert.is(c.mounts, 0);
  assert.ok(s.html.includes("Count: 2"));
});

lifecycle("dispatch without an event mounts and renders", () => {
  const c = new Counter();
  const r = c.dispatch();
  assert.is(c.mounts, 1);
  assert.equal(r.state, { count: 0 });
  assert.is(r.html, '<button hl-click="increment">Count: 0</button>');
});

lifecycle("params, id, errors and getContext", () => {
  const c = new Counter({ componentId: "c7", start: 3 });
  assert.is(c.id, "c7");
  assert.equal(c.params, { componentId: "c7", start: 3 });
  assert.equal(c.errors, {});
  const ctx = c.getContext();
  assert.is(ctx.component, c);
  assert.is(ctx.state, c.state);
  assert.is(ctx.errors, c.errors);
});

lifecycle("dehydrate and hydrate can be overridden", () => {
  class Secretive extends Component<{ a: number; cache?: number[] }> {
    mount() { this.state.a = 1; this.state.cache = [1, 2, 3]; }
    dehydrate() { return { a: this.state.a }; }
    hydrate(s: { a?: number }) { this.state.a = (s.a ?? 0) * 10; }
    onBump() { this.state.a++; }
    render() { return html`${this.state.a}`; }
  }
  const r = new Secretive().dispatch();
  assert.equal(r.state, { a: 1 });
  assert.equal(new Secretive().dispatch({ event: "bump", state: r.state }).state, { a: 11 });
});

lifecycle("async mount needs asyncDispatch", async () => {
  class Slow extends Component<{ v: string }> {
    async mount() { await new Promise((r) => setTimeout(r, 1)); this.state.v = "loaded"; }
    render() { return html`<p>${this.state.v}</p>`; }
  }
  try { new Slow().dispatch(); assert.unreachable(); } catch (e) { assert.is((e as HotlineError).code, "handler_error"); assert.match((e as Error).message, /asyncDispatch/); }
  assert.is((await new Slow().asyncDispatch()).html, "<p>loaded</p>");
});

lifecycle("async handlers run under asyncDispatch and are refused by dispatch", async () => {
  class Fetcher extends Component<{ n: number }> {
    mount() { this.state.n = 0; }
    async onLoad() { await new Promise((r) => setTimeout(r, 1)); this.state.n = 42; }
    render() { return html`${this.state.n}`; }
  }
  assert.is((await new Fetcher().asyncDispatch({ event: "load" })).state.n, 42);
  try { new Fetcher().dispatch({ event: "load" }); assert.unreachable(); } catch (e) { assert.is((e as HotlineError).code, "handler_error"); }
});

lifecycle("templateName with a Renderer, per class or the default", () => {
  const calls: [string, Record<string, unknown>][] = [];
  const renderer: Renderer = { render: (name, ctx) => { calls.push([name, ctx]); return `<p>${name}:${(ctx.state as { n: number }).n}</p>`; } };
  class Templated extends Component<{ n: number }> {
    static templateName = "t.html";
    static renderer = renderer;
    mount() { this.state.n = 5; }
  }
  assert.is(new Templated().dispatch().html, "<p>t.html:5</p>");
  assert.is(calls[0]![0], "t.html");
  class UsesDefault extends Component<{ n: number }> { static templateName = "d.html"; mount() { this.state.n = 1; } }
  try { new UsesDefault().dispatch(); assert.unreachable(); } catch (e) { assert.is((e as HotlineError).code, "handler_error"); }
  // The app's renderer (createHotline({ renderer }) gives it through the component context).
  assert.is(new UsesDefault({}, { renderer }).dispatch().html, "<p>d.html:1</p>");
});

lifecycle.run();

const guard = suite("state guard, errors and dirty tracking");

guard("a handler that throws leaves the state as it was, nested data included", () => {
  class Fragile extends Component<{ items: string[]; n: number }> {
    mount() { this.state.items = ["a"]; this.state.n = 1; }
    onBreak() { this.state.items.push("b"); this.state.n = 2; this.errors.x = "set"; throw new Error("db down: password=hunter2"); }
    render() { return html`${this.state.items.join(",")}`; }
  }
  const c = new Fragile();
  c.dispatch();
  try { c.handleEvent("break"); assert.unreachable(); } catch (e) {
    const err = e as HotlineError;
    assert.is(err.code, "handler_error");
    assert.is(err.fault, "app");
    assert.not.match(err.message, /hunter2|db down/);
    assert.match(String((err.cause as Error).message), /db down/);
  }
  assert.equal(c.state, { items: ["a"], n: 1 });
  assert.equal(c.errors, {});
});

guard("a HotlineError thrown by a handler keeps its code", () => {
  class Guarded extends Component { onDelete() { throw new HotlineError("unauthorized", "you may not delete this"); } render() { return html``; } }
  try { new Guarded().dispatch({ event: "delete" }); assert.unreachable(); } catch (e) {
    assert.is((e as HotlineError).code, "unauthorized");
    assert.is((e as HotlineError).fault, "client");
  }
});

guard("changedFields lists the keys the last event changed, nested changes included", () => {
  class Form extends Component<{ a: number; b: number[]; c: string }> {
    mount() { this.state.a = 1; this.state.b = [1]; this.state.c = "x"; }
    onTouch() { this.state.b.push(2); this.state.a = 1; }
    onNothing() {}
    render() { return html`${[...this.changedFields].join(",")}`; }
  }
  const f = new Form();
  f.dispatch();
  f.handleEvent("touch");
  assert.equal([...f.changedFields], ["b"]);
  assert.is(toHTML(f), "b");
  f.handleEvent("nothing");
  assert.equal([...f.changedFields], []);
});

guard("a dehydrated state over the limit is too_large, and the state is kept as before", () => {
  class Big extends Component<{ blob: string }> {
    static maxStateBytes = 1024;
    mount() { this.state.blob = ""; }
    onGrow({ n }: { n: number }) { this.state.blob = "x".repeat(n); }
    render() { return html`${this.state.blob.length}`; }
  }
  const b = new Big();
  b.dispatch();
  b.handleEvent("grow", { n: 100 });
  try { b.handleEvent("grow", { n: 5000 }); assert.unreachable(); } catch (e) { assert.is((e as HotlineError).code, "too_large"); }
  assert.is(b.state.blob.length, 100);
  class Default extends Component<{ blob: string }> { onGrow() { this.state.blob = "y".repeat(70 * 1024); } render() { return html``; } }
  try { new Default().dispatch({ event: "grow" }); assert.unreachable(); } catch (e) { assert.is((e as HotlineError).code, "too_large"); }
});

guard("a state that JSON cannot carry is an error naming the key", () => {
  const cases: [unknown, RegExp][] = [
    [new Date(), /state\.bad is a Date/],
    [() => 1, /state\.bad is a function/],
    [new Map(), /state\.bad is a Map/],
    [10n, /state\.bad is a bigint/],
    [{ deep: [1, { f: Symbol("s") }] }, /state\.bad\.deep\[1\]\.f is a symbol/],
    [NaN, /state\.bad is not a finite number/],
  ];
  for (const [value, re] of cases) {
    class Bad extends Component<{ bad?: unknown }> { onSet() { this.state.bad = value; } render() { return html``; } }
    try { new Bad().dispatch({ event: "set" }); assert.unreachable(); } catch (e) { assert.match((e as Error).message, re); }
  }
  class Cyclic extends Component<{ bad?: unknown }> { onSet() { const o: Record<string, unknown> = {}; o.self = o; this.state.bad = o; } render() { return html``; } }
  try { new Cyclic().dispatch({ event: "set" }); assert.unreachable(); } catch (e) { assert.match((e as Error).message, /state\.bad\.self is a circular reference/); }
  // Past 100 levels the quick check hands over to the full one: deep data is fine, and a culprit down there is named.
  const nest = (depth: number, leaf: unknown): unknown => (depth === 0 ? leaf : { d: nest(depth - 1, leaf) });
  class Deep extends Component<{ bad?: unknown }> { static leaf: unknown = 1; onSet() { this.state.bad = nest(150, Deep.leaf); } render() { return html``; } }
  assert.equal(JSON.stringify(new Deep().dispatch({ event: "set" }).state).length, JSON.stringify({ bad: nest(150, 1) }).length, "150 levels of plain data are state");
  Deep.leaf = new Date();
  try { new Deep().dispatch({ event: "set" }); assert.unreachable(); } catch (e) { assert.match((e as Error).message, new RegExp(`state\\.bad${"\\.d".repeat(150)} is a Date`)); }
});

guard("payloads are validated with a Standard Schema validator (zod)", async () => {
  class Signup extends Component<{ email: string; age: number }> {
    static payloads = { save: z.object({ email: z.string().email(), age: z.coerce.number().int().min(13) }) };
    mount() { this.state.email = ""; this.state.age = 0; }
    onSave({ email, age }: { email: string; age: number }) { this.state.email = email; this.state.age = age; }
    render() { return html``; }
  }
  const ok = new Signup().dispatch({ event: "save", payload: { email: "a@b.co", age: "30" } });
  assert.equal(ok.state, { email: "a@b.co", age: 30 });
  // A refused payload is no exception: its issues fill `errors` by field and the handler does not run.
  const refused = new Signup();
  assert.equal(refused.dispatch({ event: "save", payload: { email: "nope", age: 3 } }).state, { email: "", age: 0 });
  assert.equal(Object.keys(refused.errors).sort(), ["age", "email"]);
  try { new Signup().dispatch({ event: "save", payload: [] as unknown as Record<string, unknown> }); assert.unreachable(); } catch (e) {
    assert.is((e as HotlineError).code, "bad_message");
  }
});

guard.run();

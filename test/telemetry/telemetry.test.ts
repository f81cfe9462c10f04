// Telemetry over a real WebSocket: the spans of a join, an event and a publish with their parents
// and attributes, the metrics, an event that throws, `telemetry: false`, and the activity feed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SpanStatusCode } from "@opentelemetry/api";
import type { ReadableSpan } from "@opentelemetry/sdk-trace-base";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { MemoryStore } from "../../server/core/memory-store.js";
import { html } from "../../server/core/template/template.js";
import type { Activity } from "../../server/live/activity.js";
import { Attr, MetricNames, SpanNames } from "../../server/telemetry/telemetry.js";
import { startServer, TestClient } from "../support/ws-client.js";
import { BasicTracerProvider } from "@opentelemetry/sdk-trace-base";
import { MeterProvider } from "@opentelemetry/sdk-metrics";
import { ActivityFeed } from "../../server/live/activity.js";
import { Telemetry } from "../../server/telemetry/telemetry.js";
import { Chat, parentOf, registerGlobalOtel, SpanLog, TestReader } from "./support.js";

const { spans, reader } = registerGlobalOtel();

class Counter extends Component<{ count: number }> {
  mount() {
    this.state.count = 0;
  }
  onIncrement() {
    this.state.count += 1;
  }
  onBoom(): void {
    throw new Error("kaboom");
  }
  render() {
    return html`<b>${this.state.count}</b>`;
  }
}


/** Joins in both formats (html and sdui). */
class Dual extends Component<{ n: number }> {
  mount() {
    this.state.n = 0;
  }
  describe() {
    return { screens: { s: { components: { n: { rel: "n", behavior: "VISIBLE", locale: { label: `n ${this.state.n}` }, payload: {} } } } } };
  }
  render() {
    return html`<p>${this.state.n}</p>`;
  }
}

const registry = new Registry();
registry.register("counter", Counter);
registry.register("dual", Dual);
registry.register("chat", Chat);

const attr = (s: ReadableSpan, k: string) => s.attributes[k];
const isEvent = (event: string) => (s: ReadableSpan) => s.name === SpanNames.event && attr(s, Attr.event) === event;

test("a join: a root span with its render and store save as children", async () => {
  spans.clear();
  const app = await startServer({ registry });
  const c = await TestClient.open(app.url);
  try {
    const ok = await c.join("c1", "counter");
    assert.is(ok.t, "ok");
    const join = await spans.waitFor((s) => s.name === SpanNames.join);
    assert.is(attr(join, Attr.component), "counter");
    assert.is(attr(join, Attr.outcome), "ok");
    assert.is(attr(join, Attr.transport), "websocket");
    assert.match(String(attr(join, Attr.instance)), /^i\d+$/);
    assert.is(parentOf(join), undefined, "a join from a client is a root");
    const render = spans.named(SpanNames.render).find((s) => parentOf(s) === join.spanContext().spanId);
    assert.ok(render, "the join's render is its child");
    assert.is(attr(render!, Attr.component), "counter");
    assert.ok((attr(render!, Attr.patchBytes) as number) > 0);
    const save = spans.named(SpanNames.storeSave).find((s) => parentOf(s) === join.spanContext().spanId);
    assert.ok(save, "the join's store save is its child");
    assert.is(join.spanContext().traceId, render!.spanContext().traceId);
    // the measured store is still a MemoryStore (the runtime writes to one synchronously)
    assert.ok(app.hotline.context.store instanceof MemoryStore);
    assert.is.not(app.hotline.context.store, app.hotline.store);
  } finally {
    c.close();
    await app.stop();
  }
});

test("an event: its render and store save are its children; its patch bytes and outcome", async () => {
  spans.clear();
  const app = await startServer({ registry });
  const c = await TestClient.open(app.url);
  try {
    await c.join("c1", "counter");
    const patch = await c.event("c1", "increment");
    assert.is(patch.t, "patch");
    const event = await spans.waitFor(isEvent("increment"));
    assert.is(attr(event, Attr.component), "counter");
    assert.is(attr(event, Attr.outcome), "ok");
    assert.is(event.status.code, SpanStatusCode.UNSET);
    assert.ok((attr(event, Attr.patchBytes) as number) > 0, "the event carries its renders' patch bytes");
    const id = event.spanContext().spanId;
    const render = spans.named(SpanNames.render).find((s) => parentOf(s) === id);
    assert.ok(render, "the render runs under the event, through the instance's queue");
    assert.is(attr(render!, Attr.patchBytes), attr(event, Attr.patchBytes));
    assert.ok(spans.named(SpanNames.storeSave).some((s) => parentOf(s) === id), "the save inside the event is its child");
  } finally {
    c.close();
    await app.stop();
  }
});

test("an event that throws: an error-status span with the error code", async () => {
  spans.clear();
  const app = await startServer({ registry });
  const c = await TestClient.open(app.url);
  try {
    await c.join("c1", "counter");
    const answer = await c.event("c1", "boom");
    assert.is(answer.t, "error");
    const event = await spans.waitFor(isEvent("boom"));
    assert.is(event.status.code, SpanStatusCode.ERROR);
    assert.is(attr(event, Attr.outcome), "error");
    assert.is(attr(event, Attr.code), "handler_error");
    // the next event on the same instance is ok again
    await c.event("c1", "increment");
    assert.is(attr(await spans.waitFor(isEvent("increment")), Attr.outcome), "ok");
    // a made-up event name as long as a frame allows is clipped in the span
    const long = "x".repeat(10_000);
    assert.is((await c.event("c1", long)).code, "unknown_event");
    const clipped = await spans.waitFor((s) => s.name === SpanNames.event && String(attr(s, Attr.event)).startsWith("xxx"));
    assert.ok(String(attr(clipped, Attr.event)).length <= 129);
    assert.is(attr(clipped, Attr.code), "unknown_event");
  } finally {
    c.close();
    await app.stop();
  }
});

test("a publish: a producer span under the event; its delivery under it; the subscribers' renders under the delivery", async () => {
  spans.clear();
  const app = await startServer({ registry });
  const a = await TestClient.open(app.url);
  const b = await TestClient.open(app.url);
  try {
    await a.join("c1", "chat", { params: { room: "r1" } });
    await b.join("c1", "chat", { params: { room: "r1" } });
    const seen = b.next((m) => m.t === "patch");
    await a.event("c1", "say", { text: "hello" });
    await seen;
    const event = await spans.waitFor(isEvent("say"));
    const publish = await spans.waitFor((s) => s.name === SpanNames.publish);
    assert.is(parentOf(publish), event.spanContext().spanId, "publish is a child of the event that published");
    assert.is(attr(publish, Attr.topic), "room:r1");
    assert.ok((attr(publish, Attr.messageBytes) as number) > 0);
    assert.is(attr(publish, Attr.outcome), "ok");
    const deliver = await spans.waitFor((s) => s.name === SpanNames.deliver);
    assert.is(parentOf(deliver), publish.spanContext().spanId, "in one process the delivery happens inside the publish");
    assert.is(attr(deliver, Attr.topic), "room:r1");
    assert.is(attr(deliver, Attr.listeners), 2);
    assert.ok((attr(deliver, Attr.lag) as number) >= 0);
    const id = deliver.spanContext().spanId;
    await spans.waitFor((s) => s.name === SpanNames.render && parentOf(s) === id && spans.named(SpanNames.render).filter((r) => parentOf(r) === id).length === 2);
    assert.is(spans.named(SpanNames.render).filter((s) => parentOf(s) === id).length, 2, "both subscribers render under the delivery");
    assert.ok(spans.named(SpanNames.storeSave).some((s) => parentOf(s) === id), "and save under it");
  } finally {
    a.close();
    b.close();
    await app.stop();
  }
});

test("HTTP and SSE calls: their spans with the event, the outcome and the status", async () => {
  spans.clear();
  const app = await startServer({ registry });
  const post = (path: string, body: unknown) =>
    fetch(`${app.http}/components/${path}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  try {
    const ok = await post("counter", { event: "increment" });
    assert.is(ok.status, 200);
    await ok.text();
    const call = await spans.waitFor((s) => s.name === SpanNames.httpCall && attr(s, Attr.event) === "increment");
    assert.is(attr(call, Attr.component), "counter");
    assert.is(attr(call, Attr.outcome), "ok");
    assert.is(attr(call, Attr.status), 200);
    const bad = await post("counter", { event: "boom" });
    assert.is(bad.status, 500);
    await bad.text();
    const failed = await spans.waitFor((s) => s.name === SpanNames.httpCall && attr(s, Attr.event) === "boom");
    assert.is(failed.status.code, SpanStatusCode.ERROR);
    assert.is(attr(failed, Attr.code), "handler_error");
    assert.is(attr(failed, Attr.status), 500);
    const stream = await post("counter/stream", { event: "increment" });
    assert.match(await stream.text(), /stream_done/);
    const sse = await spans.waitFor((s) => s.name === SpanNames.sseStream);
    assert.is(attr(sse, Attr.event), "increment");
    assert.is(attr(sse, Attr.steps), 1);
    assert.is(attr(sse, Attr.outcome), "ok");
    const missing = await post("nope", {});
    assert.is(missing.status, 404);
    await missing.text();
    const unknown = await spans.waitFor((s) => s.name === SpanNames.httpCall && attr(s, Attr.component) === "nope");
    assert.is(attr(unknown, Attr.code), "unknown_component");
    // a name a client made up never becomes a metric label (labels would grow without end)
    assert.is(await reader.sum(MetricNames.events, { [Attr.component]: "nope" }), 0);
    assert.ok((await reader.sum(MetricNames.events, { [Attr.component]: "(unknown)", [Attr.transport]: "http" })) >= 1);
  } finally {
    await app.stop();
  }
});

test("metrics: events, renders, patch sizes, delivery lag, store latency, gauges, refusals", async () => {
  spans.clear();
  const app = await startServer({ registry, rateLimit: { perSecond: 0.001, burst: 6, maxStrikes: 1000 } });
  const before = await reader.sum(MetricNames.events, { [Attr.component]: "counter", [Attr.outcome]: "ok" });
  const errorsBefore = await reader.sum(MetricNames.events, { [Attr.component]: "counter", [Attr.outcome]: "error" });
  const lagBefore = await reader.count(MetricNames.deliveryLag);
  const c = await TestClient.open(app.url);
  try {
    await c.join("c1", "counter");
    await c.join("c2", "chat", { params: { room: "m" } });
    await c.event("c1", "increment");
    await c.event("c1", "boom");
    await c.event("c2", "say", { text: "x" });
    await spans.waitFor(isEvent("say"));
    // 5 messages so far; the burst of 6 lets one more through, then refusals
    for (let i = 0; i < 3; i++) c.send({ t: "ping", ref: 900 + i });
    await c.next((m) => m.t === "error" && m.code === "rate_limited");
    assert.is(await reader.sum(MetricNames.events, { [Attr.component]: "counter", [Attr.outcome]: "ok" }) - before, 2, "the join and the increment");
    assert.is(await reader.sum(MetricNames.events, { [Attr.component]: "counter", [Attr.outcome]: "error" }) - errorsBefore, 1);
    assert.ok((await reader.count(MetricNames.renderDuration, { [Attr.component]: "counter" })) >= 2);
    assert.ok((await reader.count(MetricNames.patchSize, { [Attr.component]: "chat" })) >= 2);
    assert.ok((await reader.count(MetricNames.deliveryLag)) > lagBefore, "the chat message's delivery lag");
    assert.ok((await reader.count(MetricNames.storeDuration, { [Attr.operation]: "save" })) > 0);
    assert.ok((await reader.sum(MetricNames.refusals, { [Attr.limit]: "messages" })) >= 1);
    const conns = await reader.points(MetricNames.connections);
    assert.ok(conns.some((p) => p.value === 1), `one open connection: ${JSON.stringify(conns.map((p) => p.value))}`);
    const lives = await reader.points(MetricNames.instances);
    assert.ok(lives.some((p) => p.value === 2), "two live instances");
  } finally {
    c.close();
    await app.stop();
  }
});

test("the gauges read the app's stats at each collection, and no more once it is closed", async () => {
  const own = new TestReader();
  const tel = new Telemetry(new ActivityFeed(), { meterProvider: new MeterProvider({ readers: [own] }) });
  let reads = 0;
  tel.observe(() => (reads++, { connections: 3, instances: 7 }));
  assert.equal((await own.points(MetricNames.connections)).map((p) => p.value), [3]);
  assert.equal((await own.points(MetricNames.instances)).map((p) => p.value), [7]);
  assert.is(reads, 2);
  tel.close();
  await own.points(MetricNames.connections);
  assert.is(reads, 2, "a closed app's stats are not read again");
});

test("telemetry: false records nothing, even with global providers", async () => {
  spans.clear();
  const before = await reader.sum(MetricNames.events);
  const app = await startServer({ registry, telemetry: false });
  const a = await TestClient.open(app.url);
  try {
    await a.join("c1", "chat", { params: { room: "off" } });
    await a.event("c1", "say", { text: "quiet" });
    await a.event("c1", "say", { text: "quiet" });
    await app.hotline.hub.lives.values().next().value!.drained();
    assert.equal(spans.spans.map((s) => s.name), []);
    assert.is(await reader.sum(MetricNames.events), before);
  } finally {
    a.close();
    await app.stop();
  }
});

test("given providers: spans go to the app's own provider, not the global one", async () => {
  spans.clear();
  const own = new SpanLog();
  const app = await startServer({ registry, telemetry: { tracerProvider: new BasicTracerProvider({ spanProcessors: [own] }) } });
  const c = await TestClient.open(app.url);
  try {
    await c.join("c1", "counter");
    await c.event("c1", "increment");
    const event = await own.waitFor(isEvent("increment"));
    assert.ok(own.named(SpanNames.render).some((s) => parentOf(s) === event.spanContext().spanId));
    assert.equal(spans.spans.map((s) => s.name), [], "nothing reached the global provider");
  } finally {
    c.close();
    await app.stop();
  }
});

test("a session's second join attaches through measured presenters, in its own format only", async () => {
  const app = await startServer({ registry });
  const a = await TestClient.open(app.url);
  const b = await TestClient.open(app.url);
  try {
    const ok = await a.join("c1", "dual");
    assert.is(ok.t, "ok");
    const other = await b.join("c1", "dual", { session: ok.session, format: "sdui" });
    assert.is(other.t, "error");
    assert.is(other.code, "bad_state", "an html session is not joined in sdui");
    const same = await b.join("c2", "dual", { session: ok.session });
    assert.is(same.t, "ok", `the same format attaches: ${JSON.stringify(same)}`);
    assert.is(app.hotline.hub.lives.size, 1, "one live instance, two viewers");
  } finally {
    a.close();
    b.close();
    await app.stop();
  }
});

test("the activity feed: join, event, render, publish, deliver, error and leave, only while listened to", async () => {
  const app = await startServer({ registry, telemetry: false });
  const seen: Activity[] = [];
  const a = await TestClient.open(app.url);
  try {
    await a.join("c0", "counter"); // before anyone listens: nothing recorded
    const off = app.hotline.context.activity.on((x) => seen.push(x));
    await a.join("c1", "chat", { params: { room: "feed" } });
    await a.event("c1", "say", { text: "hi" });
    await a.event("c0", "boom");
    a.send({ t: "leave", id: "c1" });
    await a.request({ t: "ping" });
    off();
    await a.event("c0", "increment"); // after: nothing
    const kinds = seen.map((x) => x.kind);
    for (const k of ["join", "event", "render", "publish", "deliver", "error", "leave"]) assert.ok(kinds.includes(k as Activity["kind"]), `${k} in ${kinds}`);
    const join = seen.find((x) => x.kind === "join")!;
    assert.is(join.component, "chat");
    assert.is(join.outcome, "ok");
    assert.match(join.instance!, /^i\d+$/);
    const say = seen.find((x) => x.kind === "event" && x.name === "say")!;
    assert.is(say.instance, join.instance);
    assert.ok(say.ms! >= 0);
    assert.ok(say.bytes === undefined || say.bytes > 0);
    const render = seen.find((x) => x.kind === "render" && x.component === "chat")!;
    assert.ok(render.bytes! > 0);
    const publish = seen.find((x) => x.kind === "publish")!;
    assert.is(publish.name, "room:feed");
    assert.ok(publish.bytes! > 0);
    const deliver = seen.find((x) => x.kind === "deliver")!;
    assert.is(deliver.name, "room:feed");
    assert.is(deliver.count, 1);
    const boom = seen.find((x) => x.kind === "event" && x.name === "boom")!;
    assert.is(boom.outcome, "error");
    assert.is(boom.code, "handler_error");
    assert.is(seen.find((x) => x.kind === "leave")!.instance, join.instance);
    assert.not.ok(seen.some((x) => x.name === "increment"), "nothing after the listener left");
    assert.not.ok(seen.some((x) => x.kind === "join" && x.component === "counter"), "nothing before it came");
  } finally {
    a.close();
    await app.stop();
  }
});

test.run();

// Telemetry across two apps sharing Redis (as two processes would): the Redis store's calls are
// spans under the event, and a message published on one app starts a new trace at the other's
// delivery, with that app's renders under it; the delivery lag is measured from the publish time the
// message carries.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SpanKind } from "@opentelemetry/api";
import { Registry } from "../../server/core/registry.js";
import { RedisPubSub, RedisStore } from "../../server/redis.js";
import { Attr, MetricNames, SpanNames } from "../../server/telemetry/telemetry.js";
import { needRedis } from "../support/services.js";
import { startServer, TestClient } from "../support/ws-client.js";
import { Chat, parentOf, registerGlobalOtel } from "./support.js";

const url = await needRedis();
const { spans, reader } = registerGlobalOtel();


const registry = new Registry();
registry.register("chat", Chat);

test("two apps over Redis: store spans under the event; the other app's delivery starts its own trace", async () => {
  const prefix = `hl-test-otel-${process.pid}-${Date.now()}:`;
  const parts = [0, 1].map(() => ({ pubsub: new RedisPubSub({ url, prefix }), store: new RedisStore({ url, prefix: `${prefix}state:` }) }));
  const [one, two] = await Promise.all(parts.map((p) => startServer({ registry, ...p })));
  const a = await TestClient.open(one!.url);
  const b = await TestClient.open(two!.url);
  try {
    await a.join("c1", "chat", { params: { room: "x" } });
    await b.join("c1", "chat", { params: { room: "x" } });
    spans.clear();
    const lagBefore = await reader.count(MetricNames.deliveryLag);
    const seen = b.next((m) => m.t === "patch" && JSON.stringify(m).includes("over"));
    await a.event("c1", "say", { text: "over" });
    await seen;
    const event = await spans.waitFor((s) => s.name === SpanNames.event && s.attributes[Attr.event] === "say");
    const publish = await spans.waitFor((s) => s.name === SpanNames.publish);
    assert.is(parentOf(publish), event.spanContext().spanId);
    // two deliveries (one per app), each a root: the bus carries no trace context
    await spans.waitFor(() => spans.named(SpanNames.deliver).length >= 2);
    const deliveries = spans.named(SpanNames.deliver);
    for (const d of deliveries) {
      assert.is(parentOf(d), undefined);
      assert.is.not(d.spanContext().traceId, event.spanContext().traceId);
      assert.is(d.kind, SpanKind.CONSUMER);
    }
    const ids = new Set(deliveries.map((d) => d.spanContext().spanId));
    await spans.waitFor(() => spans.named(SpanNames.render).filter((r) => ids.has(parentOf(r)!)).length >= 2);
    const saves = await spans.waitFor((s) => s.name === SpanNames.storeSave && ids.has(parentOf(s)!));
    assert.is(saves.kind, SpanKind.CLIENT);
    assert.is(saves.attributes[Attr.outcome], "ok");
    // the message carries its publish time across Redis: both apps' deliveries have a lag
    assert.is((await reader.count(MetricNames.deliveryLag)) - lagBefore, 2, "a delivery lag per app");
  } finally {
    a.close();
    b.close();
    await Promise.all([one!.stop(), two!.stop()]);
    await Promise.all(parts.flatMap((p) => [p.pubsub.close(), p.store.close()]));
  }
});

test.run();

// The PubSub contract: every implementation (memory, Redis over ioredis, Redis over node-redis)
// runs these same tests. A message is "not delivered" when a later sentinel message, published
// after it on the same bus, has arrived and it has not: buses deliver in order, so no sleeps.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { DeliveryInfo, PubSub } from "../../pubsub/pubsub.js";

export interface PubSubFixture {
  pubsub: PubSub;
  cleanup(): Promise<void>;
}

export interface ContractOptions {
  /** The bus spans processes: a second `make()` gives another process's view of the same bus. */
  distributed?: boolean;
}

/** Records what a listener got and waits for it. */
export interface Collector {
  readonly listener: (message: unknown, info: DeliveryInfo) => void;
  readonly messages: unknown[];
  /** What each delivery said besides the message, without `publishedAt` (checked, then set aside in `stamps`). */
  readonly infos: DeliveryInfo[];
  /** The `publishedAt` of each delivery that had one. */
  readonly stamps: number[];
  /** Resolves once `n` deliveries arrived (messages and resyncs alike); rejects after `ms`. */
  until(n: number, ms?: number): Promise<void>;
}

export function collector(): Collector {
  const messages: unknown[] = [];
  const infos: DeliveryInfo[] = [];
  const stamps: number[] = [];
  let wake = () => {};
  return {
    messages, infos, stamps,
    listener: (m, i) => {
      messages.push(m);
      const { publishedAt, ...rest } = i;
      if (publishedAt !== undefined) {
        // a publish time is the publisher's clock: here the same machine's, so close to now
        if (!Number.isSafeInteger(publishedAt) || Math.abs(Date.now() - publishedAt) > 60_000) throw new Error(`implausible publishedAt ${publishedAt}`);
        stamps.push(publishedAt);
      }
      infos.push(rest);
      wake();
    },
    async until(n, ms = 3000) {
      const deadline = Date.now() + ms;
      while (infos.length < n) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`waited ${ms} ms for ${n} deliveries, got ${infos.length}: ${JSON.stringify(infos)}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 50));
          wake = () => { clearTimeout(t); resolve(); };
        });
      }
    },
  };
}

let counter = 0;
/** A topic name no other test (or run) uses. */
export function uniqueTopic(label: string): string {
  return `${label}:${process.pid}:${Date.now().toString(36)}:${++counter}`;
}

export function pubsubContract(name: string, make: () => Promise<PubSubFixture>, options: ContractOptions = {}): void {
  const test = suite(`PubSub contract: ${name}`);
  const fixtures: PubSubFixture[] = [];
  const open = async () => { const f = await make(); fixtures.push(f); return f.pubsub; };
  test.after.each(async () => { while (fixtures.length) await fixtures.pop()!.cleanup(); });

  /** Publishes a sentinel on its own topic and waits for it: everything published before it has arrived. */
  async function flush(bus: PubSub, listenerBus = bus): Promise<void> {
    const topic = uniqueTopic("sentinel");
    const c = collector();
    const off = await listenerBus.subscribe(topic, c.listener);
    await bus.publish(topic, "sentinel");
    await c.until(1);
    await off();
  }

  test("publish reaches a subscriber of the topic, and only of that topic", async () => {
    const bus = await open();
    const [t1, t2] = [uniqueTopic("a"), uniqueTopic("b")];
    const c1 = collector(), c2 = collector();
    await bus.subscribe(t1, c1.listener);
    await bus.subscribe(t2, c2.listener);
    await bus.publish(t1, { n: 1 });
    await c1.until(1);
    await flush(bus);
    assert.equal(c1.messages, [{ n: 1 }]);
    assert.equal(c1.infos, [{ topic: t1 }]);
    assert.equal(c2.messages, []);
  });

  test("a publish with no subscriber is not an error", async () => {
    const bus = await open();
    await bus.publish(uniqueTopic("nobody"), { n: 1 });
  });

  test("two subscribers of a topic both get it, as the same value", async () => {
    const bus = await open();
    const t = uniqueTopic("two");
    const a = collector(), b = collector();
    await bus.subscribe(t, a.listener);
    await bus.subscribe(t, b.listener);
    await bus.publish(t, { items: [1, 2] });
    await a.until(1);
    await b.until(1);
    assert.equal(a.messages, [{ items: [1, 2] }]);
    // One decode per message, shared: this is what lets a shared component render once per change.
    assert.ok(a.messages[0] === b.messages[0]);
  });

  test("the publisher cannot change what subscribers got by mutating its object afterwards", async () => {
    const bus = await open();
    const t = uniqueTopic("copy");
    const c = collector();
    await bus.subscribe(t, c.listener);
    const msg = { status: "new" };
    const sent = bus.publish(t, msg);
    msg.status = "changed";
    await sent;
    await c.until(1);
    assert.equal(c.messages, [{ status: "new" }]);
  });

  test("unsubscribe stops delivery", async () => {
    const bus = await open();
    const t = uniqueTopic("off");
    const c = collector();
    const off = await bus.subscribe(t, c.listener);
    await bus.publish(t, 1);
    await c.until(1);
    await off();
    await bus.publish(t, 2);
    await flush(bus);
    assert.equal(c.messages, [1]);
    await off(); // twice is harmless
  });

  test("unsubscribing one of two subscribers keeps the other", async () => {
    const bus = await open();
    const t = uniqueTopic("keep");
    const a = collector(), b = collector();
    const offA = await bus.subscribe(t, a.listener);
    await bus.subscribe(t, b.listener);
    await offA();
    await bus.publish(t, "still here");
    await b.until(1);
    await flush(bus);
    assert.equal(a.messages, []);
    assert.equal(b.messages, ["still here"]);
  });

  test("the same function subscribed twice is two subscriptions", async () => {
    const bus = await open();
    const t = uniqueTopic("twice");
    const c = collector();
    const off1 = await bus.subscribe(t, c.listener);
    await bus.subscribe(t, c.listener);
    await bus.publish(t, "x");
    await c.until(2);
    await off1();
    await bus.publish(t, "y");
    await c.until(3);
    await flush(bus);
    assert.equal(c.messages, ["x", "x", "y"]);
  });

  test("JSON values round trip", async () => {
    const bus = await open();
    const t = uniqueTopic("json");
    const c = collector();
    await bus.subscribe(t, c.listener);
    const values: unknown[] = [
      { nested: { list: [1, "two", null, true], empty: {} } }, [1, [2, [3]]], "a|b|c", "1|2|x|{}", "ünïcødé ✓ \u2028", "",
      0, -1.5, 1e21, null, true, false, undefined, { undef: undefined, n: 1 },
    ];
    for (const v of values) await bus.publish(t, v);
    await c.until(values.length);
    assert.equal(c.messages, values.map((v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)))));
  });

  test("a value that is not JSON is refused by publish", async () => {
    const bus = await open();
    const c: { self?: unknown } = {};
    c.self = c;
    let threw = false;
    try { await bus.publish(uniqueTopic("bad"), c); } catch { threw = true; }
    assert.ok(threw, "a cyclic value must reject");
  });

  test("messages arrive in publish order", async () => {
    const bus = await open();
    const t = uniqueTopic("order");
    const c = collector();
    await bus.subscribe(t, c.listener);
    for (let i = 0; i < 20; i++) await bus.publish(t, i);
    await Promise.all(Array.from({ length: 30 }, (_, i) => bus.publish(t, 20 + i)));
    await c.until(50);
    assert.equal(c.messages, Array.from({ length: 50 }, (_, i) => i));
  });

  test("a listener that throws does not stop the others", async () => {
    const bus = await open();
    const t = uniqueTopic("throw");
    const c = collector();
    const quiet = console.error;
    console.error = () => {};
    try {
      await bus.subscribe(t, () => { throw new Error("listener bug"); });
      await bus.subscribe(t, c.listener);
      await bus.publish(t, "ok");
      await c.until(1);
    } finally {
      console.error = quiet;
    }
    assert.equal(c.messages, ["ok"]);
  });

  test("after close, publish and subscribe reject", async () => {
    const bus = await open();
    await bus.close();
    let p = false, s = false;
    try { await bus.publish(uniqueTopic("closed"), 1); } catch { p = true; }
    try { await bus.subscribe(uniqueTopic("closed"), () => {}); } catch { s = true; }
    assert.ok(p && s);
  });

  const distributed = options.distributed ? test : test.skip;

  distributed("another instance (another process) gets what this one publishes, and the reverse", async () => {
    const a = await open(), b = await open();
    const t = uniqueTopic("cross");
    const ca = collector(), cb = collector();
    await a.subscribe(t, ca.listener);
    await b.subscribe(t, cb.listener);
    await a.publish(t, { from: "a" });
    await b.publish(t, { from: "b" });
    await ca.until(2);
    await cb.until(2);
    assert.equal(ca.messages, [{ from: "a" }, { from: "b" }]);
    assert.equal(cb.messages, [{ from: "a" }, { from: "b" }]);
  });

  distributed("unsubscribing in one instance leaves another instance's subscription alone", async () => {
    const a = await open(), b = await open();
    const t = uniqueTopic("cross-off");
    const ca = collector(), cb = collector();
    const offA = await a.subscribe(t, ca.listener);
    await b.subscribe(t, cb.listener);
    await offA();
    await a.publish(t, "for b");
    await cb.until(1);
    await flush(a);
    assert.equal(ca.messages, []);
    assert.equal(cb.messages, ["for b"]);
  });

  test.run();
}

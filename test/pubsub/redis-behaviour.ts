// What the PubSub contract can't see but a Redis deployment depends on: channels subscribed only
// while listened, one PUBLISH per publish, gap detection, Redis restarts and Redis down at start.
// The fault and counting tests run on a private redis-server; the shared one is never stopped.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { setTimeout as sleep } from "node:timers/promises";
import { RedisPubSub } from "../../pubsub/redis.js";
import type { RedisFlavour } from "../../pubsub/redis-driver.js";
import { freePort, haveRedisServer, startRedisServer, type PrivateRedis } from "../support/redis-server.js";
import { collector, uniqueTopic, type Collector } from "./contract.js";
import { runPrefix, testClient, type TestClient } from "./redis-clients.js";

const canSpawn = await haveRedisServer();

async function numsub(raw: TestClient, channel: string): Promise<number> {
  const reply = (await raw.send("PUBSUB", "NUMSUB", channel)) as [string, number];
  return Number(reply[1]);
}

function resyncs(c: Collector): number {
  return c.infos.filter((i) => i.resync).length;
}

async function eventually(check: () => boolean | Promise<boolean>, what: string, ms = 8000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for: ${what}`);
    await sleep(25);
  }
}

export function redisBehaviour(flavour: RedisFlavour, sharedUrl: string): void {
  const test = suite(`RedisPubSub (${flavour})`);
  const prefix = runPrefix(`${flavour}-behaviour`);
  const cleanups: (() => Promise<unknown>)[] = [];
  const later = <T extends { close?(): Promise<void>; quit?(): Promise<void>; stop?(): Promise<void> }>(x: T): T => {
    cleanups.push(() => (x.close ?? x.quit ?? x.stop)!.call(x));
    return x;
  };
  test.after.each(async () => { while (cleanups.length) await cleanups.pop()!(); });

  const shared = async (log?: (l: string) => void) => {
    const user = later(await testClient(flavour, sharedUrl));
    const bus = later(new RedisPubSub({ client: user.client, prefix, ...(log ? { log } : {}) }));
    return { user, bus };
  };

  test("a Redis channel is subscribed only while a local listener wants it", async () => {
    const { user, bus } = await shared();
    const t = uniqueTopic("numsub");
    const ch = bus.channelOf(t);
    assert.is(await numsub(user, ch), 0);
    const off1 = await bus.subscribe(t, () => {});
    const off2 = await bus.subscribe(t, () => {});
    assert.is(await numsub(user, ch), 1, "two local listeners share one Redis subscription");
    await off1();
    assert.is(await numsub(user, ch), 1);
    await off2();
    assert.is(await numsub(user, ch), 0, "the last listener gone, the channel is unsubscribed");
    assert.is(bus.topicCount, 0);
  });

  test("a skipped sequence number makes listeners resync instead of applying the message", async () => {
    const { user, bus } = await shared();
    const t = uniqueTopic("gap");
    const c = collector();
    await bus.subscribe(t, c.listener);
    await bus.publish(t, "m1");
    await c.until(1);
    await user.send("INCR", `${prefix}seq:${t}`); // a message numbered 2 that never arrived
    await bus.publish(t, "m3");
    await bus.publish(t, "m4");
    await c.until(3);
    assert.equal(c.messages, ["m1", undefined, "m4"]);
    assert.equal(c.infos, [{ topic: t }, { topic: t, resync: true }, { topic: t }]);
    assert.is(c.stamps.length, 2, "each message carries its publish time; a resync none");
  });

  test("raw JSON from an outside writer is delivered; an unreadable payload asks for a resync", async () => {
    const lines: string[] = [];
    const { user, bus } = await shared((l) => lines.push(l));
    const t = uniqueTopic("raw");
    const c = collector();
    await bus.subscribe(t, c.listener);
    await user.send("PUBLISH", bus.channelOf(t), '{"status":"paid"}');
    await user.send("PUBLISH", bus.channelOf(t), "9|1|elsewhere|{}");
    await user.send("PUBLISH", bus.channelOf(t), "not json");
    await c.until(3);
    assert.equal(c.messages, [{ status: "paid" }, undefined, undefined]);
    assert.equal(c.infos.map((i) => !!i.resync), [false, true, true]);
    assert.is(lines.length, 2);
    assert.match(lines[0]!, /format version 9/);
  });

  test("close() ends its own subscription but leaves the user's client open", async () => {
    const { user, bus } = await shared();
    const t = uniqueTopic("close");
    await bus.subscribe(t, () => {});
    assert.is(await numsub(user, bus.channelOf(t)), 1);
    await bus.close();
    assert.is(await numsub(user, bus.channelOf(t)), 0);
    assert.is(await user.send("PING"), "PONG");
  });

  test("a client that is neither ioredis nor node-redis is refused with a clear error", async () => {
    const bus = later(new RedisPubSub({ client: { duplicate: () => ({}), on: () => {} } }));
    try {
      await bus.publish("x", 1);
      assert.unreachable("should reject");
    } catch (err) {
      assert.match(String(err), /ioredis Redis or a node-redis client/);
    }
  });

  const spawned = canSpawn ? test : test.skip;
  if (!canSpawn) console.log(`\nSKIP redis-server is not installed: the fault and counting tests of ${flavour} don't run\n`);

  spawned("one PUBLISH per publish(), however many listeners and processes", async () => {
    const redis = later(await startRedisServer());
    const raw = later(await testClient(flavour, redis.url));
    const a = later(new RedisPubSub({ url: redis.url, driver: flavour }));
    const b = later(new RedisPubSub({ url: redis.url, driver: flavour }));
    const t = uniqueTopic("count");
    const cs = Array.from({ length: 5 }, collector);
    for (const [i, c] of cs.entries()) await (i < 3 ? a : b).subscribe(t, c.listener);
    await a.publish(t, "warm-up"); // loads the script, so the counts below are steady-state
    for (const c of cs) await c.until(1);
    await raw.send("CONFIG", "RESETSTAT");
    for (let i = 0; i < 10; i++) await a.publish(t, i);
    for (const c of cs) await c.until(11);
    const stats = String(await raw.send("INFO", "commandstats"));
    const calls = (cmd: string) => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    assert.is(calls("publish"), 10);
    assert.is(calls("evalsha") + calls("eval"), 10);
  });

  spawned("after a Redis restart: channels come back, listeners resync, publishing works", async () => {
    const redis = later(await startRedisServer());
    const raw = () => testClient(flavour, redis.url);
    const logA: string[] = [], logB: string[] = [];
    const a = later(new RedisPubSub({ url: redis.url, driver: flavour, log: (l) => logA.push(l) }));
    const b = later(new RedisPubSub({ url: redis.url, driver: flavour, log: (l) => logB.push(l) }));
    const [x, y] = [uniqueTopic("x"), uniqueTopic("y")];
    const ax1 = collector(), ax2 = collector(), bx = collector(), by = collector();
    await a.subscribe(x, ax1.listener);
    await a.subscribe(x, ax2.listener);
    await b.subscribe(x, bx.listener);
    await b.subscribe(y, by.listener);
    await a.publish(x, "before");
    for (const c of [ax1, ax2, bx]) await c.until(1);

    await redis.kill();
    await eventually(() => logA.some((l) => /subscriber connection lost/.test(l)), "a notices the outage");
    const during = a.publish(x, "during"); // waits in the client's offline queue
    await sleep(300);
    await redis.start();
    await during; // not lost silently: it reached the restarted Redis

    const all = [ax1, ax2, bx, by];
    await eventually(() => all.every((c) => resyncs(c) >= 1), "every listener gets a resync");
    const check = later(await raw());
    await eventually(async () => (await numsub(check, a.channelOf(x))) === 2, "both processes subscribed to x again");
    assert.is(await numsub(check, a.channelOf(y)), 1);

    await b.publish(x, "after");
    await b.publish(y, "after");
    await eventually(() => all.every((c) => c.messages.includes("after")), "a publish after the restart arrives");
    // One line when the connection went, one when it came back: no flood while retrying.
    for (const log of [logA, logB]) {
      assert.is(log.filter((l) => /subscriber connection lost/.test(l)).length, 1, log.join("\n"));
      assert.ok(log.every((l) => !l.includes("\n")), "single lines, no stack traces");
    }
  });

  spawned("Redis down at start-up: one clear line, retries, then works", async () => {
    const port = await freePort();
    const url = `redis://127.0.0.1:${port}`;
    const lines: string[] = [];
    const bus = later(new RedisPubSub({ url, driver: flavour, log: (l) => lines.push(l) }));
    const t = uniqueTopic("late-start");
    const c = collector();
    const subscribed = bus.subscribe(t, c.listener);
    await sleep(1000); // several retries happen in this second
    assert.ok(lines.length >= 1 && lines.length <= 2, lines.join("\n"));
    for (const l of lines) assert.match(l, /^hotline\/redis: cannot reach Redis for the (publisher|subscriber) connection \(ECONNREFUSED\); retrying/);
    const redis: PrivateRedis = later(await startRedisServer(port));
    assert.is(redis.port, port);
    await subscribed;
    await bus.publish(t, "hello");
    await c.until(1, 5000);
    assert.equal(c.messages, ["hello"]);
  });

  // node-redis has no retry budget per command: its publish waits for Redis (docs/deploy-redis.md).
  if (flavour === "ioredis") test("a publish the client gives up on rejects with a clear error, not silently", async () => {
    const { Redis } = await import("ioredis");
    const port = await freePort(); // nothing listens here
    const client = new Redis(`redis://127.0.0.1:${port}`, { maxRetriesPerRequest: 1 });
    client.on("error", () => {});
    cleanups.push(async () => { client.disconnect(); });
    const bus = later(new RedisPubSub({ client, log: () => {} }));
    try {
      await bus.publish("orders:42", { status: "paid" });
      assert.unreachable("should reject");
    } catch (err) {
      assert.match(String(err), /hotline\/redis: publish to "orders:42" failed/);
    }
  });

  test.run();
}

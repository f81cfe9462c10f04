// RedisStore with one client library: the contract, plus what a deployment relies on (key
// prefix, default TTL set in Redis, SET ... PX, url mode, a user's client left open).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { RedisStore } from "../../server/stores/redis.js";
import type { RedisFlavour } from "../../pubsub/redis-driver.js";
import { runPrefix, testClient } from "../pubsub/redis-clients.js";
import { storeContract } from "./contract.js";

export function redisStoreSuite(flavour: RedisFlavour, url: string): void {
  let n = 0;
  const base = runPrefix(`${flavour}-store`);

  storeContract(`redis (${flavour})`, async () => {
    const c = await testClient(flavour, url);
    const store = new RedisStore({ client: c.client, prefix: `${base}${++n}:` });
    return { store, cleanup: async () => { await store.close(); await c.quit(); } };
  });

  const test = suite(`RedisStore (${flavour})`);
  const closers: (() => Promise<void>)[] = [];
  test.after.each(async () => { while (closers.length) await closers.pop()!(); });

  test("keys carry the prefix; the default TTL is 30 minutes; a given TTL is set in ms", async () => {
    const raw = await testClient(flavour, url);
    closers.push(() => raw.quit());
    const prefix = `${base}${++n}:`;
    const store = new RedisStore({ client: raw.client, prefix });
    await store.save("s1:counter", { count: 1 });
    const pttl = Number(await raw.send("PTTL", `${prefix}s1:counter`));
    assert.ok(pttl > 29 * 60_000 && pttl <= 30 * 60_000, `PTTL ${pttl}`);
    assert.is(await raw.send("GET", `${prefix}s1:counter`), '{"count":1}');
    await store.save("s1:other", { count: 2 }, 5_000);
    const pttl2 = Number(await raw.send("PTTL", `${prefix}s1:other`));
    assert.ok(pttl2 > 4_000 && pttl2 <= 5_000, `PTTL ${pttl2}`);
    await store.close();
    assert.is(await raw.send("PING"), "PONG", "a client passed in stays open");
    await raw.send("DEL", `${prefix}s1:counter`, `${prefix}s1:other`);
  });

  test("the default prefix is hotline:state: and a url store opens and closes its own connection", async () => {
    const store = new RedisStore({ url, driver: flavour, ttlMs: 10_000 });
    closers.push(() => store.close());
    const key = `${base}default-prefix`;
    await store.save(key, { ok: true });
    const raw = await testClient(flavour, url);
    closers.push(() => raw.quit());
    assert.is(await raw.send("GET", `hotline:state:${key}`), '{"ok":true}');
    assert.equal(await store.load(key), { ok: true });
    await store.delete(key);
    assert.is(await raw.send("EXISTS", `hotline:state:${key}`), 0);
  });

  test("writable(): false before the connection is up, true once it is, false to an unreachable server and after close", async () => {
    const store = new RedisStore({ url, driver: flavour });
    closers.push(() => store.close());
    assert.is(store.writable(), false, "not connected yet: a write would wait in a queue");
    await store.load(`${base}none`);
    assert.is(store.writable(), true);
    const away = new RedisStore({ url: "redis://127.0.0.1:1", driver: flavour, log: () => {} });
    await new Promise((r) => setTimeout(r, 200));
    assert.is(away.writable(), false, "a server that cannot be reached");
    await away.close();
    await store.close();
    assert.is(store.writable(), false, "closed");
  });

  test.run();
}

// RedisStore with one client library: the contract, plus what a deployment relies on (key
// prefix, default TTL set in Redis, SET ... PX, url mode, a user's client left open).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { RedisStore } from "../../server/stores/redis.js";
import type { RedisFlavour } from "../../pubsub/redis-driver.js";
import { runPrefix, testClient } from "../pubsub/redis-clients.js";
import { storeContract } from "./contract.js";
import { haveRedisServer, startRedisServer } from "../support/redis-server.js";

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

  test("a GET or DEL issued right after a save, unawaited, is not overtaken by it", async () => {
    const raw = await testClient(flavour, url);
    closers.push(() => raw.quit());
    const prefix = `${base}${++n}:`;
    const store = new RedisStore({ client: raw.client, prefix });
    await store.save("warm", { n: 0 });
    const saved = store.save("k", { n: 1 });
    const loaded = store.load("k");
    assert.equal(await loaded, { n: 1 }, "the load sees the save before it");
    await saved;
    const again = store.save("k", { n: 2 });
    const gone = store.delete("k");
    await Promise.all([again, gone]);
    assert.is(await store.load("k"), null, "the delete after the save wins");
    await raw.send("DEL", `${prefix}warm`);
  });

  test("saves of one turn: one EVAL (each key its own state and TTL, or one TTL for all); a user refused scripts falls back to SETs", async () => {
    if (!(await haveRedisServer())) return void console.log("  (no redis-server on the PATH: skipped)");
    const priv = await startRedisServer();
    closers.push(() => priv.stop());
    const raw = await testClient(flavour, priv.url);
    closers.push(() => raw.quit());
    const lines: string[] = [];
    const store = new RedisStore({ client: raw.client, prefix: "b:", log: (l) => lines.push(l) });
    await store.save("warm", { n: 0 });
    await raw.send("CONFIG", "RESETSTAT");
    await Promise.all(Array.from({ length: 20 }, (_, i) => store.save(`k${i}`, { n: i }, 10_000 + i * 1000)));
    const stats = String(await raw.send("INFO", "commandstats"));
    const calls = (cmd: string) => Number(new RegExp(`cmdstat_${cmd}:calls=(\\d+)`).exec(stats)?.[1] ?? 0);
    assert.is(calls("eval"), 1, stats);
    assert.is(calls("set"), 20, "every state is SET, inside the script or alone");
    for (let i = 0; i < 20; i++) {
      assert.equal(await store.load(`k${i}`), { n: i });
      const pttl = Number(await raw.send("PTTL", `b:k${i}`));
      assert.ok(pttl > 9_000 + i * 1000 && pttl <= 10_000 + i * 1000, `k${i}: PTTL ${pttl}`);
    }
    // The common batch, every save with one TTL (the script then gets it once)
    await raw.send("CONFIG", "RESETSTAT");
    await Promise.all(Array.from({ length: 12 }, (_, i) => store.save(`same${i}`, { same: i }, 7_000)));
    const again = String(await raw.send("INFO", "commandstats"));
    assert.is(Number(/cmdstat_eval:calls=(\d+)/.exec(again)?.[1] ?? 0), 1, again);
    for (let i = 0; i < 12; i++) {
      assert.equal(await store.load(`same${i}`), { same: i });
      const pttl = Number(await raw.send("PTTL", `b:same${i}`));
      assert.ok(pttl > 6_000 && pttl <= 7_000, `same${i}: PTTL ${pttl}`);
    }
    // An ACL that refuses scripts (some managed Redis do): the batch fails, the store says so once
    // and saves each state with its own SET from then on.
    await raw.send("ACL", "SETUSER", "default", "-eval");
    const refused = await Promise.allSettled([store.save("a", { n: 1 }), store.save("b", { n: 2 })]);
    assert.equal(refused.map((r) => r.status), ["rejected", "rejected"]);
    assert.is(lines.length, 1, lines.join("\n"));
    assert.match(lines[0]!, "cannot run a script");
    await Promise.all([store.save("a", { n: 1 }), store.save("b", { n: 2 })]);
    assert.equal([await store.load("a"), await store.load("b")], [{ n: 1 }, { n: 2 }]);
    assert.is(lines.length, 1, "said once");
  });

  test.run();
}

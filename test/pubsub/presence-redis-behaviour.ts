// What the Presence contract can't see but a Redis deployment depends on: a crashed process's
// presences leave every list within processTimeoutMs and leave nothing in Redis; a process cut
// off longer than that is swept and comes back; a Redis restart is recovered from the live
// processes; a track or untrack costs at most 3 Redis commands, however many processes listen.
// Restarts and counts run on a private redis-server; the shared one is never stopped.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { fork, type ChildProcess } from "node:child_process";
import { createConnection, createServer, type Socket } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";
import { RedisPresence } from "../../pubsub/presence-redis.js";
import type { RedisFlavour } from "../../pubsub/redis-driver.js";
import { haveRedisServer, startRedisServer } from "../support/redis-server.js";
import { uniqueTopic } from "./contract.js";
import { diffCollector, eventually, refsOf } from "./presence-contract.js";
import { runPrefix, testClient, type TestClient } from "./redis-clients.js";

/** Short, so the crash tests take seconds; the bound they check is this. */
const TIMEOUT = 1500;
const fixture = new URL("./fixtures/presence-child.ts", import.meta.url).pathname;

export interface Child { processId: string; refs: string[]; kill(): void }

const children = new Set<ChildProcess>();
process.once("exit", () => { for (const c of children) c.kill("SIGKILL"); });

/** Forks a process that tracks `keys` on `topic` and then only heartbeats, until kill() (SIGKILL). */
export async function presenceChild(flavour: RedisFlavour, url: string, prefix: string, timeoutMs: number, topic: string, keys: string[]): Promise<Child> {
  const proc = fork(fixture, [flavour, url, prefix, String(timeoutMs), topic, ...keys], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  children.add(proc);
  proc.once("exit", () => children.delete(proc));
  const ready = await new Promise<{ processId: string; refs: string[] }>((resolve, reject) => {
    proc.once("message", (m) => resolve(m as { processId: string; refs: string[] }));
    proc.once("exit", (code) => reject(new Error(`presence child exited (${code}) before tracking`)));
  });
  return { ...ready, kill: () => proc.kill("SIGKILL") };
}

/** Every key under `prefix`. */
export async function keysUnder(raw: TestClient, prefix: string): Promise<string[]> {
  const out: string[] = [];
  let cursor = "0";
  do {
    const [next, keys] = (await raw.send("SCAN", cursor, "MATCH", `${prefix}*`, "COUNT", "1000")) as [string, string[]];
    cursor = String(next);
    out.push(...keys);
  } while (cursor !== "0");
  return out.sort();
}

/** A TCP proxy to Redis that can be cut (every connection dropped, new ones refused) and restored: a partition. */
async function tcpProxy(port: number) {
  const sockets = new Set<Socket>();
  let up = true;
  const server = createServer((client) => {
    if (!up) return void client.destroy();
    const upstream = createConnection({ host: "127.0.0.1", port });
    const end = () => { client.destroy(); upstream.destroy(); sockets.delete(client); sockets.delete(upstream); };
    sockets.add(client).add(upstream);
    client.on("error", end).on("close", end).pipe(upstream);
    upstream.on("error", end).on("close", end).pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const cut = () => { up = false; for (const s of sockets) s.destroy(); };
  return {
    url: `redis://127.0.0.1:${(server.address() as { port: number }).port}`,
    cut,
    restore: () => { up = true; },
    stop: async () => { cut(); await new Promise((r) => server.close(r)); },
  };
}

/** Calls per command since the last CONFIG RESETSTAT, without the INFO and RESETSTAT of the measuring itself. */
async function commandCalls(raw: TestClient): Promise<Record<string, number>> {
  const info = String(await raw.send("INFO", "commandstats"));
  const calls: Record<string, number> = {};
  for (const m of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    if (m[1] !== "info" && m[1] !== "config|resetstat") calls[m[1]!] = Number(m[2]);
  }
  return calls;
}

const total = (calls: Record<string, number>) => Object.values(calls).reduce((a, b) => a + b, 0);

const canSpawn = await haveRedisServer();

export function presenceRedisBehaviour(flavour: RedisFlavour, sharedUrl: string): void {
  const test = suite(`RedisPresence (${flavour})`);
  const cleanups: (() => Promise<unknown>)[] = [];
  const later = <T extends { close?(): Promise<void>; quit?(): Promise<void>; stop?(): Promise<void> }>(x: T): T => {
    cleanups.push(() => (x.close ?? x.quit ?? x.stop)!.call(x));
    return x;
  };
  test.after.each(async () => { while (cleanups.length) await cleanups.pop()!(); });

  test("a process SIGKILLed without untracking leaves the others' lists within processTimeoutMs, swept once, and nothing of it stays in Redis", async () => {
    const prefix = runPrefix(`${flavour}-presence-kill`);
    const raw = later(await testClient(flavour, sharedUrl));
    const b = later(new RedisPresence({ client: raw.client, prefix, processTimeoutMs: TIMEOUT }));
    const b2 = later(new RedisPresence({ url: sharedUrl, driver: flavour, prefix, processTimeoutMs: TIMEOUT }));
    const t = uniqueTopic("kill");
    const hash = `${prefix}presence:topic:${t}`;
    const channel = later(await testClient(flavour, sharedUrl));
    const published: string[] = [];
    if (flavour === "ioredis") { channel.client.on("message", (_: string, m: string) => published.push(m)); await channel.client.subscribe(hash); }
    else await channel.client.subscribe(hash, (m: string) => published.push(m));
    const c = diffCollector(), c2 = diffCollector();
    await b.subscribe(t, c.listener);
    await b2.subscribe(t, c2.listener);
    const bob = await b.track(t, "bob", {});
    const child = await presenceChild(flavour, sharedUrl, prefix, TIMEOUT, t, ["ada", "ada", "carol"]);
    await eventually(async () => Object.keys(await b2.list(t)).length === 3, "b2 sees the child's presences");
    assert.equal(Object.keys(await b.list(t)).sort(), ["ada", "bob", "carol"]);
    assert.is((await b.list(t)).ada!.metas.length, 2);
    // What a live process keeps in Redis: its fields, the topics it tracks on, its heartbeat.
    assert.equal(await keysUnder(raw, prefix), [`${prefix}presence:proc:${b.processId}`, `${prefix}presence:proc:${child.processId}`,
      `${prefix}presence:procs`, hash].sort());
    assert.equal(((await raw.send("HKEYS", hash)) as string[]).sort(),
      [`${b.processId}:${bob}`, ...child.refs.map((r) => `${child.processId}:${r}`)].sort());

    const killedAt = Date.now();
    child.kill();
    await eventually(async () => Object.keys(await b.list(t)).join() === "bob" && Object.keys(await b2.list(t)).join() === "bob",
      "the child's presences leave both lists", TIMEOUT + 3000);
    const took = Date.now() - killedAt;
    assert.ok(took <= TIMEOUT, `left after ${took} ms; the bound is processTimeoutMs = ${TIMEOUT} ms`);
    for (const col of [c, c2]) {
      const left = col.diffs.flatMap((d) => Object.values(d.leaves).flatMap((e) => e.metas.map((m) => m.ref)));
      assert.equal(left.sort(), [...child.refs].sort(), "a leave for each of the child's trackings");
    }
    // The sweep publishes in the dead process's name; its own messages were joins.
    const sweeps = () => published.filter((m) => m.startsWith(`{"o":"${child.processId}","j":[],"l":[{`)).length;
    await eventually(() => sweeps() > 0, "the sweep's message on the channel");
    await sleep(2 * TIMEOUT / 4); // more sweeps by b and b2 happen meanwhile: none may publish again
    assert.is(sweeps(), 1, "one sweep published the leaves, once");
    // No ghost: the child's fields, its topic set and its heartbeat are gone.
    assert.equal(await keysUnder(raw, prefix), [`${prefix}presence:proc:${b.processId}`, `${prefix}presence:procs`, hash].sort());
    assert.equal(await raw.send("HKEYS", hash), [`${b.processId}:${bob}`]);
    assert.equal(((await raw.send("ZRANGE", `${prefix}presence:procs`, "0", "-1")) as string[]).sort(), [b.processId, b2.processId].sort());
    await b.close();
    await b2.close();
    assert.equal(await keysUnder(raw, prefix), [], "closed instances leave nothing behind");
  });

  test("a process cut off from Redis longer than processTimeoutMs is swept, then tracks itself again and catches up when it is back", async () => {
    const prefix = runPrefix(`${flavour}-presence-partition`);
    const raw = later(await testClient(flavour, sharedUrl));
    const proxy = later(await tcpProxy(Number(new URL(sharedUrl).port || 6379)));
    const lines: string[] = [];
    const a = later(new RedisPresence({ url: proxy.url, driver: flavour, prefix, processTimeoutMs: TIMEOUT, log: (l) => lines.push(l) }));
    const b = later(new RedisPresence({ client: raw.client, prefix, processTimeoutMs: TIMEOUT }));
    const t = uniqueTopic("partition");
    const ca = diffCollector(), cb = diffCollector();
    await a.subscribe(t, ca.listener);
    await b.subscribe(t, cb.listener);
    const ada = await a.track(t, "ada", { n: 1 });
    const bob = await b.track(t, "bob", {});
    await eventually(async () => Object.keys(await a.list(t)).length === 2 && Object.keys(await b.list(t)).length === 2, "both see both");

    proxy.cut();
    await eventually(async () => Object.keys(await b.list(t)).join() === "bob", "b's sweep drops the unreachable a", TIMEOUT + 3000);
    assert.equal(await raw.send("HKEYS", `${prefix}presence:topic:${t}`), [`${b.processId}:${bob}`]);
    // Meanwhile the world moves on without a: bob leaves, carol arrives.
    const carol = await b.track(t, "carol", {});
    await b.untrack(t, bob);
    assert.equal(refsOf(await a.list(t)), { ada: [ada], bob: [bob] }, "a, cut off, still shows what it knew");

    proxy.restore();
    await eventually(async () => Object.keys(await b.list(t)).sort().join() === "ada,carol", "a tracks ada again; b sees her", 8000);
    await eventually(async () => Object.keys(await a.list(t)).sort().join() === "ada,carol", "a reloads: bob gone, carol there", 8000);
    assert.equal(refsOf(await a.list(t)), { ada: [ada], carol: [carol] }, "the same ref as before the partition");
    assert.equal(((await raw.send("HKEYS", `${prefix}presence:topic:${t}`)) as string[]).sort(),
      [`${a.processId}:${ada}`, `${b.processId}:${carol}`].sort());
    const resync = ca.diffs.find((_, i) => ca.infos[i]!.resync);
    assert.ok(resync, "a's listener is told its list was reloaded");
    assert.equal(Object.keys(resync!.leaves), ["bob"]);
    assert.equal(Object.keys(resync!.joins), ["carol"]);
    assert.ok(lines.some((l) => /tracking them again/.test(l)), lines.join("\n"));
  });

  test("an unreadable message on a topic's channel makes the instance reload that list and tell its listeners", async () => {
    const prefix = runPrefix(`${flavour}-presence-garbage`);
    const raw = later(await testClient(flavour, sharedUrl));
    const lines: string[] = [];
    const a = later(new RedisPresence({ client: raw.client, prefix, log: (l) => lines.push(l) }));
    const t = uniqueTopic("garbage");
    const c = diffCollector();
    await a.subscribe(t, c.listener);
    await raw.send("HSET", `${prefix}presence:topic:${t}`, "elsewhere:r1", '{"ref":"r1","key":"ada","meta":{}}');
    await raw.send("PUBLISH", `${prefix}presence:topic:${t}`, "not a presence message");
    await c.until(1);
    assert.equal(c.infos, [{ topic: t, resync: true }]);
    assert.equal(c.diffs[0], { joins: { ada: { metas: [{ ref: "r1", meta: {} }] } }, leaves: {} });
    assert.match(lines[0]!, /unreadable presence message/);
  });

  test("options: a heartbeat longer than a third of processTimeoutMs is refused", () => {
    assert.throws(() => new RedisPresence({ url: sharedUrl, processTimeoutMs: 1000, heartbeatMs: 400 }), /heartbeatMs/);
    assert.throws(() => new RedisPresence({}), /`client` or `url`/);
  });

  const spawned = canSpawn ? test : test.skip;
  if (!canSpawn) console.log(`\nSKIP redis-server is not installed: the restart and counting tests of RedisPresence (${flavour}) don't run\n`);

  spawned("after a Redis restart (empty), the lists recover from the live processes, without one that died meanwhile", async () => {
    const redis = later(await startRedisServer());
    const raw = later(await testClient(flavour, redis.url));
    raw.client.on("error", () => {});
    const prefix = runPrefix(`${flavour}-presence-restart`);
    const opts = { url: redis.url, driver: flavour, prefix, processTimeoutMs: TIMEOUT, log: () => {} };
    const a = later(new RedisPresence(opts)), b = later(new RedisPresence(opts));
    const t = uniqueTopic("restart");
    const ca = diffCollector(), cb = diffCollector();
    await a.subscribe(t, ca.listener);
    await b.subscribe(t, cb.listener);
    const ada = await a.track(t, "ada", {});
    const bob = await b.track(t, "bob", {});
    const child = await presenceChild(flavour, redis.url, prefix, TIMEOUT, t, ["carol"]);
    for (const p of [a, b]) await eventually(async () => Object.keys(await p.list(t)).length === 3, "everyone sees everyone");

    await redis.kill();
    child.kill(); // dies while Redis is down: no sweep will ever find it
    await sleep(300);
    await redis.start();

    const expected = { ada: [ada], bob: [bob] };
    for (const p of [a, b]) {
      let last: unknown;
      await eventually(async () => JSON.stringify(last = refsOf(await p.list(t))) === JSON.stringify(expected),
        () => `the list recovers (${JSON.stringify(expected)}; last seen ${JSON.stringify(last)})`, 10_000);
    }
    assert.equal(((await raw.send("HKEYS", `${prefix}presence:topic:${t}`)) as string[]).sort(),
      [`${a.processId}:${ada}`, `${b.processId}:${bob}`].sort(), "the live processes tracked themselves again");
    assert.equal(((await raw.send("ZRANGE", `${prefix}presence:procs`, "0", "-1")) as string[]).sort(), [a.processId, b.processId].sort());
    for (const col of [ca, cb]) {
      const i = col.infos.findIndex((info) => info.resync);
      assert.ok(i >= 0, "the listener is told the list was reloaded");
      assert.equal(Object.keys(col.diffs[i]!.leaves), ["carol"]);
    }
    const d = later(new RedisPresence(opts));
    assert.equal(refsOf(await d.list(t)), expected, "a process started after the restart sees the same");
  });

  spawned("a track costs 3 Redis commands and an untrack at most 3, with 1 or 5 instances subscribed; list() of a subscribed topic costs none", async () => {
    const redis = later(await startRedisServer());
    const raw = later(await testClient(flavour, redis.url));
    const prefix = runPrefix(`${flavour}-presence-count`);
    // A long timeout: no heartbeat runs while counting.
    const opts = { url: redis.url, driver: flavour, prefix, processTimeoutMs: 600_000 };
    const perOp: Record<string, number[][]> = {};
    for (const n of [1, 5]) {
      const t = uniqueTopic("count");
      const tracker = later(new RedisPresence(opts));
      await tracker.subscribe(t, () => {});
      const watchers = await Promise.all(Array.from({ length: n }, async () => {
        const p = later(new RedisPresence(opts));
        const c = diffCollector();
        await p.subscribe(t, c.listener);
        return c;
      }));
      const tracks: number[] = [], untracks: number[] = [], publishes: number[] = [];
      const refs: string[] = [];
      let seen = 0;
      for (let i = 0; i < 4; i++) {
        await raw.send("CONFIG", "RESETSTAT");
        refs.push(await tracker.track(t, `user${i % 2}`, { i }));
        seen++;
        for (const w of watchers) await w.until(seen);
        const calls = await commandCalls(raw);
        tracks.push(total(calls));
        publishes.push(calls.publish ?? 0);
      }
      await raw.send("CONFIG", "RESETSTAT");
      for (let i = 0; i < 10; i++) await tracker.list(t);
      assert.equal(await commandCalls(raw), {}, "list() of a subscribed topic reads this process's copy");
      for (const ref of refs) {
        await raw.send("CONFIG", "RESETSTAT");
        await tracker.untrack(t, ref);
        seen++;
        for (const w of watchers) await w.until(seen);
        const calls = await commandCalls(raw);
        untracks.push(total(calls));
        publishes.push(calls.publish ?? 0);
      }
      perOp[n] = [tracks, untracks];
      for (const x of [...tracks, ...untracks]) assert.ok(x <= 3, `${x} commands for one operation (${JSON.stringify({ tracks, untracks })})`);
      assert.equal(publishes, publishes.map(() => 1), "one PUBLISH per operation");
    }
    assert.equal(perOp[1], perOp[5], "the same commands whether 1 or 5 instances listen");
  });

  test.run();
}

// RedisPresence on a real 3-master Redis Cluster, over ioredis Cluster and node-redis createCluster:
// the Presence contract (the second process talks node-redis), then what a cluster changes:
// each topic's hash and channel share a slot and topics spread over the masters; the heartbeat keys
// share one slot; a SIGKILLed process's presences leave every list and nothing of it stays in Redis.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { fork, type ChildProcess } from "node:child_process";
import { RedisPresence } from "../../pubsub/presence-redis.js";
import type { RedisFlavour } from "../../pubsub/redis-driver.js";
import { uniqueTopic } from "../pubsub/contract.js";
import { diffCollector, eventually, refusal, runPresenceContract } from "../pubsub/presence-contract.js";
import { runPrefix } from "../pubsub/redis-clients.js";
import { needRedisCluster, spreadNames, startRedisCluster } from "../support/redis-cluster.js";
import { clusterClient } from "./clients.js";

await needRedisCluster();
const cluster = await startRedisCluster({ replicas: 0 });
const TIMEOUT = 1500;
const fixture = new URL("./fixtures/presence-child.ts", import.meta.url).pathname;
const children = new Set<ChildProcess>();
process.once("exit", () => { for (const c of children) c.kill("SIGKILL"); });

const flavours: RedisFlavour[] = ["ioredis", "node-redis"];
for (const flavour of flavours) {
  const prefix = runPrefix(`cluster-presence-${flavour}`);
  const make = (f: RedisFlavour) => async (options?: { maxPresencesPerTopic?: number }) => {
    const c = await clusterClient(f, cluster);
    const presence = new RedisPresence({ client: c.client, prefix, ...options });
    return { presence, cleanup: async () => { await presence.close(); await c.quit(); } };
  };
  // Once, with the second process on the other library: both libraries share one presence.
  if (flavour === "ioredis") runPresenceContract({ name: "redis cluster (ioredis, node-redis)", make: make("ioredis"), secondProcess: make("node-redis") });

  const test = suite(`RedisPresence on a Redis Cluster (${flavour})`);
  const closers: (() => Promise<void>)[] = [];
  test.after.each(async () => { while (closers.length) await closers.pop()!(); });
  const open = async (p = prefix) => {
    const c = await clusterClient(flavour, cluster);
    const presence = new RedisPresence({ client: c.client, prefix: p, processTimeoutMs: TIMEOUT });
    closers.push(async () => { await presence.close(); await c.quit(); });
    return { c, presence };
  };
  /** Every key under `p`, from every master. */
  const keysUnder = async (p: string) => {
    const perMaster = new Map<number, string[]>();
    for (const port of await cluster.masters()) {
      const out = (await cluster.cli(port, "--scan", "--pattern", `${p}*`)).trim();
      perMaster.set(port, out ? out.split("\n").sort() : []);
    }
    return perMaster;
  };

  test("a topic's hash and channel share its slot, topics spread over the masters, the heartbeat keys share one slot", async () => {
    const p = runPrefix(`cluster-presence-layout-${flavour}`);
    const { presence } = await open(p);
    const topics = await spreadNames(cluster, 6, (i) => uniqueTopic(`layout${i}`), (t) => `${p}presence:topic:{${t}}`);
    for (const t of topics) await presence.track(t, "ada", {});
    const perMaster = await keysUnder(p);
    const all = [...perMaster.values()].flat();
    for (const t of topics) assert.ok(all.includes(`${p}presence:topic:{${t}}`), t);
    assert.ok([...perMaster.values()].every((keys) => keys.some((k) => k.startsWith(`${p}presence:topic:`))), "every master holds topics");
    const procs = [...perMaster.entries()].filter(([, keys]) => keys.some((k) => k.startsWith(`${p}presence:{procs}`)));
    assert.is(procs.length, 1, "the heartbeat keys live on one master");
    assert.equal(procs[0]![1].filter((k) => k.startsWith(`${p}presence:{procs}`)).sort(),
      [`${p}presence:{procs}`, `${p}presence:{procs}:${presence.processId}`]);
    // No classic channel is used: diffs go out with SPUBLISH.
    for (const port of cluster.ports) assert.is((await cluster.cli(port, "PUBSUB", "CHANNELS", `${p}*`)).trim(), "");
  });

  test("a process SIGKILLed without untracking leaves every list on every master within processTimeoutMs, and nothing of it stays", async () => {
    const p = runPrefix(`cluster-presence-kill-${flavour}`);
    const { presence: b } = await open(p);
    const { presence: b2 } = await open(p);
    const topics = Array.from({ length: 9 }, (_, i) => uniqueTopic(`kill${i}`));
    const cols = topics.map(() => diffCollector());
    for (const [i, t] of topics.entries()) await b2.subscribe(t, cols[i]!.listener);
    await b.track(topics[0]!, "bob", {});
    const proc = fork(fixture, [flavour, cluster.ports.join(","), p, String(TIMEOUT), "ada", ...topics], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    children.add(proc);
    const child = await new Promise<{ processId: string; refs: string[] }>((resolve, reject) => {
      proc.once("message", (m) => resolve(m as { processId: string; refs: string[] }));
      proc.once("exit", (code) => reject(new Error(`presence child exited (${code}) before tracking`)));
    });
    await eventually(async () => {
      for (const t of topics) if (!(await b2.list(t)).ada) return false;
      return true;
    }, "b2 sees the child on every topic");
    proc.kill("SIGKILL");
    await eventually(async () => {
      for (const t of topics) if ((await b.list(t)).ada || (await b2.list(t)).ada) return false;
      return true;
    }, "the child's presences leave every list", TIMEOUT + 3000);
    for (const [i, col] of cols.entries()) {
      const left = col.diffs.flatMap((d) => Object.values(d.leaves).flatMap((e) => e.metas.map((m) => m.ref)));
      assert.equal(left, [child.refs[i]], `one leave on ${topics[i]}`);
    }
    const all = [...(await keysUnder(p)).values()].flat();
    assert.not.ok(all.some((k) => k.endsWith(child.processId)), `the child's topic set is gone: ${all}`);
    assert.equal(Object.keys(await b.list(topics[0]!)), ["bob"]);
  });

  test("a topic that would give an empty hash tag, or a prefix with a brace, is refused with a clear error", async () => {
    const { presence, c } = await open();
    const err = await refusal(presence.track("}x", "ada", {}));
    assert.is(err.code, "bad_message");
    assert.match(err.message, /must not be empty or start with '\}'/);
    assert.throws(() => new RedisPresence({ client: c.client, prefix: "{app}:" }), /prefix without '\{' or '\}'/);
  });

  test.run();
}

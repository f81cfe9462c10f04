// RedisPubSub and RedisStore when a master of the Redis Cluster dies (SIGKILL) mid-run, over both
// libraries: no crash and no unhandled error event; publishes to the surviving masters' topics go
// on; once a replica has taken over, every topic's listeners get a resync and every topic carries
// messages again, and the store's reset listeners run (the hub saves live states again).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { RedisPubSub } from "../../pubsub/redis.js";
import { RedisStore } from "../../server/stores/redis.js";
import type { RedisFlavour } from "../../pubsub/redis-driver.js";
import { collector, uniqueTopic } from "../pubsub/contract.js";
import { runPrefix } from "../pubsub/redis-clients.js";
import { needRedisCluster, spreadNames, startRedisCluster } from "../support/redis-cluster.js";
import { clusterClient } from "./clients.js";

await needRedisCluster();
const cluster = await startRedisCluster({ replicas: 1, nodeTimeoutMs: 1000 });
const crashes: unknown[] = [];
process.on("uncaughtException", (err) => crashes.push(err));
process.on("unhandledRejection", (err) => crashes.push(err));

for (const flavour of ["ioredis", "node-redis"] as RedisFlavour[]) {
  const test = suite(`RedisPubSub when a cluster master dies (${flavour})`);
  const prefix = runPrefix(`failover-${flavour}`);

  test("surviving shards go on; after the failover every topic resyncs and carries messages again", async () => {
    const lines: string[] = [];
    const log = (line: string) => lines.push(line);
    const a = await clusterClient(flavour, cluster), b = await clusterClient(flavour, cluster);
    const pub = new RedisPubSub({ client: a.client, prefix, log });
    const sub = new RedisPubSub({ client: b.client, prefix, log });
    try {
      const topics = Array.from({ length: 18 }, (_, i) => uniqueTopic(`f${i}`));
      const got = new Map(topics.map((t) => [t, collector()]));
      for (const t of topics) await sub.subscribe(t, got.get(t)!.listener);
      for (const t of topics) await pub.publish(t, "before");
      for (const t of topics) await got.get(t)!.until(1);

      const [victim] = await cluster.masters();
      const onVictim = (await cluster.cli(victim!, "PUBSUB", "SHARDCHANNELS", `${prefix}*`)).trim().split("\n").filter(Boolean)
        .map((ch) => ch.slice(prefix.length + 1, -1));
      assert.ok(onVictim.length > 0 && onVictim.length < topics.length, `the victim holds some topics: ${onVictim.length}`);
      const survivors = topics.filter((t) => !onVictim.includes(t));
      await cluster.kill(victim!);

      // The other shards are not held up by the dead one: their publishes are accepted, and each
      // reaches the subscriber, unless it fell in the moment the recovery resubscribed its topic
      // (node-redis: off and on again), which the resync that follows covers.
      for (const t of survivors) await pub.publish(t, "during");
      if (flavour === "ioredis") for (const t of survivors) await got.get(t)!.until(2, 5000);

      await cluster.waitHealthy(20_000);
      // Every topic, the moved ones included, is told to resync once its subscription holds again.
      for (const t of topics) {
        const c = got.get(t)!;
        const deadline = Date.now() + 15_000;
        while (!c.infos.some((i) => i.resync)) {
          if (Date.now() > deadline) throw new Error(`no resync on ${t}: ${JSON.stringify(c.infos)}; log: ${lines.join(" | ")}`);
          await c.until(c.infos.length + 1, deadline - Date.now()).catch(() => {});
        }
      }
      // And the moved topics carry messages again, on their new master.
      for (const t of topics) {
        const c = got.get(t)!;
        const n = c.infos.length;
        await pub.publish(t, "after");
        await c.until(n + 1, 5000);
        assert.is(c.messages.at(-1), "after");
      }
      assert.ok(lines.some((l) => /node was lost/.test(l)), lines.join(" | "));
      assert.ok(lines.some((l) => /live again/.test(l)), lines.join(" | "));
      assert.equal(crashes, []);
    } finally {
      await sub.close();
      await pub.close();
      await a.quit();
      await b.quit();
      // The dead node comes back as a replica, so the next suite starts from a whole cluster.
      for (const port of cluster.ports) await cluster.restart(port).catch(() => {});
      await cluster.waitHealthy(20_000);
    }
  });

  test("RedisStore: after the failover its reset listeners run (live states are saved again), once every master takes writes", async () => {
    const c = await clusterClient(flavour, cluster);
    const store = new RedisStore({ client: c.client, prefix: `${prefix}state:` });
    try {
      // Keys on every master, so that some live on the one that dies.
      const keys = await spreadNames(cluster, 4, (i) => `s${i}`, (k) => `${prefix}state:${k}`);
      await Promise.all(keys.map((k) => store.save(k, { v: 1 })));
      let resets = 0;
      let savedAtReset: Promise<unknown> | undefined;
      store.onReset(() => {
        resets++;
        // What the hub does: save every live state again; it must succeed now, on every slot.
        savedAtReset ??= Promise.all(keys.map((k) => store.save(k, { v: 2 })));
      });
      const [victim] = await cluster.masters();
      await cluster.kill(victim!);
      const deadline = Date.now() + 20_000;
      while (resets === 0) {
        if (Date.now() > deadline) throw new Error("no reset after the failover");
        await new Promise((r) => setTimeout(r, 100));
      }
      await savedAtReset;
      for (const k of keys) assert.equal(await store.load(k), { v: 2 });
    } finally {
      await store.close();
      await c.quit();
      for (const port of cluster.ports) await cluster.restart(port).catch(() => {});
      await cluster.waitHealthy(20_000);
    }
  });

  test.run();
}

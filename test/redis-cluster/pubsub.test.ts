// RedisPubSub on a real 3-master Redis Cluster, over ioredis Cluster and node-redis createCluster:
// the PubSub contract, then what only a cluster can get wrong (sharded channels spread over the
// masters, one SPUBLISH per publish, names that would cross slots refused).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { RedisPubSub } from "../../pubsub/redis.js";
import type { RedisFlavour } from "../../pubsub/redis-driver.js";
import { needRedisCluster, spreadNames, startRedisCluster } from "../support/redis-cluster.js";
import { collector, pubsubContract, uniqueTopic } from "../pubsub/contract.js";
import { runPrefix } from "../pubsub/redis-clients.js";
import { clusterClient } from "./clients.js";

await needRedisCluster();
const cluster = await startRedisCluster({ replicas: 0 });

for (const flavour of ["ioredis", "node-redis"] as RedisFlavour[]) {
  const prefix = runPrefix(`cluster-${flavour}`);
  pubsubContract(`redis cluster (${flavour})`, async () => {
    const c = await clusterClient(flavour, cluster);
    const pubsub = new RedisPubSub({ client: c.client, prefix });
    return { pubsub, cleanup: async () => { await pubsub.close(); await c.quit(); } };
  }, { distributed: true });

  const test = suite(`RedisPubSub on a Redis Cluster (${flavour})`);
  const open: (() => Promise<void>)[] = [];
  test.after.each(async () => { while (open.length) await open.pop()!(); });
  const make = async () => {
    const c = await clusterClient(flavour, cluster);
    const pubsub = new RedisPubSub({ client: c.client, prefix });
    open.push(async () => { await pubsub.close(); await c.quit(); });
    return { c, pubsub };
  };

  test("topics spread over every master, each channel a sharded channel on its own slot's master", async () => {
    const { pubsub } = await make();
    const { pubsub: other } = await make();
    // Picked by slot, 8 per master (CRC16 is linear: names that differ in a counter can crowd).
    const masters = await cluster.masters();
    const topics = await spreadNames(cluster, 8, (i) => uniqueTopic(`spread${i}`), (t) => pubsub.channelOf(t));
    const got = collector();
    for (const t of topics) await other.subscribe(t, got.listener);
    for (const t of topics) await pubsub.publish(t, { t });
    await got.until(topics.length, 5000);
    assert.equal(new Set(got.infos.map((i) => i.topic)), new Set(topics));
    // Every master holds its 8 channels: SSUBSCRIBE went to the owner of each slot.
    const perMaster: number[] = [];
    for (const port of masters) {
      const out = await cluster.cli(port, "PUBSUB", "SHARDCHANNELS", `${prefix}*`);
      perMaster.push(out.trim() ? out.trim().split("\n").length : 0);
    }
    assert.equal(perMaster.reduce((a, b) => a + b, 0), topics.length, `shard channels per master: ${perMaster}`);
    assert.equal(perMaster, masters.map(() => 8), `shard channels per master: ${perMaster}`);
    // And none of it went through classic pub/sub, which a cluster broadcasts to every node.
    for (const port of masters) assert.is((await cluster.cli(port, "PUBSUB", "CHANNELS", `${prefix}*`)).trim(), "");
    assert.is(pubsub.channelOf("orders:1"), `${prefix}{orders:1}`);
  });

  test("one SPUBLISH per publish, on the master that owns the topic's slot", async () => {
    const { pubsub } = await make();
    const topic = uniqueTopic("count");
    const got = collector();
    await pubsub.subscribe(topic, got.listener);
    const stats = async () => {
      let n = 0;
      for (const port of cluster.ports) {
        const m = /cmdstat_spublish:calls=(\d+)/.exec(await cluster.cli(port, "INFO", "commandstats"));
        n += m ? Number(m[1]) : 0;
      }
      return n;
    };
    const before = await stats();
    for (let i = 0; i < 10; i++) await pubsub.publish(topic, i);
    await got.until(10);
    assert.equal(got.messages, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.is((await stats()) - before, 10);
  });

  test("a topic that would split its names over two slots, or a prefix with a brace, is refused with a clear error", async () => {
    const { pubsub, c } = await make();
    for (const bad of ["", "}x"]) {
      await pubsub.publish(bad, 1).then(() => assert.unreachable("published"), (err: Error) => assert.match(err.message, /must not be empty or start with '\}'/));
      await pubsub.subscribe(bad, () => {}).then(() => assert.unreachable("subscribed"), (err: Error) => assert.match(err.message, /bad topic/));
    }
    // A brace inside a topic is fine: the hash tag ends at its first '}', the same in both names.
    const odd = uniqueTopic("a{b}c");
    const got = collector();
    await pubsub.subscribe(odd, got.listener);
    await pubsub.publish(odd, "ok");
    await got.until(1);
    assert.throws(() => new RedisPubSub({ client: c.client, prefix: "{app}:" }), /prefix without '\{' or '\}'/);
  });

  test.run();
}

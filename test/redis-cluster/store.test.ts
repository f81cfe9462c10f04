// RedisStore on a real 3-master Redis Cluster, over ioredis Cluster and node-redis createCluster:
// the StateStore contract, then what a cluster changes (keys spread over the masters, a prefix
// that would pin every key to one slot refused).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { RedisFlavour } from "../../pubsub/redis-driver.js";
import { RedisStore } from "../../server/stores/redis.js";
import { runPrefix } from "../pubsub/redis-clients.js";
import { storeContract } from "../stores/contract.js";
import { needRedisCluster, spreadNames, startRedisCluster } from "../support/redis-cluster.js";
import { clusterClient } from "./clients.js";

await needRedisCluster();
const cluster = await startRedisCluster({ replicas: 0 });

for (const flavour of ["ioredis", "node-redis"] as RedisFlavour[]) {
  let n = 0;
  const base = runPrefix(`cluster-${flavour}-store`);
  storeContract(`redis cluster (${flavour})`, async () => {
    const c = await clusterClient(flavour, cluster);
    const store = new RedisStore({ client: c.client, prefix: `${base}${++n}:` });
    return { store, cleanup: async () => { await store.close(); await c.quit(); } };
  });

  const test = suite(`RedisStore on a Redis Cluster (${flavour})`);
  const closers: (() => Promise<void>)[] = [];
  test.after.each(async () => { while (closers.length) await closers.pop()!(); });

  test("sessions spread over every master; each key is read back through any client", async () => {
    const c = await clusterClient(flavour, cluster);
    closers.push(() => c.quit());
    const prefix = `${base}${++n}:`;
    const store = new RedisStore({ client: c.client, prefix });
    const keys = await spreadNames(cluster, 10, (i) => `s${i}:counter`, (k) => prefix + k);
    await Promise.all(keys.map((k, i) => store.save(k, { count: i })));
    const perMaster: number[] = [];
    for (const port of await cluster.masters()) {
      const out = await cluster.cli(port, "--scan", "--pattern", `${prefix}*`);
      perMaster.push(out.trim() ? out.trim().split("\n").length : 0);
    }
    assert.is(perMaster.reduce((a, b) => a + b, 0), keys.length);
    assert.equal(perMaster, perMaster.map(() => 10), `keys per master: ${perMaster}`);
    const other = await clusterClient(flavour, cluster);
    closers.push(() => other.quit());
    const reader = new RedisStore({ client: other.client, prefix });
    for (const [i, k] of keys.entries()) assert.equal(await reader.load(k), { count: i });
    await Promise.all(keys.map((k) => store.delete(k)));
    assert.is(await reader.load(keys[0]!), null);
  });

  test("a prefix with a brace is refused on a cluster, with a clear error", async () => {
    const c = await clusterClient(flavour, cluster);
    closers.push(() => c.quit());
    const store = new RedisStore({ client: c.client, prefix: "{app}:state:" });
    await store.save("k", { a: 1 }).then(() => assert.unreachable("saved"), (err: Error) => assert.match(err.message, /prefix without '\{' or '\}'/));
  });

  test.run();
}

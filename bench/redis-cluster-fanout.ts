// Fan-out across processes on a Redis Cluster: one change published with SPUBLISH reaches 1,000
// viewers on each of three server processes (3,000 in all), each process on its own ioredis
// Cluster client with RedisPubSub and RedisStore, against the same 3,000 viewers on one process
// with the memory pub/sub. The time is from the publish until every client has its patch (clients
// in three child processes; the servers are child processes too). Medians; fails nothing.
// Also: SPUBLISH calls counted on the cluster's nodes (one per change, whatever the viewers).
// Run: node --import tsx bench/redis-cluster-fanout.ts   (needs redis-server and redis-cli; starts a private 3-master cluster)
import { randomBytes } from "node:crypto";
import { Cluster } from "ioredis";
import { RedisPubSub } from "../pubsub/redis.js";
import { haveRedisCluster, startRedisCluster } from "../test/support/redis-cluster.js";
import { closeClients, kid, median, serveIn, timeFanOut } from "./cluster-support.js";
import { round, summary } from "./summary.js";
import { fmt } from "./ws-support.js";

const PER_PROCESS = Number(process.env.VIEWERS ?? 1000);
const PROCESSES = 3;
const CHANGES = 15;
const prefix = `hotline-bench:${process.pid}:${randomBytes(3).toString("hex")}:`;

if (!(await haveRedisCluster())) {
  console.log("SKIP bench/redis-cluster-fanout.ts: redis-server/redis-cli are not installed");
  process.exit(0);
}
const redisCluster = await startRedisCluster({ replicas: 0 });
const ports = redisCluster.ports.join(",");
const clients = Array.from({ length: PROCESSES }, () => kid("client"));

const serve = (kind: "memory" | "redis-cluster") => serveIn(kind === "redis-cluster" ? ["redis-cluster", ports, prefix] : ["memory"]);
const run = (publish: (score: number) => Promise<unknown>) => timeFanOut(clients, PER_PROCESS, CHANGES, publish);

async function spublishCalls(): Promise<number> {
  let n = 0;
  for (const port of redisCluster.ports) {
    const m = /cmdstat_spublish:calls=(\d+)/.exec(await redisCluster.cli(port, "INFO", "commandstats"));
    n += m ? Number(m[1]) : 0;
  }
  return n;
}

try {
  // Baseline: one process, memory pub/sub, PROCESSES x PER_PROCESS viewers; the server publishes itself.
  const one = await serve("memory");
  await Promise.all(clients.map((c) => c.ask({ open: { url: one.url, n: PER_PROCESS } })));
  const single = await run((score) => one.ask({ publish: { topic: "tally:0", score } }));
  await closeClients(clients);
  await one.ask({ stop: true });

  // Three processes on the cluster, PER_PROCESS viewers each; the change is published on the cluster.
  const servers = await Promise.all(Array.from({ length: PROCESSES }, () => serve("redis-cluster")));
  await Promise.all(clients.map((c, i) => c.ask({ open: { url: servers[i]!.url, n: PER_PROCESS } })));
  const client = new Cluster(redisCluster.rootNodes.map((n) => ({ ...n })));
  await new Promise((resolve) => client.once("ready", resolve));
  const bus = new RedisPubSub({ client, prefix });
  const before = await spublishCalls();
  const sharded = await run((score) => bus.publish("tally:0", { score }));
  const calls = (await spublishCalls()) - before;
  await closeClients(clients);
  await Promise.all(servers.map((s) => s.ask({ stop: true })));
  await bus.close();
  await client.quit();

  const total = PER_PROCESS * PROCESSES;
  const ratio = median(sharded) / median(single);
  const ms = (a: number[]) => `median ${fmt(median(a), 2)} ms (min ${fmt(Math.min(...a), 2)}, max ${fmt(Math.max(...a), 2)})`;
  console.log(`one change to ${total} viewers of a shared component, until the last client has its patch (${CHANGES} changes)`);
  console.log(`  1 process,  memory pub/sub, ${total} viewers:                          ${ms(single)}`);
  console.log(`  ${PROCESSES} processes, Redis Cluster (3 masters), ${PER_PROCESS} viewers each:  ${ms(sharded)}`);
  console.log(`  ratio (${PROCESSES} processes on a Redis Cluster / 1 process): ${fmt(ratio, 2)}x   goal <= 1.5x`);
  console.log(`  SPUBLISH calls on the cluster: ${calls} for ${CHANGES} changes (goal: one per change)`);
  summary("redis-cluster-fanout", {
    viewers: total,
    single_ms: round(median(single), 2),
    cluster_ms: round(median(sharded), 2),
    ratio: round(ratio, 3),
    spublish_per_change: round(calls / CHANGES, 3),
  });
} finally {
  for (const c of clients) c.kill();
  await redisCluster.stop();
}
process.exit(0);

// Cluster clients of either library, as a user would make them, for the tests of hotline/redis on
// a Redis Cluster (test/support/redis-cluster.ts starts the cluster).
import { Cluster } from "ioredis";
import { createCluster } from "redis";
import type { RedisFlavour } from "../../pubsub/redis-driver.js";
import type { RedisCluster } from "../support/redis-cluster.js";

export interface TestClusterClient {
  client: any;
  /** Sends one command, routed by its first key (or `key`). */
  send(args: string[], key?: string): Promise<unknown>;
  quit(): Promise<void>;
}

/** A connected cluster client of `flavour`. */
export async function clusterClient(flavour: RedisFlavour, cluster: RedisCluster): Promise<TestClusterClient> {
  if (flavour === "ioredis") {
    const client = new Cluster(cluster.rootNodes.map((n) => ({ ...n })));
    // A test's own client must not crash it when a node dies: the library under test is what is watched.
    client.on("error", () => {});
    await new Promise<void>((resolve, reject) => {
      client.once("ready", resolve);
      client.once("end", () => reject(new Error("ioredis Cluster ended before ready")));
    });
    return {
      client,
      send: (a) => client.call(a[0]!, ...a.slice(1)),
      quit: async () => { await client.quit().catch(() => client.disconnect()); },
    };
  }
  const client = createCluster({ rootNodes: cluster.rootNodes.map((n) => ({ url: `redis://${n.host}:${n.port}` })) });
  client.on("error", () => {});
  await client.connect();
  return {
    client,
    send: (a, key) => client.sendCommand(key ?? a[1], false, a),
    quit: async () => { await client.close().catch(() => client.destroy()); },
  };
}

// RedisPubSub over node-redis: the PubSub contract, then what only Redis can get wrong.
import { RedisPubSub } from "../../pubsub/redis.js";
import { needRedis } from "../support/services.js";
import { pubsubContract } from "./contract.js";
import { runPrefix, testClient } from "./redis-clients.js";
import { redisBehaviour } from "./redis-behaviour.js";

const url = await needRedis();
const prefix = runPrefix("node-redis");

pubsubContract("redis (node-redis)", async () => {
  const c = await testClient("node-redis", url);
  const pubsub = new RedisPubSub({ client: c.client, prefix });
  return { pubsub, cleanup: async () => { await pubsub.close(); await c.quit(); } };
}, { distributed: true });

await redisBehaviour("node-redis", url);

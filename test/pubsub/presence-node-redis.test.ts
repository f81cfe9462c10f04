// RedisPresence over node-redis: the Presence contract (the second process talks ioredis, so the
// two libraries are shown to share one presence), then what only Redis can get wrong.
import { RedisPresence } from "../../pubsub/presence-redis.js";
import { needRedis } from "../support/services.js";
import { runPresenceContract } from "./presence-contract.js";
import { presenceRedisBehaviour } from "./presence-redis-behaviour.js";
import { runPrefix, testClient } from "./redis-clients.js";

const url = await needRedis();
const prefix = runPrefix("presence-node-redis");

const make = (flavour: "ioredis" | "node-redis") => async (options?: { maxPresencesPerTopic?: number }) => {
  const c = await testClient(flavour, url);
  const presence = new RedisPresence({ client: c.client, prefix, ...options });
  return { presence, cleanup: async () => { await presence.close(); await c.quit(); } };
};

runPresenceContract({ name: "redis (node-redis)", make: make("node-redis"), secondProcess: make("ioredis") });

presenceRedisBehaviour("node-redis", url);

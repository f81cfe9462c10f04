/**
 * `hotline/redis`: scale Hotline out over Redis. `RedisPubSub` carries model changes between
 * server processes; `RedisStore` keeps component state where any process can resume it.
 * Bring ioredis or redis (node-redis); neither is a dependency of Hotline itself.
 * A Redis Cluster client (ioredis `Cluster`, node-redis `createCluster()`) works as `client` too:
 * sharded pub/sub and hash-tagged names (docs/deploy-redis.md, "Redis Cluster").
 *
 * @example
 * import { Redis } from "ioredis";
 * import { RedisPubSub, RedisStore } from "hotline/redis";
 * const redis = new Redis(process.env.REDIS_URL!);
 * const pubsub = new RedisPubSub({ client: redis });
 * const store = new RedisStore({ client: redis });
 */
export { RedisPubSub, type RedisPubSubOptions } from "../pubsub/redis.js";
export { RedisPresence, type RedisPresenceOptions } from "../pubsub/presence-redis.js";
export { watchConnection, type RedisClientLike, type RedisFlavour } from "../pubsub/redis-driver.js";
export { RedisStore, type RedisStoreOptions } from "./stores/redis.js";

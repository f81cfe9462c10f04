// RedisStore over node-redis: the StateStore contract, then Redis-specific behaviour.
import { needRedis } from "../support/services.js";
import { redisStoreSuite } from "./redis-behaviour.js";

redisStoreSuite("node-redis", await needRedis());

// RedisStore over ioredis: the StateStore contract, then Redis-specific behaviour.
import { needRedis } from "../support/services.js";
import { redisStoreSuite } from "./redis-behaviour.js";

redisStoreSuite("ioredis", await needRedis());

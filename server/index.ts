/**
 * Hotline: server-driven, realtime UI. The package's main entry.
 * Optional parts have their own subpaths: hotline/redis, hotline/express, hotline/fastify,
 * hotline/nunjucks, hotline/postgres.
 */
export * from "./core/index.js";
export type { PubSub, Listener, DeliveryInfo } from "../pubsub/pubsub.js";
export { MemoryPubSub } from "../pubsub/memory.js";
export { MemoryModelAdapter, type MemoryModelOptions } from "./models/memory.js";
export { createMemoryOrders, ORDER_STATUSES, ORDER_ROWS, orderValidator } from "../demo/orders-model.js";
export { createHotline, type Hotline, type HotlineOptions } from "./hotline.js";
export type { LiveOptions } from "./live/embed-page.js";
export type { RateLimitOptions } from "./transports/websocket/rate-limit.js";
export { startModelFeed, type ModelFeed, type ModelFeedOptions } from "./models/feed.js";

/**
 * The bridge from a model's change feed to pub/sub: what turns a committed write (through the app
 * or by any other writer) into a patch on every viewer of the row.
 *
 * Run it ONCE per deployment, not once per web process. With PostgreSQL every process that
 * watches a table hears every NOTIFY; if each one republished it, a change would reach pub/sub
 * (and every subscribed component, which re-reads the row) once per process. The demo runs it in
 * its single process, or, when started with HOTLINE_ROLE=web behind a shared Redis, in the
 * worker. With the memory adapter the feed must run in the process that writes, since the
 * adapter's changes never leave it.
 */
import type { ModelAdapter, ModelChange } from "./model.js";
import { modelResyncTopic, modelTopic } from "./live.js";
import type { PubSub } from "../../pubsub/pubsub.js";

/** Options of {@link startModelFeed}. */
export interface ModelFeedOptions {
  /** Where a failed publish is reported. Default `console.error`. */
  log?: (message: string, err: unknown) => void;
}

/** A running feed. */
export interface ModelFeed {
  /** The table it follows (as the adapter's metadata names it). */
  table: string;
  /** Stops watching; publishes already started still finish. */
  close(): Promise<void>;
}

/**
 * Watches the adapter's whole table and publishes each change, as it came (`{ table, op, pk,
 * version }`), on `model:<table>:<pk>` (the row's viewers) and `model:<table>` (lists). A resync
 * goes to `model:<table>` and `model:<table>:*`, which every `ModelComponent` also follows.
 *
 * @example
 * const feed = await startModelFeed(orders, hotline.pubsub);
 * await orders.save(1, { status: "paid" }, 1); // published on model:orders:1 and model:orders
 * await feed.close();
 */
export async function startModelFeed(adapter: ModelAdapter, pubsub: PubSub, options: ModelFeedOptions = {}): Promise<ModelFeed> {
  const log = options.log ?? ((m, e) => console.error(`[hotline] ${m}`, e));
  const { table } = await adapter.metadata();
  const publish = (topic: string, change: ModelChange) => {
    pubsub.publish(topic, change).catch((err: unknown) => log(`cannot publish a change of ${table} on ${topic}`, err));
  };
  const off = await adapter.watch((change) => {
    // The adapter's own table name, not the change's: the topics must match what components subscribe to.
    if (change.op === "resync") publish(modelResyncTopic(table), change);
    else publish(modelTopic(table, change.pk), change);
    publish(modelTopic(table), change);
  });
  let closed: Promise<void> | undefined;
  return { table, close: () => (closed ??= off()) };
}

/**
 * The bridge from a model's change feed to pub/sub: what turns a committed write (through the app
 * or by any other writer) into a patch on every viewer of the row.
 *
 * Every process may run it. When the adapter can elect (`lead()`, server/models/leadership.ts:
 * both adapters of this repository can), exactly one of the processes that run the feed on a table
 * publishes, and another takes over when it dies; the adapter keeps what is not yet published
 * (PostgreSQL: a change-log table), so a takeover loses no committed change. This file knows
 * nothing of how: it publishes the batches it is handed and says when they are out. An adapter
 * without `lead()` is watched as before, and then the feed must run in one process only.
 */
import type { ModelAdapter, ModelChange } from "./model.js";
import { modelResyncTopic, modelTopic } from "./live.js";
import { canLead, leadTimings, type FeedRole } from "./leadership.js";
import type { PubSub } from "../../pubsub/pubsub.js";
import { MemoryPubSub } from "../../pubsub/memory.js";

/** Options of {@link startModelFeed}. */
export interface ModelFeedOptions {
  /** Where a failed publish is reported (once until one succeeds again). Default `console.error`. */
  log?: (message: string, err: unknown) => void;
  /**
   * Whether to take part in electing one publisher among the processes that run the feed on this
   * table. Default: `true`, except on a `MemoryPubSub`, which does not span processes: there each
   * process publishes what it hears itself, as a plain watch (changes made while it is
   * disconnected reach its viewers as a resync). Set `false` for any other bus local to a process.
   */
  elect?: boolean;
  /**
   * How soon another process takes over from a publisher that died or lost the database, in
   * milliseconds. Default 5000; from 500 to 600000.
   */
  takeoverMs?: number;
  /** Called each time this process starts or stops publishing (not for the role it starts in). */
  onRole?: (role: FeedRole) => void;
}

/** A running feed. */
export interface ModelFeed {
  /** The table it follows (as the adapter's metadata names it). */
  table: string;
  /**
   * `"leader"` while this process publishes the table's changes, `"follower"` while another one
   * does. Always `"leader"` without an election (`elect: false`, or an adapter without `lead()`).
   */
  readonly role: FeedRole;
  /** Stops watching (a leader hands over); publishes already started still finish. */
  close(): Promise<void>;
}

/**
 * Follows the adapter's whole table and publishes each change, as it came (`{ table, op, pk,
 * version }`), on `model:<table>:<pk>` (the row's viewers) and `model:<table>` (lists). A resync
 * goes to `model:<table>` and `model:<table>:*`, which every `ModelComponent` also follows.
 *
 * Run it in every process: with an adapter that can elect (PostgreSQL, memory), one process
 * publishes and the others stand by; when the publisher dies (SIGKILL, a lost connection) another
 * takes over within `takeoverMs` and publishes every change committed meanwhile, in commit order
 * per row. Delivery is at least once: a change being published when its publisher died may be
 * published again, which viewers absorb (a `ModelComponent` ignores a version it holds and
 * otherwise re-reads the row). The first takeover after a crash also publishes one resync. See
 * docs/models.md, "Running the feed on every process".
 *
 * Resolves once the first election is settled; rejects (as `adapter.watch` does) when the
 * database cannot be reached then, and with a RangeError or TypeError for a bad option. Later
 * database outages never reject nor end the process: the feed retries with backoff.
 *
 * @example
 * const feed = await startModelFeed(orders, hotline.pubsub);   // in every process
 * feed.role;                                                   // "leader" in one of them
 * await orders.save(1, { status: "paid" }, 1);                 // published once, on model:orders:1 and model:orders
 * await feed.close();
 */
export async function startModelFeed(adapter: ModelAdapter, pubsub: PubSub, options: ModelFeedOptions = {}): Promise<ModelFeed> {
  if (!adapter || typeof adapter.metadata !== "function" || typeof adapter.watch !== "function") {
    throw new TypeError("startModelFeed: the first argument must be a ModelAdapter (it lacks metadata() or watch())");
  }
  if (!pubsub || typeof pubsub.publish !== "function") throw new TypeError("startModelFeed: the second argument must be a PubSub (it lacks publish())");
  if (options.elect !== undefined && typeof options.elect !== "boolean") throw new TypeError("startModelFeed: `elect` must be true or false");
  if (options.onRole !== undefined && typeof options.onRole !== "function") throw new TypeError("startModelFeed: `onRole` must be a function");
  leadTimings(options.takeoverMs);
  const log = options.log ?? ((m, e) => console.error(`[hotline] ${m}`, e));
  const { table } = await adapter.metadata();

  let failing = false;
  // The adapter's own table name, not the change's: the topics must match what components subscribe to.
  const sends = (change: ModelChange): Promise<void>[] => [
    pubsub.publish(change.op === "resync" ? modelResyncTopic(table) : modelTopic(table, change.pk), change),
    pubsub.publish(modelTopic(table), change),
  ];
  // Issued in order without waiting for each (a remote bus pipelines them on one connection);
  // resolves when all are out, rejects with the first failure.
  const publishBatch = async (changes: ModelChange[]): Promise<void> => {
    const results = await Promise.allSettled(changes.flatMap(sends));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed) {
      if (!failing) log(`cannot publish the changes of ${table}`, failed.reason);
      failing = true;
      throw failed.reason;
    }
    failing = false;
  };

  const elect = options.elect ?? !(pubsub instanceof MemoryPubSub);
  if (elect && canLead(adapter)) {
    const leadership = await adapter.lead(publishBatch, { takeoverMs: options.takeoverMs, onRole: options.onRole });
    let closed: Promise<void> | undefined;
    return {
      table,
      get role() { return leadership.role; },
      close: () => (closed ??= leadership.close()),
    };
  }

  const off = await adapter.watch((change) => {
    for (const p of sends(change)) {
      p.catch((err: unknown) => log(`cannot publish a change of ${table}`, err));
    }
  });
  let closed: Promise<void> | undefined;
  return { table, role: "leader", close: () => (closed ??= off()) };
}

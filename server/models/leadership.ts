/**
 * The leadership seam of the model feed: how every process may run `startModelFeed` while one of
 * them publishes. An adapter that can elect offers `lead()`; the feed (server/models/feed.ts) only
 * publishes the batches it is handed and says when they are out. Who leads, how a leader is
 * replaced and where undelivered changes wait belong to the adapter: `MemoryModelAdapter` is always
 * the leader of its own process (its changes never leave it); `PostgresModelAdapter` holds an
 * advisory lock on a dedicated connection and reads a change-log table (docs/models.md, "Running
 * the feed on every process").
 */
import type { ModelAdapter, ModelChange } from "./model.js";

/** Whether this process publishes the table's changes (`leader`) or stands by (`follower`). */
export type FeedRole = "leader" | "follower";

/**
 * Publishes a batch of changes in order; resolves once every message is out (handed to the bus).
 * The adapter forgets a batch only after that, so a leader that dies mid-batch leaves it to the
 * next one: delivery is at least once.
 */
export type ChangeBatchPublisher = (changes: ModelChange[]) => Promise<void>;

/** Options of {@link LeadingModelAdapter.lead}. */
export interface LeadOptions {
  /**
   * How soon another process takes over when the leader dies or loses the database, in
   * milliseconds. Default 5000; at least 500. Followers poll for the lock five times within it.
   */
  takeoverMs?: number;
  /** Called on each change of role, after the first one (`lead()` resolves with the first). */
  onRole?: (role: FeedRole) => void;
  /** Where a lost leadership or a failed step is reported. Default: the adapter's own log. */
  log?: (message: string, err?: unknown) => void;
}

/** A running campaign for the feed of one table. */
export interface FeedLeadership {
  /** The role now. */
  readonly role: FeedRole;
  /** Stops campaigning; a leader hands over cleanly (undelivered changes stay for the next one). */
  close(): Promise<void>;
}

/**
 * A {@link ModelAdapter} that can elect one publisher among all the processes that run the feed.
 * `lead()` resolves once the first attempt is settled (this process leads, or another one does);
 * it rejects when that attempt cannot reach the store, as `watch()` does.
 *
 * @example
 * const leadership = await orders.lead(async (changes) => { for (const c of changes) await bus.publish("orders", c); });
 * leadership.role; // "leader" or "follower"
 * await leadership.close();
 */
export interface LeadingModelAdapter extends ModelAdapter {
  lead(publish: ChangeBatchPublisher, options?: LeadOptions): Promise<FeedLeadership>;
}

/** Whether `adapter` offers {@link LeadingModelAdapter.lead}. */
export function canLead(adapter: ModelAdapter): adapter is LeadingModelAdapter {
  return typeof (adapter as Partial<LeadingModelAdapter>).lead === "function";
}

/** The timings a leader and its followers derive from `takeoverMs`. */
export interface LeadTimings {
  takeoverMs: number;
  /** How often a follower tries the lock. */
  pollMs: number;
  /** How often a leader checks its connection (and the log, in case a wake-up was missed). */
  heartbeatMs: number;
  /** How long a leader's query may take before the leader gives up its connection. */
  queryTimeoutMs: number;
}

/** Checks `takeoverMs` (a clear RangeError for a bad one) and derives the other timings from it. */
export function leadTimings(takeoverMs: unknown = 5000): LeadTimings {
  if (typeof takeoverMs !== "number" || !Number.isFinite(takeoverMs) || takeoverMs < 500 || takeoverMs > 600_000) {
    throw new RangeError(`startModelFeed: takeoverMs must be a number of milliseconds from 500 to 600000, got ${JSON.stringify(takeoverMs) ?? String(takeoverMs)}`);
  }
  return {
    takeoverMs,
    pollMs: Math.max(100, Math.round(takeoverMs / 5)),
    heartbeatMs: Math.max(250, Math.round(takeoverMs / 2)),
    queryTimeoutMs: Math.max(250, Math.round(takeoverMs / 2)),
  };
}

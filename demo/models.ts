/**
 * The orders behind the /orders page: in memory by default, in PostgreSQL when DATABASE_URL is
 * set. Opens the adapter, which the app then gives its `order_editor` and `orders` components as
 * the `orders` service, and starts the model feed that turns each change into pub/sub messages
 * (demo/main.ts starts it on every process, `feed: true`; a caller that leaves `feed` out gets no
 * feed on a web process, HOTLINE_ROLE=web, of a database-backed table).
 */
import { loadModelMeta, startModelFeed, type ModelAdapter, type ModelFeed, type PubSub } from "hotline";
import { createMemoryOrders } from "./orders-model.js";

/** Options of {@link setupModels}; each defaults to its environment variable. */
export interface ModelsOptions {
  pubsub: PubSub;
  /** PostgreSQL for the orders. Default `DATABASE_URL`; none means in memory. */
  databaseUrl?: string;
  /** The table. Default `HOTLINE_ORDERS_TABLE` or "orders". */
  table?: string;
  /** "web" leaves the feed to a worker process. Default `HOTLINE_ROLE`. */
  role?: string;
  /** Start the feed whatever the role (a worker). */
  feed?: boolean;
}

/** The orders adapter (the app's `orders` service), its feed, and how to stop both. */
export interface RunningModels {
  adapter: ModelAdapter;
  feed: ModelFeed | undefined;
  close(): Promise<void>;
}

/**
 * Opens the orders and starts the feed. The feed publishes on `pubsub`: give the app the same one.
 *
 * @example
 * const pubsub = new MemoryPubSub();
 * const models = await setupModels({ pubsub });
 * const hotline = createHotline({ pubsub, services: { board, orders: models.adapter } });
 * // on shutdown, before hotline.close():
 * await models.close();
 */
export async function setupModels(options: ModelsOptions): Promise<RunningModels> {
  const env = process.env;
  const url = options.databaseUrl ?? (env.DATABASE_URL || undefined);
  const table = options.table ?? env.HOTLINE_ORDERS_TABLE ?? "orders";
  const role = options.role ?? env.HOTLINE_ROLE;
  let adapter: ModelAdapter;
  let endPool = async () => {};
  if (url) {
    const { default: pg } = await import("pg");
    const { openPostgresOrders } = await import("./orders-model.js");
    const pool = new pg.Pool({ connectionString: url, max: 5 });
    // An idle connection the server closes (a restart, a failover, a proxy's idle timeout) emits
    // `error` on the pool, which would end the process without a listener. The pool has dropped it
    // and the next query opens a new one. The adapter reports the outage (one line); this listener
    // covers the moments it is not attached: while the table is prepared, and on shutdown.
    pool.on("error", () => {});
    try {
      adapter = await openPostgresOrders(pool, { table });
    } catch (err) {
      await pool.end();
      throw err;
    }
    endPool = () => pool.end();
  } else {
    adapter = createMemoryOrders(table);
  }
  // Read once now, so that an editor resumed from a token renders before its first event.
  await loadModelMeta(adapter);
  // A memory table lives in this process: only this process can hear (and publish) its changes.
  const runFeed = options.feed ?? (role !== "web" || !url);
  const feed = runFeed ? await startModelFeed(adapter, options.pubsub) : undefined;
  let closing: Promise<void> | undefined;
  return {
    adapter,
    feed,
    close: () =>
      (closing ??= (async () => {
        await feed?.close();
        await adapter.close();
        await endPool();
      })()),
  };
}

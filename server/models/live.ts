/**
 * How model components follow rows: the pub/sub topics the model feed publishes on, the
 * per-process metadata cache, and row reads shared by the followers of one change.
 */
import type { ModelAdapter, ModelMetadata, Pk, Row } from "./model.js";

/**
 * The pub/sub topic of a table's changes (`model:orders`), or of one row's (`model:orders:42`).
 * `startModelFeed` (server/models/feed.ts) publishes each change of the adapter's feed on both.
 */
export function modelTopic(table: string, pk?: Pk | null): string {
  return pk === undefined || pk === null ? `model:${table}` : `model:${table}:${pk}`;
}

/**
 * The topic that carries a table's resyncs to components that follow single rows: a resync has
 * no key, so it cannot go to a row's topic, and following the whole table would wake every
 * editor for every row's change.
 */
export function modelResyncTopic(table: string): string {
  return `model:${table}:*`;
}

// Metadata per adapter, so that a render after `hydrate()` (which cannot await) finds it.
const metaCache = new WeakMap<ModelAdapter, ModelMetadata>();

/** The metadata `loadModelMeta` has read for this adapter, if any. */
export function cachedModelMeta(adapter: ModelAdapter): ModelMetadata | undefined {
  return metaCache.get(adapter);
}

/**
 * Reads (once per adapter and process) and caches a model's metadata. Call it at start-up for
 * the adapters of components that may be resumed from a token before any event.
 */
export async function loadModelMeta(adapter: ModelAdapter): Promise<ModelMetadata> {
  let meta = metaCache.get(adapter);
  if (!meta) metaCache.set(adapter, (meta = await adapter.metadata()));
  return meta;
}

// Reads of one row for one announced change, shared by every instance that follows the row in this
// process: 100 viewers of a row cost one read per change, not 100. Only reads started after the
// change was announced are shared (the key holds the change), so none can return an older row.
const inflight = new WeakMap<ModelAdapter, Map<string, Promise<Row | null>>>();

export function readFor(adapter: ModelAdapter, pk: Pk, change: string): Promise<Row | null> {
  let byKey = inflight.get(adapter);
  if (!byKey) inflight.set(adapter, (byKey = new Map()));
  const key = `${typeof pk}:${pk}\u0000${change}`;
  let p = byKey.get(key);
  if (!p) {
    p = adapter.get(pk);
    byKey.set(key, p);
    const done = () => { if (byKey.get(key) === p) byKey.delete(key); };
    p.then(done, done);
  }
  return p.then((row) => (row ? structuredClone(row) : null));
}

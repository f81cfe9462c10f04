/**
 * Stream containers (in the manner of Phoenix LiveView streams): a list whose items the server
 * does not keep. A component says what changed (`streamInsert`, `streamDelete`, `streamReset`);
 * its next render carries only that, and the client keeps the container's DOM children. The
 * operations wait here, per component, until a transport has sent the render that carries them
 * (`flushStreams`). docs/protocol.md §1.1 has the wire form, docs/sdui.md §7 the story.
 */
import { HotlineError } from "../errors.js";
import { Repeat, StreamPart, TemplateResult, type StreamInsert } from "./template.js";

/** Where `streamInsert` puts new items: `"end"` (default), `"start"`, or an index. */
export type StreamAt = "end" | "start" | number;

/** How a stream renders: each item's key (unique in the stream) and its one-root-element template. */
export interface StreamOptions<T> {
  key(item: T): string | number;
  /** Renders an item; its root element must carry `id={domId}`. */
  render(item: T, domId: string): unknown;
}

type Op = { k: "i"; items: readonly unknown[]; at: number | undefined; limit?: number } | { k: "d"; key: string | number } | { k: "r" };

/** Options of `streamInsert`. */
export interface StreamInsertOptions {
  /** Where the items go: `"end"` (default), `"start"`, or an index. */
  at?: StreamAt;
  /**
   * The most items the client's container keeps: after inserting at the end, the oldest (first)
   * children beyond it are removed; after inserting at the start or an index, the last ones. The
   * DOM stays bounded however far an infinite scroll goes (docs/protocol.md §1.5).
   */
  limit?: number;
}

const pending = new WeakMap<object, Map<string, Op[]>>();
const NAME = /^[A-Za-z][\w-]{0,63}$/;

function ops(component: object, name: string): Op[] {
  if (!NAME.test(name)) {
    throw new HotlineError("handler_error", "a stream name is a letter then letters, digits, _ or - (at most 64)", { fault: "app" });
  }
  let byName = pending.get(component);
  if (!byName) pending.set(component, (byName = new Map()));
  let list = byName.get(name);
  if (!list) byName.set(name, (list = []));
  return list;
}

/**
 * Inserts items into the stream `name`, or updates them in place when their key is already
 * there. Sent with the next render, then forgotten by the server.
 *
 * @example
 * streamInsert(this, "orders", [order]);                 // at the end
 * streamInsert(this, "feed", [post], { at: "start" });   // newest first
 * streamInsert(this, "rows", page, { limit: 150 });      // the client keeps the last 150
 */
export function streamInsert<T>(component: object, name: string, items: readonly T[], options: StreamInsertOptions = {}): void {
  const at = options.at === undefined || options.at === "end" ? undefined : options.at === "start" ? 0 : options.at;
  if (at !== undefined && !(Number.isSafeInteger(at) && at >= 0)) {
    throw new HotlineError("handler_error", 'streamInsert(): at is "start", "end" or an index >= 0', { fault: "app" });
  }
  if (!Array.isArray(items)) throw new HotlineError("handler_error", "streamInsert(): items must be an array", { fault: "app" });
  const { limit } = options;
  if (limit !== undefined && !(Number.isSafeInteger(limit) && limit > 0)) {
    throw new HotlineError("handler_error", "streamInsert(): limit is an integer > 0", { fault: "app" });
  }
  ops(component, name).push({ k: "i", items: items.slice(), at, ...(limit !== undefined && { limit }) });
}

/**
 * Removes the item with `key` from the stream `name` (from the client's DOM).
 *
 * @example
 * streamDelete(this, "orders", 7);
 */
export function streamDelete(component: object, name: string, key: string | number): void {
  ops(component, name).push({ k: "d", key });
}

/**
 * Empties the stream `name` on the client; items inserted afterwards (in the same event) stay.
 *
 * @example
 * streamReset(this, "orders"); streamInsert(this, "orders", fresh);
 */
export function streamReset(component: object, name: string): void {
  ops(component, name).length = 0;
  ops(component, name).push({ k: "r" });
}

/**
 * The stream `name` inside an `html` template: it must be the only content of an element that
 * carries `hl-stream="name"`. It renders the operations since the last sent render, compacted
 * (an insert then a delete of one key sends the delete only; a key inserted twice goes once).
 *
 * @example
 * html`<ul hl-stream="orders">${stream(this, "orders", {
 *   key: (o) => o.id,
 *   render: (o, id) => html`<li id="${id}">${o.name}</li>`,
 * })}</ul>`
 */
export function stream<T>(component: object, name: string, options: StreamOptions<T>): StreamPart {
  const list = pending.get(component)?.get(name);
  if (!list?.length) return new StreamPart(name);
  let reset = false;
  // the last insert's limit, signed for the client: > 0 keeps the first n, < 0 the last n
  let limit: number | undefined;
  const deletes = new Set<string>();
  const inserts = new Map<string, { item: T; at: number | undefined }>();
  for (const op of list) {
    if (op.k === "r") {
      reset = true;
      limit = undefined;
      deletes.clear();
      inserts.clear();
    } else if (op.k === "d") {
      const id = domId(name, op.key);
      inserts.delete(id);
      deletes.add(id);
    } else {
      if (op.limit) limit = op.at === undefined ? -op.limit : op.limit;
      for (const item of op.items as T[]) {
        const id = domId(name, options.key(item));
        const had = inserts.get(id);
        // A key inserted twice keeps its first place; a deleted key inserted again is a new item.
        inserts.set(id, { item, at: had ? had.at : op.at });
      }
    }
  }
  const out: StreamInsert[] = [];
  for (const [id, { item, at }] of inserts) out.push(at === undefined ? { id, node: options.render(item, id) } : { id, node: options.render(item, id), at });
  return new StreamPart(name, out, [...deletes], reset, limit);
}

/** The DOM id of the item with `key` in stream `name`: `name-key`. */
export function domId(name: string, key: string | number): string {
  if (typeof key !== "string" && !(typeof key === "number" && Number.isFinite(key))) {
    throw new HotlineError("handler_error", "a stream key is a string or a finite number", { fault: "app" });
  }
  return `${name}-${key}`;
}

/**
 * For transports: forgets the operations of `component`'s streams once a render carrying them
 * has been sent (or, in sdui format, has no use for them). Over HTTP nothing needs flushing: each
 * request renders a new instance whole.
 */
export function flushStreams(component: object): void {
  pending.delete(component);
}

/** True when `component` has stream operations waiting for a render. */
export function hasPendingStreams(component: object): boolean {
  return pending.has(component);
}

/** Whether a render's tree holds a stream container (the items of which only the client's DOM keeps). */
export function holdsStream(v: unknown): boolean {
  if (v instanceof StreamPart) return true;
  if (v instanceof TemplateResult) return v.values.some(holdsStream);
  if (v instanceof Repeat) return v.items.some(holdsStream);
  if (Array.isArray(v)) return v.some(holdsStream);
  return false;
}

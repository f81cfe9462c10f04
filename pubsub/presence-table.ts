// One topic's presences as a process holds them, and the diffs that changing them makes. Both
// implementations keep their lists here; RedisPresence also replays messages into it, so applying
// a change twice (a message that a reload already reflected) must change nothing.
import type { PresenceDiff, PresenceEntry, PresenceInfo, PresenceList, PresenceListener, PresenceMeta } from "./presence.js";

/** One tracking. */
export interface Tracking {
  ref: string;
  key: string;
  meta: PresenceMeta;
}

export class PresenceTable {
  readonly #byRef = new Map<string, Tracking>();
  #list: PresenceList | undefined;

  /** Trackings held. */
  get size(): number {
    return this.#byRef.size;
  }

  get(ref: string): Tracking | undefined {
    return this.#byRef.get(ref);
  }

  values(): IterableIterator<Tracking> {
    return this.#byRef.values();
  }

  /**
   * Brings each named ref to its final state (absent for `leaves`, the tracking for `joins`; a ref
   * in both ends joined) and returns what changed, or undefined when nothing did.
   */
  apply(leaves: readonly Tracking[], joins: readonly Tracking[]): PresenceDiff | undefined {
    const target = new Map<string, Tracking | null>();
    for (const t of leaves) target.set(t.ref, null);
    for (const t of joins) target.set(t.ref, t);
    const diff: PresenceDiff = { joins: {}, leaves: {} };
    let changed = false;
    for (const [ref, t] of target) {
      const cur = this.#byRef.get(ref);
      if (t === null) {
        if (!cur) continue;
        this.#byRef.delete(ref);
        add(diff.leaves, cur);
      } else {
        if (cur && sameTracking(cur, t)) continue;
        if (cur) add(diff.leaves, cur);
        this.#byRef.set(ref, t);
        add(diff.joins, t);
      }
      changed = true;
    }
    if (!changed) return undefined;
    this.#list = undefined;
    return diff;
  }

  /** Makes the table hold exactly `all`; returns what changed (possibly nothing). */
  replace(all: Iterable<Tracking>): PresenceDiff {
    const next = new Map<string, Tracking>();
    for (const t of all) next.set(t.ref, t);
    const leaves = [...this.#byRef.values()].filter((t) => !next.has(t.ref));
    return this.apply(leaves, [...next.values()]) ?? { joins: {}, leaves: {} };
  }

  /** The list, built once per change and shared by every caller until the next one. */
  list(): PresenceList {
    if (this.#list) return this.#list;
    const list: PresenceList = {};
    for (const t of this.#byRef.values()) add(list, t);
    return (this.#list = list);
  }
}

/** A fresh table holding `all`. */
export function tableOf(all: Iterable<Tracking>): PresenceTable {
  const table = new PresenceTable();
  table.replace(all);
  return table;
}

function sameTracking(a: Tracking, b: Tracking): boolean {
  return a.key === b.key && (a.meta === b.meta || JSON.stringify(a.meta) === JSON.stringify(b.meta));
}

/** Adds a tracking under its key; a key named `__proto__` is an own property, not the prototype. */
function add(list: PresenceList, t: Tracking): void {
  let entry: PresenceEntry | undefined = Object.hasOwn(list, t.key) ? list[t.key] : undefined;
  if (!entry) {
    entry = { metas: [] };
    Object.defineProperty(list, t.key, { value: entry, enumerable: true, writable: true, configurable: true });
  }
  entry.metas.push({ ref: t.ref, meta: t.meta });
}

/** Calls each listener with the same diff; one that throws is reported and the others still run. */
export function deliver(listeners: Iterable<PresenceListener>, diff: PresenceDiff, info: PresenceInfo): void {
  for (const listener of [...listeners]) {
    try {
      listener(diff, info);
    } catch (err) {
      console.error(`[hotline] a presence listener on "${info.topic}" threw`, err);
    }
  }
}

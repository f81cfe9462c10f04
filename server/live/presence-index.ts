import type { PresenceDiff, PresenceList, PresenceMetaEntry } from "../core/presence.js";
import type { Presence } from "../../pubsub/presence.js";

/** Something in this process that follows the presences of topics: a live instance. */
export interface PresenceFollower {
  presenceChanged(topic: string, diff: PresenceDiff): void;
}

type Entry = { followers: Set<PresenceFollower>; list: PresenceList; live: Promise<(() => Promise<void>) | undefined> };

const EMPTY: PresenceList = Object.freeze({}) as PresenceList;

/**
 * The process's presence index, like the topic index: one seam subscription per topic however
 * many instances follow it, and one copy of its list, which every follower renders from (a shared
 * component and a thousand private ones read the same object).
 *
 * @example
 * index.follow("board", instance); // subscribes and loads the list on first use
 * index.list("board");             // sync, for rendering
 */
export class PresenceIndex {
  readonly #presence: Presence;
  readonly #log: (message: string, err?: unknown) => void;
  readonly #topics = new Map<string, Entry>();

  constructor(presence: Presence, log: (message: string, err?: unknown) => void) {
    this.#presence = presence;
    this.#log = log;
  }

  /** The seam itself (tracking goes straight to it). */
  get presence(): Presence {
    return this.#presence;
  }

  follow(topic: string, follower: PresenceFollower): void {
    let entry = this.#topics.get(topic);
    if (!entry) {
      const e: Entry = (entry = { followers: new Set(), list: {}, live: Promise.resolve(undefined) });
      this.#topics.set(topic, e);
      e.live = (async () => {
        try {
          const off = await this.#presence.subscribe(topic, (diff, info) => {
            if (this.#topics.get(topic) !== e) return;
            if (info.resync) void this.#reload(topic, e);
            else this.#apply(topic, e, diff);
          });
          await this.#reload(topic, e);
          return off;
        } catch (err) {
          this.#log("cannot follow the presences of a topic", err);
          return undefined;
        }
      })();
    }
    entry.followers.add(follower);
  }

  unfollow(topic: string, follower: PresenceFollower): void {
    const entry = this.#topics.get(topic);
    if (!entry || !entry.followers.delete(follower) || entry.followers.size) return;
    this.#topics.delete(topic);
    void entry.live.then((off) => off?.()).catch((err: unknown) => this.#log("cannot stop following a topic's presences", err));
  }

  /** Who is on `topic`, as this process knows it (empty for a topic nobody here follows). */
  list(topic: string): PresenceList {
    return this.#topics.get(topic)?.list ?? EMPTY;
  }

  /** Resolves once the lists of `topics` are loaded (a join waits for it before its first render). */
  async ready(topics: Iterable<string>): Promise<void> {
    const waits: Promise<unknown>[] = [];
    for (const t of topics) {
      const e = this.#topics.get(t);
      if (e) waits.push(e.live);
    }
    await Promise.all(waits);
  }

  /** Topics followed in this process. */
  get size(): number {
    return this.#topics.size;
  }

  #apply(topic: string, e: Entry, diff: PresenceDiff): void {
    // A new object per change: a follower that kept the previous list still sees the previous one.
    const next: PresenceList = { ...e.list };
    for (const [key, left] of Object.entries(diff.leaves)) {
      const gone = new Set(left.metas.map((m) => m.ref));
      const metas = (next[key]?.metas ?? []).filter((m) => !gone.has(m.ref));
      if (metas.length) next[key] = { metas };
      else delete next[key];
    }
    for (const [key, joined] of Object.entries(diff.joins)) {
      const have = next[key]?.metas ?? [];
      const fresh = new Set(joined.metas.map((m) => m.ref));
      next[key] = { metas: [...have.filter((m) => !fresh.has(m.ref)), ...joined.metas] };
    }
    e.list = next;
    for (const f of [...e.followers]) f.presenceChanged(topic, diff);
  }

  /** Reads the whole list again (first use, or the seam says diffs may have been missed) and tells followers what changed. */
  async #reload(topic: string, e: Entry): Promise<void> {
    const fresh = await this.#presence.list(topic);
    if (this.#topics.get(topic) !== e) return;
    const diff = diffLists(e.list, fresh);
    e.list = fresh;
    if (Object.keys(diff.joins).length || Object.keys(diff.leaves).length) for (const f of [...e.followers]) f.presenceChanged(topic, diff);
  }
}

/** The trackings in `next` and not in `prev` (joins) and the reverse (leaves); a changed meta is both. */
export function diffLists(prev: PresenceList, next: PresenceList): PresenceDiff {
  const diff: PresenceDiff = { joins: {}, leaves: {} };
  const sig = (m: PresenceMetaEntry) => m.ref + "\n" + JSON.stringify(m.meta);
  const sigs = (l: PresenceList, key: string) => new Set((l[key]?.metas ?? []).map(sig));
  for (const key of new Set([...Object.keys(prev), ...Object.keys(next)])) {
    const before = sigs(prev, key);
    const after = sigs(next, key);
    const joins = (next[key]?.metas ?? []).filter((m) => !before.has(sig(m)));
    const leaves = (prev[key]?.metas ?? []).filter((m) => !after.has(sig(m)));
    if (joins.length) diff.joins[key] = { metas: joins };
    if (leaves.length) diff.leaves[key] = { metas: leaves };
  }
  return diff;
}

import type { PresenceDiff, PresenceList, PresenceMeta } from "../server/core/presence.js";

/**
 * Who is here: presences per topic, across every process (`MemoryPresence`, the reference, for one
 * process; `RedisPresence` in `hotline/redis` for many). A presence is one tracking of a key (a
 * user, a device) with its meta; a user with two tabs open is one key with two metas.
 *
 * Diffs carry every tracking that joined or left, under its key: a key is present while it has at
 * least one meta, so a listener that applies diffs (leaves first, then joins, by `ref`) to the list
 * it read knows both who is here and how many tabs each one has. `update` is a leave of the old
 * meta and a join of the new one, with the same ref, in one diff.
 *
 * @example
 * const off = await presence.subscribe("board:1", (diff) => render(diff));
 * const ref = await presence.track("board:1", user.id, { name: user.name, typing: false });
 * await presence.update("board:1", ref, { name: user.name, typing: true });
 * console.log(await presence.list("board:1")); // { "u1": { metas: [{ ref, meta: { name, typing: true } }] } }
 * await presence.untrack("board:1", ref);
 * await off();
 */
export interface Presence {
  /** Tracks one presence (one connection of `key`) on `topic`; resolves its ref once every process can see it. */
  track(topic: string, key: string, meta: PresenceMeta): Promise<string>;
  /** Replaces a tracking's meta (a diff with the old meta in leaves and the new in joins, as Phoenix does). */
  update(topic: string, ref: string, meta: PresenceMeta): Promise<void>;
  /** Ends a tracking; an unknown ref (already untracked) is not an error. */
  untrack(topic: string, ref: string): Promise<void>;
  /** Everyone present on `topic`, as this process knows it. Shared with other callers: do not mutate it. */
  list(topic: string): Promise<PresenceList>;
  /** Diffs for `topic` from every process (own tracks included); resolves to an unsubscribe function. */
  subscribe(topic: string, listener: PresenceListener): Promise<() => Promise<void>>;
  /** Untracks everything this instance tracked, ends subscriptions, releases connections. */
  close(): Promise<void>;
}

// The data shapes are the core's (components render them); this file adds the seam around them.
export type { PresenceMeta, PresenceMetaEntry, PresenceEntry, PresenceList, PresenceDiff } from "../server/core/presence.js";

/** What a listener is told besides the diff. */
export interface PresenceInfo {
  topic: string;
  /** The list may have changed in ways the diff does not tell (after an outage the diff is the net change): re-read list(). */
  resync?: boolean;
}

/** A subscriber's callback. It must not throw; an error it throws is reported and swallowed. */
export type PresenceListener = (diff: PresenceDiff, info: PresenceInfo) => void;

/** Options every implementation takes. */
export interface PresenceOptions {
  /** Trackings a topic may hold; `track` past it is refused with `too_large`. Default 10,000. */
  maxPresencesPerTopic?: number;
}

/** The limits, in one place (docs/presence.md lists them). */
export const PRESENCE_LIMITS = {
  /** Bytes of a meta's JSON (UTF-8). */
  metaBytes: 1024,
  /** Characters of a key. */
  keyLength: 256,
  /** Characters of a topic. */
  topicLength: 256,
  /** Default of `maxPresencesPerTopic`. */
  presencesPerTopic: 10_000,
} as const;

/**
 * The data of presence (who is on a topic), as components see it. The `Presence` seam that keeps
 * it across processes is in pubsub/presence.ts; these shapes are shared by both.
 */

/** What one presence says about itself (a name, a colour, "typing"): JSON, small. */
export type PresenceMeta = Record<string, unknown>;

/** One tracking: a connection of a key, with its own meta. */
export interface PresenceMetaEntry {
  ref: string;
  meta: PresenceMeta;
}

/** One key's presences on a topic: one entry per tracking (a user with two tabs has two). */
export interface PresenceEntry {
  metas: PresenceMetaEntry[];
}

/** Everyone present on a topic: key -> entry. */
export type PresenceList = Record<string, PresenceEntry>;

/** What changed on a topic: trackings that appeared (`joins`) and went (`leaves`), by key. */
export interface PresenceDiff {
  joins: PresenceList;
  leaves: PresenceList;
}

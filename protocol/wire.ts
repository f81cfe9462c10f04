/**
 * Wire keys of protocol v1, shared by server and client: one place to read them all.
 * docs/protocol.md describes each message; ../codes.ts holds the error codes.
 */

/** Message types (`t`). */
export const T = {
  join: "join",
  event: "event",
  leave: "leave",
  ping: "ping",
  ok: "ok",
  patch: "patch",
  error: "error",
  pong: "pong",
  /** server -> client: an event pushed to a client hook (`hl-hook`), see docs/protocol.md */
  push: "push",
} as const;

/** Keys of the rendered-tree encoding (docs/protocol.md, "Rendered trees and diffs"). */
export const R = {
  /** statics table: `{ "<id>": ["<li>", "</li>"] }`, only statics new to the client */
  statics: "p",
  /** a full replacement of the root node */
  root: "r",
  /** a full list: `{ "l": [item, ...] }` */
  list: "l",
  /** list order: runs of old items and new items */
  order: "o",
  /** list item updates: `{ "<new index>": diff }` */
  update: "u",
  /** a stream container's operations: `{ "st": name, "i"?: inserts, "d"?: deleted ids, "reset"?: true }` */
  stream: "st",
} as const;

/** The default WebSocket path. */
export const DEFAULT_PATH = "/live";
/** The default largest accepted frame, in bytes. */
export const DEFAULT_MAX_PAYLOAD = 64 * 1024;

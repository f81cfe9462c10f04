/**
 * Wire keys of protocol v1, shared by server and client: one place to read them all.
 * docs/protocol.md describes each message; ./codes.ts holds the error codes, ./close-codes.ts the
 * WebSocket close codes, ./attributes.ts the `hl-*` attribute names, ./sdui.ts the sdui types.
 *
 * Code never writes a key below as a string: it uses these constants, so a key changes here or
 * nowhere. Where a hot path builds JSON by hand (server/live/frames.ts), it builds its string
 * pieces from these constants once, at module load. They are string enums rather than objects
 * because the browser bundle's esbuild inlines enum values across files: the names cost the
 * client nothing (an object's keys would stay in the minified bundle, about 0.5 KB gzipped).
 */

/** Message types: the value of a message's {@link M.type} key. */
export enum T {
  /** client -> server: attach an instance of a component (answered by `ok` or `error`) */
  join = "join",
  /** client -> server: run an event handler of a joined instance (answered by `patch` or `error`) */
  event = "event",
  /** client -> server: detach an instance (no answer on success) */
  leave = "leave",
  /** client -> server: a round trip (answered by `pong`) */
  ping = "ping",
  /** server -> client: a join succeeded; carries the full render */
  ok = "ok",
  /** server -> client: what changed (an event's answer, a pub/sub change, a streaming step) */
  patch = "patch",
  /** server -> client: a message failed; carries `code` and `message` */
  error = "error",
  /** server -> client: the answer to `ping` */
  pong = "pong",
  /** server -> client: an event pushed to a client hook (`hl-hook`), see docs/protocol.md */
  push = "push",
  /** client -> server: announce files to upload (answered by `upload`); server -> client: that answer (docs/uploads.md) */
  upload = "upload",
  /** server -> client: an upload chunk (a binary frame) is written; carries `entry` and `at` */
  uploadAck = "upload_ack",
  /** both ways: an upload entry is dropped; its bytes stop */
  uploadCancel = "upload_cancel",
  /** client -> server: an external upload's progress (0–100, -1 failed) */
  uploadProgress = "upload_progress",
  /** client -> server: the page's URL changed (`hl-patch`, back/forward); answered by a `patch` (docs/navigation.md) */
  url = "url",
  /** server -> client: go to a URL (`pushPatch`, `pushNavigate`, `redirect`), show a flash, set the title (docs/navigation.md) */
  nav = "nav",
}

/** One of the message types. */
export type MessageType = `${T}`;

/** Fields of the WebSocket messages (docs/protocol.md §2.2, §2.3). */
export enum M {
  /** the message type, one of {@link T} */
  type = "t",
  /** the client's number for a message; every answer it causes carries it back */
  ref = "ref",
  /** the instance id, chosen by the client, unique on its connection */
  id = "id",
  /** `join`: the registered name of the component */
  name = "name",
  /** `join`: the mount parameters (an object) */
  params = "params",
  /** `join`: a signed state token from a page embed or the HTTP transport */
  state = "state",
  /** `join`: the resume key of an earlier `ok`; `ok`: the instance's resume key */
  session = "session",
  /** `join`: the answer format, one of {@link Formats} */
  format = "format",
  /** `join` of a child component (`this.child()`): the id of its parent, joined on the same connection (docs/components.md) */
  parent = "parent",
  /** `event` and `push`: the event name */
  event = "event",
  /** `event` and `push`: the event's data (an object) */
  payload = "payload",
  /** `patch`: `false` on a streaming handler's intermediate steps, `true` on its last */
  done = "done",
  /** `ok` (and a patch to a client without a tree): the full HTML */
  html = "html",
  /** `ok` and `patch` in sdui format: the screens (protocol/sdui.ts) */
  screens = "screens",
  /** `error`: a stable code from ./codes.ts */
  code = "code",
  /** `error`: a message for people, safe to show */
  message = "message",
  /** `error`: extra data, e.g. validation issues */
  details = "details",
  /** `error`, in development mode only (`createHotline({ dev: true })`): the failed handler's stack, for the dev overlay */
  stack = "stack",
  /** `upload`: the files announced (`{ name, size, type }`), then the answer per file (`{ entry?, errors?, url?, fields?, method? }`) */
  entries = "entries",
  /** `upload_ack`, `upload_cancel`, `upload_progress`: an upload entry's ref (a number) */
  entry = "entry",
  /** `upload_ack`: bytes of the entry written so far */
  at = "at",
  /** `upload_progress`: 0–100, or -1 when the external upload failed */
  progress = "progress",
  /** `upload` answer: largest file bytes per chunk frame */
  chunk = "chunk",
  /** `upload` answer: unacknowledged chunk bytes a client may have in flight on the connection */
  window = "window",
  /** `upload` entries: a file's size in bytes */
  size = "size",
  /** `upload` entries: a file's MIME type, as the browser says ("" when it does not know) */
  mime = "type",
  /** `upload` answer entries: why the file is refused (the component renders them too) */
  errors = "errors",
  /** `upload` answer entries of an external upload: where the browser sends the file; `join` of a route's page, `url`, `nav`: a page URL, path and query (docs/navigation.md) */
  url = "url",
  /** `nav`: what to do with `url`: `"patch"` (same page, new URL), `"navigate"` (another live page), `"redirect"` (full load) */
  kind = "kind",
  /** `nav`: replace the current history entry instead of adding one */
  replace = "replace",
  /** `nav`: the page's new `document.title` */
  title = "title",
  /** `nav`: a flash to show once, `[kind, text]` */
  flash = "flash",
  /** `upload` answer entries of an external upload: the form fields sent before the file */
  fields = "fields",
  /** `upload` answer entries of an external upload: `POST` (a multipart form) or `PUT` (the file as the body) */
  method = "method",
}

/** Upload chunk frames (binary): `[UPLOAD_CHUNK, entry ref u32 BE, offset u64 BE, bytes…]` (docs/uploads.md). */
export const UPLOAD_CHUNK = 1;
/** Bytes of an upload chunk frame's header. */
export const UPLOAD_HEADER_BYTES = 13;

/** The answer formats a `join` may ask for (the value of {@link M.format}). */
export const Formats = {
  /** rendered trees and HTML, for the browser client (the default) */
  html: "html",
  /** server-driven UI screens, for native clients (docs/sdui.md) */
  sdui: "sdui",
} as const;

/** One of the answer formats. */
export type Format = (typeof Formats)[keyof typeof Formats];

/** Keys of the rendered-tree encoding (docs/protocol.md, "Rendered trees and diffs"). */
export enum R {
  /** statics table: `{ "<id>": ["<li>", "</li>"] }`, only statics new to the client */
  statics = "p",
  /** a full replacement of the root node */
  root = "r",
  /** a full list: `{ "l": [item, ...] }` */
  list = "l",
  /** list order: runs of old items and new items */
  order = "o",
  /** a list diff's new items, in the order `o` takes them: `{ "n": [node, ...] }` */
  added = "n",
  /** list item updates: `{ "<new index>": diff }` */
  update = "u",
  /** a stream container's name; its presence marks a stream node: `{ "st": name, "i"?, "d"?, "reset"? }` */
  stream = "st",
  /** a stream's inserts: `[[id, node] or [id, node, at], ...]` */
  inserts = "i",
  /** a stream's deleted DOM ids: `[id, ...]` */
  deletes = "d",
  /** on a stream node: `true` empties the container before its deletes and inserts */
  reset = "reset",
  /** on a stream node: after the inserts, keep at most n children: n > 0 the first n, n < 0 the last -n */
  limit = "lim",
}

/** The default WebSocket path. */
export const DEFAULT_PATH = "/live";
/** The default largest accepted frame, in bytes. */
export const DEFAULT_MAX_PAYLOAD = 64 * 1024;

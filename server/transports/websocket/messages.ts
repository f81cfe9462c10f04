import { HotlineError } from "../../core/errors.js";
import { Formats, M, T, type Format } from "../../../protocol/wire.js";
import { parseUploadMessage, type UploadClientMessage } from "../../live/uploads/messages.js";

/** A `join`, checked. */
export interface JoinMessage {
  [M.type]: `${T.join}`;
  [M.ref]?: number;
  [M.id]: string;
  [M.name]: string;
  [M.params]?: Record<string, unknown>;
  [M.state]?: string;
  [M.session]?: string;
  [M.format]: Format;
  /** a child's join (`this.child()`): its parent's id on this connection */
  [M.parent]?: string;
  /** a route's page (docs/navigation.md): its URL, path and query; the name may then be empty (a live navigate) */
  [M.url]?: string;
}
/** A `url` (the page's URL changed: `hl-patch`, back/forward), checked. */
export interface UrlMessage { [M.type]: `${T.url}`; [M.ref]?: number; [M.id]: string; [M.url]: string }
/** An `event`, checked. */
export interface EventMessage { [M.type]: `${T.event}`; [M.ref]?: number; [M.id]: string; [M.event]: string; [M.payload]?: Record<string, unknown> }
/** A `leave`, checked. */
export interface LeaveMessage { [M.type]: `${T.leave}`; [M.ref]?: number; [M.id]: string }
/** A `ping`, checked. */
export interface PingMessage { [M.type]: `${T.ping}`; [M.ref]?: number }
/** A client message that passed the checks of docs/protocol.md §2.2. */
export type ClientMessage = JoinMessage | EventMessage | LeaveMessage | PingMessage | UploadClientMessage | UrlMessage;

/** Longest instance id accepted. */
export const MAX_ID_LENGTH = 128;

/** What one message may carry, beside the frame size (`maxPayload`). */
export interface MessageLimits {
  /** Deepest nesting of objects and arrays in any field (`params`, `payload`: the object itself is level 1). Default 8. */
  maxDepth: number;
  /** Largest `params` of a join, in bytes of JSON: params are kept for the instance's lifetime. Default 4 KiB. */
  maxParamsBytes: number;
}

/** The defaults of {@link MessageLimits}. */
export const DEFAULT_MESSAGE_LIMITS: Readonly<MessageLimits> = Object.freeze({ maxDepth: 8, maxParamsBytes: 4096 });

/** A bad message, with whatever `ref` and `id` could be read from it (for the answer). */
export class BadMessage extends HotlineError {
  constructor(message: string, readonly ref?: number, readonly id?: string) {
    super("bad_message", message);
  }
}

/**
 * Parses and checks one frame. Throws {@link BadMessage} (never echoing the input) for a binary
 * frame, a frame nested deeper than `limits.maxDepth` (refused before it is parsed), invalid JSON,
 * a non-object, an unknown `t`, a missing or mistyped field, or `params` over `limits.maxParamsBytes`.
 */
export function parseMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean, limits: Readonly<MessageLimits> = DEFAULT_MESSAGE_LIMITS): ClientMessage {
  if (isBinary) throw new BadMessage("frames must be text (one JSON object each)");
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  // The message object is level 1, so its fields may go one level deeper than maxDepth.
  const tooDeep = depthExceeded(buf, limits.maxDepth + 1);
  if (tooDeep >= 0) {
    const { ref, id } = topLevelRefAndId(buf);
    throw new BadMessage(`a message may not be nested more than ${limits.maxDepth} levels deep in ${M.params} or ${M.payload}`, ref, id);
  }
  let m: unknown;
  try {
    m = JSON.parse(buf.toString("utf8"));
  } catch {
    throw new BadMessage("a frame must be valid JSON");
  }
  if (!m || typeof m !== "object" || Array.isArray(m)) throw new BadMessage("a message must be a JSON object");
  const o = m as Record<string, unknown>;
  const ref = o[M.ref];
  if (ref !== undefined && !(Number.isSafeInteger(ref) && (ref as number) > 0)) throw new BadMessage(`${M.ref} must be a positive integer`);
  const r = ref as number | undefined;
  const rawId = o[M.id];
  const id = typeof rawId === "string" && rawId.length > 0 && rawId.length <= MAX_ID_LENGTH ? rawId : undefined;
  const t = o[M.type];
  switch (t) {
    case T.join: {
      const name = o[M.name];
      const out: JoinMessage = { [M.type]: T.join, [M.id]: needId(id, r), [M.name]: "", [M.format]: Formats.html };
      if (typeof name !== "string") throw new BadMessage(`${M.name} must be a string`, r, id);
      out[M.name] = name;
      const params = obj(o[M.params], M.params, r, id);
      if (params) {
        if (Buffer.byteLength(JSON.stringify(params)) > limits.maxParamsBytes) throw new BadMessage(`${M.params} may not be larger than ${limits.maxParamsBytes} bytes`, r, id);
        out[M.params] = params;
      }
      const state = o[M.state];
      if (state !== undefined) {
        if (typeof state !== "string") throw new BadMessage(`${M.state} must be a string`, r, id);
        out[M.state] = state;
      }
      const session = o[M.session];
      if (session !== undefined) {
        if (typeof session !== "string") throw new BadMessage(`${M.session} must be a string`, r, id);
        out[M.session] = session;
      }
      const format = o[M.format];
      if (format !== undefined) {
        if (format !== Formats.html && format !== Formats.sdui) throw new BadMessage(`${M.format} must be "${Formats.html}" or "${Formats.sdui}"`, r, id);
        out[M.format] = format;
      }
      const parent = o[M.parent];
      if (parent !== undefined) {
        if (typeof parent !== "string" || !parent || parent.length > MAX_ID_LENGTH) throw new BadMessage(`${M.parent} must be a non-empty string of at most ${MAX_ID_LENGTH} characters`, r, id);
        out[M.parent] = parent;
      }
      const url = o[M.url];
      if (url !== undefined) out[M.url] = pageUrl(url, r, id);
      if (r !== undefined) out[M.ref] = r;
      return out;
    }
    case T.url: {
      const out: UrlMessage = { [M.type]: T.url, [M.id]: needId(id, r), [M.url]: pageUrl(o[M.url], r, id) };
      if (r !== undefined) out[M.ref] = r;
      return out;
    }
    case T.event: {
      const theId = needId(id, r);
      const event = o[M.event];
      if (typeof event !== "string" || !event) throw new BadMessage(`${M.event} must be a non-empty string`, r, id);
      const out: EventMessage = { [M.type]: T.event, [M.id]: theId, [M.event]: event };
      const payload = obj(o[M.payload], M.payload, r, id);
      if (payload) out[M.payload] = payload;
      if (r !== undefined) out[M.ref] = r;
      return out;
    }
    case T.leave: {
      const out: LeaveMessage = { [M.type]: T.leave, [M.id]: needId(id, r) };
      if (r !== undefined) out[M.ref] = r;
      return out;
    }
    case T.ping:
      return r === undefined ? { [M.type]: T.ping } : { [M.type]: T.ping, [M.ref]: r };
    case T.upload:
    case T.uploadCancel:
    case T.uploadProgress:
      return parseUploadMessage(o, t, needId(id, r), r, (message) => {
        throw new BadMessage(message, r, id);
      });
    default:
      throw new BadMessage(typeof t === "string" ? "unknown message type" : `${M.type} must be a string naming the message type`, r, id);
  }
}

// Module-level helpers rather than closures: parseMessage runs for every frame.
function needId(id: string | undefined, ref: number | undefined): string {
  if (id === undefined) throw new BadMessage(`${M.id} must be a non-empty string of at most ${MAX_ID_LENGTH} characters`, ref);
  return id;
}

/** Longest page URL (`join`'s and `url`'s `url`). */
export const MAX_URL_LENGTH = 2048;

function pageUrl(v: unknown, ref: number | undefined, id: string | undefined): string {
  if (typeof v !== "string" || !v.startsWith("/") || v.startsWith("//") || v.length > MAX_URL_LENGTH) {
    throw new BadMessage(`${M.url} must be a path (and query) starting with one "/", at most ${MAX_URL_LENGTH} characters`, ref, id);
  }
  return v;
}

function obj(v: unknown, what: string, ref: number | undefined, id: string | undefined): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new BadMessage(`${what} must be an object`, ref, id);
  return v as Record<string, unknown>;
}

const QUOTE = 0x22, BACKSLASH = 0x5c, OPEN_BRACE = 0x7b, CLOSE_BRACE = 0x7d, OPEN_BRACKET = 0x5b, CLOSE_BRACKET = 0x5d, COLON = 0x3a;

/**
 * Where the raw frame first nests deeper than `max` objects and arrays, or -1. One pass over the
 * bytes, no allocation: JSON.parse of a 64 KiB frame of brackets would build 32,000 arrays first.
 * Brackets inside strings are skipped; UTF-8 continuation bytes never look like ASCII ones.
 */
export function depthExceeded(buf: Uint8Array, max: number): number {
  let depth = 0;
  for (let i = 0, n = buf.length; i < n; i++) {
    const c = buf[i];
    if (c === QUOTE) {
      for (i++; i < n; i++) {
        const d = buf[i];
        if (d === BACKSLASH) i++;
        else if (d === QUOTE) break;
      }
    } else if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return i;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
  }
  return -1;
}

/** The message's own `ref` and `id` (level 1) of a frame refused unparsed, so the client can clear its loading state. */
function topLevelRefAndId(buf: Buffer): { ref?: number; id?: string } {
  const out: { ref?: number; id?: string } = {};
  const end = buf.length;
  let depth = 0;
  for (let i = 0; i < end; i++) {
    const c = buf[i];
    if (c === OPEN_BRACE || c === OPEN_BRACKET) depth++;
    else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) depth--;
    else if (c === QUOTE) {
      const start = i;
      for (i++; i < end && buf[i] !== QUOTE; i++) if (buf[i] === BACKSLASH) i++;
      if (depth !== 1 || i >= end) continue;
      const key = buf.toString("latin1", start + 1, i);
      let j = i + 1;
      while (j < end && buf[j]! <= 0x20) j++;
      if (buf[j] !== COLON || (key !== M.ref && key !== M.id)) continue;
      let k = j + 1;
      while (k < end && buf[k] !== 0x2c && buf[k] !== CLOSE_BRACE && k - j < 200) k++;
      try {
        const v: unknown = JSON.parse(buf.toString("utf8", j + 1, k));
        if (key === M.ref && Number.isSafeInteger(v) && (v as number) > 0) out.ref = v as number;
        if (key === M.id && typeof v === "string" && v.length > 0 && v.length <= MAX_ID_LENGTH) out.id = v;
      } catch {
        // not a plain value: no ref or id to give back
      }
    }
  }
  return out;
}

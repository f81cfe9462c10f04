import { HotlineError } from "../../core/errors.js";
import { Formats, M, T, type Format } from "../../../protocol/wire.js";

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
}
/** An `event`, checked. */
export interface EventMessage { [M.type]: `${T.event}`; [M.ref]?: number; [M.id]: string; [M.event]: string; [M.payload]?: Record<string, unknown> }
/** A `leave`, checked. */
export interface LeaveMessage { [M.type]: `${T.leave}`; [M.ref]?: number; [M.id]: string }
/** A `ping`, checked. */
export interface PingMessage { [M.type]: `${T.ping}`; [M.ref]?: number }
/** A client message that passed the checks of docs/protocol.md §2.2. */
export type ClientMessage = JoinMessage | EventMessage | LeaveMessage | PingMessage;

/** Longest instance id accepted. */
export const MAX_ID_LENGTH = 128;

/** A bad message, with whatever `ref` and `id` could be read from it (for the answer). */
export class BadMessage extends HotlineError {
  constructor(message: string, readonly ref?: number, readonly id?: string) {
    super("bad_message", message);
  }
}

/**
 * Parses and checks one frame. Throws {@link BadMessage} (never echoing the input) for a binary
 * frame, invalid JSON, a non-object, an unknown `t`, or a missing or mistyped field.
 */
export function parseMessage(data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean): ClientMessage {
  if (isBinary) throw new BadMessage("frames must be text (one JSON object each)");
  let m: unknown;
  try {
    m = JSON.parse(Array.isArray(data) ? Buffer.concat(data).toString("utf8") : Buffer.from(data as ArrayBuffer).toString("utf8"));
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
      if (params) out[M.params] = params;
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
    default:
      throw new BadMessage(typeof t === "string" ? "unknown message type" : `${M.type} must be a string naming the message type`, r, id);
  }
}

// Module-level helpers rather than closures: parseMessage runs for every frame.
function needId(id: string | undefined, ref: number | undefined): string {
  if (id === undefined) throw new BadMessage(`${M.id} must be a non-empty string of at most ${MAX_ID_LENGTH} characters`, ref);
  return id;
}

function obj(v: unknown, what: string, ref: number | undefined, id: string | undefined): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new BadMessage(`${what} must be an object`, ref, id);
  return v as Record<string, unknown>;
}

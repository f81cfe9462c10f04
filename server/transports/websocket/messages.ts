import { HotlineError } from "../../core/errors.js";
import { T } from "../../../protocol/wire.js";

/** A `join`, checked. */
export interface JoinMessage {
  t: "join";
  ref?: number;
  id: string;
  name: string;
  params?: Record<string, unknown>;
  state?: string;
  session?: string;
  format: "html" | "sdui";
}
export interface EventMessage { t: "event"; ref?: number; id: string; event: string; payload?: Record<string, unknown> }
export interface LeaveMessage { t: "leave"; ref?: number; id: string }
export interface PingMessage { t: "ping"; ref?: number }
/** A client message that passed the checks of PROTOCOL.md §1. */
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
  const ref = o.ref;
  if (ref !== undefined && !(Number.isSafeInteger(ref) && (ref as number) > 0)) throw new BadMessage("ref must be a positive integer");
  const r = ref as number | undefined;
  const id = typeof o.id === "string" && o.id.length > 0 && o.id.length <= MAX_ID_LENGTH ? o.id : undefined;
  switch (o.t) {
    case T.join: {
      const out: JoinMessage = { t: "join", id: needId(id, r), name: "", format: "html" };
      if (typeof o.name !== "string") throw new BadMessage("name must be a string", r, id);
      out.name = o.name;
      const params = obj(o.params, "params", r, id);
      if (params) out.params = params;
      if (o.state !== undefined) {
        if (typeof o.state !== "string") throw new BadMessage("state must be a string", r, id);
        out.state = o.state;
      }
      if (o.session !== undefined) {
        if (typeof o.session !== "string") throw new BadMessage("session must be a string", r, id);
        out.session = o.session;
      }
      if (o.format !== undefined) {
        if (o.format !== "html" && o.format !== "sdui") throw new BadMessage('format must be "html" or "sdui"', r, id);
        out.format = o.format;
      }
      if (r !== undefined) out.ref = r;
      return out;
    }
    case T.event: {
      const theId = needId(id, r);
      if (typeof o.event !== "string" || !o.event) throw new BadMessage("event must be a non-empty string", r, id);
      const out: EventMessage = { t: "event", id: theId, event: o.event };
      const payload = obj(o.payload, "payload", r, id);
      if (payload) out.payload = payload;
      if (r !== undefined) out.ref = r;
      return out;
    }
    case T.leave: {
      const out: LeaveMessage = { t: "leave", id: needId(id, r) };
      if (r !== undefined) out.ref = r;
      return out;
    }
    case T.ping:
      return r === undefined ? { t: "ping" } : { t: "ping", ref: r };
    default:
      throw new BadMessage(typeof o.t === "string" ? "unknown message type" : "t must be a string naming the message type", r, id);
  }
}

// Module-level helpers rather than closures: parseMessage runs for every frame.
function needId(id: string | undefined, ref: number | undefined): string {
  if (id === undefined) throw new BadMessage(`id must be a non-empty string of at most ${MAX_ID_LENGTH} characters`, ref);
  return id;
}

function obj(v: unknown, what: string, ref: number | undefined, id: string | undefined): Record<string, unknown> | undefined {
  if (v === undefined) return undefined;
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new BadMessage(`${what} must be an object`, ref, id);
  return v as Record<string, unknown>;
}

import type { IncomingMessage } from "node:http";
import { HotlineError } from "../../core/errors.js";

/** A request body, decoded by its content type. */
export type Body =
  | { kind: "json"; value: unknown }
  | { kind: "form"; fields: Record<string, string | string[]> }
  | { kind: "empty" };

/** The body kinds this transport reads; anything else is 415. */
export type BodyType = "json" | "form" | "multipart" | "empty";

/**
 * Classifies the request's content type: `undefined` when it is one we do not read (415).
 * text/plain is refused on purpose: it is a "simple" type that a foreign page may POST without a
 * CORS preflight, so accepting it would open a CSRF hole.
 */
export function bodyType(req: IncomingMessage): BodyType | undefined {
  const ct = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
  if (!ct) return hasBody(req) ? undefined : "empty";
  if (ct === "application/json" || (ct.startsWith("application/") && ct.endsWith("+json"))) return "json";
  if (ct === "application/x-www-form-urlencoded") return "form";
  if (ct === "multipart/form-data") return "multipart";
  return undefined;
}

function hasBody(req: IncomingMessage): boolean {
  const len = req.headers["content-length"];
  if (len !== undefined) return Number(len) > 0;
  return req.headers["transfer-encoding"] !== undefined;
}

const tooLarge = () => new HotlineError("too_large", "the request body is over the size limit");
const tooSlow = () => new HotlineError("bad_message", "the request body took too long to arrive", { details: { status: 408 } });

/** Default time a body may take to arrive (ms), when the caller gives none. */
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;
/** How much of an oversize body is read and dropped so that the 413 reaches the client (bytes). */
export const DRAIN_MAX_BYTES = 1024 * 1024;
/** How long that draining may take (ms). */
export const DRAIN_MAX_MS = 5_000;

/**
 * Reads and decodes the body, refusing more than `max` bytes (413): by Content-Length before
 * reading anything, or as soon as the running count passes the limit; and one that has not fully
 * arrived within `timeoutMs` of the start (408), so that a client trickling bytes cannot hold a
 * request open for Node's 300 s `requestTimeout`. A body that a host framework already parsed
 * (express.json(), express.urlencoded()) is taken as it is.
 */
export async function readBody(req: IncomingMessage, type: BodyType, max: number, timeoutMs = DEFAULT_BODY_TIMEOUT_MS): Promise<Body> {
  const pre = preParsed(req);
  if (pre) return pre;
  const len = req.headers["content-length"];
  if (len !== undefined && Number(len) > max) throw tooLarge();
  const buf = await collect(req, max, timeoutMs);
  if (type === "empty" || buf.length === 0) return { kind: "empty" };
  if (type === "json") {
    try {
      return { kind: "json", value: JSON.parse(buf.toString("utf8")) };
    } catch {
      throw new HotlineError("bad_message", "the body is not valid JSON");
    }
  }
  if (type === "form") return { kind: "form", fields: fromEntries(new URLSearchParams(buf.toString("utf8"))) };
  try {
    // undici's multipart parser, already in Node: no dependency for a rarely used encoding.
    const data = await new Response(new Uint8Array(buf), { headers: { "content-type": req.headers["content-type"]! } }).formData();
    return { kind: "form", fields: fromEntries(data) };
  } catch {
    throw new HotlineError("bad_message", "the multipart body is malformed");
  }
}

function fromEntries(entries: Iterable<[string, unknown]>): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = Object.create(null);
  for (const [k, v] of entries) {
    if (typeof v !== "string") continue; // uploaded files are not component payload
    const had = out[k];
    out[k] = had === undefined ? v : ([] as string[]).concat(had, v);
  }
  return { ...out };
}

function collect(req: IncomingMessage, max: number, timeoutMs: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => {
      chunks.length = 0;
      req.pause();
      done(tooSlow());
    }, timeoutMs);
    const done = (err?: Error) => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > max) {
        // Stop buffering; the error answer drains a bounded rest (drainRequest).
        chunks.length = 0;
        req.pause();
        done(tooLarge());
      } else chunks.push(c);
    };
    const onEnd = () => done();
    const onError = () => done(new HotlineError("bad_message", "the request body could not be read"));
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

/**
 * Reads and drops the rest of a request body, up to `maxBytes` or `maxMs`: resolves true when it
 * ended (the connection can then close cleanly, and the client reads the answer already sent),
 * false when it was cut short (the connection is then reset).
 */
export function drainRequest(req: IncomingMessage, maxBytes = DRAIN_MAX_BYTES, maxMs = DRAIN_MAX_MS): Promise<boolean> {
  if (req.readableEnded) return Promise.resolve(true);
  return new Promise((resolve) => {
    let size = 0;
    const finish = (ended: boolean) => {
      clearTimeout(timer);
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      req.off("close", onError);
      if (!ended) req.pause();
      resolve(ended);
    };
    const timer = setTimeout(() => finish(false), maxMs);
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > maxBytes) finish(false);
    };
    const onEnd = () => finish(true);
    const onError = () => finish(false);
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
    req.on("close", onError);
    req.resume();
  });
}

/** A body that Express or another host middleware consumed before us. */
function preParsed(req: IncomingMessage): Body | undefined {
  const r = req as IncomingMessage & { body?: unknown; _body?: boolean };
  if (!r._body && !req.readableEnded) return undefined;
  const b = r.body;
  if (b === undefined || b === null) return { kind: "empty" };
  if (Buffer.isBuffer(b) || typeof b === "string") {
    const text = b.toString();
    if (!text) return { kind: "empty" };
    try {
      return { kind: "json", value: JSON.parse(text) };
    } catch {
      throw new HotlineError("bad_message", "the body is not valid JSON");
    }
  }
  const type = bodyType(req);
  if (type === "form" || type === "multipart") {
    const fields: Record<string, string | string[]> = {};
    for (const [k, v] of Object.entries(b as Record<string, unknown>)) {
      if (typeof v === "string") fields[k] = v;
      else if (Array.isArray(v)) fields[k] = v.filter((x): x is string => typeof x === "string");
    }
    return { kind: "form", fields };
  }
  return { kind: "json", value: b };
}

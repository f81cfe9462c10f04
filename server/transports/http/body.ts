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

/**
 * Reads and decodes the body, refusing more than `max` bytes: by Content-Length before reading
 * anything, or as soon as the running count passes the limit. A body that a host framework already
 * parsed (express.json(), express.urlencoded()) is taken as it is.
 */
export async function readBody(req: IncomingMessage, type: BodyType, max: number): Promise<Body> {
  const pre = preParsed(req);
  if (pre) return pre;
  const len = req.headers["content-length"];
  if (len !== undefined && Number(len) > max) throw tooLarge();
  const buf = await collect(req, max);
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

function collect(req: IncomingMessage, max: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err?: Error) => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
      if (err) reject(err);
      else resolve(Buffer.concat(chunks, size));
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > max) {
        // Stop buffering; the rest is drained by Node when the 413 has gone out.
        chunks.length = 0;
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

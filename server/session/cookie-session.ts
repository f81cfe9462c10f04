import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { parseCookie, stringifySetCookie, type SetCookie } from "cookie";
import { sign, unsign } from "cookie-signature";
import { HotlineError } from "../core/errors.js";

/** Options of {@link createCookieSession}. */
export interface CookieSessionOptions {
  /**
   * The HMAC key, at least 32 characters. Several to rotate: new cookies are signed with the
   * first; a cookie signed with any of them is accepted until it expires.
   */
  secret: string | readonly string[];
  /** The cookie's name. Default `"hotline_session"`. */
  name?: string;
  /** How long a written session lasts, in seconds. Default 7 days. */
  maxAgeSeconds?: number;
  /**
   * The `Secure` attribute. Default `"auto"`: set when `NODE_ENV` is `"production"` (read at
   * creation), when the request came over TLS or with `X-Forwarded-Proto: https`, or with
   * `sameSite: "none"`; not set on plain HTTP in development, so that `http://localhost` works in
   * every browser. Behind a proxy that sends no `X-Forwarded-Proto`, outside production, say `true`.
   */
  secure?: boolean | "auto";
  /** The `SameSite` attribute. Default `"lax"`. `"none"` needs `secure` not to be `false`. */
  sameSite?: "lax" | "strict" | "none";
  /** The `Path` attribute. Default `"/"`. */
  path?: string;
  /** The `Domain` attribute. Default none: the cookie stays on the host that set it. */
  domain?: string;
}

/** What a valid session cookie holds: the app's data, the session's random id, and its expiry. */
export interface SessionRecord<T> {
  data: T;
  /** Random per {@link CookieSession.write}: signing in again gives a different session. */
  sid: string;
  expires: Date;
}

/** A request to read the session from: node:http's `IncomingMessage`, or anything with its headers (an Express or Fastify request). */
export type SessionRequest = Pick<IncomingMessage, "headers">;

/** A signed-cookie session. Made by {@link createCookieSession}. */
export interface CookieSession<T> {
  /** The cookie's name. */
  readonly name: string;
  /** The data of a valid, unexpired session, or `null` (absent, tampered, unknown key, expired, not JSON). Never throws on bad input. */
  read(req: SessionRequest): T | null;
  /** Like {@link CookieSession.read}, with the session id and expiry. */
  readSession(req: SessionRequest): SessionRecord<T> | null;
  /** Starts a new session holding `data` (JSON, not null): appends a `Set-Cookie` header. */
  write(res: ServerResponse, data: T): void;
  /** Ends the session: appends a `Set-Cookie` header that expires the cookie. */
  clear(res: ServerResponse): void;
  /** {@link CookieSession.read}, bound: pass it as `createHotline({ authenticate })`. */
  readonly authenticate: (req: SessionRequest) => T | null;
}

const DEFAULT_MAX_AGE = 7 * 24 * 60 * 60;
const MIN_SECRET_LENGTH = 32;
// Browsers cap name + value at 4096 bytes; keep headroom so a cookie is never dropped silently.
const MAX_COOKIE_BYTES = 3584;
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** The shape inside the signed value (`x`: expiry, ms since the epoch): short keys because every request carries it. */
interface Payload {
  d: unknown;
  sid: string;
  x: number;
}

/**
 * A stateless session in one HMAC-signed cookie (`cookie-signature`, as express and
 * cookie-parser use), for apps that have no session of their own. The data is signed, not
 * encrypted: a user can read it, not change it. The expiry is inside the signed value, so a
 * cookie replayed after it is refused even if a browser kept it.
 *
 * @example
 * const session = createCookieSession<{ id: string; name: string }>({ secret: process.env.SESSION_SECRET! });
 * const hotline = createHotline({ registry, authenticate: session.authenticate });
 * // sign-in route: session.write(res, { id, name }); sign-out route: session.clear(res)
 */
export function createCookieSession<T>(options: CookieSessionOptions): CookieSession<T> {
  const secrets = checkSecrets(options.secret);
  const name = options.name ?? "hotline_session";
  if (!COOKIE_NAME.test(name)) throw new TypeError(`hotline/session: ${JSON.stringify(name)} is not a valid cookie name`);
  const maxAge = options.maxAgeSeconds ?? DEFAULT_MAX_AGE;
  if (!Number.isSafeInteger(maxAge) || maxAge <= 0) throw new TypeError("hotline/session: `maxAgeSeconds` must be a positive whole number");
  const secure = options.secure ?? "auto";
  if (secure !== true && secure !== false && secure !== "auto") throw new TypeError('hotline/session: `secure` must be true, false or "auto"');
  const sameSite = options.sameSite ?? "lax";
  if (!["lax", "strict", "none"].includes(sameSite)) throw new TypeError('hotline/session: `sameSite` must be "lax", "strict" or "none"');
  if (sameSite === "none" && secure === false) throw new TypeError('hotline/session: browsers refuse `sameSite: "none"` without `secure`');
  const production = process.env.NODE_ENV === "production";
  const attributes = { path: options.path ?? "/", domain: options.domain, httpOnly: true, sameSite };
  try {
    stringifySetCookie({ name, value: "", ...attributes });
  } catch (err) {
    throw new TypeError(`hotline/session: ${(err as Error).message}`);
  }

  const secureFor = (res: ServerResponse): boolean => {
    if (secure !== "auto") return secure;
    return production || sameSite === "none" || cameOverHttps(res.req);
  };

  const readSession = (req: SessionRequest): SessionRecord<T> | null => {
    const header = req?.headers?.cookie;
    if (typeof header !== "string") return null;
    let raw: string | undefined;
    try {
      raw = parseCookie(header)[name];
    } catch {
      return null;
    }
    if (!raw) return null;
    let value: string | false = false;
    for (const secret of secrets) if ((value = unsign(raw, secret)) !== false) break;
    if (value === false) return null;
    let payload: Payload;
    try {
      payload = JSON.parse(Buffer.from(value, "base64url").toString("utf8"));
    } catch {
      return null;
    }
    if (!payload || typeof payload !== "object" || !("d" in payload) || payload.d === null) return null;
    if (typeof payload.sid !== "string" || typeof payload.x !== "number" || !Number.isFinite(payload.x)) return null;
    if (Date.now() >= payload.x) return null;
    return { data: payload.d as T, sid: payload.sid, expires: new Date(payload.x) };
  };

  const read = (req: SessionRequest): T | null => readSession(req)?.data ?? null;

  return {
    name,
    read,
    readSession,
    authenticate: read,
    write(res, data) {
      if (data === null || data === undefined) throw new HotlineError("bad_message", "session data must not be null; call clear() to sign out", { fault: "app" });
      const x = Date.now() + maxAge * 1000;
      let json: string | undefined;
      try {
        json = JSON.stringify({ d: data, sid: randomBytes(16).toString("base64url"), x } satisfies Payload);
      } catch (err) {
        throw new HotlineError("bad_message", "session data must be JSON", { fault: "app", cause: err });
      }
      const value = sign(Buffer.from(json, "utf8").toString("base64url"), secrets[0]!);
      const cookie = { name, value, maxAge, expires: new Date(x), secure: secureFor(res), ...attributes } satisfies SetCookie;
      const header = stringifySetCookie(cookie);
      const pair = header.slice(0, header.indexOf(";"));
      if (Buffer.byteLength(pair) > MAX_COOKIE_BYTES) {
        throw new HotlineError("too_large", `session data is too large for a cookie (${Buffer.byteLength(pair)} of ${MAX_COOKIE_BYTES} bytes once signed and encoded)`, { fault: "app" });
      }
      res.appendHeader("Set-Cookie", header);
    },
    clear(res) {
      res.appendHeader("Set-Cookie", stringifySetCookie({ name, value: "", maxAge: 0, expires: new Date(0), secure: secureFor(res), ...attributes }));
    },
  };
}

function checkSecrets(secret: unknown): readonly string[] {
  const list = typeof secret === "string" ? [secret] : Array.isArray(secret) ? [...secret] : [];
  if (list.length === 0) throw new TypeError("hotline/session: `secret` must be a string or a non-empty array of strings");
  for (const s of list) {
    if (typeof s !== "string" || s.length < MIN_SECRET_LENGTH) {
      throw new TypeError(`hotline/session: each secret must be a string of at least ${MIN_SECRET_LENGTH} characters (try: openssl rand -base64 32)`);
    }
  }
  return Object.freeze(list as string[]);
}

function cameOverHttps(req: IncomingMessage | undefined): boolean {
  if (!req) return false;
  if ((req.socket as TLSSocket | undefined)?.encrypted) return true;
  const proto = req.headers["x-forwarded-proto"];
  const first = (Array.isArray(proto) ? proto[0] : proto)?.split(",")[0]?.trim().toLowerCase();
  return first === "https";
}

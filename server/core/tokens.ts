import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { HotlineError } from "./errors.js";

/** What a token carries: a component's dehydrated state, the topics it listens to, its params and its user. */
export interface Snapshot {
  state: Record<string, unknown>;
  topics?: string[];
  /** The params the component was started with: signed, so a client cannot change them. */
  params?: Record<string, unknown>;
  /** The user the token was made for (`userKey()`), absent for anonymous: another user cannot use it. */
  user?: string;
}

/** Options of {@link Tokens}. */
export interface TokenOptions {
  /** The HMAC key, or several (the first signs, all verify: rotate by putting the new one first). */
  secret?: string | string[];
  /** How long a token is valid, in seconds. Default 24 hours. */
  ttlSeconds?: number;
  /** Largest token accepted, in characters. Default 128 KiB. */
  maxLength?: number;
}

const PREFIX = "v1.";

/**
 * Signs and verifies dehydrated state (HMAC-SHA256), bound to the component's name and with an
 * expiry, so that a client can carry state it cannot forge. The state is signed, not encrypted:
 * a client can read it, so keep secrets out of component state.
 *
 * @example
 * const tokens = new Tokens({ secret: process.env.HOTLINE_SECRET });
 * const t = tokens.sign("counter", { state: { count: 1 } });
 * tokens.verify("counter", t).state.count; // 1
 */
export class Tokens {
  readonly #keys: Buffer[];
  readonly #ttl: number;
  readonly #max: number;

  constructor(options: TokenOptions = {}) {
    const secrets = options.secret === undefined ? [resolveSecret()] : ([] as string[]).concat(options.secret);
    if (!secrets.length || secrets.some((s) => typeof s !== "string" || s.length < 16)) {
      throw new Error("a Hotline secret must be a string of at least 16 characters");
    }
    this.#keys = secrets.map((s) => Buffer.from(s, "utf8"));
    this.#ttl = options.ttlSeconds ?? 24 * 3600;
    this.#max = options.maxLength ?? 128 * 1024;
  }

  /** A token for `component` carrying `snapshot`. */
  sign(component: string, snapshot: Snapshot): string {
    const body: Record<string, unknown> = { c: component, s: snapshot.state, x: Math.floor(Date.now() / 1000) + this.#ttl };
    if (snapshot.topics?.length) body.t = snapshot.topics;
    if (snapshot.params && Object.keys(snapshot.params).length) body.p = snapshot.params;
    if (snapshot.user !== undefined) body.u = snapshot.user;
    const payload = PREFIX + Buffer.from(JSON.stringify(body)).toString("base64url");
    return `${payload}.${mac(this.#keys[0]!, payload)}`;
  }

  /** The snapshot in `token`; `bad_state` when it is malformed, tampered, expired, from another key or for another component. */
  verify(component: string, token: unknown): Snapshot {
    if (typeof token !== "string" || !token.startsWith(PREFIX)) throw bad("the state token is malformed");
    if (token.length > this.#max) throw new HotlineError("too_large", "the state token is too large");
    const dot = token.lastIndexOf(".");
    const payload = token.slice(0, dot);
    const sig = Buffer.from(token.slice(dot + 1), "base64url");
    const ok = this.#keys.some((k) => {
      const want = Buffer.from(mac(k, payload), "base64url");
      return want.length === sig.length && timingSafeEqual(want, sig);
    });
    if (!ok) throw bad("the state token's signature does not verify");
    let body: { c?: unknown; s?: unknown; t?: unknown; x?: unknown; p?: unknown; u?: unknown };
    try {
      body = JSON.parse(Buffer.from(payload.slice(PREFIX.length), "base64url").toString("utf8"));
    } catch {
      throw bad("the state token is malformed");
    }
    if (body.c !== component) throw bad("the state token was made for another component");
    if (typeof body.x !== "number" || body.x * 1000 < Date.now()) throw bad("the state token has expired");
    if (!body.s || typeof body.s !== "object" || Array.isArray(body.s)) throw bad("the state token is malformed");
    const snap: Snapshot = { state: body.s as Record<string, unknown> };
    if (Array.isArray(body.t)) snap.topics = body.t.filter((t): t is string => typeof t === "string");
    if (body.p && typeof body.p === "object" && !Array.isArray(body.p)) snap.params = body.p as Record<string, unknown>;
    if (typeof body.u === "string") snap.user = body.u;
    return snap;
  }
}

function mac(key: Buffer, payload: string): string {
  return createHmac("sha256", key).update(payload).digest("base64url");
}

function bad(message: string): HotlineError {
  return new HotlineError("bad_state", message);
}

let devSecret: string | undefined;

/**
 * The server's secret: `HOTLINE_SECRET`; in production (NODE_ENV=production) its absence is an
 * error; in development a generated one, kept in the temp folder so that every local process
 * (the web server, a worker, the CLI) shares it, with a warning.
 */
export function resolveSecret(): string {
  const env = process.env.HOTLINE_SECRET;
  if (env) return env;
  if (process.env.NODE_ENV === "production") {
    throw new Error("HOTLINE_SECRET is not set: set it to a long random string shared by every process");
  }
  if (devSecret) return devSecret;
  const dir = join(tmpdir(), "hotline");
  const file = join(dir, `dev-secret-${process.getuid?.() ?? "user"}`);
  try {
    devSecret = readFileSync(file, "utf8").trim();
  } catch {
    devSecret = randomBytes(32).toString("base64url");
    try {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      writeFileSync(file, devSecret, { mode: 0o600 });
    } catch {
      // An unwritable temp folder only means this process's tokens are its own.
    }
  }
  if (devSecret.length < 16) devSecret = randomBytes(32).toString("base64url");
  console.warn(`[hotline] HOTLINE_SECRET is not set: using a development secret from ${file}. Set HOTLINE_SECRET in production.`);
  return devSecret;
}

import type { IncomingMessage } from "node:http";
import type { HotlineUser } from "../core/context.js";
import { clientAddress, isLoopback } from "../transports/http/origin.js";

/**
 * The devtools inspector (`createHotline({ devtools })`): a live page at `/hotline/devtools` that
 * shows every process of the app (through its pub/sub), their connections, live instances and
 * topics, one instance's state (redacted), and a live timeline of events, renders and patches.
 * Off unless `enabled` is true.
 *
 * @example
 * createHotline({
 *   authenticate,
 *   devtools: {
 *     enabled: process.env.HOTLINE_DEVTOOLS === "1",
 *     authorize: (user) => user?.role === "admin",
 *     redact: ["ssn", /^card/i],
 *   },
 * });
 */
export interface DevtoolsOptions {
  /** Turns the inspector on. Default false: the route answers 404 and nothing listens. */
  enabled?: boolean;
  /**
   * Who may open the inspector page: called with the user the app's `authenticate()` resolved from
   * the page request (or `null`) and that request; `true` lets them in, anything else (or a
   * throw) answers 403 `unauthorized`.
   * The page's live components are then admitted by a signed grant bound to that same user, valid
   * for `grantTtlMs`. Default: {@link loopbackOnly}, requests from this machine only, and never
   * through a proxy. Never enable the inspector in production without your own rule.
   */
  authorize?: (user: HotlineUser | null, req: IncomingMessage) => boolean | Promise<boolean>;
  /**
   * State keys whose values the inspector hides, in addition to {@link DEVTOOLS_REDACT} (unless
   * `redactDefaults` is false). A string matches any key containing it, case-insensitively
   * (`"card"` hides `cardNumber`); a RegExp is tested against the key. At any depth. States are
   * redacted in the process that holds them, before they cross the pub/sub.
   */
  redact?: readonly (string | RegExp)[];
  /** Whether {@link DEVTOOLS_REDACT} applies. Default true. */
  redactDefaults?: boolean;
  /** Where the page is served. Default "/hotline/devtools". */
  path?: string;
  /** How long the page's grant admits its live components (a reconnect past it needs a reload). Default 8 hours. */
  grantTtlMs?: number;
}

/** The keys redacted by default: anything containing one of these words. */
export const DEVTOOLS_REDACT: readonly string[] = Object.freeze([
  "password", "passwd", "secret", "token", "apikey", "api_key", "authorization", "cookie", "session", "credential", "privatekey", "private_key",
]);

/**
 * The default `authorize`: only a browser on this machine. The peer must be a loopback address
 * and, unless the app trusts proxies (`trustProxy`, then the forwarded client address must be
 * loopback), the request must carry no forwarding header: a reverse proxy on the same machine
 * would otherwise make every visitor look local.
 */
export function loopbackOnly(_user: HotlineUser | null, req: IncomingMessage, trustProxy = 0): boolean {
  if (trustProxy <= 0) {
    const h = req.headers;
    if (h["x-forwarded-for"] !== undefined || h.forwarded !== undefined || h["x-real-ip"] !== undefined) return false;
    return isLoopback(req.socket?.remoteAddress);
  }
  return isLoopback(clientAddress(req, trustProxy));
}

/** The options with their defaults filled in. */
export interface ResolvedDevtools {
  path: string;
  grantTtlMs: number;
  authorize: (user: HotlineUser | null, req: IncomingMessage) => boolean | Promise<boolean>;
  redact: (key: string) => boolean;
}

export function resolveDevtools(options: DevtoolsOptions, trustProxy: number): ResolvedDevtools {
  const words: string[] = [];
  const patterns: RegExp[] = [];
  for (const r of [...(options.redactDefaults === false ? [] : DEVTOOLS_REDACT), ...(options.redact ?? [])]) {
    if (typeof r === "string") words.push(r.toLowerCase());
    else if (r instanceof RegExp) patterns.push(new RegExp(r.source, r.flags.replace(/[gy]/g, "")));
    else throw new Error("devtools.redact takes strings and regular expressions");
  }
  const path = options.path ?? "/hotline/devtools";
  if (!path.startsWith("/")) throw new Error(`devtools.path must start with "/" (got "${path}")`);
  return {
    path,
    grantTtlMs: options.grantTtlMs ?? 8 * 3600_000,
    authorize: options.authorize ?? ((user, req) => loopbackOnly(user, req, trustProxy)),
    redact: (key) => {
      const k = key.toLowerCase();
      return words.some((w) => k.includes(w)) || patterns.some((p) => p.test(key));
    },
  };
}

const MAX_DEPTH = 8;
const MAX_KEYS = 200;

/**
 * A copy of `value` with the values of redacted keys replaced by "[redacted]", at any depth; deep
 * or wide structures are cut ("[…]") so that one state cannot flood the inspector.
 */
export function redactState(value: unknown, redact: (key: string) => boolean, depth = 0): unknown {
  if (value === null || typeof value !== "object") return value;
  if (depth >= MAX_DEPTH) return "[…]";
  if (Array.isArray(value)) {
    const out = value.slice(0, MAX_KEYS).map((v) => redactState(v, redact, depth + 1));
    if (value.length > MAX_KEYS) out.push(`[… ${value.length - MAX_KEYS} more]`);
    return out;
  }
  const out: Record<string, unknown> = {};
  let n = 0;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (n++ >= MAX_KEYS) {
      out["…"] = `${Object.keys(value as object).length - MAX_KEYS} more keys`;
      break;
    }
    out[k] = redact(k) ? "[redacted]" : redactState(v, redact, depth + 1);
  }
  return out;
}

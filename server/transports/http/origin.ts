import type { IncomingMessage } from "node:http";
import type { ResolvedOptions } from "../../live/context.js";

/**
 * The request's origin as the browser states it: `Origin`, else (for HTTP posts, `withReferer`)
 * the origin of `Referer`. `null` when the browser hid it on purpose (`Origin: null`: sandboxed
 * frames, file: pages), `undefined` when no header says (a non-browser client).
 */
export function requestOrigin(req: IncomingMessage, withReferer = false): string | null | undefined {
  const o = req.headers.origin;
  if (typeof o === "string" && o) return o === "null" ? null : o;
  const ref = req.headers.referer;
  if (withReferer && typeof ref === "string" && ref) {
    try {
      return new URL(ref).origin;
    } catch {
      return null;
    }
  }
  return undefined;
}

/**
 * Whether a request's stated origin is allowed: the configured list or function, else the page's
 * own origin (the Host header) when that host is trusted ({@link hostTrusted}): a page on a name
 * that the attacker points at the server (DNS rebinding) states its own name in both Origin and
 * Host, so Host alone proves nothing. A request that states no origin is a non-browser client (a
 * browser always sends `Origin` on a WebSocket handshake and on a POST): allowed when
 * `allowMissingOrigin` is set, the default. The WebSocket handshake reads `Origin` only; the HTTP
 * transport's CSRF check also reads `Referer` (`withReferer`).
 */
export function originAllowed(
  req: IncomingMessage,
  options: Pick<ResolvedOptions, "allowedOrigins" | "allowMissingOrigin"> & Partial<Pick<ResolvedOptions, "allowedHosts">>,
  withReferer = false,
): boolean {
  const origin = requestOrigin(req, withReferer);
  if (origin === undefined) return options.allowMissingOrigin;
  if (origin === null) return false;
  const allowed = options.allowedOrigins;
  if (typeof allowed === "function") {
    try {
      return allowed(origin, req) === true;
    } catch {
      return false;
    }
  }
  const norm = normalise(origin);
  if (norm === undefined) return false;
  if (Array.isArray(allowed)) return allowed.some((a) => normalise(a) === norm);
  const host = req.headers.host;
  return !!host && new URL(norm).host === host.toLowerCase() && hostTrusted(req, options.allowedHosts);
}

/**
 * Whether the Host header names this app: one of `allowedHosts` (a name, `name:port`, or
 * `.domain` for its subdomains), or, by default, a localhost name on a request from a loopback
 * address (a developer's browser on the same machine).
 */
export function hostTrusted(req: IncomingMessage, allowedHosts: readonly string[] | undefined): boolean {
  const raw = (req.headers.host ?? "").toLowerCase();
  let name: string;
  try {
    name = new URL(`http://${raw}`).hostname;
  } catch {
    return false;
  }
  if (!name) return false;
  if (allowedHosts?.some((h) => {
    const a = h.toLowerCase();
    return a === raw || a === name || (a.startsWith(".") && name.endsWith(a));
  })) return true;
  return isLocalName(name) && isLoopback(req.socket?.remoteAddress);
}

function isLocalName(name: string): boolean {
  return name === "localhost" || name.endsWith(".localhost") || name === "[::1]" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(name);
}

/** A loopback peer address (IPv4, IPv6, IPv4-mapped IPv6). */
export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  const a = address.startsWith("::ffff:") ? address.slice(7) : address;
  return a === "::1" || /^127\./.test(a);
}

/**
 * The client's address, the key of per-client limits: the socket's peer, or with `trustProxy`
 * hops of reverse proxies the address the outermost trusted proxy saw (counted from the right of
 * `X-Forwarded-For`, since a client can write any entries to its left).
 */
export function clientAddress(req: IncomingMessage, trustProxy = 0): string {
  const peer = req.socket?.remoteAddress ?? "unknown";
  if (trustProxy <= 0) return peer;
  const xff = req.headers["x-forwarded-for"];
  const list = (Array.isArray(xff) ? xff.join(",") : xff ?? "").split(",").map((x) => x.trim()).filter(Boolean);
  if (!list.length) return peer;
  return list[Math.max(0, list.length - trustProxy)]!;
}

function normalise(origin: string): string | undefined {
  try {
    return new URL(origin).origin.toLowerCase();
  } catch {
    return undefined;
  }
}

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
 * own origin (the Host header). A request that states none is a non-browser client (a browser
 * always sends `Origin` on a WebSocket handshake and on a cross-site POST): allowed when
 * `allowMissingOrigin` is set, the default. The WebSocket handshake reads `Origin` only; the HTTP
 * transport's CSRF check also reads `Referer` (`withReferer`).
 */
export function originAllowed(req: IncomingMessage, options: Pick<ResolvedOptions, "allowedOrigins" | "allowMissingOrigin">, withReferer = false): boolean {
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
  return !!host && new URL(norm).host === host.toLowerCase();
}

function normalise(origin: string): string | undefined {
  try {
    return new URL(origin).origin.toLowerCase();
  } catch {
    return undefined;
  }
}

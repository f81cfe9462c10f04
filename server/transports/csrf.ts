import type { IncomingMessage } from "node:http";
import type { ResolvedOptions } from "./context.js";

/**
 * The request's origin as the browser states it: `Origin`, else the origin of `Referer`.
 * `null` when the browser hid it on purpose (`Origin: null`), `undefined` when neither header is
 * there (a non-browser client).
 */
export function requestOrigin(req: IncomingMessage): string | null | undefined {
  const o = req.headers.origin;
  if (typeof o === "string" && o) return o === "null" ? null : o;
  const ref = req.headers.referer;
  if (typeof ref === "string" && ref) {
    try {
      return new URL(ref).origin;
    } catch {
      return null;
    }
  }
  return undefined;
}

/**
 * The CSRF check for HTTP posts: the stated origin must be on the allow-list (by default the
 * page's own origin, taken from the Host header). A request stating no origin at all is a
 * non-browser client, allowed when `allowMissingOrigin` is set (the default), since a browser
 * always sends `Origin` on a cross-site POST.
 */
export function originAllowed(req: IncomingMessage, options: Pick<ResolvedOptions, "allowedOrigins" | "allowMissingOrigin">): boolean {
  const origin = requestOrigin(req);
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
  if (Array.isArray(allowed)) return allowed.some((a) => sameOrigin(a, origin));
  let host: string;
  try {
    host = new URL(origin).host;
  } catch {
    return false;
  }
  return !!req.headers.host && host === req.headers.host.toLowerCase();
}

function sameOrigin(a: string, b: string): boolean {
  try {
    return new URL(a).origin.toLowerCase() === new URL(b).origin.toLowerCase();
  } catch {
    return false;
  }
}

import type { IncomingMessage } from "node:http";
import type { ResolvedOptions } from "./context.js";

/**
 * Whether a request's `Origin` may open a WebSocket: the configured list or function, else the
 * page's own origin (the Host header). No Origin (a non-browser client) passes unless configured.
 */
export function originAllowed(req: IncomingMessage, options: Pick<ResolvedOptions, "allowedOrigins" | "allowMissingOrigin">): boolean {
  const origin = req.headers.origin;
  if (origin === undefined || origin === "") return options.allowMissingOrigin;
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
  if (!host) return false;
  try {
    return new URL(norm).host === host.toLowerCase();
  } catch {
    return false;
  }
}

function normalise(origin: string): string | undefined {
  if (origin === "null") return undefined; // sandboxed frames, file: pages: never the app's own
  try {
    return new URL(origin).origin.toLowerCase();
  } catch {
    return undefined;
  }
}

import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import type { IncomingMessage, ServerResponse } from "node:http";

/** Third-party browser files served for pages that use htmx without a bundler. */
export const VENDOR_PATHS = new Map<string, string>([["/vendor/htmx.min.js", "htmx.org/dist/htmx.min.js"]]);

const cache = new Map<string, Buffer | null>();

/**
 * Serves a vendor file from the app's node_modules (htmx.org is an optional peer: when it is not
 * installed, the route is not ours and the request falls through).
 */
export async function serveVendor(req: IncomingMessage, res: ServerResponse, path: string): Promise<boolean> {
  if (req.method !== "GET" && req.method !== "HEAD") return false;
  let body = cache.get(path);
  if (body === undefined) {
    try {
      const file = createRequire(import.meta.url).resolve(VENDOR_PATHS.get(path)!);
      body = await readFile(file);
    } catch {
      body = null;
    }
    cache.set(path, body);
  }
  if (!body) return false;
  res.writeHead(200, {
    "content-type": "text/javascript; charset=utf-8",
    "content-length": body.length,
    "cache-control": "public, max-age=3600",
    "x-content-type-options": "nosniff",
  });
  res.end(req.method === "HEAD" ? undefined : body);
  return true;
}

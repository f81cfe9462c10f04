import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";

type Bundle = { body: Buffer; etag: string } | { error: string };

/** Which browser script a {@link ClientBundle} serves. */
export interface BundleSource {
  /** Its built file under `dist/client/`. */
  built: string;
  /** Its entry under `client/`, bundled in memory when it is not built. */
  entry: string;
  /** The global the bundle assigns, if any. */
  globalName?: string;
  /** `Cache-Control` of a 200/304. */
  cacheControl: string;
  /** Names it in the 503 when it is neither built nor buildable. */
  what: string;
}

/** The browser client (`/hotline.js`). */
export const CLIENT_SOURCE: BundleSource = {
  built: "hotline.js", entry: "browser.ts", globalName: "Hotline",
  cacheControl: "public, max-age=0, must-revalidate", what: "the Hotline client bundle",
};

/** The uploads chunk (`/hotline-uploads.js`): the main client loads it on pages with an upload input (docs/uploads.md). */
export const UPLOADS_SOURCE: BundleSource = {
  built: "hotline-uploads.js", entry: "uploads.ts",
  cacheControl: "public, max-age=0, must-revalidate", what: "the Hotline uploads chunk",
};

/**
 * Where the uploads chunk is served: `hotline-uploads.js` beside the client (the main client asks
 * for it there). A file of its own, so that a static host serving `dist/client/` serves it too.
 */
export function uploadsScriptPath(clientPath: string): string {
  return clientPath.replace(/[^/]*$/, "hotline-uploads.js");
}

/**
 * Serves a browser script: the built `dist/client/<built>` when there is one, else
 * `client/<entry>` bundled once in memory with esbuild (a dev dependency; without it, 503).
 */
export class ClientBundle {
  #bundle: Promise<Bundle> | undefined;

  constructor(readonly source: BundleSource = CLIENT_SOURCE) {}

  /** Answers a GET/HEAD for the bundle. */
  async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" }).end("method not allowed");
      return;
    }
    const b = await (this.#bundle ??= load(this.source));
    if ("error" in b) {
      this.#bundle = undefined; // try again on the next request (the build may have run since)
      res.writeHead(503, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" }).end(b.error);
      return;
    }
    const headers = { ETag: b.etag, "Cache-Control": this.source.cacheControl };
    if (req.headers["if-none-match"] === b.etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, "Content-Type": "text/javascript; charset=utf-8", "Content-Length": b.body.length });
    res.end(req.method === "HEAD" ? undefined : b.body);
  }
}

async function load(source: BundleSource): Promise<Bundle> {
  // From server/adapters/ (sources) or dist/server/adapters/ (built): the package root is up 2 or 3.
  const candidates = [new URL(`../../dist/client/${source.built}`, import.meta.url), new URL(`../../client/${source.built}`, import.meta.url)];
  for (const url of candidates) {
    try {
      return withTag(await readFile(url));
    } catch {
      // not built there
    }
  }
  const entry = new URL(`../../client/${source.entry}`, import.meta.url);
  try {
    const esbuild = (await import("esbuild")) as typeof import("esbuild");
    const out = await esbuild.build({
      entryPoints: [entry.pathname], bundle: true, minify: true, format: "iife",
      ...(source.globalName && { globalName: source.globalName }),
      target: ["es2020"], write: false, legalComments: "none", logLevel: "silent",
    });
    return withTag(Buffer.from(out.outputFiles[0]!.contents));
  } catch {
    return { error: `${source.what} is not built: run \`npm run build\` (or install esbuild to bundle it on the fly)` };
  }
}

function withTag(body: Buffer): Bundle {
  return { body, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"` };
}

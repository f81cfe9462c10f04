import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";

type Bundle = { body: Buffer; etag: string } | { error: string };

/**
 * Serves the dev overlay script (client/dev-overlay.ts), in development mode only: the built
 * `dist/client/hotline-dev.js` when there is one, else bundled once in memory with esbuild.
 * It is a bundle of its own, so the main client carries none of it.
 */
export class OverlayBundle {
  #bundle: Promise<Bundle> | undefined;

  async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { Allow: "GET, HEAD", "Content-Type": "text/plain; charset=utf-8" }).end("method not allowed");
      return;
    }
    const b = await (this.#bundle ??= load());
    if ("error" in b) {
      this.#bundle = undefined;
      res.writeHead(503, { "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" }).end(b.error);
      return;
    }
    const headers = { ETag: b.etag, "Cache-Control": "no-cache" };
    if (req.headers["if-none-match"] === b.etag) {
      res.writeHead(304, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, "Content-Type": "text/javascript; charset=utf-8", "Content-Length": b.body.length });
    res.end(req.method === "HEAD" ? undefined : b.body);
  }
}

async function load(): Promise<Bundle> {
  // From server/dev/ (sources) or dist/server/dev/ (built): the package root is up 2 or 3.
  for (const url of [new URL("../../dist/client/hotline-dev.js", import.meta.url), new URL("../../client/hotline-dev.js", import.meta.url)]) {
    try {
      return withTag(await readFile(url));
    } catch {
      // not built there
    }
  }
  try {
    const esbuild = (await import("esbuild")) as typeof import("esbuild");
    const out = await esbuild.build({
      entryPoints: [new URL("../../client/dev-overlay.ts", import.meta.url).pathname], bundle: true, minify: true,
      format: "iife", target: ["es2020"], write: false, legalComments: "none", logLevel: "silent",
    });
    return withTag(Buffer.from(out.outputFiles[0]!.contents));
  } catch {
    return { error: "the Hotline dev overlay is not built: run `npm run build` (or install esbuild to bundle it on the fly)" };
  }
}

function withTag(body: Buffer): Bundle {
  return { body, etag: `"${createHash("sha256").update(body).digest("base64url").slice(0, 22)}"` };
}

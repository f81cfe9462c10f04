import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

let bundle: Promise<string> | undefined;

/**
 * The /cart/native page's script: demo/native-client.ts with the reference sdui cache, bundled by
 * esbuild once, on first use, and inlined into the page (no route to wire). From the sources
 * (tsx) or from dist/demo (the build), whichever is there.
 *
 * @example
 * `<script>${await nativeClientScript()}</script>`
 */
export function nativeClientScript(): Promise<string> {
  return (bundle ??= build().catch((err: unknown) => {
    bundle = undefined;
    throw err;
  }));
}

async function build(): Promise<string> {
  const entry = ["./native-client.ts", "./native-client.js"].map((p) => fileURLToPath(new URL(p, import.meta.url))).find((p) => existsSync(p));
  if (!entry) throw new Error("demo/native-client is missing");
  const esbuild = (await import("esbuild")) as typeof import("esbuild");
  const out = await esbuild.build({
    entryPoints: [entry], bundle: true, minify: true, format: "iife", target: ["es2020"],
    write: false, legalComments: "none", logLevel: "silent",
    // from the sources (tsx, in this repository's tests), hotline/client/sdui-cache is the source too
    ...(entry.endsWith(".ts") && { conditions: ["hotline-source"] }),
  });
  // inlined in a <script>: "</script" may only appear inside strings, where "<\/" means the same
  return out.outputFiles[0]!.text.replace(/<\/script/gi, "<\\/script");
}

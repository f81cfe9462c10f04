// The browser client's size budget (docs/client.md): everything the main bundle carries stays within
// 10 KB minified and gzipped, the way scripts/build.mjs builds it (esm and iife). Optional chunks
// (uploads, the dev overlay) are bundles of their own and are loaded only by pages that use them:
// each is measured here too, and none of their code may leak into the main bundle.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const BUDGET = 10 * 1024;

async function gzipped(entry: string, format: "esm" | "iife"): Promise<{ min: number; gz: number; text: string }> {
  const out = await esbuild.build({
    entryPoints: [entry], bundle: true, minify: true, format, write: false, target: ["es2020"], legalComments: "none",
    ...(format === "iife" && { globalName: "Hotline" }),
  });
  const bytes = Buffer.from(out.outputFiles[0]!.contents);
  return { min: bytes.length, gz: gzipSync(bytes, { level: 9 }).length, text: bytes.toString() };
}

const test = suite("client size");

test(`the main client (esm and iife) is at most ${BUDGET} bytes gzipped`, async () => {
  for (const format of ["esm", "iife"] as const) {
    const { min, gz } = await gzipped("client/browser.ts", format);
    console.log(`client ${format}: ${min} bytes minified, ${gz} bytes gzipped (budget ${BUDGET})`);
    assert.ok(gz <= BUDGET, `client ${format} is ${gz} bytes gzipped, over the ${BUDGET}-byte budget`);
  }
});

test("optional chunks are bundles of their own, and the main client does not carry them", async () => {
  const main = (await gzipped("client/browser.ts", "esm")).text;
  for (const entry of ["client/uploads.ts", "client/dev-overlay.ts"]) {
    if (!existsSync(entry)) continue;
    const { min, gz } = await gzipped(entry, "iife");
    console.log(`${entry}: ${min} bytes minified, ${gz} bytes gzipped (loaded only where used)`);
    assert.ok(min > 0);
  }
  // The dev overlay's own marker never reaches the main bundle.
  assert.not.match(main, /hotline-dev-overlay/);
});

test.run();

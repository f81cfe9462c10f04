// Build: the server side with tsc (types + ESM), the browser client with esbuild (one file, esm and iife).
import { execFileSync } from "node:child_process";
import { rmSync, readFileSync, existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

rmSync("dist", { recursive: true, force: true });
execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", "tsconfig.json"], { stdio: "inherit" });

const entry = "client/browser.ts";
if (existsSync(entry)) {
  for (const format of ["esm", "iife"]) {
    const outfile = format === "esm" ? "dist/client/hotline.mjs" : "dist/client/hotline.js";
    await esbuild.build({
      entryPoints: [entry], bundle: true, minify: true, format, outfile,
      target: ["es2020"], legalComments: "none", globalName: format === "iife" ? "Hotline" : undefined,
    });
    const bytes = readFileSync(outfile);
    console.log(`client ${format}: ${bytes.length} bytes minified, ${gzipSync(bytes, { level: 9 }).length} bytes gzipped -> ${outfile}`);
  }
}

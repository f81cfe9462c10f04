// Build: the library with tsc (types + ESM) into dist/, the browser client with esbuild (one file,
// esm and iife; the dev overlay in a file of its own), then the examples and the demo app into
// dist-demo/ (tsconfig.demo.json), against the library just built, as a user's app would be.
//   node scripts/build.mjs         everything (npm run build, npm test, npm start)
//   node scripts/build.mjs --lib   the package only (`prepare`: an install from git)
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { gzipSync } from "node:zlib";
import * as esbuild from "esbuild";

const libOnly = process.argv.includes("--lib");
function tsc(project) {
  try {
    execFileSync(process.execPath, ["node_modules/typescript/bin/tsc", "-p", project], { stdio: "inherit" });
  } catch (e) {
    console.error(`build: tsc -p ${project} failed`);
    process.exit(e.status || 1);
  }
}

rmSync("dist", { recursive: true, force: true });
tsc("tsconfig.json");

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

// The dev overlay: a bundle of its own (served as /hotline.js?dev in development mode only), so
// that the main client carries none of it.
const devEntry = "client/dev-overlay.ts";
if (existsSync(devEntry)) {
  const outfile = "dist/client/hotline-dev.js";
  await esbuild.build({ entryPoints: [devEntry], bundle: true, minify: true, format: "iife", outfile, target: ["es2020"], legalComments: "none" });
  const bytes = readFileSync(outfile);
  console.log(`dev overlay: ${bytes.length} bytes minified, ${gzipSync(bytes, { level: 9 }).length} bytes gzipped -> ${outfile} (development mode only)`);
}

// Uploads: a chunk of their own (served as /hotline-uploads.js beside the client), loaded only by pages with an upload input.
const uploadsEntry = "client/uploads.ts";
if (existsSync(uploadsEntry)) {
  const outfile = "dist/client/hotline-uploads.js";
  await esbuild.build({ entryPoints: [uploadsEntry], bundle: true, minify: true, format: "iife", outfile, target: ["es2020"], legalComments: "none" });
  const bytes = readFileSync(outfile);
  console.log(`uploads chunk: ${bytes.length} bytes minified, ${gzipSync(bytes, { level: 9 }).length} bytes gzipped -> ${outfile} (pages with uploads only)`);
}

if (!libOnly) {
  rmSync("dist-demo", { recursive: true, force: true });
  tsc("tsconfig.demo.json");
  // The demo imports only the public entry points, as an app would: a library file reached by a
  // relative path would have been compiled in beside it.
  const leaked = readdirSync("dist-demo").filter((d) => d !== "components" && d !== "demo");
  if (leaked.length) {
    console.error(`build: components/ or demo/ import library files by path (compiled into dist-demo/${leaked.join(", dist-demo/")}); import them from "hotline" or its subpaths`);
    process.exit(1);
  }
  // demo/main.ts reads its stylesheet beside itself (it also finds demo/style.css from dist-demo/demo/).
  mkdirSync("dist-demo/demo", { recursive: true });
  copyFileSync("demo/style.css", "dist-demo/demo/style.css");
  console.log("demo: dist-demo/ (npm start runs dist-demo/demo/main.js)");
}

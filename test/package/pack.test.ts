// What `npm pack` would ship: the library only (no example, no demo), and every file that
// package.json `exports` points an app at. Reads the built dist/, so it runs after `npm run build`
// (`npm test` builds first).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { promisify } from "node:util";

const root = new URL("../../", import.meta.url);
const pkg = JSON.parse(readFileSync(new URL("package.json", root), "utf8")) as {
  exports: Record<string, string | Record<string, string>>;
  bin: Record<string, string>;
};

async function packedFiles(): Promise<string[]> {
  // --ignore-scripts: `prepare` would rebuild dist/ under the other suites running meanwhile.
  const { stdout } = await promisify(execFile)("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
    cwd: root, maxBuffer: 16 * 1024 * 1024,
  });
  const [report] = JSON.parse(stdout) as { files: { path: string }[] }[];
  return report!.files.map((f) => f.path);
}

const s = suite("npm pack");
const built = existsSync(new URL("dist/server/index.js", root));
if (!built) console.log("SKIP test/package/pack.test.ts: dist/ is not built (npm run build)");
const test = built ? s : s.skip;
let files: string[] = [];

s.before(async () => {
  if (built) files = await packedFiles();
});

test("ships no example, no demo and no test", () => {
  const leaked = files.filter((f) => /(^|\/)(components|demo|dist-demo|test|bench)\//.test(f));
  assert.equal(leaked, []);
});

test("ships every file package.json exports (types and code) and the bin", () => {
  const targets = new Set<string>(Object.values(pkg.bin));
  for (const target of Object.values(pkg.exports)) {
    if (typeof target === "string") targets.add(target);
    else for (const [condition, path] of Object.entries(target)) if (condition !== "hotline-source") targets.add(path);
  }
  const shipped = new Set(files);
  const missing = [...targets].map((t) => t.replace(/^\.\//, "")).filter((t) => !shipped.has(t));
  assert.equal(missing, []);
  assert.ok(targets.size > 10);
});

test("ships the compiled library, not its TypeScript source", () => {
  assert.ok(files.includes("dist/server/index.js"));
  assert.equal(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts")), []);
});

s.run();

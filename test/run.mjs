// Runs every uvu suite: each test file is a plain program, run in its own process (two at a time,
// the machine has two cores), so that one file's leaked socket or timer cannot hang another.
// Ends with the summary line `N passed, N failed, N skipped`.
// Every file runs with the `hotline-source` export condition, so that `import … from "hotline"` (as
// the components and the demo write it) loads the same TypeScript modules as the tests' relative
// imports: one copy of each module, no build needed. NODE_OPTIONS carries the condition on to the
// processes a test starts (the demo server, cluster nodes, the CLI).
import { spawn } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const root = new URL("..", import.meta.url).pathname;
const only = process.argv.slice(2);
const TIMEOUT_MS = Number(process.env.HOTLINE_TEST_TIMEOUT_MS ?? 300_000);
const PARALLEL = Number(process.env.HOTLINE_TEST_PARALLEL ?? 2);
const CONDITION = "--conditions=hotline-source";
const NODE_OPTIONS = [process.env.NODE_OPTIONS, CONDITION].filter(Boolean).join(" ");

function find(dir) {
  const out = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...find(p));
    else if (/\.test\.ts$/.test(name)) out.push(p);
  }
  return out;
}

let files = find(join(root, "test"));
if (only.length) files = files.filter((f) => only.some((o) => f.includes(o)));

const totals = { passed: 0, failed: 0, skipped: 0 };
const failures = [];

function runFile(file) {
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [CONDITION, "--import", "tsx", file], {
      cwd: root, env: { ...process.env, NODE_OPTIONS, NO_COLOR: "1", FORCE_COLOR: "0" }, stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    const timer = setTimeout(() => { out += `\n[runner] timed out after ${TIMEOUT_MS} ms\n`; child.kill("SIGKILL"); }, TIMEOUT_MS);
    child.on("close", (code) => {
      clearTimeout(timer);
      const num = (label) => { const m = [...out.matchAll(new RegExp(`^\\s*${label}:\\s+(\\d+)`, "gm"))]; return m.reduce((a, x) => a + Number(x[1]), 0); };
      const total = num("Total"), passed = num("Passed"), skipped = num("Skipped");
      const fileSkips = [...out.matchAll(/^SKIP\b/gm)].length;
      let failed = total - passed;
      if (code !== 0 && failed === 0) failed = 1; // crashed or timed out outside a test
      totals.passed += passed; totals.failed += failed; totals.skipped += skipped + fileSkips;
      const rel = relative(root, file);
      process.stdout.write(`\n── ${rel} (${Date.now() - started} ms, exit ${code})\n${out.trimEnd()}\n`);
      if (failed) failures.push(rel);
      resolve();
    });
  });
}

const queue = [...files];
await Promise.all(Array.from({ length: PARALLEL }, async () => { while (queue.length) await runFile(queue.shift()); }));

if (failures.length) console.log(`\nFailed files:\n${failures.map((f) => `  ${f}`).join("\n")}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(totals.failed || files.length === 0 ? 1 : 0);

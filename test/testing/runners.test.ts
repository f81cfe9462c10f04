// hotline/testing under other test runners: node:test and vitest run small fixtures
// (test/testing/fixtures/) in child processes, and each must pass: a counter counts, and a click
// on a missing button rejects with the view's own message (asserted with each runner's own
// rejects). And without linkedom installed, live() says which package to install.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../../", import.meta.url));
const fixtures = "test/testing/fixtures";

interface Run {
  code: number;
  out: string;
}

function run(command: string, args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(command, args, { cwd: root, env: { ...process.env, NO_COLOR: "1", FORCE_COLOR: "0", ...env }, timeout: 120_000, maxBuffer: 8 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : 1) : 0;
      resolve({ code, out: `${stdout}\n${stderr}` });
    });
  });
}

// The fixtures import `hotline/testing` and TypeScript components, as the uvu suites do.
const node = (file: string, env?: Record<string, string>): Promise<Run> =>
  run(process.execPath, ["--conditions=hotline-source", "--import", "tsx", "--test", "--test-reporter=tap", `${fixtures}/${file}`], env);
const vitest = (env?: Record<string, string>): Promise<Run> =>
  run(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--root", ".", "--config", `${fixtures}/vitest.config.ts`], env);

const s = suite("hotline/testing under node:test and vitest");

s("node:test and vitest run the fixtures: a counter counts, a missing button rejects with the view's message", async () => {
  const [n, v] = await Promise.all([node("node-test.fixture.ts"), vitest()]);
  assert.is(n.code, 0, n.out);
  assert.match(n.out, /# pass 2/);
  assert.match(n.out, /# fail 0/);
  assert.is(v.code, 0, v.out);
  assert.match(v.out, /Tests\s+2 passed/);
});

s("without linkedom installed, live() rejects naming the package to install", async () => {
  const r = await run(process.execPath, [
    "--conditions=hotline-source", "--import", `./${fixtures}/no-linkedom.register.mjs`, "--import", "tsx", `${fixtures}/no-linkedom.fixture.ts`,
  ]);
  assert.is(r.code, 0, r.out);
  const line = r.out.split("\n").find((l) => l.startsWith("{"));
  assert.ok(line, r.out);
  const e = JSON.parse(line!) as { ok: boolean; name: string; code: string; message: string };
  assert.is(e.ok, false);
  assert.is(e.name, "LiveTestError");
  assert.match(e.message, '"linkedom"');
  assert.match(e.message, "npm install --save-dev linkedom");
});

s.run();

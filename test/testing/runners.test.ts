// hotline/testing under other test runners: node:test and vitest run small fixtures
// (test/testing/fixtures/) in child processes; each must pass, and fail with hotline/testing's own
// message when the fixture clicks a button that is not there. And without linkedom installed,
// live() says which package to install.
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
const node = (file: string, env?: Record<string, string>) =>
  run(process.execPath, ["--conditions=hotline-source", "--import", "tsx", "--test", "--test-reporter=tap", `${fixtures}/${file}`], env);
const vitest = (env?: Record<string, string>) =>
  run(process.execPath, ["node_modules/vitest/vitest.mjs", "run", "--root", ".", "--config", `${fixtures}/vitest.config.ts`], env);

const FAIL = { HOTLINE_FIXTURE_FAIL: "1" };
const s = suite("hotline/testing under node:test and vitest");

s("node:test: the fixture passes, and a missing button fails it with the view's message", async () => {
  const [ok, bad] = await Promise.all([node("node-test.fixture.ts"), node("node-test.fixture.ts", FAIL)]);
  assert.is(ok.code, 0, ok.out);
  assert.match(ok.out, /# pass 1/);
  assert.match(ok.out, /# fail 0/);
  assert.is.not(bad.code, 0, bad.out);
  assert.match(bad.out, /# fail 1/);
  assert.match(bad.out, 'element("button", "Reset"): no element matches');
});

s("vitest: the fixture passes, and a missing button fails it with the view's message", async () => {
  const [ok, bad] = await Promise.all([vitest(), vitest(FAIL)]);
  assert.is(ok.code, 0, ok.out);
  assert.match(ok.out, /Tests\s+1 passed/);
  assert.is.not(bad.code, 0, bad.out);
  assert.match(bad.out, /Tests\s+1 failed/);
  assert.match(bad.out, 'element("button", "Reset"): no element matches');
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

// The messages a developer meets: an unknown component named (on the WebSocket and over HTTP, as
// in the CLI), with how to register it, and a malformed name never echoed back; `hotline dev`'s
// bad arguments.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Registry } from "../../server/core/registry.js";
import { parseDevArgs } from "../../server/dev/runner.js";
import { startServer, TestClient } from "../support/ws-client.js";

const unknown = suite("unknown component: the name and how to register it");

unknown("WebSocket join: unknown_component names it and says how to register it", async () => {
  const app = await startServer({ registry: new Registry() });
  const c = await TestClient.open(app.url);
  try {
    const a = await c.join("x", "shopping-cart");
    assert.is(a.t, "error");
    assert.is(a.code, "unknown_component");
    assert.match(a.message, /"shopping-cart"/);
    assert.match(a.message, /@register\("shopping-cart"\)/);
    // a name that is no component name is not repeated back
    const b = await c.join("y", "<img src=x onerror=alert(1)>");
    assert.is(b.code, "unknown_component");
    assert.not.match(b.message, /img|onerror/);
  } finally {
    c.close();
    await app.stop();
  }
});

unknown("HTTP: the same message", async () => {
  const app = await startServer({ registry: new Registry() });
  try {
    const res = await fetch(`${app.http}/components/shopping-cart`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.is(res.status, 404);
    const body = await res.text();
    assert.match(body, /unknown_component/);
    assert.match(body, /shopping-cart/);
  } finally {
    await app.stop();
  }
});

unknown.run();

const dev = suite("hotline dev: arguments");
const dir = mkdtempSync(join(tmpdir(), "hotline-dev-args-"));
writeFileSync(join(dir, "app.ts"), "");
dev.after(() => rmSync(dir, { recursive: true, force: true }));

dev("the entry, --entry, --watch and the app's own arguments after --", () => {
  const a = parseDevArgs(["app.ts", "--watch", ".", "--", "--port", "4000"], dir);
  assert.is(a.entry, join(dir, "app.ts"));
  assert.equal(a.watch, [dir, dir]);
  assert.equal(a.args, ["--port", "4000"]);
  assert.is(parseDevArgs(["--entry=app.ts"], dir).entry, join(dir, "app.ts"));
});

dev("bad arguments are bad_message with a message that says what is wrong", () => {
  const cases: [string[], RegExp][] = [
    [[], /name the app's entry file/],
    [["missing.ts"], /the entry missing\.ts is not a file/],
    [["app.ts", "other.ts"], /name one entry/],
    [["app.ts", "--watch"], /--watch needs a path/],
    [["app.ts", "--watch", "nowhere"], /--watch nowhere does not exist/],
    [["app.ts", "--colour"], /unknown option --colour/],
  ];
  for (const [argv, re] of cases) {
    try {
      parseDevArgs(argv, dir);
      assert.unreachable(argv.join(" "));
    } catch (e) {
      assert.is((e as { code?: string }).code, "bad_message", argv.join(" "));
      assert.match((e as Error).message, re, argv.join(" "));
    }
  }
});

dev.run();

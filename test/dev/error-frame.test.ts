// Development mode over real WebSockets: a failed handler's error frame carries its stack only in
// dev; in production (dev off, or dev asked for under NODE_ENV=production) the frame's bytes hold
// no stack and no internals. The page embed loads the overlay script, and the overlay is served,
// only in dev.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Component } from "../../server/core/component.js";
import { HotlineError } from "../../server/core/errors.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import type { HotlineOptions } from "../../server/hotline.js";
import { resolveDev } from "../../server/dev/mode.js";
import { startServer, TestClient } from "../support/ws-client.js";

const registry = new Registry();
registry.register("boomer", class extends Component<{ n: number }> {
  mount() { this.state.n = 0; }
  onBoom() { this.state.n = 1; throw new Error("kaboom at /srv/secret-path.ts"); }
  onRefuse() { throw new HotlineError("unauthorized", "not yours"); }
  render() { return html`<b>${this.state.n}</b>`; }
});

/** The raw frame answering a failed event, with the server started with `options`. */
async function failure(options: HotlineOptions, event = "boom", env: Record<string, string | undefined> = {}) {
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  const warnings: string[] = [];
  try {
    const app = await startServer({ registry, logger: { error: (m: unknown) => warnings.push(String(m)) }, ...options });
    const c = await TestClient.open(app.url);
    try {
      await c.join("b", "boomer");
      const answer = await c.event("b", event);
      const raw = c.raw.find((r) => JSON.parse(r).ref === answer.ref && JSON.parse(r).t === "error")!;
      const page = await app.hotline.live("boomer");
      const script = await fetch(`${app.http}/hotline.js?dev`).then((r) => r.text());
      return { answer, raw, page, script, warnings, dev: app.hotline.context.options.dev === true };
    } finally {
      c.close();
      await app.stop();
    }
  } finally {
    for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
  }
}

const s = suite("dev mode: the error frame and the overlay");

s("dev: a handler's error frame carries its stack; the embed loads the overlay; the overlay is served", async () => {
  const r = await failure({ dev: true });
  assert.ok(r.dev);
  assert.is(r.answer.code, "handler_error");
  assert.is(r.answer.message, "the component failed to handle this event");
  assert.type(r.answer.stack, "string");
  assert.match(r.answer.stack, /kaboom at \/srv\/secret-path\.ts/);
  assert.match(r.answer.stack, /onBoom/);
  assert.match(r.page, /<script src="\/hotline\.js\?dev" defer><\/script>$/);
  assert.match(r.script, /hotline-dev-overlay/);
});

s("dev: a component that fails to start (mount or render throws) answers the join with its stack; without dev, none", async () => {
  const reg = new Registry();
  reg.register("broken", class extends Component {
    render(): never { throw new Error("render broke after an edit"); }
  });
  for (const dev of [true, false]) {
    const app = await startServer({ registry: reg, dev });
    const c = await TestClient.open(app.url);
    try {
      const a = await c.join("x", "broken");
      assert.is(a.code, "handler_error");
      if (dev) assert.match(a.stack, /render broke after an edit/);
      else assert.not.match(c.raw.join("\n"), /stack|render broke/);
    } finally {
      c.close();
      await app.stop();
    }
  }
});

s("dev: a client's own fault (a refusal) carries no stack", async () => {
  const r = await failure({ dev: true }, "refuse");
  assert.is(r.answer.code, "unauthorized");
  assert.is(r.answer.stack, undefined);
  assert.not.match(r.raw, /stack/);
});

s("production (dev off): the frame's bytes hold no stack or internals; no overlay script anywhere", async () => {
  const r = await failure({}, "boom", { HOTLINE_DEV: undefined });
  assert.not.ok(r.dev);
  assert.is(r.answer.code, "handler_error");
  assert.not.match(r.raw, /stack|kaboom|secret-path|onBoom|at /);
  assert.equal(Object.keys(JSON.parse(r.raw)).sort(), ["code", "id", "message", "ref", "t"]);
  assert.not.match(r.page, /<script/);
  assert.not.match(r.script, /hotline-dev-overlay/, "?dev is only the main client outside dev mode");
});

s("dev asked for under NODE_ENV=production: refused with a warning, no stack in the frame", async () => {
  const r = await failure({ dev: true }, "boom", { NODE_ENV: "production" });
  assert.not.ok(r.dev);
  assert.ok(r.warnings.some((w) => /development mode is refused under NODE_ENV=production/.test(w)), r.warnings.join("\n"));
  assert.not.match(r.raw, /stack|kaboom/);
  assert.not.match(r.page, /\?dev/);
});

s("HOTLINE_DEV=1 (what `hotline dev` sets) is the default; an explicit dev: false wins", async () => {
  assert.ok((await failure({}, "boom", { HOTLINE_DEV: "1" })).dev);
  assert.not.ok((await failure({ dev: false }, "boom", { HOTLINE_DEV: "1" })).dev);
});

s("resolveDev: the rule on its own", () => {
  const warned: string[] = [];
  const warn = (m: string) => warned.push(m);
  assert.is(resolveDev(undefined, warn, {}), false);
  assert.is(resolveDev(true, warn, {}), true);
  assert.is(resolveDev(undefined, warn, { HOTLINE_DEV: "1" }), true);
  assert.is(resolveDev(undefined, warn, { HOTLINE_DEV: "1", NODE_ENV: "production" }), false);
  assert.is(warned.length, 1);
  assert.is(resolveDev(false, warn, { HOTLINE_DEV: "1" }), false);
});

s.run();

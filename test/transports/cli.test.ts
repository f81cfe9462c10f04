import { suite } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { Component, Registry, Tokens, html } from "../../server/core/index.js";
import { runCli } from "../../server/transports/cli.js";

const registry = new Registry();
registry.register("counter", class extends Component<{ count: number }> {
  mount() { this.state.count = 0; }
  onIncrement() { this.state.count++; }
  onBoom() { throw new Error("secret internals"); }
  render() { return html`<b>Count: ${this.state.count}</b>`; }
});
registry.register("mine", class extends Component<{ owner: string }> {
  static authorize(user: unknown) { return user !== null; }
  mount() { this.state.owner = (this.user as { id: string }).id; }
  render() { return html`<i>${this.state.owner}</i>`; }
});
const tokens = new Tokens({ secret: "cli-test-secret-0123456789" });

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { registry, tokens, component: {}, out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const s = suite("CLI transport");

s("dispatch prints {html, state}; the state token continues the next call", async () => {
  const a = await cli("dispatch", "counter", "--event", "increment");
  assert.is(a.code, 0);
  const ra = JSON.parse(a.out);
  assert.is(ra.html, "<b>Count: 1</b>");
  const b = await cli("dispatch", "counter", "--event=increment", "--state", ra.state);
  assert.is(JSON.parse(b.out).html, "<b>Count: 2</b>");
});

s("bad input gets a code and a message, exit 2; a failing handler exit 1 without its internals on stdout", async () => {
  const cases: [string[], string][] = [
    [["dispatch", "nope"], "unknown_component"],
    [["dispatch", "counter", "--event", "nope"], "unknown_event"],
    [["dispatch", "counter", "--payload", "{bad"], "bad_message"],
    [["dispatch", "counter", "--payload", "[1]"], "bad_message"],
    [["dispatch", "counter", "--state", "v1.forged.sig"], "bad_state"],
    [["dispatch", "counter", "--colour", "red"], "bad_message"],
    [["dispatch"], "bad_message"],
    [["frobnicate"], "bad_message"],
  ];
  for (const [argv, code] of cases) {
    const r = await cli(...argv);
    assert.is(r.code, 2, argv.join(" "));
    assert.is(JSON.parse(r.err.split("\n")[0]!).error.code, code, argv.join(" "));
  }
  const boom = await cli("dispatch", "counter", "--event", "boom");
  assert.is(boom.code, 1);
  assert.is(JSON.parse(boom.err.split("\n")[0]!).error.code, "handler_error");
  assert.is(boom.out, "");
});

s("--user is who runs it: authorization sees it, and its token continues for that user only", async () => {
  const anon = await cli("dispatch", "mine");
  assert.is(anon.code, 2);
  assert.is(JSON.parse(anon.err).error.code, "unauthorized");
  const ada = await cli("dispatch", "mine", "--user", '{"id":"ada"}');
  assert.is(ada.code, 0);
  const r = JSON.parse(ada.out);
  assert.is(r.html, "<i>ada</i>");
  const bob = await cli("dispatch", "mine", "--state", r.state, "--user", '{"id":"bob"}');
  assert.is(JSON.parse(bob.err).error.code, "bad_state");
  assert.is((await cli("dispatch", "mine", "--state", r.state, "--user", '{"id":"ada"}')).code, 0);
  assert.is(JSON.parse((await cli("dispatch", "mine", "--user", "{bad")).err).error.code, "bad_message");
});

const run = promisify(execFile);
const secret = { HOTLINE_SECRET: "cli-test-secret-0123456789" };

s("npx hotline runs the components named by HOTLINE_COMPONENTS (TypeScript through tsx)", async () => {
  const env = { ...process.env, ...secret, HOTLINE_COMPONENTS: "components/counter.ts" };
  const { stdout } = await run(process.execPath, ["bin/hotline.js", "dispatch", "counter", "--event", "increment"], { env });
  const r = JSON.parse(stdout);
  assert.match(r.html, /Count: 1/);
  const again = await run(process.execPath, ["bin/hotline.js", "dispatch", "counter", "--event", "increment", "--state", r.state], { env });
  assert.match(JSON.parse(again.stdout).html, /Count: 2/);
});

s("npx hotline loads no component of its own: without HOTLINE_COMPONENTS the list is empty", async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, ...secret };
  delete env.HOTLINE_COMPONENTS;
  const { stdout } = await run(process.execPath, ["bin/hotline.js", "list"], { env });
  assert.equal(JSON.parse(stdout), []);
});

s("npx hotline: a module HOTLINE_COMPONENTS names that cannot load is named, with exit code 1", async () => {
  const env = { ...process.env, ...secret, HOTLINE_COMPONENTS: "components/no-such-file.js" };
  const failed = await run(process.execPath, ["bin/hotline.js", "list"], { env }).then(() => undefined, (e: { code: number; stderr: string }) => e);
  assert.ok(failed, "the CLI should fail");
  assert.is(failed!.code, 1);
  assert.match(failed!.stderr, /cannot load components\/no-such-file\.js \(named by HOTLINE_COMPONENTS\)/);
});

s("an unknown name is named, with what is registered and how to register it (code unknown_component, exit 2)", async () => {
  const r = await cli("dispatch", "countr");
  assert.is(r.code, 2);
  const { error } = JSON.parse(r.err);
  assert.is(error.code, "unknown_component");
  assert.match(error.message, /"countr"/);
  assert.match(error.message, /registered: counter, mine/);
  assert.match(error.message, /@register\("countr"\)/);
});

s("list, help and a bad command never resolve a secret; dispatch does, once", async () => {
  let made = 0;
  const lazy = () => (made++, tokens);
  const run = (...argv: string[]) => runCli(argv, { registry, tokens: lazy, component: {}, out: () => {}, err: () => {} });
  await run("list");
  await run("--help");
  await run("frobnicate");
  await run("dispatch", "nope");
  assert.is(made, 0);
  assert.is(await run("dispatch", "counter"), 0);
  assert.is(made, 1);
});

s("npx hotline without HOTLINE_SECRET: no secret warning for list or an unknown name; the name and HOTLINE_COMPONENTS in the error", async () => {
  const env: NodeJS.ProcessEnv = { ...process.env, HOTLINE_COMPONENTS: "components/counter.ts" };
  delete env.HOTLINE_SECRET;
  const list = await run(process.execPath, ["bin/hotline.js", "list"], { env });
  assert.equal(JSON.parse(list.stdout), ["counter"]);
  assert.is(list.stderr, "");
  const typo = await run(process.execPath, ["bin/hotline.js", "dispatch", "countr"], { env }).then(() => undefined, (e: { code: number; stderr: string }) => e);
  assert.is(typo!.code, 2);
  assert.not.match(typo!.stderr, /HOTLINE_SECRET/);
  const { error } = JSON.parse(typo!.stderr.trim().split("\n")[0]!);
  assert.is(error.code, "unknown_component");
  assert.match(error.message, /"countr" \(registered: counter\)/);
  assert.match(error.message, /HOTLINE_COMPONENTS=/);
});

s.run();

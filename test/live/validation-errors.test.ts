// Payload validation errors where the user looks: a payload that fails its event's schema fills
// `this.errors` by field and re-renders (a normal patch, no `error` frame); the README's signup
// example works as written, over a real WebSocket, over HTTP and through hotline/testing.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import { Component, html, HotlineError } from "../../server/index.js";
import { registry as defaultRegistry, Registry } from "../../server/core/registry.js";
import { Rendered } from "../../client/rendered.js";
import { live } from "../../server/testing/live.js";
import { startServer, TestClient, type Msg } from "../support/ws-client.js";
import { Signup } from "../support/readme-signup.js";

/** The precise rules: which errors a valid payload clears, paths, the whole-payload key, async schemas. */
class Profile extends Component<{ saved: number; note: string }> {
  static payloads = {
    save: z.object({ name: z.string().min(1, "name required"), address: z.object({ zip: z.string().regex(/^\d{5}$/, "5 digits") }) }),
    check: z.object({ name: z.string().min(1, "name required") }),
    pair: z.object({ a: z.string(), b: z.string() }).refine((p) => p.a === p.b, "a and b differ"),
    later: z.object({ n: z.number() }).refine(async (p) => p.n > 0, { message: "must be positive", path: ["n"] }),
    boom: z.object({ ok: z.literal(true, { message: "ok must be true" }) }),
  };
  mount() { this.state.saved = 0; this.state.note = ""; }
  onSave() { this.state.saved += 1; }
  onCheck() {}
  onPair() {}
  onLater() { this.state.note = "later ran"; }
  onTaken() { this.errors.name = "taken"; }
  onBoom() { throw new Error("after a valid payload"); }
  render() {
    return html`<pre>${JSON.stringify(this.errors)}</pre>`;
  }
}

/** A shared component's render is every viewer's: its refusals stay the sender's error frame. */
class Room extends Component<{ lines: string[] }> {
  static shared = true;
  static payloads = { say: z.object({ text: z.string().trim().min(1, "Type something first") }) };
  mount() { this.state.lines = []; }
  onSay({ text }: { text: string }) { this.state.lines.push(text); }
  render() {
    return html`<ul>${this.state.lines.map((l) => html`<li>${l}</li>`)}</ul>${JSON.stringify(this.errors)}`;
  }
}

const registry = new Registry();
for (const n of defaultRegistry.names()) registry.register(n, defaultRegistry.get(n)!);
registry.register("profile", Profile);
registry.register("room", Room);
const srv = await startServer({ registry });

const html_ = (ok: Msg) => {
  const tree = Rendered.fromJoin(ok);
  return { tree, apply: (m: Msg) => (tree.apply(m), tree.toHTML()) };
};

test("README signup over WebSocket: an invalid email is answered with a patch that shows the error; a valid one clears it", async () => {
  const c = await TestClient.open(srv.url);
  const ok = await c.join("s1", "signup");
  const view = html_(ok);
  const refused = await c.event("s1", "save", { email: "not-an-email" });
  assert.is(refused.t, "patch", "a normal patch, not an error frame");
  const shown = view.apply(refused);
  assert.match(shown, '<p class="error">Invalid email address</p>');
  assert.match(shown, 'value=""', "the state is untouched");
  const saved = await c.event("s1", "save", { email: "ada@example.com" });
  assert.is(saved.t, "patch");
  const after = view.apply(saved);
  assert.not.match(after, 'class="error"');
  assert.match(after, 'value="ada@example.com"');
  // an app's own refusal is still an error frame
  const banned = await c.event("s1", "save", { email: "mallory@example.com" });
  assert.is(banned.t, "error");
  assert.is(banned.code, "unauthorized");
  assert.is(c.all((m) => m.t === "error").length, 1);
  c.close();
});

test("README signup through hotline/testing: the error is in the render", async () => {
  const view = await live(Signup, { app: srv.hotline });
  await view.form("form").submit({ email: "nope" });
  assert.is(view.element("p.error").text(), "Invalid email address");
  assert.is(view.state.done, false);
  await view.form("form").submit({ email: "ada@example.com" });
  assert.equal(view.find("p.error"), []);
  assert.is(view.state.done, true);
  assert.equal(view.errors, [], "no error frame reached the view");
});

test("README signup over HTTP: 200 with the error in the HTML (not a 400)", async () => {
  const r = await fetch(`${srv.http}/components/signup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ event: "save", payload: { email: "x" } }) });
  assert.is(r.status, 200);
  assert.match(((await r.json()) as { html: string }).html, '<p class="error">Invalid email address</p>');
});

test("errors by path; the first message per field; a whole-payload issue under \"_\"", () => {
  const c = new Profile();
  c.dispatch();
  c.handleEvent("save", { name: "", address: { zip: "12" } });
  assert.equal(c.errors, { name: "name required", "address.zip": "5 digits" });
  assert.is(c.state.saved, 0);
  const d = new Profile();
  d.dispatch();
  d.handleEvent("pair", { a: "x", b: "y" });
  assert.equal(d.errors, { _: "a and b differ" });
});

test("clearing: the next valid payload of the same event removes what its refusal wrote, nothing else", () => {
  const c = new Profile();
  c.dispatch();
  c.handleEvent("check", { name: "" });
  c.handleEvent("save", { name: "", address: { zip: "1" } });
  assert.equal(c.errors, { name: "name required", "address.zip": "5 digits" });
  // a refusal again replaces its own earlier errors (name passed this time: its message goes)
  c.handleEvent("save", { name: "Ada", address: { zip: "1" } });
  assert.equal(c.errors, { "address.zip": "5 digits" });
  c.handleEvent("check", { name: "" });
  c.handleEvent("check", { name: "Ada" });
  assert.equal(c.errors, { "address.zip": "5 digits" });
  // another event's valid payload leaves save's errors alone
  c.handleEvent("taken", {});
  assert.equal(c.errors, { "address.zip": "5 digits", name: "taken" });
  c.handleEvent("save", { name: "Ada", address: { zip: "12345" } });
  assert.equal(c.errors, { name: "taken" }, "an error the app wrote stays");
  assert.is(c.state.saved, 1);
});

test("a handler that throws after a valid payload puts the errors back; the next valid one clears them", () => {
  const c = new Profile();
  c.dispatch();
  c.handleEvent("boom", { ok: false });
  assert.equal(c.errors, { ok: "ok must be true" });
  try {
    c.handleEvent("boom", { ok: true });
    assert.unreachable();
  } catch (e) {
    assert.is((e as HotlineError).code, "handler_error");
  }
  assert.equal(c.errors, { ok: "ok must be true" });
  try { c.handleEvent("boom", { ok: true }); } catch { /* it throws again */ }
  c.handleEvent("check", { name: "x" });
  assert.equal(c.errors, { ok: "ok must be true" }, "not cleared by another event");
});

test("an async validator: the same, on the async path", async () => {
  const c = new Profile();
  await c.asyncDispatch();
  await c.asyncHandleEvent("later", { n: -1 });
  assert.equal(c.errors, { n: "must be positive" });
  assert.is(c.state.note, "");
  await c.asyncHandleEvent("later", { n: 1 });
  assert.equal(c.errors, {});
  assert.is(c.state.note, "later ran");
});

test("a shared component keeps the error frame (bad_message with issues) for the sender alone; errors stay empty", async () => {
  const a = await TestClient.open(srv.url);
  const b = await TestClient.open(srv.url);
  await a.join("r", "room");
  await b.join("r", "room");
  const refused = await a.event("r", "say", { text: "   " });
  assert.is(refused.t, "error");
  assert.is(refused.code, "bad_message");
  assert.match(JSON.stringify(refused.details.issues), "Type something first");
  const fine = await b.event("r", "say", { text: "hi" });
  assert.is(fine.t, "patch");
  assert.not.match(JSON.stringify(b.log), "Type something first", "the other viewer sees nothing of it");
  a.close();
  b.close();
});

test.after(() => srv.stop());
test.run();

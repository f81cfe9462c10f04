// hotline/testing: live() mounts through the app's real runtime, views click and fill what the
// rendered HTML binds, and every mistake (the test's or the server's refusal) is a clear error.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import { Component, html, stream, streamInsert, streamDelete } from "hotline";
import { live, createTestApp, type LiveView } from "hotline/testing";
import { Counter } from "../../components/counter.js";
import { rejection, thrown } from "./refusals.js";

// ---------- a test-local component, not registered anywhere: live() registers it in a private app ----------

class Signup extends Component<{ email: string; plan: string; news: boolean; note: string; checked: string; saved: Record<string, unknown> | null; tags: string[] }> {
  static payloads = {
    save: z.object({ email: z.string().email("not an email"), plan: z.enum(["free", "pro"]), news: z.string().optional(), note: z.string().max(20), source: z.string() }),
  };

  mount(): void {
    Object.assign(this.state, { email: "", plan: "free", news: false, note: "", checked: "", saved: null, tags: [] });
  }

  onValidate(p: Record<string, unknown>): void {
    this.state.checked = `${String(p._target)}=${String(p[String(p._target)])}`;
    this.state.email = String(p.email ?? "");
  }

  onNews(p: { value: boolean; name: string }): void {
    this.state.news = p.value;
  }

  onSave(p: { email: string; plan: string; news?: string; note: string }): void {
    this.state.saved = p;
    this.pushEvent("saved", { email: p.email });
  }

  onTag(p: { tag: string }): void {
    this.state.tags = [...this.state.tags, p.tag];
  }

  onReset(): void {
    this.state.email = "server@example.com";
  }

  onFail(): void {
    throw new Error("database on fire");
  }

  render() {
    const s = this.state;
    return html`<section>
  <form id="signup" hl-change="validate" hl-submit="save" hl-value-source="test">
    <input name="email" value="${s.email}">
    <select name="plan"><option value="free" ${s.plan === "free" ? "selected" : ""}>Free</option><option value="pro" ${s.plan === "pro" ? "selected" : ""}>Pro</option></select>
    <textarea name="note">${s.note}</textarea>
    <button type="submit">Sign up</button>
  </form>
  <label><input type="checkbox" name="news" hl-change="news" ${s.news ? "checked" : ""}> News</label>
  <p class="checked">${s.checked}</p>
  <p class="saved">${s.saved ? JSON.stringify(s.saved) : "not saved"}</p>
  <ul>${s.tags.map((t) => html`<li>${t}</li>`)}</ul>
  <button hl-click="tag" hl-value-tag="red"><span class="inner">Red</span></button>
  <button hl-click="tag" hl-value-tag="blue">Blue</button>
  <button class="plain">No binding</button>
  <button hl-click="reset">Reset</button>
  <button hl-click="fail">Fail</button>
</section>`;
  }
}

const s = suite("hotline/testing: live()");
let open: LiveView[] = [];
const track = <V extends LiveView<any>>(v: V): V => (open.push(v), v);
s.after.each(async () => {
  for (const v of open) await v.close();
  open = [];
});

s("mounts a registered class with server params and a user, as a page embed and its join do", async () => {
  const view = track(await live(Counter, { params: { start: 5 }, user: { id: "ada", name: "Ada" } }));
  assert.is(view.name, "counter");
  assert.is(view.find(".counter-value")[0]!.textContent, "Count: 5");
  assert.is(view.find(".counter-owner")[0]!.textContent, "Ada's counter");
  assert.ok(view.session && view.session.length >= 16, "the join's ok gave a session key");
  await view.element("button", "Increment").click();
  await view.element("button", "Increment").click();
  await view.element("button", /^Decrement$/).click();
  assert.is(view.find(".counter-value")[0]!.textContent, "Count: 6");
  assert.equal(view.state, { count: 6, owner: "Ada" });
  assert.equal(view.errors, []);
  // view.state has the class's state type (checked by the type-check of the tests)
  const n: number = view.state.count;
  // @ts-expect-error Counter's state has no such key
  void view.state.nope;
  assert.is(n, 6);
});

s("a view is mounted by name too, and the name must be registered", async () => {
  const view = track(await live("counter"));
  assert.match(view.html(), "Count: 0");
  const e = await rejection(live("no-such-thing"));
  assert.is(e.code, "unknown_component");
  assert.match(e.message, '"no-such-thing"');
  assert.match(e.message, "counter", "it lists what is registered");
});

s("a class not registered in a given app is named in the error, with how to register it", async () => {
  const app = createTestApp();
  try {
    const e = await rejection(live(Signup, { app }));
    assert.is(e.code, "unknown_component");
    assert.match(e.message, "live(Signup)");
    assert.match(e.message, '@register("name")');
  } finally {
    await app.close();
  }
});

s("element(): no match, several matches and a text filter that matches nothing say so", async () => {
  const view = track(await live(Signup));
  let e = thrown(() => view.element("button.missing").resolve());
  assert.is(e.code, "testing");
  assert.match(e.message, 'element("button.missing"): no element matches');
  assert.match(e.message, "<section>", "the message shows the HTML");
  e = await rejection(view.element("button[hl-click=tag]").click());
  assert.match(e.message, "2 elements match");
  e = await rejection(view.element("button", "Purple").click());
  assert.match(e.message, "no element matches (the selector alone matches 6");
  e = await rejection(view.element("input[name=").click());
  assert.match(e.message, "not a CSS selector");
  assert.not.ok(view.element("button", "Purple").exists());
  assert.ok(view.element("button", "Blue").exists());
});

s("a click on an element without hl-click (nor any around it) is refused before anything is sent", async () => {
  const view = track(await live(Signup));
  const e = await rejection(view.element("button.plain").click());
  assert.match(e.message, '<button class="plain">No binding has no hl-click');
  assert.equal(view.errors, [], "nothing reached the server");
  const p = await rejection(view.element("p.saved").click());
  assert.match(p.message, "has no hl-click");
});

s("a click inside a bound element sends the binding's event with its hl-value-*", async () => {
  const view = track(await live(Signup));
  await view.element("span.inner").click();
  await view.element("button", "Blue").click();
  assert.equal(view.find("li").map((li) => li.textContent), ["red", "blue"]);
});

s("form().change() types field after field, each sending the form's hl-change with _target", async () => {
  const view = track(await live(Signup));
  await view.form("#signup").change({ email: "ada@example.com", plan: "pro" });
  assert.is(view.find("p.checked")[0]!.textContent, "plan=pro");
  assert.is(view.state.email, "ada@example.com");
  const e = await rejection(view.form("#signup").change({ nickname: "x" }));
  assert.match(e.message, 'no field named "nickname" (its fields: email, plan, note)');
  const notForm = await rejection(view.form("p.saved").submit());
  assert.match(notForm.message, "is not a <form>");
});

s("form().submit() sends every field (typed, given and rendered) merged, with the form's hl-value-*", async () => {
  const view = track(await live(Signup));
  await view.form("#signup").change({ email: "ada@example.com" });
  await view.form("#signup").submit({ note: "hi", plan: "pro" });
  assert.equal(view.state.saved, { email: "ada@example.com", plan: "pro", note: "hi", source: "test" });
  assert.equal(view.pushed(), [{ event: "saved", payload: { email: "ada@example.com" } }]);
  assert.equal(view.pushed("other"), []);
});

s("a click on a form's submit button submits it (what was typed, the button's name and value); other buttons do not", async () => {
  const view = track(await live(Signup));
  await view.form("#signup").change({ email: "ada@example.com" });
  await view.element("button", "Sign up").click();
  assert.equal(view.state.saved, { email: "ada@example.com", plan: "free", note: "", source: "test" });
  const e = await rejection(view.element("button", "No binding").click());
  assert.match(e.message, "has no hl-click");
});

s("what was typed stays over later renders until the server changes that field", async () => {
  const view = track(await live(Signup));
  await view.form("#signup").submit({ email: "typed@example.com" }).catch(() => undefined);
  await view.element("button", "Blue").click(); // a render that leaves the email's server value alone
  assert.is(view.form("#signup").values().email, "typed@example.com");
  await view.element("button", "Reset").click(); // the server gives the field another value: it wins
  assert.is(view.form("#signup").values().email, "server@example.com");
});

s("a checkbox's hl-change sends its checked state", async () => {
  const view = track(await live(Signup));
  await view.element("input[name=news]").change(true);
  assert.is(view.state.news, true);
  assert.ok(view.find("input[name=news][checked]").length === 1);
  await view.element("input[name=news]").change(false);
  assert.is(view.state.news, false);
});

s("a payload the event's schema refuses fills component.errors (a normal answer, no error frame); the state is untouched", async () => {
  const view = track(await live(Signup));
  await view.form("#signup").submit({ email: "not-an-email" });
  assert.is(view.component.errors.email, "not an email");
  assert.is(view.state.saved, null);
  assert.equal(view.errors, [], "no error frame");
  // the view still works after a refusal
  await view.element("button", "Blue").click();
  assert.equal(view.state.tags, ["blue"]);
});

s("a handler that throws gives handler_error: the client's generic message, and the app's log line for the test", async () => {
  const lines: string[] = [];
  const view = track(await live(Signup, { appOptions: { logger: { error: (...a: unknown[]) => void lines.push(a.map(String).join(" ")) } } }));
  const e = await rejection(view.element("button", "Fail").click());
  assert.is(e.code, "handler_error");
  assert.equal(view.errors.at(-1), { code: "handler_error", message: "the component failed to handle this event" }, "the client never sees the app's error");
  assert.ok(lines.some((l) => l.includes("database on fire")), "the app's logger does");
  assert.match(e.message, "(the app's log: ", "the test is told what the logger was");
  assert.match(e.message, "database on fire");
});

class Broken extends Component<{ n: number }> {
  mount(): void {
    this.state.n = (this.params as { n?: number }).n ?? 0;
  }
  onJoin(): void {
    if (this.state.n > 0) throw new Error("onJoin blew up");
  }
  render() {
    return html`<p>${this.state.n}</p>`;
  }
}

s("a component whose onJoin throws fails to start: handler_error, with the app's error for the test", async () => {
  const lines: string[] = [];
  const e = await rejection(live(Broken, { params: { n: 1 }, appOptions: { logger: { error: (...a: unknown[]) => void lines.push(a.map(String).join(" ")) } } }));
  assert.is(e.code, "handler_error");
  assert.match(e.message, "the component failed to start");
  assert.match(e.message, "onJoin blew up");
  assert.ok(lines.some((l) => l.includes("onJoin blew up")));
  track(await live(Broken, { params: { n: 0 } }));
});

s("a message the WebSocket transport would refuse is refused the same way", async () => {
  const view = track(await live(Signup));
  let deep: Record<string, unknown> = {};
  const top = deep;
  for (let i = 0; i < 12; i++) deep = (deep.x = {}) as Record<string, unknown>;
  const e = await rejection(view.event("tag", top));
  assert.is(e.code, "bad_message");
  assert.match(e.message, "nested");
});

// ---------- keys, focus, input, and the other field kinds ----------

class Keys extends Component<{ log: string[] }> {
  mount(): void {
    this.state.log = [];
  }
  onKey(p: Record<string, unknown>): void {
    this.state.log = [...this.state.log, `key:${String(p.key)}:${String(p.value ?? "")}`];
  }
  onUp(p: Record<string, unknown>): void {
    this.state.log = [...this.state.log, `up:${String(p.key)}`];
  }
  onFocus(p: Record<string, unknown>): void {
    this.state.log = [...this.state.log, `focus:${String(p.value)}`];
  }
  onBlur(): void {
    this.state.log = [...this.state.log, "blur"];
  }
  onTyping(p: Record<string, unknown>): void {
    this.state.log = [...this.state.log, `input:${String(p.name)}=${String(p.value)}`];
  }
  onPick(p: Record<string, unknown>): void {
    this.state.log = [...this.state.log, `pick:${JSON.stringify(p)}`];
  }
  render() {
    return html`<div>
  <input name="q" value="abc" hl-keydown="key" hl-key="Enter" hl-focus="focus" hl-blur="blur" hl-input="typing">
  <div hl-keyup="up"><span class="inside">any key</span></div>
  <form id="prefs" hl-submit="pick">
    <label><input type="radio" name="size" value="s" checked> S</label>
    <label><input type="radio" name="size" value="m"> M</label>
    <select name="tags" multiple><option value="a" selected>A</option><option value="b">B</option><option value="c" selected>C</option></select>
    <input type="checkbox" name="agree" value="yes">
    <input name="off" value="x" disabled>
  </form>
  <ol>${this.state.log.map((l) => html`<li>${l}</li>`)}</ol>
</div>`;
  }
}

s("keys: hl-key filters as in a browser (another key sends nothing); keyup bubbles; focus and blur are the element's own", async () => {
  const view = track(await live(Keys));
  await view.element("input[name=q]").keydown("a");
  await view.element("input[name=q]").keydown("Enter");
  await view.element("span.inside").keyup("x");
  await view.element("input[name=q]").focus();
  await view.element("input[name=q]").blur();
  await view.element("input[name=q]").input("abcd");
  assert.equal(view.state.log, ["key:Enter:abc", "up:x", "focus:abc", "blur", "input:q=abcd"]);
  const e = await rejection(view.element("span.inside").focus());
  assert.match(e.message, "has no hl-focus (focus and blur do not bubble");
  assert.match((await rejection(view.element("span.inside").keydown("a"))).message, "has no hl-keydown");
  assert.match((await rejection(view.element("div[hl-keyup]").change("x"))).message, "has no hl-change");
});

s("a form's radios, multiple select, checkbox and disabled field serialise as FormData does", async () => {
  const view = track(await live(Keys));
  assert.equal(view.form("#prefs").values(), { size: "s", tags: ["a", "c"] });
  await view.form("#prefs").submit({ size: "m", tags: ["b"], agree: true });
  assert.equal(view.state.log, ['pick:{"size":"m","tags":"b","agree":"yes"}']);
  assert.equal(view.form("#prefs").values(), { size: "m", tags: "b", agree: "yes" }, "what was set stays: the server did not change those fields");
  assert.match((await rejection(view.form("#prefs").submit({ size: "xl" }))).message, '"size" has no "xl" to pick (its values: s, m)');
  assert.match((await rejection(view.form("#prefs").submit({ size: ["s", "m"] }))).message, "a radio group: pick one value");
});

// ---------- streams ----------

class Feed extends Component<{ next: number }> {
  mount(): void {
    this.state.next = 1;
  }
  onPost(): void {
    streamInsert(this, "posts", [{ id: this.state.next, text: `post ${this.state.next}` }]);
    this.state.next += 1;
  }
  onDrop(p: { id: string }): void {
    streamDelete(this, "posts", Number(p.id));
  }
  render() {
    return html`<ul id="posts" hl-stream="posts">${stream(this, "posts", {
      key: (p: { id: number }) => p.id,
      render: (p: { id: number; text: string }, id: string) => html`<li id="${id}">${p.text} <button hl-click="drop" hl-value-id="${p.id}">x</button></li>`,
    })}</ul>`;
  }
}

s("a stream's items stay in the view's DOM across renders, as the browser keeps them", async () => {
  const view = track(await live(Feed));
  await view.event("post");
  await view.event("post");
  await view.event("post");
  assert.equal(view.find("#posts li").map((li) => li.textContent!.replace(" x", "")), ["post 1", "post 2", "post 3"]);
  await view.element("li:nth-child(2) button").click();
  assert.equal(view.find("#posts li").map((li) => li.textContent!.replace(" x", "")), ["post 1", "post 3"]);
  assert.not.match(view.html(), "<template", "operations are applied, not shown");
});

// ---------- closing ----------

s("close() leaves, closes the private app, and is idempotent; a closed view refuses actions", async () => {
  const view = await live(Counter);
  assert.is(view.app.stats().instances, 1);
  await view.close();
  await view.close();
  assert.is(view.app.stats().instances, 0);
  assert.ok(view.closed);
  assert.match(thrown(() => view.html()).message, "the view is closed");
});

s.run();

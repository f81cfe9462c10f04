// The browser client in real Chromium against a fake protocol-v1 server (a real `ws` WebSocket):
// bindings, loading states, morphing that spares the focused input, debounce, reconnect, hooks.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import * as esbuild from "esbuild";
import { chromium, type Browser, type Page } from "playwright-core";
import { needChromium, CHROMIUM_ARGS } from "../support/services.js";
import { fakeServer, type FakeServer, type Frame, type Conn } from "./fake-server.js";

const executablePath = needChromium();

const bundle = (await esbuild.build({
  entryPoints: ["client/browser.ts"], bundle: true, format: "iife", globalName: "Hotline", write: false, target: ["es2020"],
})).outputFiles[0]!.text;

const STATICS = {
  "1": [
    '<p id="n">', '</p><button id="inc" hl-click="inc" hl-value-by="2" hl-disable-with="Saving...">Add</button>' +
      '<input id="name" name="name" hl-input="typed" hl-debounce="150" value="', '"><span id="echo">', '</span><div id="hooked" hl-hook="Spy">', "</div>",
  ],
};
type S = { n: number; name: string; echo: string; hook: string };
const tree = (s: S) => [1, s.n, s.name, s.echo, s.hook];

const PAGE = `<!doctype html><html><head><meta name="hotline-url" content="/live"></head><body>
<div id="root" hl-component="form" hl-id="f1" hl-state="tok:5" hl-params='{"x":1}'><p id="n">5</p></div>
<script>
  window.hookLog = [];
  window.addEventListener("hotline:error", (e) => window.hookLog.push("error:" + e.detail.code));
</script>
<script src="/hotline.js"></script>
<script>
  Hotline.hooks.Spy = {
    mounted() { hookLog.push("mounted:" + this.el.textContent); },
    updated() { hookLog.push("updated:" + this.el.textContent); },
    handleEvent(event, payload) { hookLog.push("push:" + event + ":" + payload.x); this.pushEvent("fromHook", { y: 1 }); },
  };
</script></body></html>`;

/** A second page: forms, keys, window keys, throttle and a keyed list. */
const MORE_STATICS = {
  "5": [
    '<form id="f" hl-submit="save" hl-value-kind="x"><input name="a" value="1"><input name="t" value="x"><input name="t" value="y">' +
      '<button id="sb" hl-disable-with="Saving...">Go</button></form><input id="k" hl-keydown="enter" hl-key="Enter">' +
      '<div hl-window-keyup="esc" hl-key="Escape"></div><input id="th" name="th" hl-input="th" hl-throttle="300"><ul>', "</ul>",
  ],
  "6": ['<li id="', '">', "</li>"],
};
const MORE_PAGE = `<!doctype html><html><body>
<div id="root2" hl-component="more" hl-id="m1" hl-params='{"x":1}'></div>
<script src="/hotline.js"></script></body></html>`;

const EDITOR_PAGE = `<!doctype html><html><body><div id="eroot" hl-component="editor" hl-id="e1" hl-state="tok:1"></div>
<script src="/hotline.js"></script></body></html>`;

type Ctx = { srv: FakeServer; browser: Browser; page: Page; sessions: Map<string, S>; hold: boolean; held: (() => void)[] };
const ctx = {} as Ctx;

/** The fake "form" component: the server side of the page above. */
function serve(m: Frame, c: Conn): true {
  const send = (x: Frame) => c.send(x);
  if (m.t === "join" && m.name === "more") {
    send({ t: "ok", ref: m.ref, id: m.id, session: "more", html: "", p: MORE_STATICS, r: [5, { l: [[6, "a", "A"], [6, "b", "B"]] }] });
    return true;
  }
  if (m.id === "m1") {
    if (m.event === "prepend") send({ t: "patch", ref: m.ref, id: m.id, "0": { o: [-1, 1, 0], n: [[6, "z", "Z"]], u: { "2": { "1": "A2" } } } });
    else if (m.t === "event") send({ t: "patch", ref: m.ref, id: m.id });
    return true;
  }
  if (m.t === "join") {
    let session = m.session as string | undefined;
    if (session && !ctx.sessions.has(session)) { send({ t: "error", ref: m.ref, id: m.id, code: "bad_state", message: "unknown session" }); return true; }
    if (!session) {
      session = `s${ctx.sessions.size + 1}`;
      ctx.sessions.set(session, { n: Number(String(m.state).slice(4)), name: "", echo: "", hook: "h0" });
    }
    (c as any).session = session;
    send({ t: "ok", ref: m.ref, id: m.id, session, html: "(ignored: the tree wins)", p: STATICS, r: tree(ctx.sessions.get(session)!) });
    return true;
  }
  const s = ctx.sessions.get((c as any).session)!;
  if (m.t === "event") {
    const p = m.payload as any;
    const answer = () => {
      if (m.event === "inc") { s.n += Number(p.by); send({ t: "patch", ref: m.ref, id: m.id, "0": s.n }); }
      else if (m.event === "typed") { s.echo = p.value; send({ t: "patch", ref: m.ref, id: m.id, "2": s.echo }); }
      else send({ t: "patch", ref: m.ref, id: m.id });
    };
    if (ctx.hold) ctx.held.push(answer); else answer();
  }
  return true;
}

const test = suite("browser client");

test.before(async () => {
  ctx.srv = await fakeServer((req, res) => {
    if (req.url === "/more") res.writeHead(200, { "content-type": "text/html" }).end(MORE_PAGE);
    else if (req.url === "/editor") res.writeHead(200, { "content-type": "text/html" }).end(EDITOR_PAGE);
    else if (req.url === "/hotline.js") res.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
    else res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
  });
  ctx.srv.handle = serve;
  ctx.sessions = new Map();
  ctx.held = [];
  ctx.browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  ctx.page = await ctx.browser.newPage();
  ctx.page.setDefaultTimeout(5000);
  ctx.page.on("pageerror", (e) => console.error("pageerror", e));
  if (process.env.DEBUG) ctx.page.on("console", (m) => console.log("console:", m.text()));
  await ctx.page.goto(`http://127.0.0.1:${ctx.srv.port}/`);
  await ctx.page.waitForSelector("#root.hl-connected");
  if (process.env.DEBUG) console.log(await ctx.page.evaluate(() => document.body.innerHTML));
});
test.after(async () => {
  await ctx.browser?.close();
  await ctx.srv?.close();
});

const events = (name: string) => ctx.srv.received.filter((m) => m.t === "event" && m.event === name);
const text = (sel: string) => ctx.page.textContent(sel);

test("joins with its state token and renders the server's tree; hooks mount", async () => {
  const join = ctx.srv.received.find((m) => m.t === "join")!;
  assert.equal({ id: join.id, name: join.name, state: join.state }, { id: "f1", name: "form", state: "tok:5" });
  assert.is(await text("#n"), "5");
  assert.ok(await ctx.page.$("#inc"));
  assert.equal(await ctx.page.evaluate(() => (window as any).hookLog), ["mounted:h0"]);
});

test("click sends the event with hl-value-*; loading state while it awaits its answer", async () => {
  ctx.hold = true;
  await ctx.page.click("#inc");
  await ctx.srv.waitFor((m) => m.event === "inc");
  assert.equal(events("inc")[0]!.payload, { by: "2" });
  const during = await ctx.page.evaluate(() => {
    const b = document.getElementById("inc") as HTMLButtonElement;
    return { root: document.getElementById("root")!.classList.contains("hl-loading"), btn: b.classList.contains("hl-loading"), text: b.textContent, disabled: b.disabled };
  });
  assert.equal(during, { root: true, btn: true, text: "Saving...", disabled: true });
  ctx.hold = false;
  ctx.held.splice(0).forEach((f) => f());
  await ctx.page.waitForFunction(() => document.getElementById("n")!.textContent === "7");
  const after = await ctx.page.evaluate(() => {
    const b = document.getElementById("inc") as HTMLButtonElement;
    return { root: document.getElementById("root")!.className, btn: b.className, text: b.textContent, disabled: b.disabled };
  });
  assert.equal(after, { root: "hl-connected", btn: "", text: "Add", disabled: false });
});

test("debounced input sends once with the last value; the focused input keeps what the user typed", async () => {
  await ctx.page.click("#name");
  await ctx.page.keyboard.type("hello"); // back to back: a loaded machine must not open a 150 ms gap between keys
  await ctx.page.waitForFunction(() => document.getElementById("echo")!.textContent === "hello");
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(events("typed").map((m) => m.payload), [{ value: "hello", name: "name" }], "one event after the pause");
  // the server rewrites the input's value while the user is typing in it
  ctx.srv.conns.at(-1)!.send({ t: "patch", id: "f1", "1": "from server", "2": "echoed" });
  await ctx.page.waitForFunction(() => document.getElementById("echo")!.textContent === "echoed");
  assert.is(await ctx.page.inputValue("#name"), "hello");
  // once the input loses focus, server values apply again
  await ctx.page.click("#n");
  ctx.srv.conns.at(-1)!.send({ t: "patch", id: "f1", "1": "later" });
  await ctx.page.waitForFunction(() => (document.getElementById("name") as HTMLInputElement).value === "later");
});

test("server push reaches the hook's handleEvent; hook pushEvent sends; updated runs on patch", async () => {
  ctx.srv.conns.at(-1)!.send({ t: "push", id: "f1", event: "ping", payload: { x: 42 } });
  await ctx.srv.waitFor((m) => m.event === "fromHook");
  assert.equal(events("fromHook")[0]!.payload, { y: 1 });
  ctx.srv.conns.at(-1)!.send({ t: "patch", id: "f1", "3": "h1" });
  await ctx.page.waitForFunction(() => (window as any).hookLog.includes("updated:h1"));
  const log: string[] = await ctx.page.evaluate(() => (window as any).hookLog);
  assert.ok(log.includes("push:ping:42"));
});

test("error frames fire hotline:error on the root; one for an instance no longer on the page (a navigate overtook it) is dropped", async () => {
  const logged: string[] = [];
  const onConsole = (m: { type(): string; text(): string }) => m.type() === "error" && logged.push(m.text());
  ctx.page.on("console", onConsole);
  // sent first: had it been reported, its line would come before the one for f1
  ctx.srv.conns.at(-1)!.send({ t: "error", id: "gone:tile", code: "bad_state", message: "the parent is not joined" });
  ctx.srv.conns.at(-1)!.send({ t: "error", id: "f1", code: "handler_error", message: "boom" });
  await ctx.page.waitForFunction(() => (window as any).hookLog.includes("error:handler_error"));
  ctx.page.off("console", onConsole);
  assert.equal(logged, ["hotline: handler_error: boom"]);
  assert.not.ok((await ctx.page.evaluate(() => (window as any).hookLog as string[])).includes("error:bad_state"));
});

test("reconnect after the server drops the socket: rejoins with the session key, shows the server's state", async () => {
  const conn = ctx.srv.conns.at(-1)!;
  const session = (conn as any).session as string;
  ctx.srv.received.length = 0;
  // Changed on the server without a patch to this client (as while it was away): only the rejoin
  // can bring it. Set before the drop, since full jitter may rejoin at once.
  ctx.sessions.get(session)!.n = 100;
  assert.is.not(await ctx.page.$eval("#n", (e) => e.textContent), "100");
  conn.ws.terminate();
  await ctx.page.waitForSelector("#root.hl-disconnected");
  await ctx.page.waitForSelector("#root.hl-connected", { timeout: 5000 });
  const join = await ctx.srv.waitFor((m) => m.t === "join");
  assert.equal({ session: join.session, state: join.state }, { session, state: undefined });
  await ctx.page.waitForFunction(() => document.getElementById("n")!.textContent === "100");
  assert.not.ok(await ctx.page.$eval("#root", (e) => e.classList.contains("hl-disconnected")));
});

test("a session the server no longer knows falls back to the state token", async () => {
  ctx.sessions.clear();
  ctx.srv.received.length = 0;
  ctx.srv.conns.at(-1)!.ws.terminate();
  const fresh = await ctx.srv.waitFor((m) => m.t === "join" && m.state === "tok:5", 5000);
  assert.is(fresh.session, undefined);
  await ctx.page.waitForFunction(() => document.getElementById("n")!.textContent === "5");
});

test("a malformed patch makes the client rejoin and recover", async () => {
  ctx.srv.received.length = 0;
  ctx.srv.conns.at(-1)!.send({ t: "patch", id: "f1", "9": "no such slot" });
  const j = await ctx.srv.waitFor((m) => m.t === "join");
  assert.ok(j.session);
  assert.ok(ctx.srv.received.some((m) => m.t === "leave"), "leaves before joining again");
  await ctx.page.click("#inc");
  await ctx.page.waitForFunction(() => document.getElementById("n")!.textContent === "7");
});

test("second page: joins with hl-params; submit serialises the form (repeated names as arrays)", async () => {
  ctx.srv.received.length = 0;
  await ctx.page.goto(`http://127.0.0.1:${ctx.srv.port}/more`);
  await ctx.page.waitForSelector("#root2.hl-connected");
  const join = await ctx.srv.waitFor((m) => m.t === "join");
  assert.equal({ params: join.params, state: join.state }, { params: { x: 1 }, state: undefined });
  await ctx.page.click("#sb");
  const save = await ctx.srv.waitFor((m) => m.event === "save");
  assert.equal(save.payload, { a: "1", t: ["x", "y"], kind: "x" });
  assert.is(new URL(ctx.page.url()).pathname, "/more", "the form did not post");
});

test("hl-key filters keydown; hl-window-keyup listens on window", async () => {
  await ctx.page.click("#k");
  await ctx.page.keyboard.type("ab");
  await ctx.page.keyboard.press("Enter");
  const ev = await ctx.srv.waitFor((m) => m.event === "enter");
  assert.equal(ev.payload, { key: "Enter", value: "ab" });
  assert.is(events("enter").length, 1, "other keys were filtered out");
  await ctx.page.click("body");
  await ctx.page.keyboard.press("x");
  await ctx.page.keyboard.press("Escape");
  const esc = await ctx.srv.waitFor((m) => m.event === "esc");
  assert.equal(esc.payload, { key: "Escape" });
  assert.is(events("esc").length, 1);
});

test("hl-throttle: the first input goes at once, the rest at most once per period, ending with the last value", async () => {
  await ctx.page.click("#th");
  await ctx.page.keyboard.type("abcdef", { delay: 10 });
  await ctx.srv.waitFor((m) => m.event === "th" && (m.payload as any).value === "abcdef", 2000);
  const sent = events("th").map((m) => (m.payload as any).value);
  assert.is(sent[0], "a");
  assert.ok(sent.length <= 3, `throttled: ${sent.join(",")}`);
});

test("keyed list items keep their DOM identity across a move", async () => {
  await ctx.page.evaluate(() => ((document.getElementById("a") as any).marker = "kept"));
  await ctx.page.evaluate(() => (window as any).Hotline.send("m1", "prepend", {}));
  await ctx.page.waitForFunction(() => document.querySelectorAll("li").length === 3);
  assert.equal(await ctx.page.$$eval("li", (ls) => ls.map((l) => l.id + ":" + l.textContent)), ["z:Z", "b:B", "a:A2"]);
  assert.is(await ctx.page.evaluate(() => (document.getElementById("a") as any).marker), "kept");
});

test("a page with a state token joins with the token alone: its params travel signed inside it", async () => {
  await ctx.page.goto(`http://127.0.0.1:${ctx.srv.port}/`);
  await ctx.page.waitForSelector("#root.hl-connected");
  const joins = ctx.srv.received.filter((m) => m.t === "join" && m.id === "f1");
  assert.ok(joins.length > 0);
  for (const j of joins) assert.not.ok("params" in j, JSON.stringify(j));
  assert.ok(joins.some((j) => j.state === "tok:5"));
});

test("a refusal that names a redirect sends the page there", async () => {
  await ctx.page.goto(`http://127.0.0.1:${ctx.srv.port}/`);
  await ctx.page.waitForSelector("#root.hl-connected");
  ctx.srv.conns.at(-1)!.send({ t: "error", id: "f1", code: "unauthorized", message: "sign in first", details: { redirect: "/signin-here" } });
  await ctx.page.waitForURL(/\/signin-here$/);
});

test("a close for a sign-out (4001) reloads the page instead of reconnecting", async () => {
  await ctx.page.goto(`http://127.0.0.1:${ctx.srv.port}/`);
  await ctx.page.waitForSelector("#root.hl-connected");
  await ctx.page.evaluate(() => ((window as any).beforeSignOut = true));
  const reloaded = ctx.page.waitForEvent("load");
  ctx.srv.conns.at(-1)!.ws.close(4001, "signed out");
  await reloaded;
  assert.is(await ctx.page.evaluate(() => (window as any).beforeSignOut), undefined, "a new document");
});

test("a form stays based on the render the person saw while they type over a value that changed elsewhere (hl-basis)", async () => {
  const STATICS_E = { "9": ['<form id="ef" hl-submit="save"><input type="hidden" name="_version" hl-basis value="', '"><input id="cust" name="customer" value="', '"><button id="esave">Save</button></form>'] };
  ctx.srv.handle = (m, c) => {
    if (m.t === "join" && m.name === "editor") {
      c.send({ t: "ok", ref: m.ref, id: m.id, session: "ed", html: "", p: STATICS_E, r: [9, "1", "ada"] });
      return true;
    }
    if (m.t === "event" && m.id === "e1") {
      c.send({ t: "patch", ref: m.ref, id: m.id });
      return true;
    }
    return serve(m, c);
  };
  try {
    await ctx.page.goto(`http://127.0.0.1:${ctx.srv.port}/editor`);
    await ctx.page.waitForSelector("#cust");
    await ctx.page.click("#cust");
    await ctx.page.fill("#cust", "mine");
    // someone else saved: version 2, customer "theirs", while this person is still typing
    ctx.srv.conns.at(-1)!.send({ t: "patch", id: "e1", "0": "2", "1": "theirs" });
    await ctx.page.waitForFunction(() => (document.getElementById("cust") as HTMLInputElement).getAttribute("value") === "theirs");
    assert.is(await ctx.page.inputValue("#cust"), "mine", "what the person typed stays");
    ctx.srv.received.length = 0;
    await ctx.page.click("#esave");
    const save = await ctx.srv.waitFor((m) => m.t === "event" && m.event === "save");
    assert.equal(save.payload, { _version: "1", customer: "mine" }, "the save says which render the person saw");
    // once submitted, later renders update the basis again
    ctx.srv.conns.at(-1)!.send({ t: "patch", id: "e1", "0": "3" });
    await ctx.page.waitForFunction(() => (document.querySelector("[name=_version]") as HTMLInputElement).value === "3");
  } finally {
    ctx.srv.handle = serve;
  }
});

test.run();

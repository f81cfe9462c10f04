// The browser client's offline queue (client/offline.ts) in real Chromium against the fake
// protocol-v1 server, which decides when each rejoin is answered: held events wait for their own
// view's ok and go out in their original order across views; a refused rejoin drops its view's
// events and unblocks the others; an event older than 30 s is dropped; an input typed into
// offline holds one event with its last value; an event in flight when the socket drops is not
// replayed. Each drop resolves null and fires hotline:error with code "closed".
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

// two counters (a, b) and a search box (s) whose hl-input sends "search"
const PAGE = `<!doctype html><html><body>
<div hl-component="counter" hl-id="a" hl-params='{"start":0}'></div>
<div hl-component="counter" hl-id="b" hl-params='{"start":0}'></div>
<div hl-component="search" hl-id="s"></div>
<script>window.lost = []; addEventListener("hotline:error", (e) => lost.push(e.detail.code + ":" + e.detail.message));</script>
<script src="/hotline.js"></script></body></html>`;
const SEARCH = { "1": ['<input id="q" name="q" hl-input="search" value="', '">'] };
// a parent with a form (hl-change="pv") around a child with its own (hl-change="kv")
const NESTED = `<!doctype html><html><body>
<div hl-component="notes" hl-id="n" hl-state="tok"><div hl-component="note" hl-id="n:kid" hl-state="tok"></div></div>
<script src="/hotline.js"></script></body></html>`;
const NOTES = { "2": ['<form id="pf" hl-change="pv"><input id="pt" name="t" value="', '"></form><div hl-component="note" hl-id="n:kid" hl-state="tok"></div>'] };
const NOTE = { "3": ['<form id="kf" hl-change="kv"><input id="kt" name="t" value="', '"></form>'] };

type Ctx = {
  srv: FakeServer; browser: Browser; page: Page; counts: Record<string, number>;
  holdJoins: boolean; held: Map<string, () => void>; refuse: Set<string>; quiet: Set<string>; lostSessions: boolean;
};
const ctx = { held: new Map(), refuse: new Set(), quiet: new Set() } as unknown as Ctx;

/** Two counters and a search box. Joins wait while holdJoins (answered by release(id)); ids in refuse get an error. */
function serve(m: Frame, c: Conn): boolean {
  const id = m.id!;
  if (m.t === "join") {
    const answer = () => {
      if (ctx.lostSessions && m.session) c.send({ t: "error", ref: m.ref, id, code: "bad_state", message: "unknown session" });
      else if (m.name === "notes") c.send({ t: "ok", ref: m.ref, id, session: id, html: "", p: NOTES, r: [2, ""] });
      else if (m.name === "note") c.send({ t: "ok", ref: m.ref, id, session: id, html: "", p: NOTE, r: [3, ""] });
      else if (ctx.refuse.has(id)) c.send({ t: "error", ref: m.ref, id, code: "unauthorized", message: "no" });
      else if (m.name === "search") c.send({ t: "ok", ref: m.ref, id, session: id, html: "", p: SEARCH, r: [1, ""] });
      else c.send({ t: "ok", ref: m.ref, id, session: id, html: "", p: { "1": ["<b>", "</b>"] }, r: [1, (ctx.counts[id] ??= 0)] });
    };
    if (ctx.holdJoins) ctx.held.set(id, answer);
    else answer();
  } else if (m.t === "event" && !ctx.quiet.has(m.event as string)) {
    if (m.event === "inc") c.send({ t: "patch", ref: m.ref, id, "0": (ctx.counts[id] = (ctx.counts[id] ?? 0) + Number((m.payload as any).by)) });
    else c.send({ t: "patch", ref: m.ref, id });
  }
  return true;
}

const release = (id: string) => {
  const f = ctx.held.get(id);
  ctx.held.delete(id);
  f?.();
};

const test = suite("offline queue");

test.before(async () => {
  ctx.srv = await fakeServer((req, res) => {
    if (req.url === "/hotline.js") res.writeHead(200, { "content-type": "text/javascript" }).end(bundle);
    else if (req.url === "/nested") res.writeHead(200, { "content-type": "text/html" }).end(NESTED);
    else res.writeHead(200, { "content-type": "text/html" }).end(PAGE);
  });
  ctx.srv.handle = serve;
  ctx.browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
});
test.after(async () => {
  await ctx.browser?.close();
  await ctx.srv?.close();
});

test.before.each(async () => {
  ctx.holdJoins = false;
  ctx.held.clear();
  ctx.refuse.clear();
  ctx.quiet.clear();
  ctx.counts = {};
  ctx.lostSessions = false;
  ctx.page = await ctx.browser.newPage();
  ctx.page.setDefaultTimeout(10_000);
  await ctx.page.goto(`http://127.0.0.1:${ctx.srv.port}/`);
  await ctx.page.waitForFunction(() => document.querySelectorAll("[hl-component].hl-connected").length === 3);
  ctx.srv.received.length = 0;
});

test.after.each(async () => {
  await ctx.page.close();
});

/** Drops the page's socket with joins held: the page reconnects and waits for release(). */
async function drop(): Promise<void> {
  ctx.holdJoins = true;
  const n = ctx.srv.conns.length;
  ctx.srv.conns.at(-1)!.ws.terminate();
  await ctx.page.waitForSelector('[hl-id="a"].hl-disconnected');
  const end = Date.now() + 10_000;
  while (ctx.held.size < 3 || ctx.srv.conns.length === n) {
    if (Date.now() > end) throw new Error("the page did not reconnect");
    await new Promise((r) => setTimeout(r, 20));
  }
}

const send = (id: string, event: string, payload: object = {}) =>
  ctx.page.evaluate(([id, event, payload]) => { (window as any).answers ??= []; void (window as any).Hotline.send(id, event, payload).then((a: any) => (window as any).answers.push(a && a.t)); }, [id, event, payload] as const);
const sent = () => ctx.srv.received.filter((m) => m.t === "event").map((m) => `${m.id}:${m.event}:${JSON.stringify(m.payload)}`);
const lost = () => ctx.page.evaluate(() => (window as any).lost as string[]);
const settle = () => new Promise((r) => setTimeout(r, 300));

test("held events wait for their own view's rejoin and go out in their original order across views", async () => {
  await drop();
  await send("a", "inc", { by: 1 });
  await send("b", "inc", { by: 2 });
  await send("a", "inc", { by: 3 });
  assert.ok(await ctx.page.$eval('[hl-id="a"]', (r) => r.classList.contains("hl-loading")), "a held event marks its root hl-loading");
  release("b");
  await ctx.page.waitForSelector('[hl-id="b"].hl-connected');
  await settle();
  assert.equal(sent(), [], "b's event waits behind a's first one: a has not rejoined");
  release("a");
  await ctx.page.waitForFunction(() => document.querySelector('[hl-id="a"]')!.textContent === "4");
  assert.equal(sent(), ['a:inc:{"by":1}', 'b:inc:{"by":2}', 'a:inc:{"by":3}']);
  assert.equal(await lost(), []);
  release("s");
});

test("a refused rejoin drops its view's events (hotline:error closed) and lets the others go", async () => {
  await drop();
  await send("a", "inc", { by: 1 });
  await send("b", "inc", { by: 2 });
  await send("a", "inc", { by: 3 });
  release("b");
  ctx.refuse.add("a");
  release("a");
  await ctx.srv.waitFor((m) => m.t === "event");
  await settle();
  assert.equal(sent(), ['b:inc:{"by":2}']);
  // the refusal's own error, and one per dropped event
  assert.equal((await lost()).sort(), ["closed:inc", "closed:inc", "unauthorized:no"]);
  assert.not.ok(await ctx.page.$eval('[hl-id="a"]', (r) => r.classList.contains("hl-loading")), "the dropped events' loading marks are gone");
  release("s");
});

test("an event held longer than 30 s is dropped, not replayed", async () => {
  const t0 = Date.now();
  await ctx.page.clock.setFixedTime(t0);
  await drop();
  await send("a", "inc", { by: 1 });
  await ctx.page.clock.setFixedTime(t0 + 31_000);
  await send("b", "inc", { by: 2 }); // young: goes out
  release("a");
  release("b");
  await ctx.srv.waitFor((m) => m.t === "event");
  await settle();
  assert.equal(sent(), ['b:inc:{"by":2}']);
  assert.equal(await lost(), ["closed:inc"]);
  release("s");
});

test("typing into an hl-input field while offline holds one event, with the last value", async () => {
  await drop();
  await ctx.page.click("#q");
  await ctx.page.keyboard.type("hello");
  assert.ok(await ctx.page.$eval("#q", (q) => q.classList.contains("hl-loading")), "the field's held event marks it");
  release("a");
  release("b");
  release("s");
  await ctx.srv.waitFor((m) => m.t === "event");
  await settle();
  assert.equal(sent(), ['s:search:{"value":"hello","name":"q"}']);
  assert.equal(await lost(), [], "a replaced event is not reported lost");
  assert.is(await ctx.page.inputValue("#q"), "hello");
});

test("an event in flight when the socket drops is not replayed: it resolves null and fires hotline:error", async () => {
  ctx.quiet.add("slow");
  await send("a", "slow");
  await ctx.srv.waitFor((m) => m.event === "slow");
  await drop();
  assert.equal(await lost(), ["closed:slow"]);
  assert.equal(await ctx.page.evaluate(() => (window as any).answers), [null]);
  ctx.srv.received.length = 0;
  release("a");
  release("b");
  release("s");
  await ctx.page.waitForFunction(() => document.querySelectorAll("[hl-component].hl-connected").length === 3);
  await settle();
  assert.equal(sent(), [], "not sent again");
});

test("onto a fresh state, each form recovers with its own component (a child's with the child), once", async () => {
  const page = await ctx.browser.newPage();
  await page.goto(`http://127.0.0.1:${ctx.srv.port}/nested`);
  await page.waitForFunction(() => document.querySelectorAll("[hl-component].hl-connected").length === 2);
  await page.fill("#pt", "parent text");
  await page.fill("#kt", "child text");
  await ctx.srv.waitFor((m) => m.event === "pv"); // the blur of #pt
  ctx.srv.received.length = 0;
  ctx.lostSessions = true; // the server lost every session: both rejoin from their tokens
  ctx.srv.conns.at(-1)!.ws.terminate();
  await page.waitForSelector('[hl-id="n"].hl-disconnected');
  await page.waitForFunction(() => document.querySelectorAll("[hl-component].hl-connected").length === 2);
  await ctx.srv.waitFor((m) => m.event === "kv");
  await settle();
  const events = ctx.srv.received.filter((m) => m.t === "event").map((m) => `${m.id}:${m.event}:${JSON.stringify(m.payload)}`);
  assert.equal(events.sort(), ['n:kid:kv:{"t":"child text"}', 'n:pv:{"t":"parent text"}']);
  assert.is(await page.inputValue("#pt"), "parent text", "the rejoin's render kept what was typed");
  assert.is(await page.inputValue("#kt"), "child text");
  await page.close();
});

test.run();

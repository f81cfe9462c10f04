// Nothing typed or clicked is lost across a server restart, in real Chromium, with an app of its own
// (createHotline + node:http in this process). A "restart" closes the server and starts a new one on
// the SAME port: with a new MemoryStore (the old states are lost: the client rejoins from the page's
// token onto a fresh state) or with the same store (the client resumes its session). Clicks made
// while the server is down wait on the page (hl-loading) and run exactly once after the rejoin, in
// order across components; a typed form is recovered into a fresh server state (a resumed one
// gets the held change events) and still shows;
// a hostile page clicking thousands of times while offline gets at most 50 events held.
import { createServer, type Server } from "node:http";
import type { Browser, Page } from "playwright-core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { MemoryStore } from "../../server/core/memory-store.js";
import type { StateStore } from "../../server/core/store.js";
import { html } from "../../server/core/template/template.js";
import { createHotline, type Hotline } from "../../server/hotline.js";
import { connected, freePort, launch, watchErrors } from "./support.js";

/** What the running server's handlers did, in order (reset at each start). */
let log: string[] = [];

class Tally extends Component<{ name: string; n: number }, { name: string }> {
  mount() {
    this.state.name = this.params.name;
    this.state.n = 0;
  }
  onInc() {
    this.state.n++;
    log.push(`${this.state.name}:inc`);
  }
  onMark(p: { v?: string }) {
    log.push(`${this.state.name}:${p.v}`);
  }
  render() {
    const { name, n } = this.state;
    return html`<p class="n">${name}=${n}</p><button class="inc" hl-click="inc">+</button>
<button class="m1" hl-click="mark" hl-value-v="1">1</button><button class="m2" hl-click="mark" hl-value-v="2">2</button>`;
  }
}

class Signup extends Component<{ name: string; email: string; saved: string }> {
  mount() {
    this.state.name = "";
    this.state.email = "";
    this.state.saved = "";
  }
  onValidate(p: { name?: string; email?: string }) {
    this.state.name = String(p.name ?? "");
    this.state.email = String(p.email ?? "");
    log.push(`validate:${this.state.name}|${this.state.email}`);
  }
  onOther() {
    log.push("other");
  }
  onSave(p: { name?: string; email?: string }) {
    this.state.saved = `${p.name}|${p.email}`;
    log.push(`save:${this.state.saved}`);
  }
  render() {
    const { name, email, saved } = this.state;
    return html`<form id="f" hl-change="validate" hl-submit="save">
<input id="name" name="name" value="${name}"><input id="email" name="email" value="${email}">
<button id="save">Save</button></form><p id="echo">${name}|${email}</p><p id="saved">${saved}</p>
<form id="plain" hl-change="other" hl-recover="ignore"><input id="other" name="name"></form>`;
  }
}

const registry = new Registry();
registry.register("tally", Tally);
registry.register("signup", Signup);
const SECRET = "reconnect-input-e2e-secret-0123456789";

type App = { hotline: Hotline; server: Server; close(): Promise<void> };

/** The app on `port` over `store`: a page with two tallies and the signup form. */
async function start(port: number, store: StateStore): Promise<App> {
  log = [];
  const hotline = createHotline({ registry, secret: SECRET, store, dev: false, logger: { error() {} } });
  const server = createServer(async (req, res) => {
    if (req.url === "/favicon.ico") return void res.writeHead(204).end();
    if (req.url !== "/") return void hotline.handler(req, res);
    const embeds = await Promise.all([
      hotline.live("tally", { name: "A" }, { id: "a" }),
      hotline.live("tally", { name: "B" }, { id: "b" }),
      hotline.live("signup", {}, { id: "s" }),
    ]);
    res.writeHead(200, { "Content-Type": "text/html; charset=utf-8" });
    res.end(`<!doctype html><html><body>${embeds.join("")}
<script>window.lost = []; addEventListener("hotline:error", (e) => lost.push(e.detail.code + ":" + e.detail.message));</script>
<script src="/hotline.js"></script></body></html>`);
  });
  hotline.attach(server);
  await new Promise<void>((r) => server.listen(port, "127.0.0.1", r));
  return {
    hotline,
    server,
    async close() {
      await hotline.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

let browser: Browser;
const apps = new Set<App>();

test.before(async () => {
  browser = await launch();
});

test.after(async () => {
  for (const a of apps) await a.close();
  await browser?.close();
});

/** A page on a running app, joined. */
async function open(store: StateStore): Promise<{ page: Page; port: number; app: App; errors: string[] }> {
  const port = await freePort();
  const app = await start(port, store);
  apps.add(app);
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await page.goto(`http://127.0.0.1:${port}/`);
  await connected(page);
  return { page, port, app, errors };
}

/** Stops `app`; resolves once every root of the page says it is disconnected. */
async function down(page: Page, app: App): Promise<void> {
  await app.close();
  apps.delete(app);
  await page.waitForFunction(() => [...document.querySelectorAll("[hl-component]")].every((r) => r.classList.contains("hl-disconnected")), undefined, { timeout: 10_000 });
}

/** Starts the app again on the same port; resolves once the page has rejoined. */
async function up(page: Page, port: number, store: StateStore): Promise<App> {
  const app = await start(port, store);
  apps.add(app);
  // the page's backoff may have grown to several seconds while the server was down
  await page.waitForFunction(() => [...document.querySelectorAll("[hl-component]")].every((r) => r.classList.contains("hl-connected")), undefined, { timeout: 30_000 });
  return app;
}

const text = async (page: Page, sel: string) => ((await page.textContent(sel)) ?? "").trim();
const root = (id: string) => `[hl-id="${id}"]`;

/** Resolves once the server's log has `n` entries (they come in after the rejoin's answer). */
async function logLength(n: number): Promise<void> {
  const end = Date.now() + 15_000;
  while (log.length < n) {
    if (Date.now() > end) throw new Error(`log: ${JSON.stringify(log)}, waited for ${n} entries`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The page's errors besides the socket's own drop and the refused reconnects. */
const unexpected = (errors: string[]) => errors.filter((e) => !/WebSocket|ERR_CONNECTION_REFUSED|net::/i.test(e));

for (const mode of ["fresh state (the store is lost)", "resumed session (the store survives)"] as const) {
  const fresh = mode.startsWith("fresh");
  const storeFor = (old: StateStore) => (fresh ? new MemoryStore() : old);

  test(`${mode}: a click made while the server is down runs exactly once after the rejoin`, async () => {
    const store = new MemoryStore();
    const { page, port, app, errors } = await open(store);
    await page.click(`${root("a")} .inc`);
    await page.waitForFunction(() => document.querySelector('[hl-id="a"] .n')?.textContent === "A=1");

    await down(page, app);
    await page.click(`${root("a")} .inc`);
    // held, not dropped: the button (and the root) show it waits
    assert.ok(await page.$eval(`${root("a")} .inc`, (b) => b.classList.contains("hl-loading")), "the held click is marked hl-loading");
    assert.is(await text(page, `${root("a")} .n`), "A=1");

    await up(page, port, storeFor(store));
    // fresh: the token's state (0) plus the replayed click; resumed: 1 + 1
    const want = fresh ? "A=1" : "A=2";
    await page.waitForFunction((w) => document.querySelector('[hl-id="a"] .n')?.textContent === w && !document.querySelector('[hl-id="a"] .inc.hl-loading'), want, { timeout: 15_000 });
    await logLength(1);
    await new Promise((r) => setTimeout(r, 500)); // a second replay would have come by now
    // (on a fresh state the untouched form recovers too: validate:|)
    assert.equal(log.filter((l) => l.startsWith("A:")), ["A:inc"], "the new server ran the held click exactly once");
    assert.equal(log.length, fresh ? 2 : 1, JSON.stringify(log));
    assert.equal(await page.evaluate(() => (window as any).lost), [], "nothing was reported lost");
    assert.equal(unexpected(errors), []);
    await page.close();
  });

  test(`${mode}: held events run in the order they were made, across components`, async () => {
    const store = new MemoryStore();
    const { page, port, app, errors } = await open(store);
    await down(page, app);
    await page.click(`${root("a")} .m1`);
    await page.click(`${root("b")} .m1`);
    await page.click(`${root("a")} .m2`);
    await page.click(`${root("b")} .inc`);
    await page.click(`${root("a")} .inc`);
    await page.click(`${root("b")} .m2`);
    await up(page, port, storeFor(store));
    await logLength(6);
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(log.filter((l) => /^[AB]:/.test(l)), ["A:1", "B:1", "A:2", "B:inc", "A:inc", "B:2"]);
    await page.waitForFunction(() => document.querySelector('[hl-id="b"] .n')?.textContent === "B=1");
    assert.equal(unexpected(errors), []);
    await page.close();
  });

  test(`${mode}: a typed form survives the restart: recovered into the new state, still shown`, async () => {
    const store = new MemoryStore();
    const { page, port, app, errors } = await open(store);
    // acknowledged by the first server: a change event, rendered back as the input's value
    await page.fill("#name", "Ada");
    await page.press("#name", "Tab");
    await page.waitForFunction(() => document.querySelector("#echo")?.textContent === "Ada|");
    assert.equal(log, ["validate:Ada|"]);

    await down(page, app);
    // typed while the server is down: no change event yet (the field keeps the focus)
    await page.fill("#name", "Ada L");
    await page.fill("#other", "not recovered");
    await page.focus("#email");
    await page.keyboard.type("ada@example.com");

    await up(page, port, storeFor(store));
    if (fresh) {
      await page.waitForFunction(() => document.querySelector("#echo")?.textContent === "Ada L|ada@example.com", undefined, { timeout: 15_000 });
      await logLength(3);
      // the change events the blurs made while offline (their payloads as they were then), then
      // the recovery of #f with the whole form as it is now; none for the form that opts out
      assert.equal(log, ["validate:Ada L|", "other", "validate:Ada L|ada@example.com"]);
    } else {
      // the session holds what the first server had; the held change events bring the rest, and
      // what is still being typed goes on the next change, as online (no recovery is needed)
      await page.waitForFunction(() => document.querySelector("#echo")?.textContent === "Ada L|", undefined, { timeout: 15_000 });
      await logLength(2);
      assert.equal(log, ["validate:Ada L|", "other"]);
      assert.is(await page.inputValue("#email"), "ada@example.com", "the rejoin's render kept what is being typed");
      await page.press("#email", "Tab");
      await page.waitForFunction(() => document.querySelector("#echo")?.textContent === "Ada L|ada@example.com");
    }
    assert.is(await page.inputValue("#name"), "Ada L", "the input still shows what was typed");
    assert.is(await page.inputValue("#email"), "ada@example.com");
    assert.is(await page.getAttribute("#name", "value"), "Ada L", "the server's render holds it too");
    assert.is(await page.getAttribute("#email", "value"), "ada@example.com");
    assert.is(await page.inputValue("#other"), "not recovered", "a form that opts out still keeps what was typed");

    // the form goes on working against the new server
    await page.click("#save");
    await page.waitForFunction(() => document.querySelector("#saved")?.textContent === "Ada L|ada@example.com");
    assert.equal(unexpected(errors), []);
    await page.close();
  });
}

test("a submit made while the server is down runs once, with what was typed (fresh state)", async () => {
  const store = new MemoryStore();
  const { page, port, app, errors } = await open(store);
  await down(page, app);
  await page.fill("#name", "Grace");
  await page.fill("#email", "grace@example.com");
  await page.click("#save");
  await up(page, port, new MemoryStore());
  await page.waitForFunction(() => document.querySelector("#saved")?.textContent === "Grace|grace@example.com", undefined, { timeout: 15_000 });
  await logLength(3);
  // in the order made: the change events of the two blurs (one held: the second carries the
  // whole form as it was then), the submit; then the form's recovery onto the fresh state
  assert.equal(log, ["validate:Grace|grace@example.com", "save:Grace|grace@example.com", "validate:Grace|grace@example.com"]);
  assert.is(await page.textContent("#echo"), "Grace|grace@example.com");
  assert.is(await page.inputValue("#name"), "Grace");
  assert.equal(unexpected(errors), []);
  await page.close();
});

test("hostile: thousands of clicks while offline hold at most 50 events; the rest are reported lost", async () => {
  const store = new MemoryStore();
  const { page, port, app } = await open(store);
  await down(page, app);
  const clicks = 3000;
  await page.evaluate((n) => {
    const b = document.querySelector<HTMLButtonElement>('[hl-id="a"] .inc')!;
    for (let i = 0; i < n; i++) b.click();
  }, clicks);
  const lost = await page.evaluate(() => (window as any).lost as string[]);
  assert.is(lost.length, clicks - 50, "every refused click fires hotline:error");
  assert.ok(lost.every((l) => l === "closed:inc"), lost[0]);

  await up(page, port, store);
  await page.waitForFunction(() => document.querySelector('[hl-id="a"] .n')?.textContent === "A=50", undefined, { timeout: 20_000 });
  await new Promise((r) => setTimeout(r, 500));
  assert.is(log.length, 50, "the server ran exactly the 50 held clicks");
  await page.close();
});

test.run();

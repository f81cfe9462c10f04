// Two people signed in side by side in real Chromium (two browser contexts: two cookie jars), on
// the demo: each edits only their own orders and sees the other's read-only (a save forced over the
// page's WebSocket or over HTTP is refused and changes nothing); both share the board, with authors;
// signing out in one tab closes that person's live components in every tab, and nobody else's.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { BrowserContext, Page } from "playwright-core";
import type { ModelAdapter } from "hotline";
import { connected, demoInChromium, signedInContext, watchErrors } from "./support.js";
import { add, input, item } from "./board-page.js";
import { TestClient } from "../support/ws-client.js";

const ctx = demoInChromium(test);
let ada: BrowserContext;
let grace: BrowserContext;

test.before(async () => {
  ada = await signedInContext(ctx.browser, ctx.demo.url, "Ada");
  grace = await signedInContext(ctx.browser, ctx.demo.url, "Grace");
});

const orders = () => ctx.demo.hotline.context.component.services!.orders as ModelAdapter;
const editor = (p: Page) => p.locator('[hl-component="order_editor"]');

async function open(context: BrowserContext, path: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(ctx.demo.url + path);
  await connected(page);
  return page;
}

/** Asks the page's own client to send `event` to the editor, as a script in the page could. */
function forceFromPage(page: Page, event: string, payload: Record<string, unknown>): Promise<{ code?: string } | null> {
  return page.evaluate(([event, payload]) => {
    const id = document.querySelector('[hl-component="order_editor"]')!.getAttribute("hl-id")!;
    return (window as any).Hotline.send(id, event, payload);
  }, [event, payload] as const);
}

test("an anonymous visitor sees the sign-in page only; a join without a user is refused with where to sign in", async () => {
  const anon = await ctx.browser.newContext();
  const page = await anon.newPage();
  for (const path of ["/", "/orders?pk=1", "/board", "/counter"]) {
    await page.goto(ctx.demo.url + path);
    assert.is(new URL(page.url()).pathname, "/signin", `${path} sends to the sign-in page`);
    assert.is(await page.locator("[hl-component]").count(), 0, "no live component for an anonymous visitor");
  }
  const ws = await TestClient.open(ctx.demo.url.replace("http", "ws") + "/live");
  const refused = await ws.join("b", "board");
  assert.is(refused.code, "unauthorized");
  assert.equal(refused.details, { redirect: "/signin" });
  ws.close();
  // signing in comes back to the page asked for
  await page.goto(`${ctx.demo.url}/orders?pk=2`);
  await page.getByLabel("Your name").fill("Visitor");
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL((u) => u.pathname === "/orders" && u.search === "?pk=2");
  await connected(page);
  assert.match(await page.locator(".who").textContent() ?? "", "Signed in as Visitor");
  await anon.close();
});

test("each edits only their own orders and sees the other's read-only, updated live", async () => {
  const adaOwn = await open(ada, "/orders?pk=1");
  const graceViews = await open(grace, "/orders?pk=1");
  const errors = [adaOwn, graceViews].map(watchErrors);
  assert.match(await adaOwn.locator(".who").textContent() ?? "", "Signed in as Ada");
  assert.match(await graceViews.locator(".who").textContent() ?? "", "Signed in as Grace");

  // Ada owns order 1: the form is live for her
  assert.is(await editor(adaOwn).locator(".read-only-note").count(), 0);
  assert.ok(await editor(adaOwn).locator("input[name=customer]").isEnabled());
  assert.ok(await editor(adaOwn).getByRole("button", { name: "Save" }).isVisible());
  // Grace sees it read-only: who owns it, disabled controls, no Save
  assert.match(await editor(graceViews).locator(".read-only-note").textContent() ?? "", "Owned by ada: read-only");
  assert.ok(await editor(graceViews).locator("input[name=customer]").isDisabled());
  assert.ok(await editor(graceViews).locator("select[name=status]").isDisabled());
  assert.not.ok(await editor(graceViews).getByRole("button", { name: "Save" }).isVisible());

  // Ada saves; Grace's read-only view follows
  await editor(adaOwn).locator("input[name=customer]").fill("Ada King");
  await editor(adaOwn).getByRole("button", { name: "Save" }).click();
  await editor(adaOwn).getByText("Saved.").waitFor({ timeout: 5000 });
  await graceViews.waitForFunction(() => (document.querySelector('[hl-component="order_editor"] input[name=customer]') as HTMLInputElement).value === "Ada King", undefined, { timeout: 5000 });
  assert.is((await orders().get(1))!.customer, "Ada King");

  // and the other way round: Grace owns order 2
  const graceOwn = await open(grace, "/orders?pk=2");
  const adaViews = await open(ada, "/orders?pk=2");
  assert.match(await editor(adaViews).locator(".read-only-note").textContent() ?? "", "Owned by grace: read-only");
  await editor(graceOwn).locator("select[name=status]").selectOption("shipped");
  await editor(graceOwn).getByRole("button", { name: "Save" }).click();
  await editor(graceOwn).getByText("Saved.").waitFor({ timeout: 5000 });
  assert.is((await orders().get(2))!.status, "shipped");
  await adaViews.waitForFunction(() => (document.querySelector('[hl-component="order_editor"] select[name=status]') as HTMLSelectElement).value === "shipped", undefined, { timeout: 5000 });

  assert.equal(errors.flat(), []);
  for (const p of [adaOwn, graceViews, graceOwn, adaViews]) await p.close();
});

test("a save of another's order forced over the page's WebSocket or over HTTP is refused and changes nothing", async () => {
  const page = await open(grace, "/orders?pk=1");
  const before = await orders().get(1);
  // through the page's own client: the server refuses, whatever the page shows
  const ws = await forceFromPage(page, "save", { customer: "Grace was here" });
  assert.is(ws?.code, "unauthorized");
  const bind = await forceFromPage(page, "bind", { name: "customer", value: "Grace was here" });
  assert.is(bind?.code, "unauthorized");
  // over HTTP, with Grace's cookie and the token of her page's editor (JSON and htmx)
  const state = await editor(page).getAttribute("hl-state");
  for (const headers of [{}, { "hx-request": "true" }] as Record<string, string>[]) {
    const r = await page.request.post(`${ctx.demo.url}/components/order_editor`, {
      headers: { "content-type": "application/json", origin: ctx.demo.url, ...headers },
      data: JSON.stringify({ state, event: "save", payload: { customer: "Grace was here" } }),
    });
    assert.is(r.status(), 403, await r.text());
  }
  assert.equal(await orders().get(1), before, "nothing changed");
  // a client may not pick the order itself either
  const chosen = await page.evaluate(() => new Promise<unknown>((resolve) => {
    const ws = new WebSocket(location.origin.replace("http", "ws") + "/live");
    ws.onopen = () => ws.send(JSON.stringify({ t: "join", ref: 1, id: "x", name: "order_editor", params: { pk: 1 } }));
    ws.onmessage = (e) => { resolve(JSON.parse(e.data)); ws.close(); };
  }));
  assert.is((chosen as { code?: string }).code, "bad_message");
  await page.close();
});

test("both see the shared board, with who added each item", async () => {
  const a = await open(ada, "/board");
  const g = await open(grace, "/board");
  await add(a, "Tea from Ada");
  await add(g, "Cake from Grace");
  for (const p of [a, g]) {
    await item(p, "Cake from Grace").waitFor({ timeout: 5000 });
    assert.match(await item(p, "Tea from Ada").locator(".board-author").textContent() ?? "", "added by Ada");
    assert.match(await item(p, "Cake from Grace").locator(".board-author").textContent() ?? "", "added by Grace");
  }
  await a.close();
  await g.close();
});

test("signing out in one tab closes that person's live components in every tab; the other person's stay", async () => {
  const adaBoard = await open(ada, "/board");
  const adaCounter = await open(ada, "/counter");
  const graceBoard = await open(grace, "/board");
  assert.match(await adaCounter.locator(".counter-owner").textContent() ?? "", "Ada's counter");
  await adaCounter.getByRole("button", { name: "Increment" }).click();
  await adaCounter.getByText("Count: 1").waitFor({ timeout: 5000 });
  const graceSockets: string[] = [];
  graceBoard.on("websocket", (ws) => graceSockets.push(ws.url()));

  await adaBoard.getByRole("button", { name: "Sign out" }).click();
  await adaBoard.waitForURL((u) => u.pathname === "/signin", { timeout: 10_000 });
  // Ada's other tab was closed by the server (4001) and reloaded: the sign-in page
  await adaCounter.waitForURL((u) => u.pathname === "/signin", { timeout: 10_000 });
  assert.is(await adaCounter.locator("[hl-component]").count(), 0);
  assert.ok(await adaCounter.getByLabel("Your name").isVisible());

  // Grace's tab is untouched: the same socket, still live
  assert.ok(await graceBoard.locator('[hl-component="board_page"]').evaluate((e) => e.classList.contains("hl-connected")));
  assert.equal(graceSockets, [], "no reconnect");
  await add(graceBoard, "Still here");
  assert.is(await input(graceBoard).inputValue(), "");
  for (const p of [adaBoard, adaCounter, graceBoard]) await p.close();
});

test.run();

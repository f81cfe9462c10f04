// The demo as one live app, in Chromium: its pages walked by the header's links keep one WebSocket
// and never reload (the header follows: the current link, the title); the orders page's filter and
// "Open" links patch the URL in place (same instance, back and forward restore the list); a save in
// the editor child reaches the page as a flash; a reload of a patched URL shows the same view.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Page } from "playwright-core";
import { RagQuery } from "../../components/rag-query.js";
import { pages } from "../../demo/pages/index.js";
import { connected, demoInChromium, signedInContext, watchErrors } from "./support.js";

RagQuery.stageDelayMs = 30;
const ctx = demoInChromium(test);

/**
 * Resolves once the page slot holds one joined page root whose heading starts with `heading`. (A
 * root that a navigate brought in carries no component name: its join named none, only the URL.)
 */
function pageShown(page: Page, heading: string): Promise<unknown> {
  return page.waitForFunction((h) => {
    const roots = document.querySelectorAll("[hl-page] > [hl-component]");
    return roots.length === 1 && roots[0]!.classList.contains("hl-connected") && (roots[0]!.querySelector("h1")?.textContent ?? "").startsWith(h);
  }, heading, { timeout: 15_000 });
}

const statuses = (p: Page) => p.locator("table.orders tbody .status").allTextContents();

test("walking every live page by the header's links: one WebSocket, no reload, the header follows", async () => {
  const page = await ctx.signedIn.newPage();
  const errors = watchErrors(page);
  const sockets: string[] = [];
  page.on("websocket", (ws) => sockets.push(ws.url()));
  let loads = 0;
  page.on("load", () => loads++);
  await page.goto(`${ctx.demo.url}/counter`);
  await connected(page);
  const live = pages.filter((p) => p.component);
  assert.ok(live.length >= 6, `${live.length} live pages`);
  const walk = [...live.slice(1), live[0]!];
  for (const p of walk) {
    await page.locator(".site-header .nav a", { hasText: p.title }).first().click();
    await page.waitForURL((u) => u.pathname === p.path);
    await pageShown(page, p.title);
    assert.is(await page.locator(".site-header .nav a[aria-current]").textContent(), p.title, `${p.path}: the current link`);
    await page.waitForFunction((t) => document.title.startsWith(t), p.title);
    if (p.path === "/stream") {
      // the page's browser code (a hook in /demo.js) works on a page that arrived by a navigate
      await page.getByRole("button", { name: "Stream over SSE" }).click();
      await page.waitForFunction(() => document.querySelector(".sse-frames li:last-child")?.textContent?.includes("stream_done"), undefined, { timeout: 15_000 });
    }
  }
  // the brand goes home, and a card of home goes on, still over the same socket
  await page.locator(".site-header .brand").click();
  await pageShown(page, "Hotline demos");
  await page.locator(".grid .card-link", { hasText: "Shared board" }).click();
  await pageShown(page, "Shared board");
  // back and forward between pages: navigates too, the header following
  await page.goBack();
  await pageShown(page, "Hotline demos");
  await page.goBack();
  await pageShown(page, "Counter");
  assert.is(await page.locator(".site-header .nav a[aria-current]").textContent(), "Counter");
  await page.goForward();
  await pageShown(page, "Hotline demos");
  assert.is(loads, 1, "one document load for the whole visit");
  assert.equal(sockets.length, 1, `one WebSocket for the whole visit: ${sockets.join(", ")}`);
  // a plain page (no client) is a full load, as it should be
  await page.locator(".site-header .nav a", { hasText: "htmx" }).click();
  await page.waitForURL((u) => u.pathname === "/htmx");
  assert.is(await page.locator('script[src="/hotline.js"]').count(), 0);
  assert.equal(errors.filter((e) => !e.startsWith("Failed to load resource")), []);
  await page.close();
});

test("the orders page: filter links patch the URL in place; back and forward restore it; reload shows the same", async () => {
  const page = await ctx.signedIn.newPage();
  const sockets: string[] = [];
  page.on("websocket", (ws) => sockets.push(ws.url()));
  await page.goto(`${ctx.demo.url}/orders`);
  await connected(page);
  const root = page.locator("[hl-page] > [hl-component]");
  const id = await root.getAttribute("hl-id");
  const all = (await statuses(page)).length;
  await page.locator(".filters a", { hasText: "paid" }).click();
  await page.waitForURL((u) => u.search === "?status=paid");
  await page.waitForFunction(() => [...document.querySelectorAll("table.orders tbody .status")].every((s) => s.textContent === "paid"));
  assert.equal([...new Set(await statuses(page))], ["paid"]);
  assert.is(await root.getAttribute("hl-id"), id, "the same page instance: a patch, no remount");
  await page.waitForFunction(() => document.title.startsWith("Orders: paid"));
  // open an order: the editor child appears, the filter stays in the URL
  await page.locator("#order-2 a", { hasText: "Open" }).click();
  await page.waitForURL((u) => u.search === "?status=paid&pk=2");
  await page.locator('[hl-component="order_editor"].hl-connected').waitFor({ timeout: 10_000 });
  await page.goBack();
  await page.waitForURL((u) => u.search === "?status=paid");
  await page.locator('[hl-component="order_editor"]').waitFor({ state: "detached", timeout: 10_000 });
  await page.goBack();
  await page.waitForURL((u) => u.search === "");
  await page.waitForFunction((n) => document.querySelectorAll("table.orders tbody tr").length === n, all);
  await page.goForward();
  await page.waitForURL((u) => u.search === "?status=paid");
  await page.waitForFunction(() => [...document.querySelectorAll("table.orders tbody .status")].every((s) => s.textContent === "paid"));
  assert.is(sockets.length, 1, "patches and back/forward over the same socket");
  await page.reload();
  await connected(page);
  assert.equal([...new Set(await statuses(page))], ["paid"], "a reload of the patched URL shows the same list");
  assert.is(await page.locator(".filters [aria-current]").textContent(), "paid");
  await page.close();
});

test("a patch to a URL the page's schema refuses: the server says no, the browser shows the 400 page", async () => {
  const page = await ctx.signedIn.newPage();
  await page.goto(`${ctx.demo.url}/orders`);
  await connected(page);
  // a link no page renders, as a script could add it
  await page.evaluate(() => {
    const a = document.createElement("a");
    a.href = "/orders?status=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E";
    a.setAttribute("hl-patch", "");
    a.id = "forged";
    a.textContent = "forged";
    document.querySelector(".filters")!.append(a);
  });
  const answer = page.waitForResponse((r) => r.url().includes("status=") && r.request().resourceType() === "document");
  await page.locator("#forged").click();
  assert.is((await answer).status(), 400);
  await page.locator("main.hl-error-page", { hasText: "Bad request" }).waitFor();
  assert.is(await page.locator("img[src=x]").count(), 0, "the refused value is shown escaped");
  await page.close();
});

test("a save in the editor child flashes once on the orders page", async () => {
  const context = await signedInContext(ctx.browser, ctx.demo.url, "Grace");
  const page = await context.newPage();
  await page.goto(`${ctx.demo.url}/orders?pk=4`);
  await connected(page);
  const editor = page.locator('[hl-component="order_editor"]');
  await page.waitForFunction(() => document.querySelector('[hl-component="order_editor"]')?.classList.contains("hl-connected"));
  await editor.locator("input[name=customer]").fill("Katherine G. Johnson");
  await editor.getByRole("button", { name: "Save" }).click();
  const flash = page.locator("[hl-flash] > .hl-flash-info");
  await flash.waitFor({ timeout: 10_000 });
  assert.is(await flash.count(), 1, "shown once");
  assert.is(await flash.textContent(), "Order #4 saved.");
  await flash.click();
  await flash.waitFor({ state: "detached" });
  await context.close();
});

test.run();

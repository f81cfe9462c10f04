// Live pages in real Chromium, with an app of its own (test/live/navigation-app.ts: an orders list
// filtered by ?status, an order page, routes and a layout, served by createHotline on node:http):
// a deep link renders server-side and goes live; hl-patch changes the URL with no remount;
// back/forward restore params and scroll; navigates keep the one WebSocket; flash shows once and
// survives a navigate; a reload of a patched URL shows the same view; the title follows.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser, Page } from "playwright-core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHotline, type Hotline } from "../../server/hotline.js";
import { layout, mounts, navRegistry, routes } from "../live/navigation-app.js";
import { connected, launch, watchErrors } from "./support.js";

let hotline: Hotline;
let server: Server;
let base: string;
let browser: Browser;

test.before(async () => {
  hotline = createHotline({ registry: navRegistry(), routes, layout, secret: "navigation-e2e-secret-0123456789", logger: { error() {} } });
  server = createServer((req, res) => {
    void hotline.handler(req, res, () => {
      if (req.url === "/favicon.ico") return void res.writeHead(204).end();
      if (req.url === "/plain") return void res.writeHead(200, { "content-type": "text/html" }).end("<!doctype html><title>Plain</title><p class=plain-page>plain page</p>");
      res.writeHead(404).end();
    });
  });
  hotline.attach(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launch();
});

test.after(async () => {
  await browser?.close();
  await hotline?.close();
  server?.closeAllConnections();
  await new Promise((r) => server?.close(r));
});

const text = async (page: Page, sel: string) => ((await page.textContent(sel)) ?? "").trim();
const until = (page: Page, fn: string, arg?: unknown) => page.waitForFunction(fn, arg, { timeout: 10_000 });
const statusIs = (page: Page, s: string) => until(page, `document.querySelector(".status")?.textContent === ${JSON.stringify(s)}`);
const resetMounts = () => { for (const k of Object.keys(mounts)) delete mounts[k]; };

const pages: Page[] = [];
test.after.each(async () => {
  for (const p of pages.splice(0)) if (!p.isClosed()) await p.close();
});

/** A page that counts the WebSockets it opens. */
async function open(path: string): Promise<{ page: Page; sockets: () => number; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 800, height: 600 } });
  pages.push(page);
  const errors = watchErrors(page);
  let n = 0;
  page.on("websocket", () => n++);
  await page.goto(base + path);
  await connected(page);
  return { page, sockets: () => n, errors };
}

async function instances(n: number): Promise<void> {
  const end = Date.now() + 15_000;
  while (hotline.stats().instances !== n) {
    if (Date.now() > end) throw new Error(`instances: ${hotline.stats().instances}, waited for ${n}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("a deep link renders server-side (a plain GET holds the view), then goes live without a second mount", async () => {
  resetMounts();
  const plain = await (await fetch(`${base}/orders?status=paid&page=2`)).text();
  assert.match(plain, /<span class="status">paid<\/span> page <span class="page">2<\/span>/);
  assert.match(plain, /<title>Orders: paid<\/title>/);
  resetMounts();
  const { page, errors } = await open("/orders?status=paid&page=2");
  assert.is(await text(page, ".status"), "paid");
  assert.is(await page.title(), "Orders: paid");
  await page.click(".bump");
  await until(page, `document.querySelector(".bumps")?.textContent === "1"`);
  assert.is(mounts.orders, 1, "the page request mounted; the join hydrated");
  assert.equal(errors, []);
  await page.close();
});

test("hl-patch and pushPatch change the URL without a remount: the component's counter survives; the title follows", async () => {
  resetMounts();
  const { page, sockets, errors } = await open("/orders");
  await page.click(".bump");
  await page.click(".bump");
  await until(page, `document.querySelector(".bumps")?.textContent === "2"`);
  await page.click(".to-open");
  await statusIs(page, "open");
  assert.is(new URL(page.url()).search, "?status=open");
  assert.is(await text(page, ".bumps"), "2");
  await until(page, `document.title === "Orders: open"`);
  await page.click(".page2");
  await until(page, `document.querySelector(".page")?.textContent === "2"`);
  assert.is(new URL(page.url()).search, "?status=open&page=2");
  await page.click(".to-all");
  await statusIs(page, "all");
  await page.click(".open-only"); // the server's pushPatch
  await statusIs(page, "open");
  await page.waitForURL((u) => u.search === "?status=open");
  assert.is(await text(page, ".bumps"), "2");
  assert.is(mounts.orders, 1);
  assert.is(sockets(), 1);
  assert.equal(errors, []);
  await page.close();
});

test("back and forward restore the previous params and each entry's scroll position", async () => {
  const { page, errors } = await open("/orders");
  await page.click(".bump");
  await until(page, `document.querySelector(".bumps")?.textContent === "1"`);
  await page.click(".to-paid");
  await statusIs(page, "paid");
  await page.locator(".to-open-bottom").scrollIntoViewIfNeeded();
  await until(page, "scrollY > 1500");
  const paidY = await page.evaluate(() => scrollY);
  await page.click(".to-open-bottom");
  await statusIs(page, "open");
  await page.evaluate(() => scrollTo(0, 0));
  await until(page, "scrollY === 0");

  await page.goBack();
  await statusIs(page, "paid");
  await until(page, `Math.abs(scrollY - ${paidY}) < 5`);
  assert.is(new URL(page.url()).search, "?status=paid");
  await page.goBack();
  await statusIs(page, "all");
  await until(page, "scrollY === 0");
  await page.goForward();
  await statusIs(page, "paid");
  await until(page, `Math.abs(scrollY - ${paidY}) < 5`);
  assert.is(await text(page, ".bumps"), "1", "back and forward patched the same instance");
  await until(page, `document.title === "Orders: paid"`);
  assert.equal(errors, []);
  await page.close();
});

test("hl-navigate, pushNavigate and back/forward between pages keep the one WebSocket; the old page leaves", async () => {
  await instances(0);
  const { page, sockets, errors } = await open("/orders");
  await page.evaluate(() => ((window as any).marker = 42)); // gone after any full load
  await page.click(".order-3");
  await until(page, `document.querySelector(".order .id")?.textContent === "3"`);
  assert.is(new URL(page.url()).pathname, "/orders/3");
  await until(page, `document.title === "Order 3"`);
  assert.is(await page.locator(".orders").count(), 0, "the old page's body is gone");
  assert.is(await text(page, "header.site"), "Shop orders about", "the layout outside the slot stays");
  assert.is(await page.evaluate(() => scrollY), 0);
  assert.is(await page.evaluate(() => document.querySelector("[hl-page] > [hl-component]")?.getAttribute("hl-component")), "order",
    "the navigated root is named after its component");
  await instances(1);

  await page.click(".next"); // hl-patch on the order page
  await until(page, `document.querySelector(".order .id")?.textContent === "4"`);
  await page.click(".back"); // the server's pushNavigate
  await statusIs(page, "paid");
  assert.is(new URL(page.url()).search, "?status=paid");
  await page.click(".h-about");
  await page.waitForSelector(".about-page");
  await until(page, `document.title === "About us"`);

  await page.goBack();
  await statusIs(page, "paid");
  await page.goBack();
  await until(page, `document.querySelector(".order .id")?.textContent === "4"`);
  await page.goBack();
  await until(page, `document.querySelector(".order .id")?.textContent === "3"`);
  await page.goForward();
  await until(page, `document.querySelector(".order .id")?.textContent === "4"`);
  await page.goForward();
  await statusIs(page, "paid");
  await page.click(".bump");
  await until(page, `document.querySelector(".bumps")?.textContent === "1"`);
  assert.is(await page.evaluate(() => (window as any).marker), 42, "no full page load");
  assert.is(sockets(), 1, "one WebSocket for the whole visit");
  await instances(1);

  await page.click(".plain"); // not a live route: a full load
  await page.waitForSelector(".plain-page");
  assert.is(new URL(page.url()).pathname, "/plain");
  // the join of /plain was refused (no live page there), which made the client load it in full
  assert.equal(errors, ["hotline: unknown_component: no live page at this URL"]);
  await page.close();
  await instances(0);
});

test("back to a page that a navigate left: one remount, then its other entries are patches of it", async () => {
  resetMounts();
  const { page, sockets, errors } = await open("/orders");
  await page.click(".to-paid");
  await statusIs(page, "paid");
  await page.click(".order-3");
  await until(page, `document.querySelector(".order .id")?.textContent === "3"`);
  await page.goBack(); // the orders page again: a navigate (its instance left)
  await statusIs(page, "paid");
  await page.click(".bump");
  await until(page, `document.querySelector(".bumps")?.textContent === "1"`);
  await page.goBack(); // an entry of the same page: a patch of the instance on screen
  await statusIs(page, "all");
  assert.is(await text(page, ".bumps"), "1", "patched, not remounted");
  assert.is(mounts.orders, 2, "the page request, then one live navigate");
  assert.is(sockets(), 1);
  assert.equal(errors, []);
});

test("flash shows once, survives a navigate, clears itself; a server-rendered flash too", async () => {
  const { page, errors } = await open("/orders");
  await page.click(".open-seven"); // flash, then pushNavigate to /orders/7
  await until(page, `document.querySelector(".order .id")?.textContent === "7"`);
  assert.is(await text(page, "[hl-flash] .hl-flash-info"), "Opened order 7");
  await page.locator("[hl-flash] p").waitFor({ state: "detached", timeout: 15_000 });
  await page.click(".list");
  await statusIs(page, "all");
  await page.click(".order-3");
  await until(page, `document.querySelector(".order .id")?.textContent === "3"`);
  assert.is(await page.locator("[hl-flash] p").count(), 0, "shown once");

  await page.goto(`${base}/orders?status=paid`);
  await connected(page);
  assert.is(await text(page, "[hl-flash] p"), "Showing paid orders");
  await page.click("[hl-flash] p");
  assert.is(await page.locator("[hl-flash] p").count(), 0, "a click clears it");
  assert.equal(errors, []);
  await page.close();
});

test("redirect() leaves: a full page load", async () => {
  const { page, errors } = await open("/orders");
  await page.evaluate(() => ((window as any).marker = 42));
  await page.click(".leave");
  await page.waitForSelector(".plain-page");
  assert.is(new URL(page.url()).pathname, "/plain");
  assert.is(await page.evaluate(() => (window as any).marker), undefined);
  assert.equal(errors, []);
});

test("a reload of a patched URL shows the same view", async () => {
  const { page, errors } = await open("/orders");
  await page.click(".to-open");
  await statusIs(page, "open");
  await page.click(".page2");
  await until(page, `document.querySelector(".page")?.textContent === "2"`);
  await page.reload();
  assert.is(await text(page, ".status"), "open");
  assert.is(await text(page, ".page"), "2");
  assert.is(await page.title(), "Orders: open");
  await connected(page);
  await page.click(".to-paid");
  await statusIs(page, "paid");
  assert.equal(errors, []);
  await page.close();
});

test.run();

// Chromium, plain htmx, no Hotline client: the counter works over HTTP only. Every click is a
// POST to /components/counter with HX-Request, the count rises, and no WebSocket is opened.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import "../../components/counter.js";
import { createHotline } from "../../server/hotline.js";
import { CHROMIUM_ARGS, needChromium } from "../support/services.js";

const executablePath = needChromium();
const hotline = createHotline({ secret: "htmx-e2e-secret-0123456789abcdef", logger: { error() {} } });
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><script src="/vendor/htmx.min.js"></script></head>
<body><main><div id="slot" hx-post="/components/counter" hx-trigger="load" hx-swap="outerHTML">loading</div></main></body></html>`;
const server = createServer((req, res) => {
  if (req.url === "/") res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(PAGE);
  else void hotline.handler(req, res);
});
hotline.attach(server);
let base = "";
let browser: Browser;

test.before(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
});
test.after(async () => {
  await browser?.close();
  await hotline.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

test("clicks go over HTTP with plain htmx; the count rises; no WebSocket", async () => {
  const page = await browser.newPage();
  const posts: { url: string; hx: string | undefined; body: string }[] = [];
  const sockets: string[] = [];
  const scripts: string[] = [];
  page.on("request", (r) => {
    if (r.method() === "POST") posts.push({ url: r.url(), hx: r.headers()["hx-request"], body: r.postData() ?? "" });
    if (r.resourceType() === "script") scripts.push(new URL(r.url()).pathname);
  });
  page.on("websocket", (ws) => sockets.push(ws.url()));
  await page.goto(base + "/");
  const value = page.locator(".counter-value");
  await value.waitFor();
  assert.is((await value.textContent())!.trim(), "Count: 0");

  const increment = page.getByRole("button", { name: "Increment" });
  await increment.click();
  await page.waitForFunction(() => document.querySelector(".counter-value")?.textContent?.includes("Count: 1"));
  await page.getByRole("button", { name: "Increment" }).click();
  await page.waitForFunction(() => document.querySelector(".counter-value")?.textContent?.includes("Count: 2"));
  await page.getByRole("button", { name: "Decrement" }).click();
  await page.waitForFunction(() => document.querySelector(".counter-value")?.textContent?.includes("Count: 1"));

  assert.is(posts.length, 4, "the first render and three clicks");
  assert.ok(posts.every((p) => new URL(p.url).pathname === "/components/counter" && p.hx === "true"));
  const clicks = posts.slice(1).map((p) => new URLSearchParams(p.body));
  assert.equal(clicks.map((c) => c.get("event")), ["increment", "increment", "decrement"]);
  assert.ok(clicks.every((c) => c.get("state")?.startsWith("v1.")), "each click sends the state token back");
  assert.is(new Set(clicks.map((c) => c.get("state"))).size, 3, "a new token after each answer");
  assert.equal(sockets, [], "no WebSocket was opened");
  assert.equal(scripts, ["/vendor/htmx.min.js"], "only htmx is loaded");
  // only one counter on the page: the wrapper was swapped, not nested
  assert.is(await page.locator("[hl-htmx=counter]").count(), 1);
  await page.close();
});

test.run();

// The demo's orders page in Chromium: the list filtered by the status in its URL (a deep link
// opens the filtered list; a param the page's schema refuses is a 400 page), and the order editor
// as a child of the list (its own root inside the list's, its own patches; a save reaches the list
// through the feed).
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Page } from "playwright-core";
import { connected, demoInChromium, signedInContext, watchErrors } from "./support.js";

const ctx = demoInChromium(test);

const statuses = (p: Page) => p.locator("table.orders tbody .status").allTextContents();

test("a deep link to /orders?status=paid shows only paid orders, and says which filter is on", async () => {
  const page = await ctx.signedIn.newPage();
  const errors = watchErrors(page);
  await page.goto(`${ctx.demo.url}/orders?status=paid`);
  await connected(page);
  const shown = await statuses(page);
  assert.ok(shown.length >= 1, "at least one paid order");
  assert.equal([...new Set(shown)], ["paid"]);
  assert.is(await page.locator('.filters [aria-current]').textContent(), "paid");
  await page.goto(`${ctx.demo.url}/orders`);
  await connected(page);
  assert.ok(new Set(await statuses(page)).size > 1, "without a filter: every status");
  assert.equal(errors.filter((e) => !e.startsWith("Failed to load resource")), []);
  await page.close();
});

test("a URL param the page's schema refuses is a 400 page that says why; an order that is not there opens nothing", async () => {
  const page = await ctx.signedIn.newPage();
  for (const q of ["?status=%3Cscript%3Ealert(1)%3C%2Fscript%3E", "?status=PAID", "?status=paid&status=pending", "?pk=1%20OR%201%3D1", "?pk=-1"]) {
    const res = await page.goto(`${ctx.demo.url}/orders${q}`);
    assert.is(res!.status(), 400, q);
    assert.match((await page.locator("main.hl-error-page").textContent()) ?? "", /Bad request/, q);
    assert.is(await page.locator("[hl-component]").count(), 0, `${q}: no live component`);
    assert.ok((await page.locator(".site-header .who").count()) === 1, `${q}: the demo's layout, signed in`);
  }
  assert.is(await page.locator("script:not([src])", { hasText: "alert(1)" }).count(), 0);
  await page.goto(`${ctx.demo.url}/orders?pk=99999`);
  await connected(page);
  assert.match((await page.locator('[hl-component="orders_page"]').textContent()) ?? "", "There is no order #99999");
  assert.is(await page.locator('[hl-component="order_editor"]').count(), 0);
  await page.close();
});

test("the editor is a child of the list: its own root and patches; a save reaches the list", async () => {
  const context = await signedInContext(ctx.browser, ctx.demo.url, "Ada");
  const page = await context.newPage();
  const patches: { id: string; body: string }[] = [];
  page.on("websocket", (ws) => ws.on("framereceived", (f) => {
    const m = JSON.parse(String(f.payload));
    if (m.t === "patch") patches.push({ id: m.id, body: String(f.payload) });
  }));
  await page.goto(`${ctx.demo.url}/orders?pk=3`);
  await connected(page);
  const list = page.locator('[hl-component="orders_page"]');
  const editor = list.locator('[hl-component="order_editor"]');
  const listId = (await list.getAttribute("hl-id"))!;
  const editorId = (await editor.getAttribute("hl-id"))!;
  assert.is(editorId, `${listId}:editor-3`, "the editor's id is scoped by the list's");
  await page.waitForFunction(() => document.querySelector('[hl-component="order_editor"]')?.classList.contains("hl-connected"));
  assert.match((await editor.locator("h2").textContent()) ?? "", "Order #3");

  await editor.locator("input[name=customer]").fill("Alan M. Turing");
  await editor.getByRole("button", { name: "Save" }).click();
  await page.locator("#order-3", { hasText: "Alan M. Turing" }).waitFor({ timeout: 10_000 });
  await editor.locator(".notice", { hasText: "Saved." }).waitFor();
  assert.ok(patches.some((p) => p.id === editorId && p.body.includes("Saved.")), "the save's answer is the editor's own patch");
  assert.ok(patches.some((p) => p.id === listId && p.body.includes("Alan M. Turing")), "the list's patch carries the new row");
  assert.not.ok(patches.some((p) => p.id === listId && p.body.includes("Saved.")), "the list's patches leave the editor alone");
  await context.close();
});

test.run();

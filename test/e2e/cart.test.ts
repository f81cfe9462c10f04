// The cart demo in Chromium: /cart (HTML, order lines in a stream container) and /cart/native (a
// simulated native client on sdui format and the reference cache) driven by the same clicks show
// the same cart; checkout goes through LOADING to the placed order on both.
import type { Browser, Page } from "playwright-core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Cart } from "../../components/cart.js";
import { cartPage } from "../../demo/pages/cart.js";
import { cartNativePage } from "../../demo/pages/cart-native.js";
import { startPageServer, type PageServer } from "../sdui/page-server.js";
import { connected, launch, watchErrors } from "./support.js";

Cart.checkoutDelayMs = 400;
let server: PageServer;
let browser: Browser;

test.before(async () => {
  browser = await launch();
  server = await startPageServer([cartPage, cartNativePage]);
});
test.after(async () => {
  await browser?.close();
  await server?.stop();
});

type Seen = { lines: string[]; count: string; total: string };

test("/cart: add lines, change a quantity, check out; each add sends one line", async () => {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  const patches: string[] = [];
  page.on("websocket", (ws) => ws.on("framereceived", (f) => String(f.payload).startsWith('{"t":"patch"') && patches.push(String(f.payload))));
  await page.goto(`${server.url}/cart`);
  await connected(page);
  const cart = page.locator('[hl-component="cart"]');
  assert.match(await cart.textContent() ?? "", "No items yet");
  assert.is(await cart.locator(".cart-checkout").count(), 0, "no checkout for an empty cart");

  await cart.getByRole("button", { name: "Add Green tea" }).click();
  await cart.locator(".cart-line").first().waitFor();
  const teaNode = await cart.locator(".cart-line").first().elementHandle();
  await teaNode!.evaluate((e) => ((e as unknown as { mark: number }).mark = 1));
  await cart.getByRole("button", { name: "Add Stoneware mug" }).click();
  await page.waitForFunction(() => document.querySelectorAll(".cart-line").length === 2);
  const addMug = patches.at(-1)!;
  assert.match(addMug, "Stoneware mug");
  assert.not.match(addMug, "Green tea", "the add sends the new line only");

  await cart.getByRole("button", { name: "One more Green tea" }).click();
  await cart.locator(".cart-line >> text=× 2").waitFor();
  assert.not.match(patches.at(-1)!, "Stoneware mug", "a quantity change sends that line only");
  assert.is(await teaNode!.evaluate((e) => (e as unknown as { mark?: number }).mark), 1, "the line was updated in place");
  const seen = await readHtml(page);
  assert.equal(seen.lines, ["Green tea × 2", "Stoneware mug × 1"]);
  assert.is(seen.count, "3 items");

  await cart.getByRole("button", { name: "Checkout" }).click();
  await cart.locator(".cart-paying >> text=Placing your order").waitFor({ timeout: 3000 });
  assert.is(await cart.locator(".cart-checkout").count(), 0, "LOADING replaces the button");
  await cart.locator("text=your order is placed").waitFor({ timeout: 5000 });
  assert.is(await cart.locator(".cart-line").count(), 0);
  assert.is(await cart.locator(".cart-checkout").count(), 0, "HIDDEN after checkout");
  assert.equal(errors, []);
  await page.close();
});

test("/cart/native: the same clicks give the same cart, through APPEND and MATCH patches", async () => {
  // the HTML page first, for reference
  const html = await browser.newPage();
  await html.goto(`${server.url}/cart`);
  await connected(html);
  const cart = html.locator('[hl-component="cart"]');
  await cart.getByRole("button", { name: "Add Green tea" }).click();
  await cart.locator(".cart-line").first().waitFor();
  await cart.getByRole("button", { name: "Add Stoneware mug" }).click();
  await html.waitForFunction(() => document.querySelectorAll(".cart-line").length === 2);
  await cart.getByRole("button", { name: "One more Green tea" }).click();
  await cart.locator(".cart-line >> text=× 2").waitFor();
  const expected = await readHtml(html);

  const page = await browser.newPage();
  const errors = watchErrors(page);
  await page.goto(`${server.url}/cart/native`);
  await page.locator("#native-app.native-joined").waitFor({ timeout: 10_000 });
  await page.locator("#native-frames [data-t=ok]").waitFor();
  await page.getByRole("button", { name: "Add Green tea" }).click();
  await page.locator(".native-item").first().waitFor();
  await page.getByRole("button", { name: "Add Stoneware mug" }).click();
  await page.waitForFunction(() => document.querySelectorAll(".native-item").length === 2);
  await page.locator(".native-item").first().getByRole("button", { name: "+" }).click();
  await page.locator(".native-item >> text=× 2").waitFor();
  const seen: Seen = {
    lines: await page.$$eval(".native-item", (els) => els.map((e) => `${e.querySelector(".native-product")!.textContent} ${e.querySelector(".native-qty")!.textContent}`)),
    count: (await page.textContent(".native-count"))!.trim(),
    total: (await page.textContent(".native-total"))!.trim(),
  };
  assert.equal(seen, expected, "the native client shows the same cart as the HTML page");
  const log = await page.$$eval("#native-frames strong", (els) => els.map((e) => e.textContent!).reverse());
  assert.ok(log.some((l) => /order_list APPEND \(1 item\)/.test(l)), `an APPEND of one item: ${log.join(" | ")}`);
  assert.ok(log.some((l) => /order_list MATCH \(1 item\)/.test(l)), `a MATCH of one item: ${log.join(" | ")}`);

  await page.getByRole("button", { name: "Checkout" }).click();
  await page.locator(".native-checkout[disabled] >> text=Placing your order").waitFor({ timeout: 3000 });
  await page.locator(".native-empty >> text=your order is placed").waitFor({ timeout: 5000 });
  assert.is(await page.locator(".native-checkout").count(), 0, "HIDDEN is not drawn");
  assert.ok((await page.$$eval("#native-frames strong", (els) => els.map((e) => e.textContent!))).some((l) => l.includes("done:true")));
  assert.equal(errors, []);
  await html.close();
  await page.close();
});

async function readHtml(page: Page): Promise<Seen> {
  const lines = await page.$$eval(".cart-line", (els) => els.map((e) => `${e.querySelector(".cart-product")!.textContent} ${e.querySelector(".cart-qty")!.textContent}`));
  const count = (await page.textContent(".cart-count"))!.trim();
  const total = (await page.textContent(".cart-total"))!.trim();
  return { lines, count, total };
}

test.run();

// permessage-deflate with a real browser: Chromium offers the extension by itself, the server with
// createHotline({ perMessageDeflate: true }) accepts it, and the browser client works unchanged
// over compressed frames (the demo's cart: stream inserts, an in-place update, a streaming
// checkout). A server with deflate off serves the same browser uncompressed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { IncomingMessage } from "node:http";
import type { Browser } from "playwright-core";
import { Cart } from "../../../components/cart.js";
import { Registry } from "../../../server/core/registry.js";
import type { DemoPage } from "../../../demo/page.js";
import { startPageServer, type PageServer } from "../../sdui/page-server.js";
import { connected, launch, watchErrors } from "../../e2e/support.js";

Cart.checkoutDelayMs = 50;
const registry = new Registry();
registry.register("cart", Cart);
const pages: DemoPage[] = [{ path: "/cart", title: "Cart", blurb: "", body: ({ live }) => live("cart") }];

let browser: Browser;
test.before(async () => {
  browser = await launch();
});
test.after(async () => {
  await browser?.close();
});

/** A page server that records what each WebSocket upgrade asked for and what the server answered. */
async function serve(perMessageDeflate: boolean): Promise<PageServer & { offers: string[] }> {
  const s = await startPageServer(pages, { registry, perMessageDeflate });
  const offers: string[] = [];
  s.server.prependListener("upgrade", (req: IncomingMessage) => offers.push(String(req.headers["sec-websocket-extensions"] ?? "")));
  return Object.assign(s, { offers });
}

/** Drives the cart in a page; returns what the server's side of the connection negotiated. */
async function driveCart(s: PageServer): Promise<string[]> {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  try {
    await page.goto(`${s.url}/cart`);
    await connected(page);
    const cart = page.locator('[hl-component="cart"]');
    await cart.getByRole("button", { name: "Add Green tea" }).click();
    await cart.locator(".cart-line").first().waitFor();
    await cart.getByRole("button", { name: "Add Stoneware mug" }).click();
    await cart.getByRole("button", { name: "One more Green tea" }).click();
    await cart.locator(".cart-line >> text=× 2").waitFor();
    assert.is(await cart.locator(".cart-line").count(), 2);
    assert.match(await cart.locator(".cart-count").innerText(), "3 items");
    await cart.getByRole("button", { name: "Checkout" }).click();
    await cart.locator("text=your order is placed").waitFor({ timeout: 5000 });
    assert.is(await cart.locator(".cart-line").count(), 0);
    assert.equal(errors, [], "no console errors");
    return [...s.hotline.websocket.connections].map((c) => c.ws.extensions);
  } finally {
    await page.close();
  }
}

test("Chromium negotiates permessage-deflate by itself, and the cart works over compressed frames", async () => {
  const s = await serve(true);
  try {
    const negotiated = await driveCart(s);
    assert.ok(s.offers.some((o) => o.includes("permessage-deflate")), `the browser offered it: ${JSON.stringify(s.offers)}`);
    assert.equal(negotiated, ["permessage-deflate"], "the server accepted it");
  } finally {
    await s.stop();
  }
});

test("with deflate off (the default) the same browser gets plain frames and the same cart", async () => {
  const s = await serve(false);
  try {
    const negotiated = await driveCart(s);
    assert.ok(s.offers.some((o) => o.includes("permessage-deflate")), "the browser still offers it");
    assert.equal(negotiated, [""], "nothing negotiated");
  } finally {
    await s.stop();
  }
});

test.run();

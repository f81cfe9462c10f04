import "../../components/cart.js";
import { CATALOG } from "../../components/cart.js";
import { escapeHtml } from "hotline";
import { nativeClientScript } from "../native-bundle.js";
import type { DemoPage } from "../page.js";

/**
 * The cart for a native client, simulated in the page: its own WebSocket, `format: "sdui"`, the
 * reference component cache, and plain DOM drawn from the cache by rel and behavior.
 */
export const cartNativePage: DemoPage = {
  path: "/cart/native",
  title: "Cart (native)",
  blurb: "The cart's server-driven UI: screens, components and APPEND/MATCH merges, as a native app receives them.",
  client: false,
  body: async () => {
    const adds = Object.entries(CATALOG)
      .map(([sku, p]) => `<button type="button" class="btn" data-native-add="${escapeHtml(sku)}">Add ${escapeHtml(p.product)}</button>`)
      .join(" ");
    return `<h1>Cart, as a native client sees it</h1>
<p class="lead">This page is a stand-in for an iOS or Android app: it joins the same <code>cart</code>
component with <code>format: "sdui"</code>, keeps a component cache keyed by (screen, rel), merges each
patch into it (REPLACE, APPEND, MATCH) and draws the whole screen from the cache. The HTML version is
on <a href="/cart">/cart</a>.</p>
<section class="card">
  <div class="row">${adds}</div>
  <div id="native-app" class="native-app" aria-live="polite"></div>
</section>
<section class="card">
  <h2>Frames received</h2>
  <ol id="native-frames" class="native-frames" reversed></ol>
</section>
<script>${await nativeClientScript()}</script>`;
  },
};

// Async loading in real Chromium, with an app of its own: a panel shows "Loading…" at once, keeps
// receiving pub/sub updates while its slow load runs, then shows the data (or a safe failure).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import type { AsyncContext, AsyncResult } from "../../server/core/async.js";
import { connected, watchErrors } from "./support.js";
import { smallAppInChromium } from "./small-app.js";

/** Loads the test ends by hand, in the order they started. */
const gates: { resolve(v: string[]): void; reject(e: unknown): void; signal: AbortSignal }[] = [];

class Panel extends Component<{ orders: AsyncResult<string[]>; ticks: number }> {
  static loaders = {
    orders(this: Panel, { signal }: AsyncContext): Promise<string[]> {
      return new Promise((resolve, reject) => gates.push({ resolve, reject, signal }));
    },
  };
  mount() {
    this.state.ticks = 0;
    this.subscribe("panel:ticks");
    this.assignAsync("orders");
  }
  onMessage() {
    this.state.ticks += 1;
  }
  onReload() {
    this.assignAsync("orders");
  }
  render() {
    const o = this.state.orders;
    return html`<section>
  <p class="ticks">Updates: ${this.state.ticks}</p>
  <button hl-click="reload">Reload</button>
  ${o.loading ? html`<p class="loading">Loading…</p>` : ""}
  ${o.failed ? html`<p class="failed" role="alert">${o.failed}</p>` : ""}
  ${o.result ? html`<ul class="orders">${o.result.map((x) => html`<li>${x}</li>`)}</ul>` : ""}
</section>`;
  }
}

const registry = new Registry();
registry.register("panel", Panel);
const ctx = smallAppInChromium(test, registry, { "/panel": (live) => live("panel") });

async function gate(n: number) {
  for (let i = 0; i < 2000 && gates.length < n; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(gates.length >= n, `load #${n} never started`);
  return gates[n - 1]!;
}

test("the panel shows loading, keeps taking pub/sub updates while the load runs, then shows the data", async () => {
  const page = await ctx.browser.newPage();
  const errors = watchErrors(page);
  await page.goto(`${ctx.app.url}/panel`);
  await page.locator("p.loading").waitFor({ timeout: 10_000 });
  await connected(page);
  const load = await gate(1);
  for (let i = 1; i <= 3; i++) {
    await ctx.app.hotline.pubsub.publish("panel:ticks", i);
    await page.locator("p.ticks", { hasText: `Updates: ${i}` }).waitFor({ timeout: 10_000 });
  }
  assert.is(await page.locator("p.loading").count(), 1, "still loading while the updates came");
  load.resolve(["Milk", "Eggs"]);
  await page.locator("ul.orders li", { hasText: "Eggs" }).waitFor({ timeout: 10_000 });
  assert.is(await page.locator("p.loading").count(), 0);
  await ctx.app.hotline.pubsub.publish("panel:ticks", 4);
  await page.locator("p.ticks", { hasText: "Updates: 4" }).waitFor({ timeout: 10_000 });
  assert.equal(await page.locator("ul.orders li").allTextContents(), ["Milk", "Eggs"]);
  assert.equal(errors, []);
  await page.close();
});

test("a reload keeps the list while loading; a failure shows a safe message; closing the tab aborts the load", async () => {
  const page = await ctx.browser.newPage();
  await page.goto(`${ctx.app.url}/panel`);
  await connected(page);
  const before = gates.length;
  (await gate(before)).resolve(["Tea"]);
  await page.locator("ul.orders li", { hasText: "Tea" }).waitFor({ timeout: 10_000 });
  await page.getByRole("button", { name: "Reload" }).click();
  await page.locator("p.loading").waitFor({ timeout: 10_000 });
  assert.equal(await page.locator("ul.orders li").allTextContents(), ["Tea"], "the previous result stays while reloading");
  (await gate(before + 1)).reject(new Error("SELECT * FROM secrets failed"));
  await page.locator("p.failed").waitFor({ timeout: 10_000 });
  assert.is(await page.locator("p.failed").textContent(), "loading failed");
  assert.not.match(await page.content(), "secrets");
  await page.getByRole("button", { name: "Reload" }).click();
  const pending = await gate(before + 2);
  await page.close();
  for (let i = 0; i < 500 && !pending.signal.aborted; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(pending.signal.aborted, "the closed tab's load was aborted");
});

test.run();

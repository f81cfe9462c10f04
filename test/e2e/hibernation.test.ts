// Hibernation in real Chromium (docs/hibernation.md): a counter page left idle hibernates on the
// server; the next click wakes it, and the page shows the new count and what the render reads
// besides the state, with no console error. What the user typed in a field the server does not
// render a value for is still there after the whole-root patch.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Component, Registry, html } from "../../server/index.js";
import { connected, watchErrors } from "./support.js";
import { smallAppInChromium } from "./small-app.js";

let served = "first";

class Idle extends Component<{ n: number }> {
  mount() {
    this.state.n = 0;
  }
  onBump() {
    this.state.n++;
  }
  render() {
    return html`<div><button hl-click="bump">Count: ${this.state.n}</button><span class="served">${served}</span><input name="note"></div>`;
  }
}

const registry = new Registry();
registry.register("idle", Idle);
const ctx = smallAppInChromium(test, registry, { "/idle": (live) => live("idle") }, "", { hibernateAfterMs: 100 });

async function until(done: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 100 && !done(); i++) await new Promise((r) => setTimeout(r, 50));
  assert.ok(done(), what);
}

test("an idle page hibernates on the server; the next click wakes it and the page shows what is true now", async () => {
  const page = await ctx.browser.newPage();
  const errors = watchErrors(page);
  await page.goto(`${ctx.app.url}/idle`);
  await connected(page);
  await page.getByRole("button").click();
  await page.getByRole("button", { name: "Count: 1" }).waitFor({ timeout: 5000 });
  await page.locator("input[name=note]").fill("typed by hand");
  await until(() => ctx.app.hotline.stats().hibernated === 1, "the session hibernates");
  assert.is(ctx.app.hotline.stats().instances, 0);

  served = "second";
  await page.getByRole("button").click();
  await page.getByRole("button", { name: "Count: 2" }).waitFor({ timeout: 5000 });
  assert.is(await page.locator(".served").textContent(), "second", "the whole-root patch carries what the render reads now");
  assert.is(await page.locator("input[name=note]").inputValue(), "typed by hand", "the field the user typed in keeps its value");
  // (no count of hibernated sessions here: 100 ms later it may sleep again)
  await page.getByRole("button").click();
  await page.getByRole("button", { name: "Count: 3" }).waitFor({ timeout: 5000 });
  assert.equal(errors, []);
  await page.close();
});

test.run();

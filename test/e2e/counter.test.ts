// The counter demo in real Chromium against the demo server: clicks travel over the WebSocket and
// the page shows the new count, with patches that carry only what changed.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { connected, demoInChromium, watchErrors } from "./support.js";

const ctx = demoInChromium(test);

test("click Increment 3 times -> Count: 3, by small patches", async () => {
  const page = await ctx.signedIn.newPage();
  const errors = watchErrors(page);
  const frames: string[] = [];
  page.on("websocket", (ws) => ws.on("framereceived", (f) => frames.push(String(f.payload))));
  await page.goto(`${ctx.demo.url}/counter`);
  assert.match(await page.textContent("[hl-component]") ?? "", "Count: 0", "the server-side render is in the page");
  await connected(page);
  const inc = page.getByRole("button", { name: "Increment" });
  for (let i = 0; i < 3; i++) await inc.click();
  await page.getByText("Count: 3").waitFor({ timeout: 5000 });
  const patches = frames.map((f) => JSON.parse(f)).filter((m) => m.t === "patch");
  assert.ok(patches.length >= 3, `one patch per click (got ${patches.length})`);
  for (const p of patches) assert.ok(JSON.stringify(p).length < 120, `a click's patch is small: ${JSON.stringify(p)}`);
  await page.getByRole("button", { name: "Decrement" }).click();
  await page.getByText("Count: 2").waitFor({ timeout: 5000 });
  assert.equal(errors, []);
  await page.close();
});

test("each page has its own count", async () => {
  const a = await ctx.signedIn.newPage();
  const b = await ctx.signedIn.newPage();
  await a.goto(`${ctx.demo.url}/counter`);
  await b.goto(`${ctx.demo.url}/counter`);
  await connected(a);
  await connected(b);
  await a.getByRole("button", { name: "Increment" }).click();
  await a.getByText("Count: 1").waitFor({ timeout: 5000 });
  assert.match(await b.textContent("[hl-component]") ?? "", "Count: 0");
  await a.close();
  await b.close();
});

test("the index links every demo, and the stylesheet is served", async () => {
  const page = await ctx.signedIn.newPage();
  await page.goto(ctx.demo.url);
  for (const name of ["Counter", "Shared board", "Server dashboard"]) {
    assert.ok(await page.getByRole("link", { name }).first().isVisible(), `a link to ${name}`);
  }
  const css = await page.request.get(`${ctx.demo.url}/style.css`);
  assert.is(css.status(), 200);
  assert.match(await css.text(), ".card");
  await page.close();
});

test.run();

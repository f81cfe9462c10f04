// The counter demo in real Chromium against the demo server: clicks travel over the WebSocket and
// the page shows the new count, with patches that carry only what changed.
import { randomBytes } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Browser } from "playwright-core";
import { startDemo, type RunningDemo } from "../../demo/main.js";
import { connected, launch, watchErrors } from "./support.js";

let demo: RunningDemo;
let browser: Browser;

test.before(async () => {
  browser = await launch();
  demo = await startDemo({ port: 0, quiet: true, redisUrl: "", databaseUrl: "", secret: randomBytes(24).toString("hex") });
});

test.after(async () => {
  await browser?.close();
  await demo?.close();
});

test("click Increment 3 times -> Count: 3, by small patches", async () => {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  const frames: string[] = [];
  page.on("websocket", (ws) => ws.on("framereceived", (f) => frames.push(String(f.payload))));
  await page.goto(`${demo.url}/counter`);
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
  const a = await browser.newPage();
  const b = await browser.newPage();
  await a.goto(`${demo.url}/counter`);
  await b.goto(`${demo.url}/counter`);
  await connected(a);
  await connected(b);
  await a.getByRole("button", { name: "Increment" }).click();
  await a.getByText("Count: 1").waitFor({ timeout: 5000 });
  assert.match(await b.textContent("[hl-component]") ?? "", "Count: 0");
  await a.close();
  await b.close();
});

test("the index links every demo, and the stylesheet is served", async () => {
  const page = await browser.newPage();
  await page.goto(demo.url);
  for (const name of ["Counter", "Shared board", "Server dashboard"]) {
    assert.ok(await page.getByRole("link", { name }).first().isVisible(), `a link to ${name}`);
  }
  const css = await page.request.get(`${demo.url}/style.css`);
  assert.is(css.status(), 200);
  assert.match(await css.text(), ".card");
  await page.close();
});

test.run();

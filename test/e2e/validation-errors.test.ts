// Validation errors where the user looks, in real Chromium: the README's signup form shows the
// server's message beside its field after a bad submit and clears it after a good one; the demo's
// shared board refuses an item made of spaces in the browser, with its message, and adds nothing.
import type { Browser } from "playwright-core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Registry } from "../../server/index.js";
import { connected, demoInChromium, watchErrors } from "./support.js";
import { smallApp, type SmallApp } from "./small-app.js";
import { input, openBoard, texts } from "./board-page.js";
import { Signup } from "../support/readme-signup.js";

const registry = new Registry();
registry.register("signup", Signup);
let app: SmallApp;
let browser: Browser;
const board = demoInChromium(test);

test.before(async () => {
  app = await smallApp(registry, { "/signup": (live) => live("signup") });
  browser = board.browser;
});
test.after(async () => {
  await app?.stop();
});

test("README signup: a bad email shows the server's message under the field; a good one clears it", async () => {
  const page = await browser.newPage();
  const errors = watchErrors(page);
  await page.goto(`${app.url}/signup`);
  await connected(page);
  await page.locator("input[name=email]").fill("not-an-email");
  await page.getByRole("button", { name: "Save" }).click();
  await page.locator("p.error").waitFor({ timeout: 10_000 });
  assert.is(await page.locator("p.error").textContent(), "Invalid email address");
  await page.locator("input[name=email]").fill("ada@example.com");
  await page.getByRole("button", { name: "Save" }).click();
  await page.locator("p.error").waitFor({ state: "detached", timeout: 10_000 });
  assert.is(await page.locator("input[name=email]").inputValue(), "ada@example.com");
  assert.equal(errors, [], "no console error: the refusal was a normal render");
  await page.close();
});

test("demo board: an item made of spaces is refused in the browser with its message; nothing is added", async () => {
  const page = await openBoard(board.signedIn, board.demo.url);
  const before = await texts(page);
  await input(page).fill("   ");
  await page.getByRole("button", { name: "Add" }).click();
  const validity = await input(page).evaluate((el: HTMLInputElement) => ({ valid: el.validity.valid, mismatch: el.validity.patternMismatch, title: el.title, message: el.validationMessage }));
  assert.is(validity.valid, false);
  assert.is(validity.mismatch, true);
  assert.is(validity.title, "Type something first", "the browser shows the title with its message");
  assert.ok(validity.message.length > 0, "the browser has a message to show");
  assert.equal(await texts(page), before);
  await page.close();
});

test.run();

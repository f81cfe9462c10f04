// The shared board in two real Chromium pages: every change reaches both at once, and what page A
// is typing survives the patches that page B's changes cause.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { demoInChromium, watchErrors } from "./support.js";
import { add, input, item, openBoard, texts } from "./board-page.js";

const ctx = demoInChromium(test);

const open = () => openBoard(ctx.signedIn, ctx.demo.url);

test("A's draft survives while B adds items; both see every add, tick and removal", async () => {
  const a = await open();
  const b = await open();
  const errors = [...[a, b].map(watchErrors)];

  await input(a).fill("draft by A");
  await add(b, "Milk");
  await add(b, "Eggs");
  await item(a, "Milk").waitFor({ timeout: 5000 });
  await item(a, "Eggs").waitFor({ timeout: 5000 });
  assert.is(await input(a).inputValue(), "draft by A", "A's typed text survives B's patches");
  assert.is(await input(b).inputValue(), "", "B's form is cleared after adding");

  // A submits its draft with Enter: both see it, A's form clears
  await input(a).press("Enter");
  await item(b, "draft by A").waitFor({ timeout: 5000 });
  await a.waitForFunction(() => (document.querySelector("input[name=text]") as HTMLInputElement).value === "", undefined, { timeout: 5000 });

  // A ticks Milk: B sees it done
  await item(a, "Milk").getByRole("checkbox").check();
  await b.waitForSelector("li.board-item.done:has-text('Milk')", { timeout: 5000 });
  assert.ok(await item(b, "Milk").getByRole("checkbox").isChecked());

  // B removes Eggs: gone from A
  await item(b, "Eggs").getByRole("button", { name: /Remove/ }).click();
  await item(a, "Eggs").waitFor({ state: "detached", timeout: 5000 });
  assert.equal(await texts(a), ["Milk", "draft by A"]);
  assert.equal(await texts(b), ["Milk", "draft by A"]);

  assert.equal(errors.flat(), []);
  await a.close();
  await b.close();
});

test("B's untick reaches A's checkbox even while A's checkbox has the focus", async () => {
  const a = await open();
  const b = await open();
  await add(a, "Bread");
  await item(b, "Bread").waitFor({ timeout: 5000 });
  await item(a, "Bread").getByRole("checkbox").check(); // A's checkbox now has the focus
  // both pages show the tick first: else A's "not done" below could be the one from before it
  await a.waitForSelector("li.board-item.done:has-text('Bread')", { timeout: 5000 });
  await b.waitForSelector("li.board-item.done:has-text('Bread')", { timeout: 5000 });
  await item(b, "Bread").getByRole("checkbox").uncheck();
  await a.waitForSelector("li.board-item:not(.done):has-text('Bread')", { timeout: 5000 });
  assert.is(await item(a, "Bread").getByRole("checkbox").isChecked(), false, "A's checkbox shows B's untick");
  await a.close();
  await b.close();
});

test("A's draft survives B's changes after A clicked elsewhere", async () => {
  const a = await open();
  const b = await open();
  await input(a).fill("half-typed");
  await a.locator("h1").click(); // the input loses the focus, the text stays
  await add(b, "Butter");
  await item(a, "Butter").waitFor({ timeout: 5000 });
  assert.is(await input(a).inputValue(), "half-typed");
  await a.close();
  await b.close();
});

test("a page opened later sees the current list; an empty item is refused", async () => {
  const c = await open();
  const before = await texts(c);
  assert.ok(before.includes("Milk") && before.includes("draft by A") && !before.includes("Eggs"), before.join(", "));
  // the browser's own `required` check stops an empty submit: send one the way a script could
  const answer = await c.evaluate(() => (window as any).Hotline.send(document.querySelector("[hl-component]")!.getAttribute("hl-id"), "add", { text: "   " }));
  assert.is((answer as { code?: string })?.code, "bad_message");
  assert.equal(await texts(c), before);
  await c.close();
});

test.run();

// Presence in real Chromium: two people signed in in two browser contexts (two cookie jars) on the
// demo's board see each other arrive (a dot per open tab), type (the indicator shows for the other
// and goes away: on adding the item, on leaving the box, and a few seconds after the last key),
// and leave (closing the tab); on an order, each sees that the other has it open.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { BrowserContext, Page } from "playwright-core";
import { TYPING_IDLE_MS } from "../../components/board.js";
import { demoInChromium, signedInContext, watchErrors, connected } from "./support.js";
import { input, item, openBoard } from "./board-page.js";

const ctx = demoInChromium(test);
let ada: BrowserContext;
let grace: BrowserContext;

test.before(async () => {
  ada = await signedInContext(ctx.browser, ctx.demo.url, "Ada");
  grace = await signedInContext(ctx.browser, ctx.demo.url, "Grace");
});

/** The board's online list as the page shows it: "Name:dots", with ":typing" when marked so. */
function online(page: Page): Promise<string[]> {
  return page.locator(".online-user").evaluateAll((els) => els.map((li) =>
    `${li.querySelector(".online-name")?.textContent}:${li.querySelector(".tabs")?.textContent?.length ?? 0}${li.classList.contains("typing") ? ":typing" : ""}`));
}
const typingLine = (page: Page) => page.locator(".board-typing").textContent().then((t) => (t ?? "").trim());

/** Waits until the page's online list is `expected`; fails with what it shows. */
async function lists(page: Page, expected: string[], what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  let now: string[] = [];
  while (Date.now() < deadline) {
    now = await online(page);
    if (JSON.stringify(now) === JSON.stringify(expected)) return;
    await page.waitForTimeout(50);
  }
  assert.unreachable(`${what}: expected ${JSON.stringify(expected)}, the page shows ${JSON.stringify(now)}`);
}

async function says(page: Page, expected: string, what: string, ms = 5000): Promise<number> {
  const started = Date.now();
  const deadline = started + ms;
  let now = "";
  while (Date.now() < deadline) {
    now = await typingLine(page);
    if (now === expected) return Date.now() - started;
    await page.waitForTimeout(50);
  }
  return assert.unreachable(`${what}: expected the typing line "${expected}", the page shows "${now}"`) as never;
}

test("two people on the board see each other arrive, type and leave", async () => {
  const a = await openBoard(ada, ctx.demo.url);
  const errors = [watchErrors(a)];
  await lists(a, ["Ada:1"], "Ada sees herself");
  const g = await openBoard(grace, ctx.demo.url);
  errors.push(watchErrors(g));
  await lists(g, ["Ada:1", "Grace:1"], "Grace sees Ada and herself");
  await lists(a, ["Ada:1", "Grace:1"], "Ada sees Grace arrive");

  // a second tab of Ada's is a second dot, not a second Ada
  const a2 = await openBoard(ada, ctx.demo.url);
  await lists(g, ["Ada:2", "Grace:1"], "Ada's second tab");
  await a2.close();
  await lists(g, ["Ada:1", "Grace:1"], "Ada's second tab closed");

  // typing shows for the other; adding the item ends it
  await input(a).click();
  await input(a).pressSequentially("Milk", { delay: 40 });
  await says(g, "Ada is typing…", "Ada types");
  await lists(g, ["Ada:1:typing", "Grace:1"], "Ada marked as typing");
  await input(a).press("Enter");
  await item(g, "Milk").waitFor({ timeout: 5000 });
  await says(g, "", "Ada's item is added");
  await lists(g, ["Ada:1", "Grace:1"], "Ada no longer typing");

  // leaving the box ends it
  await input(a).pressSequentially("Eg", { delay: 40 });
  await says(g, "Ada is typing…", "Ada types again");
  await a.locator("h1").click();
  await says(g, "", "Ada left the box");

  // and so do a few seconds without a key, the box still focused and not empty
  await input(a).click();
  await input(a).pressSequentially("gs", { delay: 40 });
  await says(g, "Ada is typing…", "Ada types once more");
  const quiet = await says(g, "", "Ada stopped typing", TYPING_IDLE_MS + 3000);
  assert.ok(quiet >= TYPING_IDLE_MS - 1000, `the indicator stayed while Ada paused for less than ${TYPING_IDLE_MS} ms (gone after ${quiet} ms)`);
  assert.is(await input(a).inputValue(), "Eggs", "what Ada typed is left alone");
  console.log(`typing indicator gone ${quiet} ms after it showed (idle ${TYPING_IDLE_MS} ms after the last key)`);

  // both typing at once
  await input(g).click();
  await input(g).pressSequentially("Tea", { delay: 40 });
  await input(a).click();
  await input(a).pressSequentially("!", { delay: 40 });
  await says(a, "Ada and Grace are typing…", "both type");
  await says(g, "Ada and Grace are typing…", "both type, as Grace sees it");

  await g.locator("h1").click();
  await says(a, "Ada is typing…", "Grace left her box");

  // closing the tab is leaving (typing or not)
  await a.close();
  await lists(g, ["Grace:1"], "Ada closed her tab");
  await says(g, "", "nobody typing");
  assert.equal(errors.flat(), [], "no errors in either page");
  await g.close();
});

test("on an order, each sees the other has it open: the owner editing, the other viewing", async () => {
  const open = async (context: BrowserContext) => {
    const page = await context.newPage();
    await page.goto(`${ctx.demo.url}/orders?pk=1`); // order 1 is Ada's
    await connected(page);
    return page;
  };
  const note = (page: Page) => page.locator('[hl-component="order_editor"] .order-presence');
  const a = await open(ada);
  assert.is(await note(a).count(), 0, "alone on the order: nothing said");
  const g = await open(grace);
  await note(g).filter({ hasText: "Ada is editing this order." }).waitFor({ timeout: 5000 });
  await note(a).filter({ hasText: "Grace is viewing this order." }).waitFor({ timeout: 5000 });
  // another order is another topic
  const other = await grace.newPage();
  await other.goto(`${ctx.demo.url}/orders?pk=2`);
  await connected(other);
  assert.is(await note(other).count(), 0, "nobody else on order 2");
  await g.close();
  await note(a).waitFor({ state: "detached", timeout: 5000 });
  await a.close();
  await other.close();
});

test.run();

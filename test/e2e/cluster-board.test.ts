// The board in two real Chromium pages served by two different demo processes that share one
// Redis (no sticky sessions): each page sees the other's adds, ticks and removals.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { needRedis } from "../support/services.js";
import { dropKeys, killAll, runPrefix, startNode, type Node } from "../cluster/support.js";
import { launch, signedInContext, watchErrors } from "./support.js";
import { add, input, item, openBoard, texts } from "./board-page.js";

const url = await needRedis();
const prefix = runPrefix("e2e-cluster");
let browser: Browser;
let signedIn: BrowserContext;
let p1: Node;
let p2: Node;

test.before(async () => {
  browser = await launch();
  const env = { REDIS_URL: url, HOTLINE_REDIS_PREFIX: prefix };
  [p1, p2] = await Promise.all([startNode("P1", env), startNode("P2", env)]);
  // signed in on P1; the cookie is good on P2 too (both have the run's session secret)
  signedIn = await signedInContext(browser, p1.http);
});

test.after(async () => {
  await browser?.close();
  await killAll();
  await dropKeys(url, prefix);
});

const open = (node: Node) => openBoard(signedIn, node.http);

test("pages on P1 and P2 see each other's adds, ticks and removals", async () => {
  const a = await open(p1);
  const b = await open(p2);
  const errors = [a, b].map(watchErrors);

  await add(a, "from P1");
  await item(b, "from P1").waitFor({ timeout: 5000 });
  await add(b, "from P2");
  await item(a, "from P2").waitFor({ timeout: 5000 });
  assert.equal(await texts(a), ["from P1", "from P2"]);
  assert.equal(await texts(b), ["from P1", "from P2"]);

  await item(b, "from P1").getByRole("checkbox").check();
  await a.waitForSelector("li.board-item.done:has-text('from P1')", { timeout: 5000 });
  assert.ok(await item(a, "from P1").getByRole("checkbox").isChecked(), "P2's tick shows on P1");
  await item(a, "from P1").getByRole("checkbox").uncheck();
  await b.waitForSelector("li.board-item:not(.done):has-text('from P1')", { timeout: 5000 });

  await item(a, "from P2").getByRole("button", { name: /Remove/ }).click();
  await item(b, "from P2").waitFor({ state: "detached", timeout: 5000 });
  await item(b, "from P1").getByRole("button", { name: /Remove/ }).click();
  await item(a, "from P1").waitFor({ state: "detached", timeout: 5000 });
  assert.equal(await texts(a), []);
  assert.equal(await texts(b), []);

  assert.equal(errors.flat(), []);
  await a.close();
  await b.close();
});

test.run();

// The dashboard demo in real Chromium: figures published once a second reach every open page.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Page } from "playwright-core";
import { connected, demoInChromium } from "./support.js";

const ctx = demoInChromium(test, { role: "" });

const stamp = (p: Page) => p.locator(".dashboard time").getAttribute("datetime");

test("two pages get the same live figures, tick after tick", async () => {
  const a = await ctx.signedIn.newPage();
  const b = await ctx.signedIn.newPage();
  await a.goto(`${ctx.demo.url}/dashboard`);
  await b.goto(`${ctx.demo.url}/dashboard`);
  await connected(a);
  await connected(b);
  await a.locator(".dashboard .stat").first().waitFor({ timeout: 5000 });
  const first = await stamp(a);
  await a.waitForFunction((t) => document.querySelector(".dashboard time")?.getAttribute("datetime") !== t, first, { timeout: 5000 });
  const text = (await a.locator(".dashboard").textContent()) ?? "";
  for (const label of ["CPU", "Memory (RSS)", "Heap used", "Event-loop delay p50", "Event-loop delay p99", "Connected sessions"]) {
    assert.match(text, label);
  }
  assert.match(text, /\d+\.\d %/);
  const sessions = Number(await a.locator(".stat", { hasText: "Connected sessions" }).locator(".stat-value").textContent());
  assert.ok(sessions >= 2, `both pages' sessions are counted (${sessions})`);
  // the tick a shows reaches b too (or a later one already has)
  const now = (await stamp(a))!;
  await b.waitForFunction((t) => (document.querySelector(".dashboard time")?.getAttribute("datetime") ?? "") >= t, now, { timeout: 3000 });
  await a.close();
  await b.close();
});

test.run();

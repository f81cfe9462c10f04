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

test("each figure is a tile, a child component that gets its own patch on each tick", async () => {
  const page = await ctx.signedIn.newPage();
  const patches: { id: string; body: string }[] = [];
  page.on("websocket", (ws) => ws.on("framereceived", (f) => {
    const m = JSON.parse(String(f.payload));
    if (m.t === "patch") patches.push({ id: m.id, body: JSON.stringify(m) });
  }));
  await page.goto(`${ctx.demo.url}/dashboard`);
  await connected(page);
  const parentId = (await page.locator('[hl-component="dashboard_page"]').getAttribute("hl-id"))!;
  const tiles = page.locator('[hl-component="dashboard_tile"]');
  await page.waitForFunction(() => {
    const t = [...document.querySelectorAll('[hl-component="dashboard_tile"]')];
    return t.length >= 5 && t.every((el) => el.classList.contains("hl-connected"));
  }, undefined, { timeout: 10_000 });
  assert.ok((await tiles.count()) >= 5);
  // a tick after the tiles joined: the CPU tile's own patch carries its figure
  const cpuId = `${parentId}:cpu`;
  const before = patches.length;
  const deadline = Date.now() + 10_000;
  // (a tick whose CPU figure reads as the last one's patches only the sparkline: the next one will differ)
  const carries = (p: { id: string; body: string }) => p.id === cpuId && /%/.test(p.body);
  while (!patches.slice(before).some(carries) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.ok(patches.slice(before).some(carries), `a patch for ${cpuId} with its figure among ${patches.slice(before).map((p) => p.id).join(", ")}`);
  for (const p of patches.filter((p) => p.id === parentId)) assert.not.match(p.body, /MB/, "the dashboard's own patches leave the tiles' figures to them");
  await page.close();
});

test.run();

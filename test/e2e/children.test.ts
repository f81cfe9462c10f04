// Nested components in real Chromium, with an app of its own (test/e2e/small-app.ts): a board
// renders tiles with this.child(); events reach the tile they are in, the parent with
// hl-target="parent", a component by selector; a tile added by a patch goes live by itself; a removed
// tile's instance is gone on the server.
import type { Page } from "playwright-core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import { connected, watchErrors } from "./support.js";
import { smallAppInChromium } from "./small-app.js";

class Tile extends Component<{ label: string; n: number }, { label: string }> {
  mount() {
    this.state.label = this.params.label;
    this.state.n = 0;
  }
  onBump() {
    this.state.n++;
  }
  onPoke() {
    this.state.n += 1000; // never, when hl-target sends the poke to the board
  }
  onTell() {
    this.emit("poke");
  }
  render() {
    return html`<span class="n">${this.state.label}:${this.state.n}</span> <button class="bump" hl-click="bump">+</button> <button class="up" hl-click="poke" hl-target="parent">poke board</button> <button class="tell" hl-click="tell">tell board</button>`;
  }
}

class Board extends Component<{ ids: string[]; pokes: number; next: number }> {
  mount() {
    this.state.ids = ["a", "b"];
    this.state.pokes = 0;
    this.state.next = 0;
  }
  onPoke() {
    this.state.pokes++;
  }
  onBump() {
    this.state.pokes += 1000; // never, when hl-target sends the bump to tile b
  }
  onAdd() {
    this.state.ids = [...this.state.ids, `t${this.state.next++}`];
  }
  onRemove() {
    this.state.ids = this.state.ids.slice(1);
  }
  render() {
    return html`<p class="pokes">pokes ${this.state.pokes}</p>
<button class="add" hl-click="add">Add</button> <button class="remove" hl-click="remove">Remove first</button>
<button class="bump-b" hl-click="bump" hl-target="[hl-id='board:b']">bump b</button>
<div class="tiles">${this.state.ids.map((id) => this.child("tile", { label: id }, id))}</div>`;
  }
}

const registry = new Registry();
registry.register("tile", Tile);
registry.register("board", Board);

const ctx = smallAppInChromium(test, registry, { "/": (live) => live("board", {}, { id: "board" }) });

const tile = (page: Page, id: string) => page.locator(`[hl-id="board:${id}"]`);
const text = async (page: Page, sel: string) => ((await page.textContent(sel)) ?? "").trim();

/** Waits until the server's live instances number `n`. */
async function instances(n: number): Promise<void> {
  const end = Date.now() + 15_000;
  while (ctx.app.hotline.stats().instances !== n) {
    if (Date.now() > end) throw new Error(`instances: ${ctx.app.hotline.stats().instances}, waited for ${n}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test("the children render server-side and go live; events reach the tile only, hl-target reaches the board or a tile by selector", async () => {
  const page = await ctx.browser.newPage();
  const errors = watchErrors(page);
  const frames: { t: string; id?: string }[] = [];
  page.on("websocket", (ws) => ws.on("framereceived", (f) => frames.push(JSON.parse(String(f.payload)))));
  await page.goto(ctx.app.url);
  assert.is(await text(page, '[hl-id="board:a"] .n'), "a:0", "the tile's first render is in the page");
  await connected(page);
  await instances(3);

  const before = frames.length;
  await tile(page, "a").locator(".bump").click();
  await page.waitForFunction(() => document.querySelector('[hl-id="board:a"] .n')?.textContent === "a:1");
  assert.equal([...new Set(frames.slice(before).filter((m) => m.t === "patch").map((m) => m.id))], ["board:a"], "the tile's patch only");
  assert.is(await text(page, ".pokes"), "pokes 0");

  await tile(page, "a").locator(".up").click();
  await page.waitForFunction(() => document.querySelector(".pokes")?.textContent === "pokes 1");
  assert.is(await text(page, '[hl-id="board:a"] .n'), "a:1", "the poke went to the board, not the tile");

  await page.locator(".bump-b").click();
  await page.waitForFunction(() => document.querySelector('[hl-id="board:b"] .n')?.textContent === "b:1");
  assert.is(await text(page, ".pokes"), "pokes 1", "the selector's tile got the bump, not the board");
  assert.equal(errors, []);
  await page.close();
  await instances(0);
});

test("a tile added by a patch is live without Hotline.start(); a removed tile's instance is gone on the server", async () => {
  const page = await ctx.browser.newPage();
  const errors = watchErrors(page);
  await page.goto(ctx.app.url);
  await connected(page);
  await instances(3);
  await tile(page, "a").locator(".bump").click();
  await page.waitForFunction(() => document.querySelector('[hl-id="board:a"] .n')?.textContent === "a:1");

  await page.locator(".add").click();
  await tile(page, "t0").waitFor({ timeout: 10_000 });
  await page.waitForFunction(() => document.querySelector('[hl-id="board:t0"]')?.classList.contains("hl-connected"), undefined, { timeout: 10_000 });
  await instances(4);
  assert.is(await text(page, '[hl-id="board:a"] .n'), "a:1", "the board's re-render left the tiles it holds alone");
  await tile(page, "t0").locator(".bump").click();
  await page.waitForFunction(() => document.querySelector('[hl-id="board:t0"] .n')?.textContent === "t0:1");

  await page.locator(".remove").click();
  await tile(page, "a").waitFor({ state: "detached", timeout: 10_000 });
  await instances(3);
  await tile(page, "b").locator(".bump").click();
  await page.waitForFunction(() => document.querySelector('[hl-id="board:b"] .n')?.textContent === "b:1");
  assert.equal(errors, []);
  await page.close();
  await instances(0);
});

test("after the socket drops, the board and its tiles rejoin with their sessions and stay linked", async () => {
  const page = await ctx.browser.newPage();
  const errors = watchErrors(page);
  let sockets = 0;
  page.on("websocket", () => sockets++);
  await page.goto(ctx.app.url);
  await connected(page);
  await tile(page, "a").locator(".bump").click();
  await page.waitForFunction(() => document.querySelector('[hl-id="board:a"] .n')?.textContent === "a:1");
  for (const c of ctx.app.hotline.websocket.connections) c.ws.terminate();
  // the close took hl-connected off every root; the new socket's joins put it back
  for (const end = Date.now() + 15_000; sockets < 2; await new Promise((r) => setTimeout(r, 50))) if (Date.now() > end) throw new Error("no reconnect");
  await connected(page);
  await instances(3);
  await tile(page, "a").locator(".bump").click();
  await page.waitForFunction(() => document.querySelector('[hl-id="board:a"] .n')?.textContent === "a:2");
  await tile(page, "b").locator(".tell").click();
  await page.waitForFunction(() => document.querySelector(".pokes")?.textContent === "pokes 1", undefined, { timeout: 10_000 });
  assert.equal(errors, []);
  await page.close();
  await instances(0);
});

test.run();

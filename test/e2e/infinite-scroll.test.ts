// Infinite scroll in real Chromium (a small app of this file's own): a 10,000-row list in a stream
// container with hl-viewport-bottom / hl-viewport-top loads a page as either edge comes into view,
// and streamInsert's limit keeps the DOM bounded however far one scrolls, both ways; the rows stay
// contiguous. A viewport event is not sent again while the previous one awaits its answer.
import type { Page } from "playwright-core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import { stream, streamInsert } from "../../server/core/template/stream.js";
import { connected, watchErrors } from "./support.js";
import { smallAppInChromium } from "./small-app.js";

const TOTAL = 10_000;
const PAGE = 50;
const LIMIT = 150;

type Row = { n: number };
/** Rows from..to (inclusive), within 1..TOTAL: the "database". */
const rows = (from: number, to: number): Row[] => {
  const out: Row[] = [];
  for (let n = Math.max(1, from); n <= Math.min(TOTAL, to); n++) out.push({ n });
  return out;
};
/** The row number of a DOM id `rows-<n>`. */
const num = (id: unknown) => Number(/^rows-(\d+)$/.exec(String(id))?.[1] ?? NaN);

/** Set by a test to hold the `next` handler until it resolves. */
let gate: Promise<void> | null = null;

class List extends Component<{ pages: number }> {
  mount() {
    this.state.pages = 0;
    streamInsert(this, "rows", rows(1, PAGE));
  }
  hydrate(state: Partial<{ pages: number }>) {
    super.hydrate(state);
    streamInsert(this, "rows", rows(1, PAGE)); // a join starts with an empty container
  }
  async onNext({ id }: { id: string }) {
    await gate;
    const last = num(id);
    if (!(last < TOTAL)) return;
    this.state.pages++;
    streamInsert(this, "rows", rows(last + 1, last + PAGE), { limit: LIMIT });
  }
  onPrev({ id }: { id: string }) {
    const first = num(id);
    if (!(first > 1)) return;
    this.state.pages++;
    // each item goes to index 0 in turn: the last one given ends up first
    streamInsert(this, "rows", rows(first - PAGE, first - 1).reverse(), { at: "start", limit: LIMIT });
  }
  render() {
    const list = html`<ul id="rows" hl-stream="rows" hl-viewport-top="prev" hl-viewport-bottom="next">${stream(this, "rows", {
      key: (r: Row) => r.n,
      render: (r: Row, id) => html`<li id="${id}">row ${r.n}</li>`,
    })}</ul>`;
    // params.pane: the list scrolls inside a box of its own instead of the page
    return html`<div>
  <p id="pages">${this.state.pages}</p>
  ${(this.params as { pane?: boolean }).pane ? html`<div id="pane" style="height:300px;overflow:auto">${list}</div>` : list}
</div>`;
  }
}

const registry = new Registry();
registry.register("list", List);

const ctx = smallAppInChromium(test, registry, { "/": (live) => live("list"), "/pane": (live) => live("list", { pane: true }) }, "body{margin:0} li{height:30px;margin:0;box-sizing:border-box}");

/** The row numbers in the DOM, in order. */
const shown = (page: Page) => page.$$eval("#rows > li", (els) => els.map((e) => Number(e.id.slice(5))));

/** Checks the rows are contiguous and within the limit; returns [first, last, count]. */
async function bounded(page: Page): Promise<[number, number, number]> {
  const ns = await shown(page);
  assert.ok(ns.length <= LIMIT, `at most ${LIMIT} rows in the DOM, ${ns.length} are`);
  ns.forEach((n, i) => i && assert.is(n, ns[i - 1]! + 1, `contiguous rows: ${ns[i - 1]} then ${n}`));
  return [ns[0]!, ns.at(-1)!, ns.length];
}

/** Scrolls to the bottom (top) until the last (first) row is `n`, checking the DOM after each page. */
async function scrollUntil(page: Page, edge: "bottom" | "top", n: number, pane = false): Promise<number> {
  let pages = 0;
  for (;;) {
    const [first, last] = await bounded(page);
    const at = edge === "bottom" ? last : first;
    if (at === n) return pages;
    await page.evaluate(
      ([e, inPane]) => {
        const box = inPane ? document.querySelector("#pane")! : document.scrollingElement!;
        box.scrollTop = e === "bottom" ? box.scrollHeight : 0;
      },
      [edge, pane] as const,
    );
    await page.waitForFunction(
      ([e, was]) => {
        const li = document.querySelector(`#rows > li:${e === "bottom" ? "last" : "first"}-child`);
        return li && li.id !== `rows-${was}`;
      },
      [edge, at] as const,
      { timeout: 15_000 },
    );
    pages++;
  }
}

test("scrolling down loads page after page, scrolling up loads them back; the DOM holds at most the limit, contiguous", async () => {
  const page = await ctx.browser.newPage({ viewport: { width: 800, height: 600 } });
  const errors = watchErrors(page);
  const sent: string[] = [];
  page.on("websocket", (ws) => ws.on("framesent", (f) => sent.push(String(f.payload))));
  await page.goto(ctx.app.url);
  await connected(page);
  assert.equal(await bounded(page), [1, PAGE, PAGE], "the first page, server-rendered");

  // far down: 40 pages (2,050 rows), never more than the limit in the DOM
  const down = await scrollUntil(page, "bottom", 2050);
  assert.is(down, 40);
  assert.equal(await bounded(page), [2050 - LIMIT + 1, 2050, LIMIT], "the oldest rows were pruned from the top");
  assert.ok(!(await page.$("#rows-1")), "row 1 left the DOM");

  // back up 10 pages: rows come back at the top, the bottom is pruned
  const up = await scrollUntil(page, "top", 1401);
  assert.is(up, 10);
  assert.equal(await bounded(page), [1401, 1401 + LIMIT - 1, LIMIT]);

  // one event per page; none sent twice for the same edge row
  const events = sent.filter((f) => f.includes('"t":"event"')).map((f) => JSON.parse(f) as { event: string; payload: { id: string } });
  const keys = events.map((e) => `${e.event} ${e.payload.id}`);
  assert.is(new Set(keys).size, keys.length, `no edge row sent twice: ${keys.join(", ")}`);
  assert.ok(events.filter((e) => e.event === "next").length === down, "one next per page down");
  assert.equal(errors, []);
  await page.close();
});

test("in a scrolling box of its own (not the page): the same, both ways", async () => {
  const page = await ctx.browser.newPage({ viewport: { width: 800, height: 600 } });
  const errors = watchErrors(page);
  await page.goto(`${ctx.app.url}/pane`);
  await connected(page);
  assert.equal(await bounded(page), [1, PAGE, PAGE]);
  assert.is(await scrollUntil(page, "bottom", 550, true), 10);
  assert.equal(await bounded(page), [550 - LIMIT + 1, 550, LIMIT]);
  assert.is(await scrollUntil(page, "top", 251, true), 3);
  assert.equal(await bounded(page), [251, 251 + LIMIT - 1, LIMIT]);
  assert.equal(errors, []);
  await page.close();
});

test("a first page shorter than the viewport: its bottom edge loads the next page once joined, then stops", async () => {
  const page = await ctx.browser.newPage({ viewport: { width: 800, height: 2000 } });
  const errors = watchErrors(page);
  const sent: string[] = [];
  page.on("websocket", (ws) => ws.on("framesent", (f) => sent.push(String(f.payload))));
  await page.goto(ctx.app.url);
  await page.waitForSelector("#rows-100", { state: "attached", timeout: 15_000 });
  await connected(page);
  assert.equal(await bounded(page), [1, 100, 100], "one page more: its last row is below the viewport");
  const types = sent.map((f) => (JSON.parse(f) as { t: string; event?: string }).event ?? (JSON.parse(f) as { t: string }).t);
  assert.is(types[0], "join", `nothing before the join: ${types.join(", ")}`);
  assert.is(types.filter((t) => t === "next").length, 1, types.join(", "));
  assert.equal(errors, []);
  await page.close();
});

test("while a viewport event awaits its answer, the edge coming into view again sends nothing", async () => {
  const page = await ctx.browser.newPage({ viewport: { width: 800, height: 600 } });
  const errors = watchErrors(page);
  const nexts: string[] = [];
  page.on("websocket", (ws) => ws.on("framesent", (f) => String(f.payload).includes('"event":"next"') && nexts.push(String(f.payload))));
  await page.goto(ctx.app.url);
  await connected(page);
  let release!: () => void;
  gate = new Promise((r) => (release = r));
  // To the bottom, until its event leaves (on a loaded machine the first scroll can come before
  // the observer has seen the rows; scrolling again is what a person does, and sends nothing more).
  for (let i = 0; nexts.length === 0 && i < 60; i++) {
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight - 1500));
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.waitForTimeout(250);
  }
  await page.waitForFunction(() => document.querySelector("[hl-component]")!.classList.contains("hl-loading"));
  assert.is(nexts.length, 1);
  // the last row leaves the viewport and comes back, twice, while the answer is held
  for (let i = 0; i < 2; i++) {
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
  }
  assert.is(nexts.length, 1, `one next while pending: ${nexts.join(" | ")}`);
  release();
  gate = null;
  await page.waitForSelector("#rows-100", { state: "attached" });
  assert.equal(await bounded(page), [1, 100, 100]);
  assert.equal(errors, []);
  await page.close();
});

test.run();

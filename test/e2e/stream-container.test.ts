// HTML stream containers in real Chromium: items inserted (end, start), updated in place, deleted
// and reset through the browser client, which keeps the container's untouched children (their
// identity survives: a JS property set on them stays) and receives only the items that changed.
import type { Browser, Page } from "playwright-core";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { stream, streamDelete, streamInsert, streamReset } from "../../server/core/template/stream.js";
import { html } from "../../server/core/template/template.js";
import type { DemoPage } from "../../demo/page.js";
import { startPageServer, type PageServer } from "../sdui/page-server.js";
import { connected, launch, watchErrors } from "./support.js";

type Row = { id: number; name: string };

/** Where the items live: not in the component's state (a stand-in for a database). */
const db = new Map<number, Row>();
let next = 1;

class Feed extends Component<{ title: string }> {
  mount() {
    this.state.title = "Feed";
    streamInsert(this, "rows", [...db.values()]);
  }
  hydrate(state: Partial<{ title: string }>) {
    super.hydrate(state);
    streamInsert(this, "rows", [...db.values()]); // a (re)join starts with an empty container
  }
  onAdd({ at }: { at?: string }) {
    const row = { id: next, name: `row ${next++}` };
    db.set(row.id, row);
    streamInsert(this, "rows", [row], { at: at === "start" ? "start" : "end" });
  }
  onRename({ id }: { id: string }) {
    const row = db.get(Number(id))!;
    row.name = `${row.name} (renamed)`;
    streamInsert(this, "rows", [row]);
  }
  onRemove({ id }: { id: string }) {
    db.delete(Number(id));
    streamDelete(this, "rows", Number(id));
  }
  onReset() {
    db.clear();
    const row = { id: next, name: `row ${next++}` };
    db.set(row.id, row);
    streamReset(this, "rows");
    streamInsert(this, "rows", [row]);
  }
  onTitle() {
    this.state.title += "!";
  }
  render() {
    return html`<div>
  <h2 class="title">${this.state.title}</h2>
  <button hl-click="add">Add</button> <button hl-click="add" hl-value-at="start">Add at start</button>
  <button hl-click="title">Title</button> <button hl-click="reset">Reset</button>
  <ul id="rows" hl-stream="rows">${stream(this, "rows", {
    key: (r: Row) => r.id,
    render: (r: Row, id) => html`<li id="${id}"><span class="name">${r.name}</span> <button hl-click="rename" hl-value-id="${r.id}">Rename</button> <button hl-click="remove" hl-value-id="${r.id}">Remove</button></li>`,
  })}</ul>
</div>`;
  }
}

const registry = new Registry();
registry.register("feed", Feed);
const page0: DemoPage = { path: "/feed", title: "Feed", blurb: "", body: async ({ live }) => live("feed") };

let server: PageServer;
let browser: Browser;

test.before(async () => {
  browser = await launch();
  server = await startPageServer([page0], { registry });
});
test.after(async () => {
  await browser?.close();
  await server?.stop();
});

/** The distinct row ids a frame carries. */
const rowsIn = (frame: string) => [...new Set(frame.match(/rows-\d+/g) ?? [])];
const ids = (page: Page) => page.$$eval("#rows > li", (els) => els.map((e) => e.id));
/** Marks each current row with a JS property, to check later that the same node is still there. */
const mark = (page: Page) => page.$$eval("#rows > li", (els) => els.forEach((e) => ((e as unknown as { mark: string }).mark = e.id)));
const marked = (page: Page) => page.$$eval("#rows > li", (els) => els.filter((e) => (e as unknown as { mark?: string }).mark === e.id).map((e) => e.id));

test("insert at the end and the start, update in place, delete, reset: only the changed rows travel, the others keep their nodes", async () => {
  db.clear();
  for (let i = 0; i < 300; i++) db.set(next, { id: next, name: `row ${next++}` });
  const first = [...db.keys()];
  const page = await browser.newPage();
  const errors = watchErrors(page);
  const patches: string[] = [];
  page.on("websocket", (ws) => ws.on("framereceived", (f) => {
    const s = String(f.payload);
    if (s.startsWith('{"t":"patch"')) patches.push(s);
  }));
  await page.goto(`${server.url}/feed`);
  await connected(page);
  assert.equal(await ids(page), first.map((id) => `rows-${id}`), "the server-side render, kept by the join");
  await mark(page);

  // add at the end: one row travels
  // the expected id is read before the click: the server's handler runs in this process and may
  // (or may not yet) have taken the next id when the click resolves
  const added = `rows-${next}`;
  await page.click("text=Add >> nth=0");
  await page.waitForSelector(`#${added}`);
  let ids1 = await ids(page);
  assert.is(ids1.length, 301);
  assert.is(ids1.at(-1), added);
  let last = patches.at(-1)!;
  assert.is(rowsIn(last).length, 1, `one row in the frame: ${last}`);
  assert.ok(last.length < 400, `a small frame (${last.length} bytes): ${last}`);
  assert.is((await marked(page)).length, 300, "every older row is the same DOM node");

  // add at the start
  const top = `rows-${next}`;
  await page.click("text=Add at start");
  await page.waitForSelector(`#${top}`);
  ids1 = await ids(page);
  assert.is(ids1[0], top);
  last = patches.at(-1)!;
  assert.is(rowsIn(last).length, 1, `one row: ${last}`);

  // rename row 2: replaced in place, same node (morphed), same position
  const second = `rows-${first[1]}`;
  await page.click(`#${second} >> text=Rename`);
  await page.waitForSelector(`#${second} >> text=(renamed)`);
  assert.equal(await ids(page), ids1, "the order is unchanged");
  assert.ok((await marked(page)).includes(second), "the renamed row is still the same node");
  last = patches.at(-1)!;
  assert.is(rowsIn(last).length, 1, `one row: ${last}`);
  assert.not.match(last, `row ${first[2]}`);

  // delete row 1
  const one = `rows-${first[0]}`;
  await page.click(`#${one} >> text=Remove`);
  await page.waitForSelector(`#${one}`, { state: "detached" });
  assert.equal(await ids(page), ids1.filter((x) => x !== one));
  assert.match(patches.at(-1)!, `"d":["${one}"]`);

  // a change outside the stream does not touch it
  await page.click("text=Title");
  await page.waitForSelector("h2.title >> text=Feed!");
  assert.is((await ids(page)).length, 301);
  assert.is((await marked(page)).length, 299, "the 300 marked rows but the deleted one");
  assert.not.match(patches.at(-1)!, "rows-");

  // reset: only the new row stays
  const fresh = `rows-${next}`;
  await page.click("text=Reset");
  await page.waitForSelector(`#${fresh}`);
  await page.waitForFunction(() => document.querySelectorAll("#rows > li").length === 1);
  assert.equal(await ids(page), [fresh]);
  assert.equal(errors, []);
  await page.close();
});

test("a reload (a new join) shows the rows from the source, not a stale copy", async () => {
  const page = await browser.newPage();
  await page.goto(`${server.url}/feed`);
  await connected(page);
  const id = `rows-${next}`;
  await page.click("text=Add >> nth=0");
  await page.waitForSelector(`#${id}`);
  await page.reload();
  await connected(page);
  assert.equal(await ids(page), [...db.keys()].map((k) => `rows-${k}`));
  await page.close();
});

test.run();

// HTML stream containers: what a render sends (only the items inserted, updated or deleted since
// the last render), how the client's Rendered turns it into DOM operations, and that neither the
// server's DiffTracker nor the client's Rendered keeps the items. The DOM side runs in Chromium:
// test/e2e/stream-container.test.ts.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Component } from "../../server/core/component.js";
import { renderToString } from "../../server/core/template/render-string.js";
import { flushStreams, hasPendingStreams, stream, streamDelete, streamInsert, streamReset } from "../../server/core/template/stream.js";
import { html, StreamPart, type TemplateResult } from "../../server/core/template/template.js";
import { DiffTracker } from "../../server/core/template/diff-tracker.js";
import { presenterFor } from "../../server/live/presenter.js";
import { DiffError, Rendered } from "../../client/rendered.js";

type Item = { id: number; name: string };

class Feed extends Component<{ title: string }> {
  mount() {
    this.state.title = "Feed";
  }
  render(): TemplateResult {
    return html`<section><h2>${this.state.title}</h2><ul hl-stream="items">${stream(this, "items", {
      key: (x: Item) => x.id,
      render: (x: Item, id) => html`<li id="${id}">${x.name}</li>`,
    })}</ul></section>`;
  }
  describe() {
    return { screens: { feed: { components: { title: { rel: "title", behavior: "VISIBLE", locale: { title: this.state.title }, payload: {} } } } } };
  }
}

const items = (from: number, n: number, name = "item"): Item[] => Array.from({ length: n }, (_, j) => ({ id: from + j, name: `${name} ${from + j}` }));

/** A server DiffTracker and a client Rendered in step, like a joined instance; flushes like the presenter does. */
function joined(component: Feed) {
  const view = new DiffTracker();
  const full = view.full(component.render());
  flushStreams(component);
  const client = Rendered.fromJoin({ t: "ok", ...full });
  return {
    full,
    client,
    update() {
      const body = view.update(component.render());
      flushStreams(component);
      client.apply({ t: "patch", id: "f", ...body });
      return body as Record<string, any>;
    },
  };
}

/** The stream operations in the client's HTML, as [op, key, at?] (what client/dom-patch.ts applies). */
function ops(htmlText: string): string[][] {
  return [...htmlText.matchAll(/<template hl-op="(\w+)"(?: hl-key="([^"]*)")?(?: hl-at="(\d+)")?>/g)].map((m) => m.slice(1).filter((x) => x !== undefined));
}

const enc = suite("stream containers: encoding and diffs");

enc("the first render carries every item inserted in mount; the HTML has them as plain children", () => {
  const f = new Feed();
  f.mount();
  streamInsert(f, "items", items(1, 2));
  const t = f.render();
  assert.is(renderToString(t), '<section><h2>Feed</h2><ul hl-stream="items"><li id="items-1">item 1</li><li id="items-2">item 2</li></ul></section>');
  const j = joined(f);
  assert.is(j.full.html, renderToString(f.render().strings === t.strings ? t : t), "the ok's html is the same");
  const node = (j.full.r as unknown[])[2] as { st: string; i: unknown[] };
  assert.is(node.st, "items");
  assert.equal(node.i.map((e) => (e as unknown[])[0]), ["items-1", "items-2"]);
  // the client: a new container starts empty (reset), then the inserts
  assert.equal(ops(j.client.toHTML()), [["reset"], ["i", "items-1"], ["i", "items-2"]]);
  assert.not.ok(hasPendingStreams(f), "sent operations are forgotten");
});

enc("insert at the end, at the start, update in place by key, delete, reset: each sends only that", () => {
  const f = new Feed();
  f.mount();
  streamInsert(f, "items", items(1, 3));
  const j = joined(f);

  streamInsert(f, "items", items(4, 1));
  let b = j.update();
  assert.equal(b, { 1: { st: "items", i: [["items-4", [b[1].i[0][1][0], "items-4", "item 4"]]] } });
  assert.equal(ops(j.client.toHTML()), [["i", "items-4"]]);

  streamInsert(f, "items", items(0, 1), { at: "start" });
  b = j.update();
  assert.equal(b[1].i.map((e: unknown[]) => [e[0], e[2]]), [["items-0", 0]]);
  assert.equal(ops(j.client.toHTML()), [["i", "items-0", "0"]]);

  streamInsert(f, "items", [{ id: 2, name: "renamed" }]);
  b = j.update();
  assert.equal(b[1].i.length, 1, "an update is the item, whole, under its key");
  assert.match(j.client.toHTML(), '<template hl-op="i" hl-key="items-2"><li id="items-2">renamed</li></template>');

  streamDelete(f, "items", 3);
  b = j.update();
  assert.equal(b, { 1: { st: "items", d: ["items-3"] } });
  assert.equal(ops(j.client.toHTML()), [["d", "items-3"]]);

  streamReset(f, "items");
  streamInsert(f, "items", items(9, 1));
  b = j.update();
  assert.is(b[1].reset, true);
  assert.equal(ops(j.client.toHTML()), [["reset"], ["i", "items-9"]]);
});

enc("an unchanged stream sends nothing, and the client then emits no operation (it keeps its children)", () => {
  const f = new Feed();
  f.mount();
  streamInsert(f, "items", items(1, 3));
  const j = joined(f);
  f.state.title = "News";
  const b = j.update();
  assert.equal(b, { 0: "News" });
  assert.is(j.client.toHTML(), '<section><h2>News</h2><ul hl-stream="items"></ul></section>');
  assert.equal(j.update(), {});
});

enc("operations are compacted: insert then delete sends the delete; a key inserted twice goes once", () => {
  const f = new Feed();
  f.mount();
  const j = joined(f);
  streamInsert(f, "items", items(1, 1));
  streamInsert(f, "items", [{ id: 1, name: "second" }, { id: 2, name: "two" }]);
  streamDelete(f, "items", 2);
  const b = j.update();
  assert.equal(b[1].d, ["items-2"]);
  assert.equal(b[1].i.map((e: unknown[]) => e[0]), ["items-1"]);
  assert.match(JSON.stringify(b), "second");
  assert.not.match(JSON.stringify(b), "item 1");
});

enc("adding one item to a 10,000-item stream sends one item; neither side keeps the 10,000", () => {
  const f = new Feed();
  f.mount();
  streamInsert(f, "items", items(1, 10_000));
  const j = joined(f);
  assert.is(ops(j.client.toHTML()).length, 10_001);
  streamInsert(f, "items", items(10_001, 1));
  const b = j.update();
  const frame = JSON.stringify({ t: "patch", id: "f", ...b });
  assert.is(b[1].i.length, 1);
  assert.ok(frame.length < 100, `one item's frame: ${frame}`);
  // the client's tree keeps no item once a message has been applied
  assert.equal(ops(j.client.toHTML()), [["i", "items-10001"]]);
  f.state.title = "x";
  j.update();
  assert.not.match(j.client.toHTML(), "<li");
  // and the server's captured tree holds the container alone: a full render re-sends no item
  const view = new DiffTracker();
  view.full(f.render());
  assert.is(JSON.stringify(view.full()).includes("item 1"), false);
});

enc("the container appearing anew in a patch is a full node: the client starts it empty", () => {
  class Toggle extends Feed {
    show = false;
    render(): TemplateResult {
      return html`<div>${this.show ? super.render() : html`<p>hidden</p>`}</div>`;
    }
  }
  const f = new Toggle();
  f.mount();
  const j = joined(f);
  f.show = true;
  streamInsert(f, "items", items(1, 1));
  j.update();
  assert.equal(ops(j.client.toHTML()), [["reset"], ["i", "items-1"]]);
});

enc("items inserted at the start render first over HTTP (renderToString), in the order the client builds", () => {
  const part = new StreamPart("s", [
    { id: "s-1", node: "a" },
    { id: "s-2", node: "b", at: 0 },
    { id: "s-3", node: "c" },
    { id: "s-4", node: "d", at: 1 },
  ]);
  assert.is(renderToString(html`<ul hl-stream="s">${part}</ul>`), '<ul hl-stream="s">bdac</ul>');
});

enc("bad stream names and keys are the app's errors", () => {
  const f = new Feed();
  assert.throws(() => streamInsert(f, "no spaces", []), /stream name/);
  assert.throws(() => streamInsert(f, "items", [], { at: -1 as number }), /at is/);
  streamInsert(f, "items", [{ id: Number.NaN, name: "x" }]);
  assert.throws(() => f.render(), /stream key/);
});

const client = suite("stream containers: the client's Rendered");

client("a malformed stream node is a DiffError and leaves the tree as it was", () => {
  const f = new Feed();
  f.mount();
  const j = joined(f);
  const before = j.client.toHTML();
  assert.throws(() => j.client.apply({ t: "patch", id: "f", 1: { st: "items", i: [["x"]] } }), (e: unknown) => e instanceof DiffError);
  assert.throws(() => j.client.apply({ t: "patch", id: "f", 1: { st: "items", z: 1 } }), (e: unknown) => e instanceof DiffError);
  assert.throws(() => j.client.apply({ t: "patch", id: "f", 1: { st: "items", d: [3] } }), (e: unknown) => e instanceof DiffError);
  assert.is(j.client.toHTML(), before);
});

client("ids are escaped in the operations' attributes", () => {
  const r = new Rendered([1, { st: "s", i: [['a"b&', "x"]], d: ['"'] }], { 1: ["<ul hl-stream=s>", "</ul>"] });
  assert.match(r.toHTML(), 'hl-key="a&quot;b&amp;"');
  assert.match(r.toHTML(), 'hl-key="&quot;"');
});

const transport = suite("stream containers: the presenters flush what they sent");

transport("the html presenter forgets operations once sent; the sdui presenter drops them", () => {
  const f = new Feed();
  f.mount();
  streamInsert(f, "items", items(1, 2));
  const p = presenterFor("html", Feed);
  const ok = p.full(f) as { r: unknown[] };
  assert.is((ok.r[2] as { i: unknown[] }).i.length, 2);
  assert.not.ok(hasPendingStreams(f));
  streamInsert(f, "items", items(3, 1));
  const body = p.update(f) as Record<string, { i: unknown[] }>;
  assert.is(body[1]!.i.length, 1);
  assert.equal(p.update(f), {});

  const g = new Feed();
  g.mount();
  streamInsert(g, "items", items(1, 2));
  const s = presenterFor("sdui", Feed);
  s.full(g);
  assert.not.ok(hasPendingStreams(g), "sdui has no use for them: they do not pile up");
});

enc.run();
client.run();
transport.run();

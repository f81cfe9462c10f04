// streamInsert's `limit`: the stream node carries `lim` (signed by where the items went), the
// first render over HTTP shows only the items within it, and the client's Rendered turns it into
// the limit operation client/dom-patch.ts applies after the inserts. The DOM side runs in
// Chromium: test/e2e/infinite-scroll.test.ts.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Component } from "../../server/core/component.js";
import { HotlineError } from "../../server/core/errors.js";
import { renderToString } from "../../server/core/template/render-string.js";
import { flushStreams, stream, streamInsert, streamReset } from "../../server/core/template/stream.js";
import { html, type TemplateResult } from "../../server/core/template/template.js";
import { DiffTracker } from "../../server/core/template/diff-tracker.js";
import { Rendered } from "../../client/rendered.js";

type Item = { id: number };
const items = (from: number, n: number): Item[] => Array.from({ length: n }, (_, j) => ({ id: from + j }));

class Feed extends Component<Record<string, never>> {
  render(): TemplateResult {
    return html`<ul hl-stream="items">${stream(this, "items", { key: (x: Item) => x.id, render: (x: Item, id) => html`<li id="${id}">${x.id}</li>` })}</ul>`;
  }
}

/** The stream node of the component's next render (and the operations flushed, as a transport does). */
function node(f: Feed): Record<string, unknown> {
  const t = new DiffTracker();
  const full = t.full(f.render());
  flushStreams(f);
  return (full.r as unknown[])[1] as Record<string, unknown>;
}

const s = suite("stream limit");

s("at the end the client keeps the last n (lim < 0); at the start or an index, the first n (lim > 0)", () => {
  const f = new Feed();
  streamInsert(f, "items", items(1, 3), { limit: 2 });
  assert.is(node(f).lim, -2);
  streamInsert(f, "items", items(1, 3), { at: "start", limit: 2 });
  assert.is(node(f).lim, 2);
  streamInsert(f, "items", items(1, 3), { at: 1, limit: 5 });
  assert.is(node(f).lim, 5);
  streamInsert(f, "items", items(1, 3));
  assert.not.ok("lim" in node(f), "no limit, no key");
});

s("the last insert's limit wins; a reset drops the limits before it; a limit with no item still travels", () => {
  const f = new Feed();
  streamInsert(f, "items", items(1, 3), { limit: 2 });
  streamInsert(f, "items", items(4, 3), { at: "start", limit: 9 });
  assert.is(node(f).lim, 9);
  streamInsert(f, "items", items(1, 3), { limit: 2 });
  streamReset(f, "items");
  streamInsert(f, "items", items(1, 3));
  assert.not.ok("lim" in node(f));
  streamInsert(f, "items", [], { limit: 4 });
  assert.equal(node(f), { st: "items", lim: -4 });
});

s("the first render's HTML (over HTTP) has only the items within the limit", () => {
  const f = new Feed();
  streamInsert(f, "items", items(1, 5), { limit: 3 });
  assert.is(renderToString(f.render()), '<ul hl-stream="items"><li id="items-3">3</li><li id="items-4">4</li><li id="items-5">5</li></ul>');
  flushStreams(f);
  streamInsert(f, "items", items(1, 5).reverse(), { at: "start", limit: 2 });
  assert.is(renderToString(f.render()), '<ul hl-stream="items"><li id="items-1">1</li><li id="items-2">2</li></ul>');
  flushStreams(f);
  const t = new DiffTracker();
  streamInsert(f, "items", items(1, 5), { limit: 3 });
  assert.match(t.full(f.render()).html, /^<ul hl-stream="items"><li id="items-3">3<\/li><li id="items-4">4<\/li><li id="items-5">5<\/li><\/ul>$/);
  flushStreams(f);
});

s("a limit that is not an integer > 0 is the app's error", () => {
  const f = new Feed();
  for (const limit of [0, -1, 1.5, NaN, Infinity, "3" as unknown as number]) {
    try {
      streamInsert(f, "items", items(1, 1), { limit });
      assert.unreachable(`limit ${String(limit)} accepted`);
    } catch (e) {
      assert.instance(e, HotlineError);
      assert.match((e as Error).message, /limit is an integer > 0/);
    }
  }
  flushStreams(f);
});

s("the client's Rendered writes the limit operation after the inserts; it ignores a limit that is not an integer", () => {
  const f = new Feed();
  const t = new DiffTracker();
  const client = Rendered.fromJoin({ t: "ok", ...t.full(f.render()) });
  streamInsert(f, "items", items(1, 2), { limit: 3 });
  client.apply({ t: "patch", id: "x", ...t.update(f.render()) });
  flushStreams(f);
  assert.match(client.toHTML(), /<template hl-op="i" hl-key="items-2">.*<\/template><template hl-op="l" hl-at="-3"><\/template><\/ul>$/);
  streamInsert(f, "items", items(3, 1));
  client.apply({ t: "patch", id: "x", ...t.update(f.render()) });
  flushStreams(f);
  assert.not.match(client.toHTML(), /hl-op="l"/, "the next message's operations only");
  for (const lim of ["3", 1.5, null, 0]) {
    const r = Rendered.fromJoin({ t: "ok", p: { "1": ["<ul hl-stream=\"s\">", "</ul>"] }, r: [1, { st: "s", lim }] });
    assert.not.match(r.toHTML(), /hl-op="l"/, `lim ${String(lim)}`);
  }
});

s.run();

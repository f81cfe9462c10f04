import { suite } from "uvu";
import * as assert from "uvu/assert";
import { html, raw, repeat, renderToString, HotlineError, type TemplateResult } from "../../../server/core/index.js";
import { DiffTracker } from "../../../server/core/template/diff-tracker.js";
import { Rendered } from "../../../client/rendered.js";

const counter = (n: number) => html`<div><button hl-click="decrement">Decrement</button><span>Count: ${n}</span><button hl-click="increment">Increment</button></div>`;

/** A server view and a client copy, kept in step; every update is checked against a fresh render. */
function pair(first: TemplateResult | string) {
  const view = new DiffTracker();
  const full = view.full(first);
  const client = Rendered.fromJoin({ t: "ok", ...full });
  assert.is(client.toHTML(), full.html);
  return {
    view,
    full,
    update(next: TemplateResult | string, expectedHtml = typeof next === "string" ? next : renderToString(next)) {
      const body = view.update(next);
      client.apply({ t: "patch", id: "x", ...body });
      assert.is(client.toHTML(), expectedHtml);
      return body;
    },
  };
}

const slots = suite("diffs of template slots");

slots("a counter increment sends only the changed slot, within 20 bytes", () => {
  const p = pair(counter(1));
  const body = p.update(counter(2));
  assert.equal(body, { 0: 2 });
  assert.ok(JSON.stringify(body).length <= 20, JSON.stringify(body));
  assert.is(JSON.stringify({ t: "patch", id: "c1", ref: 3, ...body }).length, 37);
});

slots("an unchanged render gives an empty diff", () => {
  const p = pair(counter(1));
  assert.equal(p.update(counter(1)), {});
});

slots("nested templates: only the changed inner slot travels", () => {
  const card = (title: string, body: string) => html`<article><h2>${title}</h2>${html`<section><p>${body}</p><small>${"static"}</small></section>`}</article>`;
  const p = pair(card("T", "a"));
  assert.equal(p.update(card("T", "b")), { 1: { 0: "b" } });
});

slots("switching branches sends the new branch whole, with its statics once", () => {
  const v = (on: boolean) => html`<div>${on ? html`<b>on ${1}</b>` : html`<i>off</i>`}</div>`;
  const p = pair(v(false));
  const b1 = p.update(v(true));
  assert.ok(b1.p && Object.keys(b1.p).length === 1);
  p.update(v(false));
  const b3 = p.update(v(true));
  assert.is(b3.p, undefined, "statics already sent are not sent again");
});

slots("a different root template replaces the root", () => {
  const p = pair(html`<p>${1}</p>`);
  const b = p.update(html`<div>${2}</div>`);
  assert.ok(Array.isArray(b.r));
});

slots("values are escaped in diffs as in full renders", () => {
  const v = (s: string) => html`<p title="${s}">${s}</p>`;
  const p = pair(v("a"));
  assert.equal(p.update(v("<x>")), { 0: "&lt;x&gt;", 1: "&lt;x&gt;" });
});

slots("an array mutated in place by a handler is still seen as changed", () => {
  const items = ["a"];
  const v = () => html`<ul>${items}</ul>`;
  const p = pair(v());
  items.push("b");
  assert.equal(p.update(v()), { 0: { n: ["b"] } });
});

slots("a string render (a Renderer's output) travels as statics 0", () => {
  const p = pair("<p>one</p>");
  const b = p.update("<p>two</p>");
  assert.equal(b, { 0: "<p>two</p>" });
});

slots.run();

const lists = suite("diffs of keyed lists");

type Item = { id: number; text: string };
const list = (items: Item[]) => html`<ul>${repeat(items, (i) => i.id, (i) => html`<li id="i${i.id}">${i.text}</li>`)}</ul>`;
const mk = (...ids: number[]) => ids.map((id) => ({ id, text: `t${id}` }));

// The statics id of the list items, as the join sent it.
const itemSid = (full: { r: unknown }) => ((full.r as [number, { l: [number][] }])[1].l[0]![0]);

lists("append sends only the new item", () => {
  const p = pair(list(mk(1, 2, 3)));
  assert.equal(p.update(list(mk(1, 2, 3, 4))), { 0: { n: [[itemSid(p.full), "4", "t4"]] } });
});

lists("insert at the front, remove, move, update", () => {
  const p = pair(list(mk(1, 2, 3)));
  assert.equal(p.update(list(mk(0, 1, 2, 3))), { 0: { o: [-1, [0, 3]], n: [[itemSid(p.full), "0", "t0"]] } });
  assert.equal(p.update(list(mk(0, 1, 3))), { 0: { o: [[0, 2], 3] } });
  assert.equal(p.update(list(mk(3, 0, 1))), { 0: { o: [2, [0, 2]] } });
  const changed = mk(3, 0, 1);
  changed[1]!.text = "zero";
  assert.equal(p.update(list(changed)), { 0: { u: { 1: { 1: "zero" } } } });
  assert.equal(p.update(list([])), { 0: { o: [] } });
});

lists("duplicate keys are the app's error", () => {
  try { renderToString(list(mk(1, 1))); new DiffTracker().full(list(mk(1, 1))); assert.unreachable(); } catch (e) {
    assert.is((e as HotlineError).code, "handler_error");
  }
});

lists("random edits: the client's copy always equals a fresh render", () => {
  let seed = 12345;
  const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  let nextId = 1;
  let items: Item[] = mk(...Array.from({ length: 5 }, () => nextId++));
  const view = (its: Item[], flag: boolean) =>
    html`<section class="${flag ? "on" : "off"}">${flag ? html`<h1>${its.length}</h1>` : ""}<ul>${repeat(its, (i) => i.id, (i) => html`<li>${i.text}${i.id % 3 ? raw("<br>") : html`<em>${i.id}</em>`}</li>`)}</ul><ol>${its.map((i) => html`<li>${i.text}</li>`)}</ol></section>`;
  const p = pair(view(items, true));
  for (let step = 0; step < 400; step++) {
    items = items.slice();
    const ops = 1 + rnd(3);
    for (let k = 0; k < ops; k++) {
      const op = rnd(5);
      if (op === 0 || items.length === 0) items.splice(rnd(items.length + 1), 0, { id: nextId++, text: `n${step}` });
      else if (op === 1) items.splice(rnd(items.length), 1);
      else if (op === 2) { const [m] = items.splice(rnd(items.length), 1); items.splice(rnd(items.length + 1), 0, m!); }
      else if (op === 3) { const j = rnd(items.length); items[j] = { ...items[j]!, text: `<u${step}>` }; }
    }
    p.update(view(items, rnd(4) !== 0));
  }
});

lists.run();

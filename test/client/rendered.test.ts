// Fixtures for the diff encoding of docs/protocol.md §1: each case is what a server sends and the
// HTML a client must then show.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Rendered, DiffError } from "../../client/rendered.js";

const LI = { "2": ["<li>", "</li>"] };
const list = (...xs: string[]) => ({ l: xs.map((x) => [2, x]) });
/** A page: `<ul>` + list + `</ul><p>` + count + `</p>` */
const join = (items: string[], count: number | string = 0) =>
  Rendered.fromJoin({ p: { "1": ["<ul>", "</ul><p>", "</p>"], ...LI }, r: [1, list(...items), count] });
const patch = (d: Record<string, unknown>) => ({ t: "patch", id: "c1", ...d });

const nodes = suite("rendered: nodes and templates");

nodes("join gives the page's HTML; numbers render as decimal text", () => {
  assert.is(join(["a", "b"], 7).toHTML(), "<ul><li>a</li><li>b</li></ul><p>7</p>");
  assert.is(Rendered.fromJoin({ r: 2.5 }).toHTML(), "2.5");
  assert.is(Rendered.fromJoin({ r: [0, "<b>x</b>"] }).toHTML(), "<b>x</b>", "statics 0 is the reserved [\"\", \"\"]");
});

nodes("the counter example of the doc: one top-level slot key", () => {
  const r = Rendered.fromJoin({ p: { "1": ["<b>", "</b>"] }, r: [1, 1] });
  r.apply({ t: "patch", id: "c1", ref: 3, "0": 2 });
  assert.is(r.toHTML(), "<b>2</b>");
});

nodes("an empty patch changes nothing", () => {
  const r = join(["a"]);
  r.apply(patch({ ref: 4, done: true }));
  assert.is(r.toHTML(), "<ul><li>a</li></ul><p>0</p>");
});

nodes("nested template diffs touch only the named slots", () => {
  const r = Rendered.fromJoin({
    p: { "1": ["<div>", "|", "</div>"], "3": ["<span class=\"", "\">", "</span>"] },
    r: [1, [3, "on", "x"], "tail"],
  });
  r.apply(patch({ "0": { "1": "y" } }));
  assert.is(r.toHTML(), '<div><span class="on">y</span>|tail</div>');
  r.apply(patch({ "0": { "0": "off", "1": 5 }, "1": "end" }));
  assert.is(r.toHTML(), '<div><span class="off">5</span>|end</div>');
});

nodes("a slot can switch between text, template and list (full nodes replace)", () => {
  const r = Rendered.fromJoin({ p: { "1": ["<i>", "</i>"], ...LI }, r: [1, "t"] });
  r.apply(patch({ "0": [2, "x"] }));
  assert.is(r.toHTML(), "<i><li>x</li></i>");
  r.apply(patch({ "0": { l: [[2, "a"], "b"] } }));
  assert.is(r.toHTML(), "<i><li>a</li>b</i>");
  r.apply(patch({ "0": 0 }));
  assert.is(r.toHTML(), "<i>0</i>");
});

nodes("statics arriving in a later patch's p", () => {
  const r = join([]);
  r.apply(patch({ p: { "9": ["<em>", "!</em>"] }, "1": [9, "new"] }));
  assert.is(r.toHTML(), "<ul></ul><p><em>new!</em></p>");
  // kept for later messages that no longer carry them
  r.apply(patch({ "0": { n: [[9, "i"]] } }));
  assert.is(r.toHTML(), "<ul><em>i!</em></ul><p><em>new!</em></p>");
});

nodes("root replacement with r (and new statics)", () => {
  const r = join(["a"]);
  r.apply(patch({ p: { "5": ["<h1>", "</h1>"] }, r: [5, "Gone"] }));
  assert.is(r.toHTML(), "<h1>Gone</h1>");
  r.apply(patch({ "0": "Back" }));
  assert.is(r.toHTML(), "<h1>Back</h1>");
});

const lists = suite("rendered: list diffs");
const items = (r: Rendered) => r.toHTML().replace(/^<ul>|<\/ul>.*$/g, "").replace(/<\/?li>/g, " ").trim().split(/\s+/).filter(Boolean);

lists("append: n without o", () => {
  const r = join(["a", "b"]);
  r.apply(patch({ "0": { n: [[2, "c"], [2, "d"]] } }));
  assert.equal(items(r), ["a", "b", "c", "d"]);
});

lists("insert in the middle: -1 takes the next node of n", () => {
  const r = join(["a", "b", "c"]);
  r.apply(patch({ "0": { o: [0, -1, [1, 2], -1], n: [[2, "x"], [2, "y"]] } }));
  assert.equal(items(r), ["a", "x", "b", "c", "y"]);
});

lists("remove: removing item 3 of 10 as in the doc", () => {
  const r = join("0123456789".split(""));
  r.apply(patch({ "0": { o: [[0, 3], [4, 6]] } }));
  assert.equal(items(r), ["0", "1", "2", "4", "5", "6", "7", "8", "9"]);
  r.apply(patch({ "0": { o: [] } }));
  assert.equal(items(r), []);
});

lists("move: reorder by old indexes", () => {
  const r = join(["a", "b", "c", "d"]);
  r.apply(patch({ "0": { o: [3, [0, 2], 2] } }));
  assert.equal(items(r), ["d", "a", "b", "c"]);
});

lists("item update: u indexes the new list, after o", () => {
  const r = join(["a", "b", "c"]);
  r.apply(patch({ "0": { o: [2, 0, 1], u: { "0": { "0": "C" }, "2": [2, "B"] } } }));
  assert.equal(items(r), ["C", "a", "B"]);
  r.apply(patch({ "0": { u: { "1": { "0": 42 } } } }));
  assert.equal(items(r), ["C", "42", "B"]);
});

lists("a whole list replaced with {l}", () => {
  const r = join(["a", "b"]);
  r.apply(patch({ "0": { l: [[2, "z"]] }, "1": 1 }));
  assert.is(r.toHTML(), "<ul><li>z</li></ul><p>1</p>");
});

const bad = suite("rendered: malformed trees and diffs");

const BAD: [string, Record<string, unknown>][] = [
  ["unknown statics id", { "1": [77, "x"] }],
  ["wrong slot count", { "1": [2, "a", "b"] }],
  ["slot outside the template", { "5": "x" }],
  ["non-slot top-level key", { zz: 1 }],
  ["null node", { "1": null }],
  ["boolean node", { "1": true }],
  ["partial diff of a text slot", { "1": { "0": "x" } }],
  ["order index out of range", { "0": { o: [0, 9] } }],
  ["run past the end", { "0": { o: [[1, 5]] } }],
  ["o takes more than n", { "0": { o: [-1] } }],
  ["n items not placed by o", { "0": { o: [0], n: [[2, "x"]] } }],
  ["u index out of range", { "0": { u: { "3": "x" } } }],
  ["unknown list diff key", { "0": { x: 1 } }],
  ["bad statics table", { p: { "4": "nope" } }],
  ["r not a node", { r: { a: 1 } }],
];

for (const [name, d] of BAD) {
  bad(`${name}: DiffError, tree unchanged`, () => {
    const r = join(["a", "b"], 1);
    const before = r.toHTML();
    try {
      r.apply(patch(d));
      assert.unreachable("should have thrown");
    } catch (e) {
      assert.instance(e, DiffError);
      assert.match((e as Error).message, /malformed diff/);
    }
    assert.is(r.toHTML(), before);
  });
}

bad("a join without r, or with an unknown statics id, is refused", () => {
  assert.throws(() => Rendered.fromJoin({ p: {} }), /no root/);
  assert.throws(() => Rendered.fromJoin({ r: [3, "x"] }), /unknown statics id 3/);
});

nodes.run();
lists.run();
bad.run();

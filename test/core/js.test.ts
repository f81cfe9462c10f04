// The JS builder (client-side commands): the attribute value it writes, that it survives the
// escaping of the `html` template and of Nunjucks byte for byte (read back by an HTML parser), and
// that it refuses what would run script or not survive as JSON. The browser side:
// test/e2e/commands.test.ts.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import nunjucks from "nunjucks";
import { parseHTML } from "linkedom";
import { JS } from "../../server/core/js.js";
import { HotlineError } from "../../server/core/errors.js";
import { html } from "../../server/core/template/template.js";
import { renderToString } from "../../server/core/template/render-string.js";
import { DiffTracker } from "../../server/core/template/diff-tracker.js";
import { Rendered } from "../../client/rendered.js";

/** The attribute `name` of the first `button` in `markup`, as a browser reads it. */
const attrOf = (markup: string, name = "hl-click") => parseHTML(`<!doctype html><html><body>${markup}</body></html>`).document.querySelector("button")!.getAttribute(name);

/** Every character that has a meaning in HTML, JSON or a selector. */
const NASTY = `a[title="x'y"] > b:not(.c)</button><script>alert(1)</script>&amp;\\\u2028`;

const b = suite("JS: what it writes");

b("a chain is a compact JSON list of [op, args]; toJSON gives the same list", () => {
  const js = JS.show("#menu").addClass("open", "#btn");
  assert.is(String(js), '[["show",{"to":"#menu"}],["add",{"to":"#btn","c":"open"}]]');
  assert.equal(JSON.parse(JSON.stringify({ js })).js, JSON.parse(String(js)));
});

b("every command, with and without a target", () => {
  const js = JS.hide()
    .toggle("#m", { display: "flex" })
    .removeClass("  a   b ")
    .transition("fade", ".x", { time: 300 })
    .setAttribute("aria-expanded", "true", "#m")
    .removeAttribute("disabled")
    .focus("#q")
    .dispatch("copied", undefined, { detail: { n: 1 } })
    .push("save", { id: 7 });
  assert.equal(js.toJSON(), [
    ["hide", {}],
    ["toggle", { to: "#m", d: "flex" }],
    ["remove", { c: "a b" }],
    ["transition", { to: ".x", c: "fade", ms: 300 }],
    ["set", { to: "#m", n: "aria-expanded", v: "true" }],
    ["unset", { n: "disabled" }],
    ["focus", { to: "#q" }],
    ["dispatch", { e: "copied", v: { n: 1 } }],
    ["push", { e: "save", v: { id: 7 } }],
  ]);
});

b("a JS value is immutable: chaining on a shared one leaves it as it was", () => {
  const open = JS.show("#menu");
  const a = open.addClass("x");
  const c = open.hide("#other");
  assert.is(open.toJSON().length, 1);
  assert.is(a.toJSON()[1]![0], "add");
  assert.is(c.toJSON()[1]![0], "hide");
});

const esc = suite("JS: escaping in templates");

esc("in a quoted attribute of an html template, a browser reads back the exact JSON", () => {
  const js = JS.show(NASTY).dispatch("x", NASTY, { detail: { s: NASTY } });
  const out = renderToString(html`<button hl-click="${js}">go</button>`);
  assert.not.match(out, /<script>/);
  assert.is(attrOf(out), String(js));
  assert.equal(JSON.parse(attrOf(out)!), js.toJSON());
});

esc("unquoted, and in a { name: value } object inside the tag, too", () => {
  const js = JS.toggle(NASTY);
  assert.is(attrOf(renderToString(html`<button hl-click=${js}>go</button>`)), String(js));
  assert.is(attrOf(renderToString(html`<button ${{ "hl-click": js }}>go</button>`)), String(js));
});

esc("over the wire: the client's tree renders the same attribute, and a changed command is a diff", () => {
  const view = (to: string) => html`<div><button hl-click="${JS.toggle(to)}">go</button></div>`;
  const t = new DiffTracker();
  const client = Rendered.fromJoin({ t: "ok", ...t.full(view(NASTY)) });
  assert.is(attrOf(client.toHTML()), String(JS.toggle(NASTY)));
  const d = t.update(view("#other"));
  client.apply({ t: "patch", id: "x", ...d });
  assert.is(attrOf(client.toHTML()), String(JS.toggle("#other")));
  assert.is(Object.keys(t.update(view("#other")) as object).length, 0, "the same commands again: nothing to send");
});

esc("in Nunjucks (autoescape on): a value from the context and a global called in the template", () => {
  const env = new nunjucks.Environment(null, { autoescape: true });
  env.addGlobal("JS", JS);
  const js = JS.show(NASTY).push("save", { note: NASTY });
  assert.is(attrOf(env.renderString(`<button hl-click="{{ js }}">go</button>`, { js })), String(js));
  const called = env.renderString(`<button hl-click="{{ JS.show(sel).addClass('open', '#b') }}">go</button>`, { sel: NASTY });
  assert.is(attrOf(called), String(JS.show(NASTY).addClass("open", "#b")));
});

const bad = suite("JS: refused");

const refused = (fn: () => unknown, re: RegExp) => {
  try {
    fn();
  } catch (e) {
    assert.instance(e, HotlineError);
    assert.is((e as HotlineError).code, "handler_error");
    assert.match((e as Error).message, re);
    return;
  }
  assert.unreachable("did not throw");
};

bad("an on* handler or a bad attribute name; a javascript: URL is neutralised as in templates", () => {
  refused(() => JS.setAttribute("onclick", "alert(1)"), /attribute/);
  refused(() => JS.setAttribute("OnMouseOver", "alert(1)"), /attribute/);
  refused(() => JS.setAttribute('x" onclick="alert(1)', "1"), /attribute/);
  refused(() => JS.removeAttribute(""), /attribute/);
  refused(() => JS.setAttribute("title", 3 as unknown as string), /string/);
  assert.equal(JS.setAttribute("href", " java\tscript:alert(1)").toJSON()[0]![1].v, "about:invalid#unsafe");
  assert.equal(JS.setAttribute("SRC", "javascript:alert(1)").toJSON()[0]![1].v, "about:invalid#unsafe");
  assert.equal(JS.setAttribute("href", "/ok?a=1").toJSON()[0]![1].v, "/ok?a=1");
});

bad("empty names, a display that is not one, a negative time, values that are not JSON", () => {
  refused(() => JS.show(""), /selector/);
  refused(() => JS.addClass("   "), /classes/);
  refused(() => JS.show("#m", { display: "block;color:red" }), /display/);
  refused(() => JS.transition("fade", undefined, { time: -1 }), /time/);
  refused(() => JS.transition("fade", undefined, { time: Infinity }), /time/);
  refused(() => JS.push(""), /event/);
  refused(() => JS.push("save", [1] as unknown as Record<string, unknown>), /object/);
  const loop: Record<string, unknown> = {};
  loop.self = loop;
  refused(() => JS.push("save", loop), /JSON/);
  refused(() => JS.dispatch("x", undefined, { detail: 1n }), /JSON/);
  refused(() => JS.dispatch("x", undefined, { detail: () => 1 }), /JSON/);
});

b.run();
esc.run();
bad.run();

import { suite } from "uvu";
import * as assert from "uvu/assert";
import { html, raw, repeat, renderToString, HotlineError } from "../../../server/core/index.js";

const r = (t: ReturnType<typeof html>) => renderToString(t);

const text = suite("escaping in text");

const TEXT_VECTORS = [
  "<script>alert(1)</script>",
  "<img src=x onerror=alert(1)>",
  "\"><svg onload=alert(1)>",
  "'><iframe src=javascript:alert(1)>",
  "</textarea><script>alert(1)</script>",
  "<!--<script>alert(1)//-->",
  "&lt;already&gt; & more",
];

text("every vector in text content comes out inert", () => {
  for (const v of TEXT_VECTORS) {
    const out = r(html`<p>${v}</p>`);
    assert.not.match(out.slice(3, -4), /[<>"']/, v);
    assert.ok(out.startsWith("<p>") && out.endsWith("</p>"));
  }
  assert.is(r(html`<p>${"<b>&\"'"}</p>`), "<p>&lt;b&gt;&amp;&quot;&#39;</p>");
});

text("in comments, textarea and style, escaped text cannot close the element", () => {
  assert.is(r(html`<!-- ${"--><script>x</script>"} -->`), "<!-- --&gt;&lt;script&gt;x&lt;/script&gt; -->");
  assert.is(r(html`<textarea>${"</textarea><b>"}</textarea>`), "<textarea>&lt;/textarea&gt;&lt;b&gt;</textarea>");
  assert.is(r(html`<style>${"</style><script>"}</style>`), "<style>&lt;/style&gt;&lt;script&gt;</style>");
});

text("inside <script>, values are JSON that cannot close the element", () => {
  const out = r(html`<script>const d = ${{ a: "</script><script>alert(1)</script>", b: [1, "\u2028"] }};</script>`);
  assert.not.match(out.slice(8, -9), /<\/script/i);
  assert.ok(out.includes('\\u003c/script\\u003e'));
  const json = out.slice("<script>const d = ".length, -";</script>".length);
  assert.equal(JSON.parse(json), { a: "</script><script>alert(1)</script>", b: [1, "\u2028"] });
});

text("primitives, conditionals, nested templates, arrays and raw", () => {
  assert.is(r(html`${0}|${1.5}|${null}|${undefined}|${false}|${true}|${""}`), "0|1.5|||||");
  const items = ["a", "<b>"];
  assert.is(r(html`<ul>${items.map((i) => html`<li>${i}</li>`)}</ul>`), "<ul><li>a</li><li>&lt;b&gt;</li></ul>");
  assert.is(r(html`${true && html`<i>yes</i>`}${false && html`<i>no</i>`}`), "<i>yes</i>");
  assert.is(r(html`<div>${raw("<b>trusted</b>")}</div>`), "<div><b>trusted</b></div>");
  assert.is(r(html`${repeat([3, 1], (n) => n, (n) => html`<i>${n}</i>`)}`), "<i>3</i><i>1</i>");
  assert.is(String(html`<p>${"x"}</p>`), "<p>x</p>");
});

text.run();

const attrs = suite("escaping in attributes");

attrs("quoted attribute values cannot break out", () => {
  for (const v of ['" onmouseover="alert(1)', "' onmouseover='alert(1)", '"><script>alert(1)</script>']) {
    const dq = r(html`<a title="${v}">x</a>`);
    assert.is((dq.match(/"/g) ?? []).length, 2, dq);
    const sq = r(html`<a title='${v}'>x</a>`);
    assert.is((sq.match(/'/g) ?? []).length, 2, sq);
    assert.not.match(dq + sq, /<script/);
  }
});

attrs("an unquoted attribute value gets quotes, so it cannot add attributes", () => {
  assert.is(r(html`<input value=${"x onfocus=alert(1) autofocus"}>`), '<input value="x onfocus=alert(1) autofocus">');
  assert.is(r(html`<input value=${'"><script>'} />`), '<input value="&quot;&gt;&lt;script&gt;" />');
});

attrs("script URLs are neutralised in URL attributes", () => {
  const bad = [
    "javascript:alert(1)", "JaVaScRiPt:alert(1)", " javascript:alert(1)", "java\tscript:alert(1)",
    "java\nscript:alert(1)", "\u0001javascript:alert(1)", "vbscript:msgbox(1)",
    "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "&#106;avascript:alert(1)",
  ];
  for (const v of bad) {
    for (const attr of ["href", "src", "action", "formaction"]) {
      const out = r(html`<a ${raw(attr)}="x" href="${v}" src="${v}" action="${v}" formaction="${v}">x</a>`);
      assert.not.match(out, /javascript|vbscript|data:text/i, `${attr}: ${v}`);
    }
  }
  assert.is(r(html`<a href="${"https://example.com/?a=1&b=2"}">x</a>`), '<a href="https://example.com/?a=1&amp;b=2">x</a>');
  assert.is(r(html`<a href="${"/relative/path"}">x</a>`), '<a href="/relative/path">x</a>');
  assert.is(r(html`<img src="${"data:image/png;base64,iVBORw0KGgo="}">`), '<img src="data:image/png;base64,iVBORw0KGgo=">');
  assert.is(r(html`<a href="${"data:image/png;base64,iVBORw0KGgo="}">x</a>`), '<a href="about:invalid#unsafe">x</a>');
});

attrs("inside a tag: attribute names and {name: value} objects only", () => {
  assert.is(r(html`<button ${"disabled"}>x</button>`), "<button disabled>x</button>");
  assert.is(r(html`<input ${{ required: true, maxlength: 5, title: '"q"', hidden: false }}>`), '<input  required maxlength="5" title="&quot;q&quot;">');
  for (const v of ["onclick=alert(1)", "x=1 onload=alert(1)", { onclick: "alert(1)" }, { "a b": 1 }, 5]) {
    try { r(html`<div ${v}></div>`); assert.unreachable(JSON.stringify(v)); } catch (e) { assert.is((e as HotlineError).code, "handler_error"); }
  }
});

attrs("interpolating into an on* attribute is refused", () => {
  try { r(html`<button onclick="${"alert(1)"}">x</button>`); assert.unreachable(); } catch (e) {
    assert.match((e as Error).message, /event-handler attribute/);
  }
});

attrs("arrays in attribute values are joined (class lists)", () => {
  assert.is(r(html`<div class="${["a", false, "b", null, "<c>"]}"></div>`), '<div class="a b &lt;c&gt;"></div>');
});

attrs.run();

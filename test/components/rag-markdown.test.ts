// The streaming demo quotes the docs as they read: inline Markdown becomes spans (code, emphasis,
// links), snake_case keeps its underscores, a link shows its text, and no section is listed twice.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { splitPassages } from "../../components/rag-corpus.js";
import { inline, plain, renderSpans, sliceSpans } from "../../components/rag-markdown.js";
import { RagQuery } from "../../components/rag-query.js";
import { dispatchSteps, toHTML } from "../../server/core/steps.js";
import { renderToString } from "../../server/core/template/render-string.js";
import { html } from "../../server/core/template/template.js";

RagQuery.stageDelayMs = 0;

const render = (x: unknown[]) => renderToString(html`${x}`);

test("inline: code, links, emphasis; snake_case and a lone * stay as written", () => {
  const spans = inline("The last frame has `stream_done`, see [the devtools](devtools.md) and **HOTLINE_SECRET** or _this_; a * b and snake_case_name stay.");
  assert.equal(spans.filter((s) => s.k).map((s) => [s.k, s.t]), [
    ["code", "stream_done"], ["link", "the devtools"], ["strong", "HOTLINE_SECRET"], ["em", "this"],
  ]);
  assert.is(plain(spans), "The last frame has stream_done, see the devtools and HOTLINE_SECRET or this; a * b and snake_case_name stay.");
  assert.equal(inline("an `unclosed code and [half](link"), [{ t: "an `unclosed code and [half](link" }]);
});

test("renderSpans: escaped, links only for http(s), terms marked", () => {
  const out = render(renderSpans(inline("`<b>` [x](javascript:alert(1)) [site](https://example.com/a?b=1&c=2) token_x"), ["token"]));
  assert.match(out, "<code>&lt;b&gt;</code>");
  assert.not.match(out, /href="javascript/);
  assert.match(out, '<span class="rag-ref" title="javascript:alert(1">x</span>');
  assert.match(out, '<a href="https://example.com/a?b=1&amp;c=2" rel="noopener noreferrer">site</a>');
  assert.match(out, "<mark>token</mark>_x");
});

test("sliceSpans cuts by visible characters, keeping each span's kind", () => {
  const spans = inline("abc `defgh` ijk");
  assert.equal(sliceSpans(spans, 2, 7), [{ t: "c " }, { t: "def", k: "code" }]);
});

test("splitPassages keeps underscores, drops link syntax, makes table rows passages", () => {
  const md = "# Doc\n\nThe answer carries `stream_done: true` on its last frame ([protocol](protocol.md#sse)).\n\n| variable | meaning |\n|---|---|\n| `HOTLINE_SECRET` | The key that signs state tokens, the same on every process. |\n";
  const p = splitPassages("d.md", md);
  assert.equal(p.map((x) => x.text), [
    "The answer carries stream_done: true on its last frame (protocol).",
    "HOTLINE_SECRET · The key that signs state tokens, the same on every process.",
  ]);
  assert.is(p[0]!.spans!.find((s) => s.k === "link")?.href, "protocol.md#sse");
});

test("a query ranks one passage per section, and the quotes render the docs' Markdown", async () => {
  let last: { state: { candidates: { source: string; heading: string }[] }; html: string } | undefined;
  for await (const s of dispatchSteps(new RagQuery(), { event: "analyze", payload: { query: "stream_done flag of the last SSE frame" } })) last = s;
  const keys = last!.state.candidates.map((c) => `${c.source} ${c.heading}`);
  assert.ok(keys.length >= 3, keys.join(", "));
  assert.is(new Set(keys).size, keys.length, `a section listed twice: ${keys.join(", ")}`);
  assert.match(last!.html, /stream<\/mark>_done|stream_done/);
  assert.not.match(last!.html, /\]\(/, "no raw Markdown link");
  assert.not.match(last!.html, /`/, "no raw backticks");
});

test("form: false renders without the form (the demo's SSE half has its own); other params are refused", async () => {
  const bare = new RagQuery({ form: false });
  bare.mount();
  assert.not.match(toHTML(bare), "<form");
  const full = new RagQuery();
  full.mount();
  assert.match(toHTML(full), "<form");
  const schema = RagQuery.clientParams!["~standard"];
  assert.ok(!("issues" in (await schema.validate({ form: false }))));
  assert.ok("issues" in (await schema.validate({ form: "no" })));
  assert.ok("issues" in (await schema.validate({ other: 1 })));
});

test.run();

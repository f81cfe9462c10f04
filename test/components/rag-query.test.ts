// rag_query: a real BM25 retrieval over the project's docs, streamed as one render per stage.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Bm25Index, corpus, splitPassages, terms } from "../../components/rag-corpus.js";
import { RagQuery } from "../../components/rag-query.js";
import { registry } from "../../server/core/index.js";
import { dispatchSteps } from "../../server/core/steps.js";

RagQuery.stageDelayMs = 0;

test("splitPassages: paragraphs under headings, code fences dropped", () => {
  const p = splitPassages("x.md", "# Title\n\nFirst paragraph that is long enough to keep here.\n\n```js\nconst secret = 1;\n```\n## Sub\nSecond paragraph, also long enough to be a passage.\n");
  assert.equal(p.map((x) => [x.heading, x.text]), [
    ["Title", "First paragraph that is long enough to keep here."],
    ["Sub", "Second paragraph, also long enough to be a passage."],
  ]);
});

test("BM25 ranks the passage about the query first", () => {
  const idx = new Bm25Index([
    { source: "a", heading: "Cats", text: "Cats purr and sleep most of the day, cats are independent animals." },
    { source: "b", heading: "Redis", text: "Redis pub/sub fans messages out to every subscriber on every process." },
    { source: "c", heading: "Misc", text: "A passage that mentions redis once among many other unrelated words here." },
  ]);
  const q = terms("How does Redis pub/sub fan out?");
  const among = idx.candidates(q);
  assert.equal(among, [1, 2]);
  const ranked = idx.rank(q, among, 5);
  assert.is(ranked[0]!.source, "b");
  assert.ok(ranked[0]!.score > ranked[1]!.score);
});

test("the corpus is the project's docs", () => {
  assert.ok(corpus().passages.length > 10, `${corpus().passages.length} passages`);
  assert.ok(corpus().passages.some((p) => p.source.startsWith("docs/")));
});

test("onAnalyze streams retrieving, ranking, answering, then done, with escaped highlights", async () => {
  assert.is(registry.get("rag_query"), RagQuery);
  const steps = [];
  for await (const s of dispatchSteps(new RagQuery(), { event: "analyze", payload: { query: "state token <script>" } })) steps.push(s);
  assert.equal(steps.map((s) => s.state.stage), ["retrieving", "ranking", "answering", "done"]);
  assert.ok(steps[0]!.state.scanned > 0);
  assert.ok(steps[1]!.state.candidates.length > 0);
  assert.match(steps[2]!.html, /<mark>[Tt]oken/);
  assert.not.match(steps[3]!.html, /<script>/);
  assert.match(steps[3]!.html, /value="state token &lt;script&gt;"/);
  assert.is(steps.at(-1)!.done, true);
});

test("the query is validated: empty and over 200 characters fill errors.query and run nothing", async () => {
  for (const query of ["", "   ", "x".repeat(201)]) {
    const c = new RagQuery();
    const before = (await c.asyncDispatch()).state;
    const after = await c.asyncDispatch({ event: "analyze", payload: { query }, state: before });
    assert.equal(after.state, before);
    assert.type(c.errors.query, "string");
    assert.match(after.html, /<p class="field-error" role="alert">[^<]+<\/p>/, "the refusal shows beside the form");
  }
});

test.run();

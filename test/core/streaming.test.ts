import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Component, html, HotlineError } from "../../server/core/index.js";
import { runEvent } from "../../server/core/host.js";
import { dispatchSteps } from "../../server/core/steps.js";

class Rag extends Component<{ stage: string; hits: number }> {
  mount() { this.state.stage = "idle"; this.state.hits = 0; }
  async *onAnalyze({ query }: { query: string }) {
    this.state.stage = "retrieving"; yield;
    this.state.hits = query.length; this.state.stage = "ranking"; yield;
    this.state.stage = "answering"; yield;
    this.state.stage = "done";
  }
  async *onExplode() {
    this.state.stage = "partial"; yield;
    throw new Error("model crashed");
  }
  onQuick() { this.state.stage = "quick"; }
  render() { return html`<p>${this.state.stage}:${this.state.hits}</p>`; }
}

const s = suite("streaming handlers");

s("each yield is one render step; the last step is done", async () => {
  const steps = [];
  for await (const step of dispatchSteps(new Rag(), { event: "analyze", payload: { query: "abc" } })) steps.push(step);
  assert.equal(steps.map((x) => [x.html, x.done]), [
    ["<p>retrieving:0</p>", false],
    ["<p>ranking:3</p>", false],
    ["<p>answering:3</p>", false],
    ["<p>done:3</p>", true],
  ]);
  assert.equal(steps[0]!.state, { stage: "retrieving", hits: 0 }, "each step carries its own state, not a live reference");
});

s("a handler that is not a generator gives exactly one step, the last", async () => {
  const steps = [];
  for await (const step of dispatchSteps(new Rag(), { event: "quick" })) steps.push(step);
  assert.is(steps.length, 1);
  assert.is(steps[0]!.done, true);
  assert.is(steps[0]!.html, "<p>quick:0</p>");
});

s("asyncDispatch runs a stream to its end", async () => {
  const r = await new Rag().asyncDispatch({ event: "analyze", payload: { query: "ab" } });
  assert.equal(r.state, { stage: "done", hits: 2 });
});

s("a stream that throws restores the state and ends with handler_error", async () => {
  const c = new Rag();
  const seen: string[] = [];
  try {
    for await (const step of dispatchSteps(c, { event: "explode" })) seen.push(step.html);
    assert.unreachable();
  } catch (e) {
    assert.is((e as HotlineError).code, "handler_error");
  }
  assert.equal(seen, ["<p>partial:0</p>"]);
  assert.equal(c.state, { stage: "idle", hits: 0 });
});

s("run() yields false per step and true once, for transports", async () => {
  const c = new Rag();
  c.dispatch();
  const marks: boolean[] = [];
  for await (const done of runEvent(c, "analyze", { query: "q" })) marks.push(done);
  assert.equal(marks, [false, false, false, true]);
  assert.equal([...c.changedFields].sort(), ["hits", "stage"]);
});

s("the synchronous dispatch refuses a streaming handler", () => {
  try { new Rag().dispatch({ event: "analyze", payload: { query: "x" } }); assert.unreachable(); } catch (e) {
    assert.is((e as HotlineError).code, "handler_error");
  }
});

s.run();

import { z } from "zod";
import { Component, html, registry } from "hotline";
import { corpus, terms, type Scored } from "./rag-corpus.js";
import { inline, renderSpans, sliceSpans, type Span } from "./rag-markdown.js";

type Stage = "idle" | "retrieving" | "ranking" | "answering" | "done";

interface RagState {
  query: string;
  stage: Stage;
  /** Passages that hold a query term, out of `total`. */
  scanned: number;
  total: number;
  terms: string[];
  candidates: { source: string; heading: string; score: number }[];
  /** The best passages' excerpts, as inline Markdown spans. */
  answer: { source: string; heading: string; spans: Span[]; score: number }[];
}

const TOP = 5;
const QUOTED = 3;

/**
 * Retrieval over the project's own documentation, streamed stage by stage: `onAnalyze` is an async
 * generator, and each `yield` sends one render (a patch over the WebSocket, a frame over SSE):
 * retrieving (how many passages hold a query term), ranking (BM25 scores of the best), answering
 * (the best passages quoted, query terms highlighted). The ranking keeps one passage per section
 * of the docs (its best), so that no section is listed twice. A client may mount it with
 * `params: { form: false }` for a view without its own form (the demo's SSE half has its own).
 *
 * @example
 * for await (const step of new RagQuery().stream({ event: "analyze", payload: { query: "htmx" } })) console.log(step.state.stage);
 */
export class RagQuery extends Component<RagState, { form?: boolean }> {
  static payloads = { analyze: z.object({ query: z.string().trim().min(1).max(200) }) };
  static clientParams = z.object({ form: z.boolean().optional() }).strict();
  /** A pause between stages, so that people see the stream; tests set 0. */
  static stageDelayMs = 250;

  mount(): void {
    Object.assign(this.state, { query: "", stage: "idle", scanned: 0, total: corpus().passages.length, terms: [], candidates: [], answer: [] });
  }

  async *onAnalyze({ query }: { query: string }): AsyncGenerator<void> {
    const index = corpus();
    const q = [...new Set(terms(query))].slice(0, 12);
    Object.assign(this.state, { query, terms: q, candidates: [], answer: [], total: index.passages.length });

    this.state.stage = "retrieving";
    const among = index.candidates(q);
    this.state.scanned = among.length;
    yield;
    await pause();

    this.state.stage = "ranking";
    const ranked = bestPerSection(index.rank(q, among, among.length)).slice(0, TOP);
    this.state.candidates = ranked.map(({ source, heading, score }) => ({ source, heading, score }));
    yield;
    await pause();

    this.state.stage = "answering";
    this.state.answer = ranked.slice(0, QUOTED).map((p) => ({ source: p.source, heading: p.heading, score: p.score, spans: excerpt(p, q) }));
    yield;
    await pause();
    this.state.stage = "done";
  }

  render() {
    const s = this.state;
    return html`<section class="rag" data-stage="${s.stage}">
  ${this.params.form === false ? "" : html`<form hl-submit="analyze" class="row">
    <input class="input" name="query" value="${s.query}" maxlength="200" required placeholder="Ask the docs, e.g. how does htmx send the state token?" aria-label="Question">
    <button class="btn primary" hl-disable-with="Searching…">Ask</button>
  </form>`}
  ${this.errors.query ? html`<p class="field-error" role="alert">${this.errors.query}</p>` : ""}
  <ol class="rag-stages">
    <li class="${stageClass(s.stage, "retrieving")}">Retrieving${s.stage === "idle" ? "" : html`: ${s.scanned} of ${s.total} passages mention a query term`}</li>
    <li class="${stageClass(s.stage, "ranking")}">Ranking${s.candidates.length ? html`: <ul class="rag-candidates">${s.candidates.map((c) => html`<li><code>${c.score.toFixed(2)}</code> ${c.source} › ${renderSpans(inline(c.heading))}</li>`)}</ul>` : ""}</li>
    <li class="${stageClass(s.stage, "answering")}">Answering${s.answer.length ? "" : s.stage === "done" ? ": nothing in the docs matches." : ""}</li>
  </ol>
  ${s.answer.map((a) => html`<blockquote class="rag-passage"><p>${renderSpans(a.spans, s.terms)}</p><footer>${a.source} › ${renderSpans(inline(a.heading))} (score ${a.score.toFixed(2)})</footer></blockquote>`)}
  ${s.stage === "done" ? html`<p class="rag-done muted">Done.</p>` : ""}
</section>`;
  }
}

registry.register("rag_query", RagQuery);

const ORDER: Stage[] = ["idle", "retrieving", "ranking", "answering", "done"];

function stageClass(now: Stage, stage: Stage): string {
  const a = ORDER.indexOf(now);
  const b = ORDER.indexOf(stage);
  return a > b ? "stage-done" : a === b ? "stage-active" : "stage-todo";
}

function pause(): Promise<void> {
  return RagQuery.stageDelayMs > 0 ? new Promise((r) => setTimeout(r, RagQuery.stageDelayMs)) : Promise.resolve();
}

/** The best-scored passage of each section (source and heading), in rank order. */
function bestPerSection(ranked: Scored[]): Scored[] {
  const seen = new Set<string>();
  return ranked.filter((p) => {
    const key = `${p.source}\n${p.heading}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/** About 360 characters of a passage, starting a little before its first query term, as spans. */
function excerpt(p: Scored, q: string[]): Span[] {
  const lower = p.text.toLowerCase();
  const hits = q.map((t) => lower.search(new RegExp(`\\b${t}`))).filter((i) => i >= 0);
  const first = hits.length ? Math.min(...hits) : 0;
  const start = first > 120 ? p.text.lastIndexOf(" ", first - 60) + 1 : 0;
  const spans = sliceSpans(p.spans ?? [{ t: p.text }], start, start + 360);
  return [...(start > 0 ? [{ t: "…" }] : []), ...spans, ...(start + 360 < p.text.length ? [{ t: "…" }] : [])];
}

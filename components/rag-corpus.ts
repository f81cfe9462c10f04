import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { inline, plain, sliceSpans, type Span } from "./rag-markdown.js";

/** One passage of the corpus: a paragraph of a document, under its nearest heading. */
export interface Passage {
  source: string;
  /** The heading as written (inline Markdown). */
  heading: string;
  /** The paragraph as a reader sees it, Markdown marks removed: what is indexed and excerpted. */
  text: string;
  /** The paragraph's inline Markdown (code, emphasis, links), whose plain text is `text`. Default: `text` alone. */
  spans?: Span[];
}

/** A passage with its BM25 score for a query. */
export interface Scored extends Passage {
  score: number;
}

const STOP = new Set(
  "a an and are as at be by can do does for from has have how i if in into is it its of on or so that the their then there this to was what when where which who why will with you your not no".split(" "),
);

/** Lower-cased word terms, stop words dropped. */
export function terms(text: string): string[] {
  return (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter((t) => t.length > 1 && !STOP.has(t));
}

const MAX = 900;

/**
 * Splits a Markdown document into passages: paragraphs (and table rows) under their heading, code
 * fences dropped, inline Markdown kept as spans.
 */
export function splitPassages(source: string, markdown: string): Passage[] {
  const out: Passage[] = [];
  let heading = source;
  let inFence = false;
  let para: string[] = [];
  const flush = () => {
    let spans = inline(para.join(" ").replace(/\s+/g, " ").trim());
    para = [];
    let text = plain(spans);
    if (text.length > MAX) {
      spans = [...sliceSpans(spans, 0, MAX), { t: "…" }];
      text = plain(spans);
    }
    if (text.length >= 40) out.push({ source, heading, text, spans });
  };
  for (const line of markdown.split(/\r?\n/)) {
    if (/^\s*```/.test(line)) {
      flush();
      inFence = !inFence;
      continue;
    }
    if (inFence) continue;
    const h = /^#{1,6}\s+(.*)$/.exec(line);
    if (h) {
      flush();
      heading = h[1]!.trim();
    } else if (!line.trim() || /^\s*\|?\s*:?-{3,}/.test(line)) flush();
    else if (/^\s*\|/.test(line)) {
      // a table row is a passage of its own, its cells separated by a middle dot
      flush();
      para.push(line.trim().replace(/^\||\|$/g, "").split(/(?<!\\)\|/).map((c) => c.trim()).join(" · "));
      flush();
    } else para.push(line.replace(/^\s*(?:[-*>]|\d+\.)\s+/, ""));
  }
  flush();
  return out;
}

/**
 * A BM25 index (k1 = 1.2, b = 0.75) over passages: the classic lexical ranking of search engines,
 * small enough to build at start-up for a few hundred passages.
 */
export class Bm25Index {
  readonly passages: readonly Passage[];
  readonly #tf: Map<string, number>[];
  readonly #len: number[];
  readonly #df = new Map<string, number>();
  readonly #avg: number;

  constructor(passages: Passage[]) {
    this.passages = passages;
    this.#tf = passages.map((p) => {
      const m = new Map<string, number>();
      for (const t of terms(`${p.heading} ${p.text}`)) m.set(t, (m.get(t) ?? 0) + 1);
      for (const t of m.keys()) this.#df.set(t, (this.#df.get(t) ?? 0) + 1);
      return m;
    });
    this.#len = this.#tf.map((m) => [...m.values()].reduce((a, b) => a + b, 0));
    this.#avg = this.#len.reduce((a, b) => a + b, 0) / Math.max(1, this.#len.length);
  }

  /** Indexes of the passages that hold at least one of `q`'s terms. */
  candidates(q: string[]): number[] {
    const out: number[] = [];
    this.#tf.forEach((m, i) => {
      if (q.some((t) => m.has(t))) out.push(i);
    });
    return out;
  }

  /** The `k` best passages among `among` for the query terms `q`, best first. */
  rank(q: string[], among: number[], k: number): Scored[] {
    const n = this.passages.length;
    const scored = among.map((i) => {
      let s = 0;
      for (const t of new Set(q)) {
        const f = this.#tf[i]!.get(t) ?? 0;
        if (!f) continue;
        const df = this.#df.get(t) ?? 0;
        const idf = Math.log(1 + (n - df + 0.5) / (df + 0.5));
        s += (idf * f * 2.2) / (f + 1.2 * (0.25 + (0.75 * this.#len[i]!) / this.#avg));
      }
      return { ...this.passages[i]!, score: Math.round(s * 100) / 100 };
    });
    return scored.sort((a, b) => b.score - a.score).slice(0, k);
  }
}

const FALLBACK = `# Hotline
Hotline is a TypeScript framework for server-driven realtime UI. Components live on the server, own their UI state, handle the browser's events, re-render and push only what changed to a small client that morphs the DOM.

## Transports
A component works over a WebSocket with the Hotline client, over HTTP with fetch or plain htmx, and over Server-Sent Events for streaming handlers. State travels in a signed token between HTTP requests.

## Streaming
A handler written as an async generator yields once per stage; each yield renders the component and sends a frame, the last marked stream_done.

## Scaling out
Redis pub/sub fans model changes out to every subscribed component on every server process, and a Redis state store lets a reconnecting client resume on any process.
`;

/** The Markdown files the demo's corpus is built from: the project's README.md and docs/*.md. */
function loadDocs(): { source: string; text: string }[] {
  const out: { source: string; text: string }[] = [];
  // From components/ (tsx) or dist/components/ (the build): the project root is one or two up.
  for (const up of ["../", "../../"]) {
    const root = fileURLToPath(new URL(up, import.meta.url));
    try {
      out.push({ source: "README.md", text: readFileSync(root + "README.md", "utf8") });
    } catch {
      // no README here
    }
    try {
      for (const f of readdirSync(root + "docs").sort()) {
        if (f.endsWith(".md")) out.push({ source: `docs/${f}`, text: readFileSync(`${root}docs/${f}`, "utf8") });
      }
    } catch {
      // no docs here
    }
    if (out.length) return out;
  }
  return [{ source: "built-in", text: FALLBACK }];
}

let index: Bm25Index | undefined;

/** The demo's corpus index, built on first use from the project's own documentation. */
export function corpus(): Bm25Index {
  return (index ??= new Bm25Index(loadDocs().flatMap((d) => splitPassages(d.source, d.text))));
}

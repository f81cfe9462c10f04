import { html } from "hotline";

/**
 * A run of inline Markdown: plain text, `code`, *em*, **strong**, or a [link](target). The demo's
 * retrieval quotes the docs with these, so that a quote reads as the docs do: `stream_done` keeps
 * its underscore, and a link shows its text instead of its raw `[text](target)`.
 */
export interface Span {
  t: string;
  k?: "code" | "em" | "strong" | "link";
  /** A link's target (links only). */
  href?: string;
}

// One alternative per kind, in priority order. Emphasis marks count only at a word's edge, so
// that snake_case names and `a * b` keep their characters.
const INLINE = /`([^`]+)`|\[([^\]]+)\]\(([^)\s]+)\)|\*\*([^*]+)\*\*|(?<![\w*])[*_](?![\s*_])([^*_]+?)(?<!\s)[*_](?![\w*])|<(https?:\/\/[^>\s]+)>/g;

/** The spans of one line (or paragraph) of inline Markdown. Unclosed marks are left as text. */
export function inline(md: string): Span[] {
  const out: Span[] = [];
  let at = 0;
  for (const m of md.matchAll(INLINE)) {
    if (m.index > at) out.push({ t: md.slice(at, m.index) });
    if (m[1] !== undefined) out.push({ t: m[1], k: "code" });
    else if (m[2] !== undefined) out.push({ t: m[2].replace(/`/g, ""), k: "link", href: m[3]! });
    else if (m[4] !== undefined) out.push({ t: m[4], k: "strong" });
    else if (m[5] !== undefined) out.push({ t: m[5], k: "em" });
    else out.push({ t: m[6]!, k: "link", href: m[6]! });
    at = m.index + m[0].length;
  }
  if (at < md.length) out.push({ t: md.slice(at) });
  return out;
}

/** The text a reader sees: what BM25 indexes and excerpts count in. */
export function plain(spans: readonly Span[]): string {
  return spans.map((s) => s.t).join("");
}

/** The spans covering characters [start, end) of their plain text. */
export function sliceSpans(spans: readonly Span[], start: number, end: number): Span[] {
  const out: Span[] = [];
  let at = 0;
  for (const s of spans) {
    const from = Math.max(start, at), to = Math.min(end, at + s.t.length);
    if (from < to) out.push({ ...s, t: s.t.slice(from - at, to - at) });
    at += s.t.length;
    if (at >= end) break;
  }
  return out;
}

/**
 * The spans as HTML, each query term in `<mark>`. Every piece goes through the template, so it is
 * escaped; only http(s) targets become links (a docs-relative one shows its text, its target as a title).
 */
export function renderSpans(spans: readonly Span[], q: readonly string[] = []): unknown[] {
  return spans.map((s) => {
    const text = highlight(s.t, q);
    switch (s.k) {
      case "code": return html`<code>${text}</code>`;
      case "em": return html`<em>${text}</em>`;
      case "strong": return html`<strong>${text}</strong>`;
      case "link": return /^https?:\/\//.test(s.href ?? "")
        ? html`<a href="${s.href}" rel="noopener noreferrer">${text}</a>`
        : html`<span class="rag-ref" title="${s.href}">${text}</span>`;
      default: return text;
    }
  });
}

/** The text with each query term in `<mark>`. */
function highlight(text: string, q: readonly string[]): unknown[] {
  const words = q.map((t) => t.replace(/[^a-z0-9]/g, "")).filter(Boolean);
  if (!words.length) return [text];
  const re = new RegExp(`\\b(${words.join("|")})[a-z0-9]*`, "gi");
  const out: unknown[] = [];
  let at = 0;
  for (const m of text.matchAll(re)) {
    out.push(text.slice(at, m.index), html`<mark>${m[0]}</mark>`);
    at = m.index + m[0].length;
  }
  out.push(text.slice(at));
  return out;
}

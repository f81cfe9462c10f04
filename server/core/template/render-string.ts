import { Ctx, staticsOf } from "./statics.js";
import { Raw, Repeat, StreamPart, TemplateResult } from "./template.js";
import { scalarText } from "./values.js";
import { escapeHtml } from "./escape.js";

/** Renders a template to HTML in one pass: the fast path for full renders (HTTP, CLI, page embeds). */
export function renderToString(t: TemplateResult): string {
  const s = staticsOf(t.strings);
  const { parts, ctx, names } = s;
  const values = t.values;
  let out = parts[0]!;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const c = ctx[i]!;
    if (c === Ctx.Text) out += textHtml(v);
    else out += scalarText(c, v, names[i]);
    out += parts[i + 1]!;
  }
  return out;
}

function textHtml(v: unknown): string {
  if (typeof v === "string") return escapeHtml(v);
  if (typeof v === "number") return String(v);
  if (v instanceof TemplateResult) return renderToString(v);
  if (Array.isArray(v)) {
    let out = "";
    for (const x of v) out += textHtml(x);
    return out;
  }
  if (v instanceof Repeat) return textHtml(v.items);
  if (v instanceof Raw) return v.html;
  if (v instanceof StreamPart) return textHtml(v.ordered().map((x) => x.node));
  return scalarText(Ctx.Text, v);
}

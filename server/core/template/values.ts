import { escapeHtml, escapeScriptJson, isAttrName, sanitizeUrl } from "./escape.js";
import { HotlineError } from "../errors.js";
import { Ctx } from "./statics.js";
import { Raw, Repeat, TemplateResult } from "./template.js";

/**
 * The escaped text of a value outside text content (attribute, URL, inside a tag, script), or of
 * a primitive in text content. Nested templates and lists are handled by the callers.
 */
export function scalarText(ctx: Ctx, v: unknown, name?: string): string {
  if (v instanceof Raw) return v.html;
  switch (ctx) {
    case Ctx.Text:
      if (typeof v === "string") return escapeHtml(v);
      if (v == null || typeof v === "boolean") return "";
      return escapeHtml(String(v));
    case Ctx.Attr:
      return escapeHtml(attrString(v));
    case Ctx.Url:
      return escapeHtml(sanitizeUrl(attrString(v), name ?? "href"));
    case Ctx.Script:
      return escapeScriptJson(v);
    case Ctx.Tag:
      return tagText(v);
  }
}

function attrString(v: unknown): string {
  if (v == null || v === false) return "";
  if (Array.isArray(v)) return v.filter((x) => x != null && x !== false && x !== "").map(String).join(" ");
  if (v instanceof TemplateResult || v instanceof Repeat) {
    throw new HotlineError("handler_error", "a template cannot stand in an attribute value", { fault: "app" });
  }
  return String(v);
}

function tagText(v: unknown): string {
  if (v == null || v === false || v === "") return "";
  if (typeof v === "string") {
    if (!isAttrName(v)) throw new HotlineError("handler_error", "inside a tag, a string value must be an attribute name", { fault: "app" });
    return v;
  }
  if (typeof v === "object" && !Array.isArray(v) && !(v instanceof TemplateResult)) {
    let out = "";
    for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
      if (!isAttrName(k)) throw new HotlineError("handler_error", "inside a tag, object keys must be attribute names (and not on*)", { fault: "app" });
      if (val == null || val === false) continue;
      out += val === true ? ` ${k}` : ` ${k}="${escapeHtml(String(val))}"`;
    }
    return out;
  }
  throw new HotlineError("handler_error", "inside a tag, a value must be an attribute name or a { name: value } object", { fault: "app" });
}

/** True for values that are kept as they are in a captured tree and compared with `===`. */
export function isPrimitive(v: unknown): boolean {
  return v === null || (typeof v !== "object" && typeof v !== "function");
}

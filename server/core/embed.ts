import { randomBytes } from "node:crypto";
import { checkState, toHTML, type Component } from "./component.js";
import { escapeHtml } from "./template/escape.js";
import { Attr } from "../../protocol/attributes.js";
import type { Tokens } from "./tokens.js";

/**
 * A mounted component's first render wrapped in the markup the browser client joins from:
 * `<div hl-component="NAME" hl-id="ID" hl-state="TOKEN" hl-params="JSON">HTML</div>`. The token is
 * signed and carries the state and the topics, so the client's `join` hydrates the instance
 * without running `mount()` again. Used by `hotline.live()` and Nunjucks' `live_component`.
 */
export function embedMarkup(tokens: Tokens, name: string, component: Component, params: Record<string, unknown>, id?: string): string {
  checkState(component);
  const html = toHTML(component);
  const token = tokens.sign(name, { state: component.dehydrate(), topics: [...component.topics] });
  const attrs = [`${Attr.component}="${escapeHtml(name)}"`, `${Attr.id}="${escapeHtml(id ?? `${name}-${randomBytes(4).toString("hex")}`)}"`, `${Attr.state}="${escapeHtml(token)}"`];
  if (Object.keys(params).length) attrs.push(`${Attr.params}="${escapeHtml(JSON.stringify(params))}"`);
  return `<div ${attrs.join(" ")}>${html}</div>`;
}

import { randomBytes } from "node:crypto";
import type { Component } from "./component.js";
import { escapeHtml } from "./template/escape.js";
import type { Tokens } from "./tokens.js";

/**
 * A mounted component's first render wrapped in the markup the browser client joins from:
 * `<div hl-component="NAME" hl-id="ID" hl-state="TOKEN" hl-params="JSON">HTML</div>`. The token is
 * signed and carries the state and the topics, so the client's `join` hydrates the instance
 * without running `mount()` again. Used by `hotline.live()` and Nunjucks' `live_component`.
 */
export function embedMarkup(tokens: Tokens, name: string, component: Component, params: Record<string, unknown>, id?: string): string {
  component.checkState();
  const html = component.toHTML();
  const token = tokens.sign(name, { state: component.dehydrate(), topics: [...component.topics] });
  const attrs = [`hl-component="${escapeHtml(name)}"`, `hl-id="${escapeHtml(id ?? `${name}-${randomBytes(4).toString("hex")}`)}"`, `hl-state="${escapeHtml(token)}"`];
  if (Object.keys(params).length) attrs.push(`hl-params="${escapeHtml(JSON.stringify(params))}"`);
  return `<div ${attrs.join(" ")}>${html}</div>`;
}

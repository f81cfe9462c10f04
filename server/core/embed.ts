import { randomBytes } from "node:crypto";
import { type Component } from "./component.js";
import { checkState } from "./host.js";
import { toHTML } from "./steps.js";
import { escapeHtml } from "./template/escape.js";
import { Attr } from "../../protocol/attributes.js";
import type { Snapshot, Tokens } from "./tokens.js";

/** Who and what an embed is for: its params and user are signed into its token. */
export interface EmbedOptions {
  params?: Record<string, unknown>;
  /** the user's key (`userKey()`): the token hydrates for that user only */
  user?: string;
  /** the instance id the client joins under; default: the name and a random suffix */
  id?: string;
}

/**
 * A mounted component's first render wrapped in the markup the browser client joins from:
 * `<div hl-component="NAME" hl-id="ID" hl-state="TOKEN">HTML</div>`. The token is signed and
 * carries the state, the topics, the params and the user, so the client's `join` hydrates the
 * instance without running `mount()` again, with params it cannot change, for that user only.
 * Used by `hotline.live()` and Nunjucks' `live_component`.
 */
export function embedMarkup(tokens: Tokens, name: string, component: Component, options: EmbedOptions = {}): string {
  checkState(component);
  const html = toHTML(component);
  const snapshot: Snapshot = { state: component.dehydrate(), topics: [...component.topics] };
  if (options.params) snapshot.params = options.params;
  if (options.user !== undefined) snapshot.user = options.user;
  const token = tokens.sign(name, snapshot);
  const id = options.id ?? `${name}-${randomBytes(4).toString("hex")}`;
  return `<div ${Attr.component}="${escapeHtml(name)}" ${Attr.id}="${escapeHtml(id)}" ${Attr.state}="${escapeHtml(token)}">${html}</div>`;
}

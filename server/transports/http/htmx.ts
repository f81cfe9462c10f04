import { randomBytes } from "node:crypto";
import { escapeHtml } from "../../core/template/escape.js";
import type { HotlineError } from "../../core/errors.js";
import { Attr, Classes, HL_PREFIX } from "../../../protocol/attributes.js";

/**
 * HTMX mode: the component's HTML goes out wrapped in an element that carries its state token
 * and the htmx attributes, so that plain htmx (no Hotline client) sends the token back with the
 * next event. The component's own `hl-*` bindings are translated to htmx attributes, so one
 * component serves both the Hotline client and htmx.
 *
 * ```html
 * <div id="hl-counter-1a2b" hl-htmx="counter" hx-target="this" hx-swap="outerHTML" hx-include="this">
 *   <input type="hidden" name="state" value="v1.TOKEN">
 *   <button hl-click="increment" hx-post="/components/counter" hx-trigger="click"
 *           hx-vals="{&quot;event&quot;:&quot;increment&quot;}">+</button>
 * </div>
 * ```
 * `hx-target`, `hx-swap` and `hx-include` are inherited by every htmx element inside, and
 * `this` in them means the wrapper: every request from inside sends the hidden `state` field and
 * swaps the whole wrapper for the answer, which carries the next token.
 */
export function htmxWrap(name: string, endpoint: string, html: string, token: string): string {
  const id = `${HL_PREFIX}${name}-${randomBytes(4).toString("hex")}`;
  return (
    `<div id="${escapeHtml(id)}" ${Attr.htmx}="${escapeHtml(name)}" hx-target="this" hx-swap="outerHTML" hx-include="this">` +
    `<input type="hidden" name="state" value="${escapeHtml(token)}">` +
    translateBindings(html, endpoint) +
    `</div>`
  );
}

/** The error snippet of htmx mode: the message, escaped, and the code for styling or scripts. */
export function htmxError(err: HotlineError): string {
  return `<div class="${Classes.error}" role="alert" data-code="${escapeHtml(err.code)}">${escapeHtml(err.message)}</div>`;
}

/** The request fields of htmx mode: `event`, `state` and `params` are ours; the rest is the payload. */
export interface HtmxFields {
  event?: unknown;
  state?: unknown;
  params?: unknown;
  payload: Record<string, unknown>;
}

/** Splits a form (or JSON) body sent by htmx into its parts. */
export function htmxFields(fields: Record<string, unknown>): HtmxFields {
  const { event, state, params, payload, ...rest } = fields;
  const merged = payload && typeof payload === "object" && !Array.isArray(payload) ? { ...rest, ...(payload as object) } : rest;
  return { event, state, params, payload: merged };
}

const BINDINGS: Record<string, (attrs: Map<string, string>) => string> = {
  [Attr.click]: () => "click",
  [Attr.submit]: () => "submit",
  [Attr.change]: () => "change",
  [Attr.input]: (a) => `input changed delay:${ms(a.get(Attr.debounce)) ?? 250}ms`,
  [Attr.keyup]: (a) => key("keyup", a.get(Attr.key)),
  [Attr.keydown]: (a) => key("keydown", a.get(Attr.key)),
  [Attr.focus]: () => "focus",
  [Attr.blur]: () => "blur",
};

const ms = (v: string | undefined) => (v && /^\d{1,6}$/.test(v) ? Number(v) : undefined);
// Only plain key names reach htmx's filter expression, which htmx evaluates as code.
const key = (type: string, k: string | undefined) => (k && /^[A-Za-z0-9]{1,16}$/.test(k) ? `${type}[key=='${k}']` : type);

const START_TAG = /<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[^\s"'>/=]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?)*)\s*(\/?)>/g;
const ATTR = /([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?/g;

/**
 * Adds `hx-post`, `hx-trigger` and `hx-vals` (the event name and `hl-value-*` fields) to every
 * element that has an `hl-<event>` binding and no htmx request attribute of its own. The input is
 * HTML our renderers produced (attribute values already escaped), so a start-tag scan is enough.
 */
export function translateBindings(html: string, endpoint: string): string {
  return html.replace(START_TAG, (tag, _name: string, attrText: string, selfClose: string) => {
    if (!attrText || !attrText.includes(HL_PREFIX)) return tag;
    const attrs = new Map<string, string>();
    for (const m of attrText.matchAll(ATTR)) attrs.set(m[1]!.toLowerCase(), decode(m[2] ?? m[3] ?? m[4] ?? ""));
    if (["hx-post", "hx-get", "hx-put", "hx-patch", "hx-delete"].some((a) => attrs.has(a))) return tag;
    const binding = Object.keys(BINDINGS).find((b) => attrs.has(b));
    if (!binding) return tag;
    const vals: Record<string, string> = {};
    for (const [k, v] of attrs) if (k.startsWith(Attr.valuePrefix)) vals[k.slice(Attr.valuePrefix.length)] = v;
    vals.event = attrs.get(binding)!;
    const added =
      ` hx-post="${escapeHtml(endpoint)}" hx-trigger="${escapeHtml(BINDINGS[binding]!(attrs))}"` +
      ` hx-vals="${escapeHtml(JSON.stringify(vals))}"`;
    return tag.slice(0, tag.length - 1 - selfClose.length) + added + selfClose + ">";
  });
}

const ENTITIES: Record<string, string> = { "&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&#39;": "'" };

function decode(v: string): string {
  return v.replace(/&(?:amp|lt|gt|quot|#39);/g, (e) => ENTITIES[e]!);
}

/**
 * The test view's DOM: the HTML a view's rendered tree gives, parsed by linkedom (an optional peer
 * dependency, loaded on first use), with what the browser client keeps across renders: stream
 * containers' items (client/dom-patch.ts applies their `<template>` operations) and what the
 * "user" typed into a field whose server value has not changed since.
 *
 * Field values live in attributes here (`value`, `checked`, `selected`, a textarea's text): a test
 * DOM has no property/attribute split to keep, and attributes are what `html()` shows.
 */
import { Attr, StreamOps } from "../../protocol/attributes.js";
import { misuse } from "./errors.js";

/** What this file needs of linkedom's `parseHTML`. */
type ParseHTML = (html: string) => { document: Document };

let loading: Promise<ParseHTML> | undefined;

/** linkedom's `parseHTML`, imported on first use; a clear error when the package is missing. */
export function loadParser(): Promise<ParseHTML> {
  return (loading ??= (async () => {
    const id = "linkedom"; // a variable: bundlers and tsc leave the optional peer alone
    try {
      const mod = (await import(id)) as { parseHTML: ParseHTML };
      return mod.parseHTML;
    } catch (err) {
      loading = undefined;
      throw misuse(`hotline/testing parses the rendered HTML with "linkedom", an optional peer dependency that is not installed: npm install --save-dev linkedom (${(err as Error).message})`);
    }
  })());
}

/** A field: input, select or textarea. */
type Field = Element;

const FIELDS = "input, select, textarea";
const CHECKS = /^(checkbox|radio)$/;
/** Inputs FormData leaves out. */
const UNSENT = /^(submit|button|reset|file|image)$/;

/** Where a field is: its form (id, or index among the root's forms), its name and type. */
function fieldKey(root: Element, f: Field): string {
  const form = f.closest("form");
  const where = !form ? "-" : form.id ? `#${form.id}` : String([...root.querySelectorAll("form")].indexOf(form));
  return `${where}\u0000${f.getAttribute("name") ?? ""}\u0000${inputType(f)}\u0000${CHECKS.test(inputType(f)) ? (f.getAttribute("value") ?? "on") : ""}`;
}

function inputType(f: Field): string {
  return f.tagName === "INPUT" ? (f.getAttribute("type") ?? "text").toLowerCase() : f.tagName.toLowerCase();
}

/** A field's value as the browser's `el.value` reads it (a checkbox's is its `value`, "on" by default). */
export function domValue(f: Field): string {
  if (f.tagName === "TEXTAREA") return f.textContent ?? "";
  if (f.tagName === "SELECT") return selected(f)[0] ?? "";
  return f.getAttribute("value") ?? (CHECKS.test(inputType(f)) ? "on" : "");
}

/** What `hl-change` on a field sends as its value: a checkbox's checked state, else its value. */
export function changeValue(f: Field): string | boolean {
  return inputType(f) === "checkbox" ? f.hasAttribute("checked") : domValue(f);
}

function selected(select: Element): string[] {
  const options = [...select.querySelectorAll("option")];
  const on = options.filter((o) => o.hasAttribute("selected"));
  const pick = on.length || select.hasAttribute("multiple") ? on : options.slice(0, 1);
  return pick.map((o) => o.getAttribute("value") ?? (o.textContent ?? "").trim());
}

/** A form's fields as the browser client sends them (FormData: a repeated name gives an array). */
export function serialize(form: Element): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const add = (k: string, v: string) => void (out[k] = k in out ? ([] as unknown[]).concat(out[k], v) : v);
  for (const f of form.querySelectorAll(FIELDS)) {
    const name = f.getAttribute("name");
    if (!name || f.hasAttribute("disabled")) continue;
    const type = inputType(f);
    if (UNSENT.test(type)) continue;
    if (CHECKS.test(type)) {
      if (f.hasAttribute("checked")) add(name, domValue(f));
    } else if (f.tagName === "SELECT") for (const v of selected(f)) add(name, v);
    else add(name, domValue(f));
  }
  return out;
}

/** Fields the "user" set, with the server's value they typed over. */
export type Typed = Map<string, { value: unknown; base: unknown }>;

/** What the server rendered into a field (before any typing). */
function serverValue(f: Field): unknown {
  if (CHECKS.test(inputType(f))) return f.hasAttribute("checked");
  if (f.tagName === "SELECT") return selected(f).join("\u0000");
  return domValue(f);
}

/**
 * Sets a field as a person would: a text field's value, a checkbox's or radio's checked state
 * (`true`/`false`, or the value to tick), a select's option(s). Recorded in `typed`, so the next
 * render keeps it unless the server changed that field (client/dom-patch.ts's rule).
 */
export function setField(root: Element, f: Field, value: unknown, typed: Typed): void {
  const key = fieldKey(root, f);
  const base = typed.get(key)?.base ?? serverValue(f);
  write(f, value);
  typed.set(key, { value, base });
}

function write(f: Field, value: unknown): void {
  const type = inputType(f);
  if (CHECKS.test(type)) {
    const on = typeof value === "boolean" ? value : String(value) === domValue(f);
    if (on && type === "radio") {
      const name = f.getAttribute("name");
      for (const r of (f.closest("form") ?? f.ownerDocument).querySelectorAll("input")) if (r.getAttribute("type") === "radio" && r.getAttribute("name") === name) r.removeAttribute("checked");
    }
    if (on) f.setAttribute("checked", "");
    else f.removeAttribute("checked");
  } else if (f.tagName === "SELECT") {
    const want = new Set(([] as unknown[]).concat(value).map(String));
    for (const o of f.querySelectorAll("option")) {
      if (want.has(o.getAttribute("value") ?? (o.textContent ?? "").trim())) o.setAttribute("selected", "");
      else o.removeAttribute("selected");
    }
  } else if (f.tagName === "TEXTAREA") f.textContent = String(value ?? "");
  else f.setAttribute("value", String(value ?? ""));
}

/**
 * The component's root element for `html`: `<div hl-component hl-id>` as the page has it, with the
 * previous DOM's stream items kept (this render's operations applied to them) and typed values
 * kept where the server's value did not change.
 */
export function buildRoot(parse: ParseHTML, name: string, id: string, html: string, prev: Element | undefined, typed: Typed): Element {
  const { document } = parse(`<!doctype html><html><head></head><body><div ${Attr.component}="${esc(name)}" ${Attr.id}="${esc(id)}">${html}</div></body></html>`);
  const root = document.body.firstElementChild!;
  for (const c of [...root.querySelectorAll(`[${Attr.stream}]`)]) {
    const old = prev && [...prev.querySelectorAll(`[${Attr.stream}]`)].find((o) => o.getAttribute(Attr.stream) === c.getAttribute(Attr.stream) && o.id === c.id);
    applyStream(c, old);
  }
  for (const [key, t] of [...typed]) {
    const f = [...root.querySelectorAll(FIELDS)].find((x) => fieldKey(root, x) === key);
    if (!f || serverValue(f) !== t.base) typed.delete(key); // gone, or the server changed it: the server wins
    else write(f, t.value);
  }
  return root;
}

/** A stream container: the items it held, then this render's reset, deletes and inserts. */
function applyStream(el: Element, old: Element | undefined): void {
  const ops = [...el.children].filter((t) => t.tagName === "TEMPLATE" && t.hasAttribute(Attr.op));
  const kept = old ? [...old.children].map((c) => c.outerHTML).join("") : "";
  const opsHtml = ops.map((t) => ({ op: t.getAttribute(Attr.op), key: t.getAttribute(Attr.opId) ?? "", at: t.getAttribute(Attr.opAt), inner: t.innerHTML }));
  el.innerHTML = kept;
  const byId = () => new Map([...el.children].map((c) => [c.id, c] as const));
  for (const o of opsHtml) {
    if (o.op === StreamOps.reset) {
      const again = new Set(opsHtml.filter((x) => x.op === StreamOps.insert).map((x) => x.key));
      for (const [id, c] of byId()) if (!again.has(id)) c.remove();
    } else if (o.op === StreamOps.delete) byId().get(o.key)?.remove();
    else {
      const holder = el.ownerDocument.createElement("div");
      holder.innerHTML = o.inner;
      const item = holder.firstElementChild;
      if (!item) continue;
      if (!item.id) item.id = o.key;
      const cur = byId().get(o.key);
      if (cur) cur.replaceWith(item);
      else el.insertBefore(item, o.at === null ? null : (el.children[+o.at] ?? null));
    }
  }
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");

/** An element's text as a person reads it: whitespace collapsed, trimmed. */
export function textOf(el: Element): string {
  return (el.textContent ?? "").replace(/\s+/g, " ").trim();
}

/** Elements under `root` matching `selector` (and containing `text`, or matching it when a RegExp). */
export function query(root: Element, selector: string, text?: string | RegExp): Element[] {
  let found: Element[];
  try {
    found = [...root.querySelectorAll(selector)];
  } catch (err) {
    throw misuse(`"${selector}" is not a CSS selector the parser understands (${(err as Error).message})`);
  }
  if (text === undefined) return found;
  return found.filter((el) => (typeof text === "string" ? textOf(el).includes(text) : text.test(textOf(el))));
}

/** The opening tag of an element and a little of its text, for error messages. */
export function describe(el: Element): string {
  const tag = el.outerHTML.match(/^<[^>]*>/)?.[0] ?? `<${el.tagName.toLowerCase()}>`;
  const text = textOf(el);
  return text ? `${tag}${text.length > 40 ? text.slice(0, 40) + "…" : text}` : tag;
}

/**
 * Fills the field(s) named `name` in `form` with `value`, as a person would: a radio group's
 * radio whose value it is; a group of checkboxes, those whose values it lists; any other field
 * (or a lone checkbox, with `true`/`false`), that field. A message when that cannot be done.
 */
export function fill(root: Element, form: Element, name: string, value: unknown, typed: Typed): string | undefined {
  const group = [...form.querySelectorAll(FIELDS)].filter((f) => f.getAttribute("name") === name);
  if (!group.length) return `no field named "${name}" (its fields: ${fieldNames(form).join(", ") || "none"})`;
  const checks = group.filter((f) => CHECKS.test(inputType(f)));
  if (checks.length === group.length && (group.length > 1 || inputType(group[0]!) === "radio") && typeof value !== "boolean") {
    const want = new Set(([] as unknown[]).concat(value).map(String));
    const values = checks.map(domValue);
    const unknown = [...want].filter((v) => !values.includes(v));
    if (unknown.length) return `"${name}" has no ${unknown.map((v) => JSON.stringify(v)).join(", ")} to pick (its values: ${values.join(", ")})`;
    if (inputType(checks[0]!) === "radio" && want.size !== 1) return `"${name}" is a radio group: pick one value`;
    for (const f of checks) if (want.has(domValue(f)) || inputType(f) === "checkbox") setField(root, f, want.has(domValue(f)), typed);
    return undefined;
  }
  setField(root, group[0]!, value, typed);
  return undefined;
}

/** The field named `name` in `form` (of a radio group, the checked one). */
export function fieldNamed(form: Element, name: string): Field | undefined {
  const group = [...form.querySelectorAll(FIELDS)].filter((f) => f.getAttribute("name") === name);
  return group.find((f) => inputType(f) === "radio" && f.hasAttribute("checked")) ?? group[0];
}

/** The names of a form's fields, for error messages. */
export function fieldNames(form: Element): string[] {
  return [...new Set([...form.querySelectorAll(FIELDS)].map((f) => f.getAttribute("name")).filter((n): n is string => !!n))];
}

/** Whether `el` is a field (its value is sent by click, focus and blur bindings). */
export function isField(el: Element): boolean {
  return /^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName);
}

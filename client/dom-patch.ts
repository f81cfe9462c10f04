/**
 * Morphs a component root's children to new HTML. The only importer of morphdom.
 * Keeps what the user is typing, keeps keyed items' identity, and leaves elements that await an
 * answer (and nested components, which patch themselves) alone. Stream containers
 * (`hl-stream`) keep their children: only the operations the new HTML carries are applied.
 */
import * as md from "morphdom";
import { Attr, StreamOps } from "../protocol/attributes.js";
import { reapply } from "./commands.js";

type Opts = {
  childrenOnly?: boolean;
  getNodeKey(n: Node): unknown;
  onBeforeElUpdated(from: Element, to: Element): boolean;
  onElUpdated(el: Element): void;
  onBeforeElChildrenUpdated(from: Element, to: Element): boolean;
  onNodeAdded(n: Node): Node;
};

// morphdom ships CommonJS for Node and ESM for bundlers: take its function either way
const morphdom = ((md as any).default?.default ?? (md as any).default ?? md) as (from: Element, to: Element, o: Opts) => void;

type Field = HTMLInputElement;

const CHECKS = /^(checkbox|radio)$/;
const STREAMS = `[${Attr.stream}]`;

/**
 * What the user typed or ticked wins over a render whose own value for that field did not change
 * (its `value` attribute, text or `checked` attribute is the same as last time); a field whose
 * server value did change takes it, except a text field that has the focus: never overwrite what
 * the user is typing.
 */
function keepUserInput(from: Field, next: Field): void {
  const tag = from.tagName;
  if (tag === "SELECT") {
    if (from === document.activeElement) next.value = from.value;
  } else if (tag === "INPUT" && CHECKS.test(from.type)) {
    if (from.defaultChecked === next.defaultChecked) next.checked = from.checked;
  } else if ((tag === "INPUT" && from.type !== "file") || tag === "TEXTAREA") {
    if (from === document.activeElement || from.defaultValue === next.defaultValue) next.value = from.value;
  }
}

/**
 * Applies the `<template hl-op>` operations found among `src`'s children (client/rendered.ts
 * writes them) to the stream container `el`: reset, delete by id, insert or update in place.
 */
function stream(el: Element, src: Element, o: Opts): void {
  const todo = [...src.children].filter((t) => t.tagName === "TEMPLATE" && t.hasAttribute(Attr.op)) as HTMLTemplateElement[];
  if (src === el) todo.forEach((t) => t.remove());
  const byId = new Map<string, Element>();
  for (const c of el.children) byId.set(c.id, c);
  for (const t of todo) {
    const op = t.getAttribute(Attr.op);
    const key = t.getAttribute(Attr.opId)!;
    const cur = byId.get(key);
    if (op === StreamOps.reset) {
      // children that this batch inserts again keep their identity
      const again = new Set(todo.map((x) => x.getAttribute(Attr.op) === StreamOps.insert && x.getAttribute(Attr.opId)));
      for (const [id, c] of byId) if (!again.has(id)) c.remove(), byId.delete(id);
    } else if (op === StreamOps.limit) {
      // the container keeps at most |n| children: the first ones (n > 0) or the last ones
      for (let n = +t.getAttribute(Attr.opAt)!; el.children.length > (n < 0 ? -n : n); ) el.children[n < 0 ? 0 : n]!.remove();
    } else if (op === StreamOps.delete) {
      cur?.remove();
      byId.delete(key);
    } else {
      const item = t.content.firstElementChild;
      if (!item) continue;
      item.id ||= key;
      if (cur) morphdom(cur, item, o);
      else {
        const at = t.getAttribute(Attr.opAt);
        el.insertBefore(item, at === null ? null : el.children[+at] ?? null);
        byId.set(key, item);
        for (const c of item.querySelectorAll(STREAMS)) stream(c, c, o);
      }
    }
  }
}

/** Forms whose hl-basis inputs keep the render the person's edits are based on, until they submit. */
const held = new WeakSet<HTMLFormElement>();

/**
 * Holds the form whose focused text field this render changes under the user (the new HTML gives
 * it another value than the last render did, and not what the user typed).
 */
function heldForm(root: Element, to: Element): void {
  const a = document.activeElement as Field | null;
  if (!a || !a.form || !a.name || !root.contains(a) || !(a.tagName === "TEXTAREA" || (a.tagName === "INPUT" && !CHECKS.test(a.type)))) return;
  const next = to.querySelector(`[name="${CSS.escape(a.name)}"]`) as Field | null;
  if (next && next.defaultValue !== a.defaultValue && next.defaultValue !== a.value) held.add(a.form);
}

/** The form was submitted (with its held basis): later renders may update its hl-basis inputs again. */
export function releaseBasis(form: HTMLFormElement): void {
  held.delete(form);
}

/**
 * @example
 * patchDom(root, "<b>2</b>", (el) => busy.has(el), (el) => updated.add(el));
 */
export function patchDom(root: Element, html: string, skip: (el: Element) => boolean, updated: (el: Element) => void): void {
  const to = document.createElement(root.tagName);
  to.innerHTML = html;
  heldForm(root, to);
  const o: Opts = {
    // a component root by its page id too: a child's root is never matched with another's
    getNodeKey: (n) => (n as Element).id || (n as Element).getAttribute?.(Attr.id) || undefined,
    onBeforeElUpdated(from, next) {
      if (skip(from) || (from !== root && from.hasAttribute(Attr.component))) return false;
      // The person is typing over a value that changed on the server: the form stays based on
      // the render they saw (its hl-basis inputs keep their values) until they are done.
      if (from.hasAttribute(Attr.basis) && held.has((from as Field).form!)) return false;
      keepUserInput(from as Field, next as Field);
      reapply(from, next); // what client-side commands changed here stays
      return true;
    },
    onElUpdated: updated,
    onBeforeElChildrenUpdated(from, next) {
      if (from.hasAttribute(Attr.ignore)) return false; // its contents are the client's
      if (!from.hasAttribute(Attr.stream)) return true;
      stream(from, next, o);
      return false;
    },
    // a container new to the page holds its operations as children (morphdom calls this for
    // every node it adds, descendants included): apply them in place
    onNodeAdded(n) {
      if (n.nodeType === 1 && (n as Element).hasAttribute(Attr.stream)) stream(n as Element, n as Element, o);
      return n;
    },
  };
  morphdom(root, to, { ...o, childrenOnly: true });
}

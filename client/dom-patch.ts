/**
 * Morphs a component root's children to new HTML. The only importer of morphdom.
 * Keeps what the user is typing, keeps keyed items' identity, and leaves elements that await an
 * answer (and nested components, which patch themselves) alone.
 */
import * as md from "morphdom";

// morphdom ships CommonJS for Node and ESM for bundlers: take its function either way
const morphdom = ((md as any).default?.default ?? (md as any).default ?? md) as (
  from: Element,
  to: Element,
  o: {
    childrenOnly: boolean;
    getNodeKey(n: Node): unknown;
    onBeforeElUpdated(from: Element, to: Element): boolean;
    onElUpdated(el: Element): void;
  },
) => void;

type Field = HTMLInputElement;

const CHECKS = /^(checkbox|radio)$/;

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
 * @example
 * patchDom(root, "<b>2</b>", (el) => busy.has(el), (el) => updated.add(el));
 */
export function patchDom(root: Element, html: string, skip: (el: Element) => boolean, updated: (el: Element) => void): void {
  const to = document.createElement(root.tagName);
  to.innerHTML = html;
  morphdom(root, to, {
    childrenOnly: true,
    getNodeKey: (n) => (n as Element).id || undefined,
    onBeforeElUpdated(from, next) {
      if (skip(from) || (from !== root && from.hasAttribute("hl-component"))) return false;
      keepUserInput(from as Field, next as Field);
      return true;
    },
    onElUpdated: updated,
  });
}

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
      if (from === document.activeElement && /^(INPUT|TEXTAREA|SELECT)$/.test(from.tagName)) {
        (next as Field).value = (from as Field).value;
        (next as Field).checked = (from as Field).checked;
      }
      return true;
    },
    onElUpdated: updated,
  });
}

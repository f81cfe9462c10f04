/**
 * Client hooks: `hl-hook="Name"` runs `hooks.Name`'s callbacks as its element is mounted, updated
 * by a patch, and removed; server `push` messages reach its `handleEvent`.
 */
import { Attr } from "../protocol/attributes.js";

/** What an app registers under `hooks.Name`; `this` is the hook instance. */
export interface Hook {
  mounted?(this: HookThis): void;
  updated?(this: HookThis): void;
  destroyed?(this: HookThis): void;
  /** A server `push` ({t:"push", id, event, payload}) for this hook's component. */
  handleEvent?(this: HookThis, event: string, payload: unknown): void;
  [k: string]: unknown;
}
/** The hook instance: its element, and a way to send an event to its component. */
export type HookThis = Hook & { el: Element; pushEvent(event: string, payload?: Record<string, unknown>): Promise<unknown> };

/**
 * The registry.
 * @example
 * Hotline.hooks.Chart = { mounted() { draw(this.el); }, handleEvent(e, data) { redraw(this.el, data); } };
 */
export const hooks: Record<string, Hook> = {};

const HOOKS = `[${Attr.hook}]`;
const COMPONENTS = `[${Attr.component}]`;

/**
 * Brings the hooks of one component root in line with its DOM: mounts new ones, tells updated
 * ones, destroys those whose element is gone.
 */
export function syncHooks(root: Element, live: Map<Element, HookThis>, updated: Set<Element>, push: HookThis["pushEvent"]): void {
  const seen = new Set<Element>();
  for (const el of root.querySelectorAll(HOOKS)) {
    if (el.closest(COMPONENTS) !== root) continue;
    let h = live.get(el);
    if (!h) {
      const def = hooks[el.getAttribute(Attr.hook)!];
      if (!def) continue;
      const n: HookThis = Object.assign(Object.create(def), { el, pushEvent: push });
      live.set(el, n);
      n.mounted?.();
    } else if (updated.has(el)) h.updated?.();
    seen.add(el);
  }
  for (const [el, h] of live) if (!seen.has(el)) live.delete(el), h.destroyed?.();
}

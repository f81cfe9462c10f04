/**
 * Client-side commands (protocol/commands.ts), run on the element's event with no round trip, and
 * kept across patches: what a command changed on an element (a class, an attribute, its display)
 * is re-applied to each next render of that element (client/dom-patch.ts calls `reapply`), so a
 * menu opened here stays open when the server patches it, as LiveView's sticky JS operations.
 */
import { Cmd, type Command } from "../protocol/commands.js";

type Fix = (el: HTMLElement) => unknown;
/** Per element, what commands changed on it, keyed by what they changed. */
const sticky = new WeakMap<Element, Map<string, Fix>>();

/** Applies `f` to `el` and keeps it, under `k`, for `el`'s next renders. */
const keep = (el: HTMLElement, k: string, f: Fix) => {
  f(el);
  sticky.set(el, (sticky.get(el) ?? new Map()).set(k, f));
};

/** Re-applies to `to` (the next render of `from`) what commands changed on `from`. */
export const reapply = (from: Element, to: Element) => sticky.get(from)?.forEach((f) => f(to as HTMLElement));

/**
 * Runs the command list `json` (a JSON array of `[op, args]`) for `el`; `push(event, value)` sends
 * an event as `el`'s plain binding would.
 */
export function exec(el: Element, json: string, push: (event: string, value?: object) => void): void {
  for (const [op, { to, c, n, v, d, e, ms = 200 }] of JSON.parse(json) as Command[]) {
    if (op == Cmd.push) push(e!, v as object);
    else
      for (const t of (to ? document.querySelectorAll(to) : [el]) as Iterable<HTMLElement>) {
        const show = (on: boolean) => keep(t, "", (x) => (x.style.display = on ? d || "block" : "none"));
        if (op == Cmd.show) show(true);
        else if (op == Cmd.hide) show(false);
        else if (op == Cmd.toggle) show(getComputedStyle(t).display == "none");
        else if (op == Cmd.setAttribute) keep(t, "@" + n, (x) => x.setAttribute(n!, v as string));
        else if (op == Cmd.removeAttribute) keep(t, "@" + n, (x) => x.removeAttribute(n!));
        else if (op == Cmd.focus) t.focus();
        else if (op == Cmd.dispatch) t.dispatchEvent(new CustomEvent(e!, { bubbles: true, detail: v }));
        else
          for (const k of c?.match(/\S+/g) || []) {
            keep(t, k, (x) => x.classList.toggle(k, op != Cmd.removeClass));
            // a transition's classes go after `ms`, and are no longer kept
            if (op == Cmd.transition) setTimeout(() => sticky.get(t)!.delete(k) && t.classList.remove(k), ms);
          }
      }
  }
}

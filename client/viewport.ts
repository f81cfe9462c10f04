/**
 * `hl-viewport-top="event"` / `hl-viewport-bottom="event"` on a container (a stream's, for
 * infinite scroll): the event is sent, with `{ id }` of the edge child, when the container's first
 * (last) child comes into the viewport. `observe` runs after every render and observes the edge
 * children it has not seen yet; a child that is no longer an edge when it comes into view sends
 * nothing. An edge's event is not sent again while it awaits its answer (the other edge's may
 * be), nor held while the view is not joined (client/offline.ts would replay it against a reset
 * container): the child is observed afresh at the next render, the join's.
 */
import { Attr, Classes } from "../protocol/attributes.js";
import { views, pushEvent } from "./view.js";

/** `_v`: an edge child observed; `_b`: an edge child whose event awaits its answer. */
type El = Element & { _v?: unknown; _b?: unknown };

const io = new IntersectionObserver((es) => {
  for (const { target: x, isIntersecting } of es as (IntersectionObserverEntry & { target: El })[]) {
    const c = x.parentElement!;
    const root = c.closest(`[${Attr.component}]`)!;
    const v = root.classList.contains(Classes.connected) && views.get(root);
    const a = (x == c.firstElementChild && c.getAttribute(Attr.viewportTop)) || (x == c.lastElementChild && c.getAttribute(Attr.viewportBottom));
    if (!isIntersecting || !a || x._b) continue;
    if (!v) io.unobserve(x), (x._v = 0);
    // Rows loaded above push the edge row down where scroll anchoring does not hold it (at scroll
    // offset 0), and the new first row would load again at once: the edge row comes back in view.
    else (x._b = 1), pushEvent(v, a, { id: x.id }).then(() => (x._b = 0) || x.scrollIntoView({ block: "nearest" }));
  }
});

/** Observes the edge children of the `hl-viewport-*` containers under `root`. */
export function observe(root: Element): void {
  for (const c of root.querySelectorAll(`[${Attr.viewportTop}],[${Attr.viewportBottom}]`))
    for (const x of [c.firstElementChild, c.lastElementChild] as El[]) if (x && !x._v) (x._v = 1), io.observe(x);
}

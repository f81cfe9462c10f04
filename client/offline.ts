/**
 * Nothing typed or clicked is lost (docs/client.md, "Offline and reconnect"). Events made while
 * their view is not joined wait in one bounded queue and go out in their original order, across
 * views, once their view has rejoined. On a rejoin onto a fresh state, forms that recover keep
 * what the user sees through the render and re-send it, so that the server gets it back.
 */
import { Attr, Classes } from "../protocol/attributes.js";
import { serialize } from "./bindings.js";
import type { View } from "./view.js";

/** A held event: its view, name, element, when, how to send it (its ref, or 0) and to drop it. */
type Held = { v: View; e: string; el?: Element; t: number; g: () => number; s: (lost?: 1) => void };

/** The queue's bounds (documented in docs/client.md). */
const enum Offline {
  /** at most this many events wait; later ones are refused */
  maxHeld = 50,
  /** ms an event may wait: a stale click is not replayed */
  maxAge = 30_000,
}

/** Held events, oldest first. */
let q: Held[] = [];

const joined = (v: View) => v.el.classList.contains(Classes.connected);

/**
 * Holds event `e` of `v` (`go` sends it: its ref, or 0), then sends what it can: an event goes
 * out at once when its view is joined and nothing waits before it. A full queue refuses it
 * (`stop(1)`). An element's `hl-input` or `hl-change` event replaces the same one held just
 * before it: it carries the newer value (a field typed into offline holds one event, not one per
 * key; a form's changes, one).
 */
export function queue(v: View, e: string, go: () => number, stop: (lost?: 1) => void, el?: Element): void {
  const last = q[q.length - 1];
  if (el && last?.el === el && last.e === e && (el.getAttribute(Attr.input) === e || el.getAttribute(Attr.change) === e)) q.pop()!.s();
  q.length < Offline.maxHeld ? q.push({ v, e, el, t: Date.now(), g: go, s: stop }) : stop(1);
  flush();
}

/**
 * Sends the held events in order while the oldest one's view is joined; drops (`stop(1)`) those
 * too old, those whose view left the page, and every one of `gone` (its join was refused).
 */
export function flush(gone?: View): void {
  for (const h of q) if (h.v === gone) h.t = 0; // too old now: dropped once at the head
  for (let h; (h = q[0]); q.shift()) {
    if (!h.v.el.isConnected || Date.now() - h.t > Offline.maxAge) h.s(1);
    else if (!joined(h.v) || !h.g()) break;
  }
}

/**
 * A rejoin of `v` onto a fresh state (as Phoenix LiveView's phx-auto-recover): before the render,
 * each recovering form sends its event with all its fields (no `_target`). It goes out after the
 * events held while offline (their payloads are older), so that the server's state ends as what
 * the user sees. The form awaits that answer, so the rejoin's render leaves it (and what the user
 * typed) alone; the answer's render brings the server's markup.
 */
export function recover(v: View, send: (v: View, e: string, p: Record<string, unknown>, form: Element) => unknown): void {
  for (const f of v.el.querySelectorAll("form")) {
    const e = f.getAttribute(Attr.recover) || f.getAttribute(Attr.change);
    if (e && e != "ignore" && f.closest(`[${Attr.component}]`) === v.el) send(v, e, serialize(f), f);
  }
}

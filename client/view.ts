/**
 * One embedded component on the page (a "view"): joining and rejoining it, applying its patches to
 * its Rendered tree and the DOM, loading states while its events await their answers, hooks.
 */
import { M, T } from "../protocol/wire.js";
import { Attr, Classes } from "../protocol/attributes.js";
import type { ErrorCode } from "../protocol/codes.js";
import { Rendered } from "./rendered.js";
import { patchDom } from "./dom-patch.js";
import { syncHooks, type HookThis } from "./hooks.js";
import { queue, flush, recover } from "./offline.js";
import type { Msg, Sock } from "./socket.js";
import { pageUrl } from "./nav.js";

export interface View {
  el: Element;
  id: string;
  name: string;
  state?: string;
  params?: Record<string, unknown>;
  session?: string;
  /** a child's (`this.child()` on the server): the id of the view around it */
  parent?: string;
  r?: Rendered | null;
  hooks: Map<Element, HookThis>;
  /** nav.ts: runs once its join's answer is rendered (a live navigate swaps the pages then) */
  j?: () => void;
}

/** Every view of the page, by its root element. */
export const views = new Map<Element, View>();
/** Listeners registered with `onPush`. */
export const pushFns: ((event: string, payload: unknown, id: string) => void)[] = [];
/** Elements whose event awaits its answer, with how many. */
const busy = new Map<Element, number>();
const saved = new WeakMap<Element, string>();
let sock: Sock;
let rendered: (root: Element) => void = () => {};

/** Wires the module to the page's socket and what runs after each render of a view (`root`: its root). */
export function init(s: Sock, onRender: (root: Element) => void): void {
  sock = s;
  rendered = onRender;
}

/** Views whose root is no longer on the page leave (after a render removed them, or a navigate swapped the page). */
export function leaveGone(): void {
  for (const [el, v] of views) if (!el.isConnected) views.delete(el), sock.send({ [M.type]: T.leave, [M.id]: v.id });
}

const cls = (el: Element, on: boolean, c: string) => el.classList.toggle(c, on);
const DISABLE_WITH = `[${Attr.disableWith}]`;
/** A session key the server no longer knows: rejoin from the page's token instead. */
const BAD_STATE: ErrorCode = "bad_state";

/** Marks every view connected or not (`hl-connected` / `hl-disconnected`). */
export function setConnected(v: View, on: boolean): void {
  cls(v.el, on, Classes.connected);
  cls(v.el, !on, Classes.disconnected);
}

/**
 * Joins `v`: with its session key when it has one (a rejoin), else its state token (which carries
 * its signed params), else the params a client may choose. A session the server no longer knows
 * (bad_state) falls back to the token.
 */
export function join(v: View): void {
  const m = v.session ? { [M.session]: v.session } : v.state ? { [M.state]: v.state } : { [M.params]: v.params };
  sock.send({ [M.type]: T.join, [M.id]: v.id, [M.name]: v.name, [M.parent]: v.parent, [M.url]: pageUrl(v), ...m }, (a) => {
    if (!a) return;
    if (a[M.type] === T.error) {
      if (a[M.code] !== BAD_STATE || !v.session) return flush(v);
      v.session = undefined;
      join(v);
      return true;
    }
    // a rejoin without a session key: onto a fresh state (the server lost the session), the forms
    // recover (their events wait behind those made while offline); the view counts as joined
    // after its render, so that its hooks' events wait behind them too
    if ("r" in v && !v.session) recover(v, pushEvent);
    v.session = a[M.session];
    // a live navigate joins by URL: the answer names the page's component
    if (a[M.name]) v.el.setAttribute(Attr.component, (v.name = a[M.name]));
    try {
      v.r = Rendered.fromJoin(a);
    } catch {
      v.r = null; // no tree (or a bad one): patches must then carry r
    }
    render(v, v.r ? v.r.toHTML() : String(a[M.html] ?? ""));
    setConnected(v, true);
    v.j?.();
    flush();
  });
}

/** Applies a server message addressed to `v` (patch, push, error). */
export function receive(v: View | undefined, m: Msg): void {
  const t = m[M.type];
  if (t === T.error) return fail(v, m);
  if (!v) return;
  if (t === T.push) {
    for (const h of v.hooks.values()) h.handleEvent?.(m[M.event], m[M.payload]);
    for (const f of pushFns) f(m[M.event], m[M.payload], v.id);
  } else if (t === T.patch) {
    try {
      if (!v.r) v.r = Rendered.fromJoin(m);
      else v.r.apply(m);
    } catch (e) {
      console.error(e);
      // our copy of the tree is lost: a fresh join brings the whole tree back
      sock.send({ [M.type]: T.leave, [M.id]: v.id });
      join(v);
      return;
    }
    render(v, v.r.toHTML());
  }
}

function render(v: View, html: string): void {
  const updated = new Set<Element>();
  patchDom(v.el, html, (el) => busy.has(el), (el) => updated.add(el));
  syncHooks(v.el, v.hooks, updated, (e, p) => pushEvent(v, e, p));
  rendered(v.el);
}

function fail(v: View | undefined, m: Msg): void {
  // An instance whose root already left the page (a navigate overtook its join or event): nobody to tell.
  if (m[M.id] && !v?.el.isConnected) return;
  // A refusal that names where to go (an app's mount hook: "sign in first").
  const to = m[M.details]?.redirect;
  if (typeof to === "string") return location.assign(to);
  console.error(`hotline: ${m[M.code]}: ${m[M.message]}`);
  (v?.el ?? document).dispatchEvent(new CustomEvent("hotline:error", { bubbles: true, detail: m }));
}

/**
 * Sends `event` for `v`. While it awaits its answer, `el` (and the root) carry `hl-loading`, and
 * `hl-disable-with` elements are disabled with their text swapped. While `v` is not joined the
 * event waits (client/offline.ts), marked the same way. Resolves with the answer, or null when
 * it is lost (the connection dropped before the answer, or the queue refused it), which fires
 * `hotline:error` with code "closed".
 */
export function pushEvent(v: View, event: string, payload: Record<string, unknown> = {}, el?: Element): Promise<Msg | null> {
  return new Promise((done) => {
    const els = [v.el, ...(el ? [el, ...(el.tagName === "FORM" ? el.querySelectorAll(DISABLE_WITH) : [])] : [])];
    // answered, or lost: "closed" (the connection dropped before the answer, or it was never sent)
    const end = (lost?: unknown, a: Msg | null = null) => {
      // before the patch is morphed in, so that the server's markup wins over our loading marks
      for (const x of els) load(x, -1);
      done(a);
      if (lost) fail(v, { [M.code]: "closed", [M.message]: event } as {} as Msg);
    };
    for (const x of els) load(x, 1);
    queue(v, event, () => sock.send({ [M.type]: T.event, [M.id]: v.id, [M.event]: event, [M.payload]: payload }, (a) => end(!a, a)), end, el);
  });
}

function load(el: Element, d: number): void {
  const n = (busy.get(el) ?? 0) + d;
  const dw = el.getAttribute(Attr.disableWith);
  const f = el as HTMLInputElement;
  const input = f.tagName === "INPUT";
  if (n > 0 && d > 0 && n === 1) {
    cls(el, true, Classes.loading);
    if (dw !== null) {
      saved.set(el, input ? f.value : el.textContent!);
      f.disabled = true;
      input ? (f.value = dw) : (el.textContent = dw);
    }
  }
  if (n > 0) busy.set(el, n);
  else {
    busy.delete(el);
    cls(el, false, Classes.loading);
    if (dw !== null && saved.has(el)) {
      f.disabled = false;
      input ? (f.value = saved.get(el)!) : (el.textContent = saved.get(el)!);
      saved.delete(el);
    }
  }
}

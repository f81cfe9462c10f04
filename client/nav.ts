/**
 * Live navigation (docs/navigation.md): `hl-patch` and `hl-navigate` links, the server's `nav`
 * frames (pushPatch, pushNavigate, redirect, flash, title), back/forward with the scroll position of
 * each history entry, and flashes in the layout's `[hl-flash]`. The page is the component root in
 * `[hl-page]`; a navigate joins the next page's root over the same socket (by URL alone: the server
 * knows the routes), swaps it in once rendered, and leaves the old one.
 */
import { M, T } from "../protocol/wire.js";
import { Attr, Classes } from "../protocol/attributes.js";
import { views, join, leaveGone, type View } from "./view.js";
import type { Msg, Sock } from "./socket.js";

const d = document;
const h = history;
const l = location;
let sock: Sock;
/** the current history entry's key, and the scroll position of each entry left */
let key = Date.now();
const ys: Record<number, number> = {};
/** a page instance a back/forward navigate replaced -> its successor: their entries are one page */
const al: Record<string, string> = {};

const here = () => l.pathname + l.search;
const slot = () => d.querySelector(`[${Attr.page}]`);
/** The page's view: the component root in the page slot. */
const page = () => [...views.values()].find((v) => v.el.parentElement == slot());

/** A join's `url`: the page's (a route's page is the root in the slot), else none. */
export const pageUrl = (v: View) => (v.el.parentElement == slot() ? here() : undefined);

/** Adds (or replaces) the history entry of `url`, keeping the scroll position of the one left. */
function push(url: string, replace?: unknown) {
  ys[key] = scrollY;
  if (!replace) key = Date.now();
  h[replace ? "replaceState" : "pushState"]({ k: key, p: page()?.id }, "", url);
}

/** The page's URL changed: its params go to the server (an error, e.g. another page's URL: a full load). */
function patch(y?: number) {
  const v = page();
  (v && sock.send({ [M.type]: T.url, [M.id]: v.id, [M.url]: here() }, (a) => {
    if (a?.[M.type] == T.error) l.reload();
    else if (y != null) setTimeout(() => scrollTo(0, y));
  })) || l.reload();
}

/**
 * Joins the page at the current URL, then swaps it in for the old one (which leaves); an error
 * loads it in full. `from`: the instance of the entry back/forward went to (now replaced by this one).
 */
function nav(y = 0, from?: string) {
  const s = slot();
  if (!s || !page()) return l.reload();
  const el = d.createElement("div");
  const id = "p" + Date.now();
  const v: View = { el, id, name: "", hooks: new Map(), j() {
    v.j = undefined;
    for (const c of [...s.children]) if (c != el) c.remove(); // the old page (and any navigate overtaken)
    el.hidden = false;
    leaveGone();
    scrollTo(0, y);
  } };
  el.hidden = true;
  el.setAttribute(Attr.component, "");
  el.setAttribute(Attr.id, id);
  el.addEventListener("hotline:error", () => v.j && l.reload());
  s.append(el);
  views.set(el, v);
  h.replaceState({ k: key, p: id }, "");
  if (from) al[from] = id;
  join(v);
}

/** A link, or the server's pushNavigate: a new entry, then a patch (same page) or a navigate. */
function go(url: string, same?: unknown, replace?: unknown) {
  if (new URL(url, l.href).origin != l.origin) return l.assign(url);
  push(url, replace);
  same ? patch() : nav();
}

/** Shows a flash (`[kind, text]`, or one the server rendered) until a click or a few seconds. */
function flash(f: string[] | Element) {
  let p = f as Element;
  if (Array.isArray(f)) {
    p = d.createElement("p");
    p.className = Classes.flashPrefix + f[0];
    p.textContent = f[1]!;
    p.setAttribute("role", "status");
    d.querySelector(`[${Attr.flash}]`)?.append(p);
  }
  p.addEventListener("click", () => p.remove());
  setTimeout(() => p.remove(), 5e3);
}

/** A server `nav` frame: its title, its flash, then its URL. */
export function onNav(m: Msg) {
  if (m[M.type] != T.nav) return;
  const u = m[M.url];
  const k = m[M.kind];
  if (m[M.title] != null) d.title = m[M.title];
  if (m[M.flash]) flash(m[M.flash]);
  if (u) k == "redirect" ? l.assign(u) : k == "patch" ? push(u, m[M.replace]) : go(u, 0, m[M.replace]);
}

/** Starts navigation for the page's socket: links, back/forward, the flashes the server rendered. */
export function initNav(s: Sock) {
  sock = s;
  // scroll per entry is ours on live pages only: elsewhere a reload keeps the browser's
  if (slot()) h.scrollRestoration = "manual";
  h.replaceState({ k: key, p: page()?.id }, "");
  d.querySelectorAll(`[${Attr.flash}] > *`).forEach(flash);
  d.addEventListener("click", (e) => {
    const a = (e.target as Element).closest?.(`[${Attr.patch}],[${Attr.navigate}]`) as HTMLAnchorElement | null;
    if (!a || e.defaultPrevented || e.button || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey || a.target) return;
    e.preventDefault();
    go(a.href, a.hasAttribute(Attr.patch));
  });
  addEventListener("popstate", (e) => {
    const st = e.state;
    if (!st?.k) return; // not one of ours (a link to #anchor)
    ys[key] = scrollY;
    key = st.k;
    const y = ys[key] ?? 0;
    let p = st.p;
    while (al[p]) p = al[p];
    p && p == page()?.id ? patch(y) : nav(y, p);
  });
}

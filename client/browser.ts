/**
 * The browser client's entry (bundled to dist/client/hotline.js as the `Hotline` global, and .mjs).
 * Finds the embedded components (`hl-component`, `hl-id`, `hl-state`, `hl-params`), opens one
 * WebSocket per page and joins each. See docs/client.md.
 */
import { DEFAULT_PATH, M } from "../protocol/wire.js";
import { Attr } from "../protocol/attributes.js";
import { openSocket, type Sock } from "./socket.js";
import { views, pushFns, init, join, leaveGone, receive, setConnected, pushEvent, type View } from "./view.js";
import { bind, bindWindow } from "./bindings.js";
import { initNav, onNav } from "./nav.js";

export { hooks, type Hook } from "./hooks.js";

const script = document.currentScript as HTMLScriptElement | null;
/** The uploads chunk (client/uploads.ts) finds the socket in `hlU` and taps messages as `hlUp`. */
const w = window as any;
let sock: Sock | undefined;
let n = 0;

/** The `/live` URL: `<meta name="hotline-url">`, `data-hotline-url` on the script tag, or this host. */
function liveUrl(): string {
  const u =
    document.querySelector<HTMLMetaElement>('meta[name="hotline-url"]')?.content ||
    (script ?? document.querySelector("script[data-hotline-url]"))?.getAttribute("data-hotline-url") ||
    DEFAULT_PATH;
  return new URL(u, location.href).href.replace(/^http/, "ws");
}

const SEL = `[${Attr.component}]`;

const byId = (id?: string) => {
  for (const v of views.values()) if (v.id === id) return v;
};

/**
 * Makes a view of each component root under `under` not known yet, binds its window events and
 * joins it (once the socket is open: its open joins every view).
 */
function scan(under: ParentNode): void {
  for (const el of under.querySelectorAll(SEL)) {
    if (views.has(el)) continue;
    const p = el.getAttribute(Attr.params);
    const id = el.getAttribute(Attr.id) || `hl${++n}`;
    // a child of the component around it (`this.child()`): the server scoped its id by the parent's
    const up = views.get(el.parentElement?.closest(SEL)!)?.id;
    const v: View = {
      el,
      id,
      name: el.getAttribute(Attr.component)!,
      state: el.getAttribute(Attr.state) ?? undefined,
      params: p ? JSON.parse(p) : undefined,
      parent: id.startsWith(up + ":") ? up : undefined,
      hooks: new Map(),
    };
    views.set(el, v);
    bindWindow(el);
    if (sock) join(v);
  }
}

/**
 * Joins every embedded component not joined yet (runs by itself on load; call it again after
 * adding components to the page).
 */
export function start(): void {
  scan(document);
  if (sock || !views.size) return;
  bind();
  sock = openSocket(liveUrl(), {
    open: () => views.forEach(join),
    close: () => (w.hlUp?.(), views.forEach((v) => setConnected(v, false))),
    msg: (m) => (w.hlUp?.(m), onNav(m), receive(byId(m[M.id]), m)),
  });
  initNav(sock);
  // After each render of `root`: views whose root left the page leave, the roots it added join
  // (children; a render changes nothing outside `root`, so only `root` is searched).
  init(sock, (root) => {
    bindWindow(root);
    leaveGone();
    scan(root);
    // Uploads are a chunk of their own, loaded the first time the page shows an upload input.
    if (!w.hlU && root.querySelector(`[${Attr.upload}]`)) {
      w.hlU = [sock, views];
      document.head.append(Object.assign(document.createElement("script"), { src: (script?.src || "/hotline.js").replace(/[^/]*$/, "hotline-uploads.js") }));
    }
  });
}

/**
 * Listens to server `push` messages of every component on the page (hooks get theirs in handleEvent).
 * @example
 * Hotline.onPush((event, payload, id) => { if (event === "flash") alert(payload.text); });
 */
export function onPush(fn: (event: string, payload: any, id: string) => void): void {
  pushFns.push(fn);
}

/**
 * Sends an event to the component with id `id` from script; resolves with its answer.
 * @example
 * await Hotline.send("cart", "add", { sku: 7 });
 */
export function send(id: string, event: string, payload?: Record<string, unknown>): Promise<unknown> {
  const v = byId(id);
  return v ? pushEvent(v, event, payload) : Promise.resolve(null);
}

if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
else queueMicrotask(start);

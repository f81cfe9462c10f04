/**
 * A small simulated native client, in the browser: it opens its own WebSocket, joins `cart` with
 * `format: "sdui"`, applies every `ok` and `patch` to the reference cache (`hotline/client/sdui-cache`),
 * and renders the whole screen from the cache into plain DOM by rel and behavior, the way an iOS or
 * Android app would. It also logs every raw frame, so a visitor sees APPEND and MATCH travel.
 * Bundled for the /cart/native page by demo/native-bundle.ts.
 */
import { SduiCache, type CachedComponent } from "hotline/client/sdui-cache";

type Frame = { t: string; ref?: number; id?: string; screens?: Record<string, { components: Record<string, { mergeStrategy?: { type: string }; payload?: unknown }> }>; [k: string]: unknown };
type Item = { id: number; product: string; description: string; quantity: number; price: string };

const root = document.getElementById("native-app")!;
const log = document.getElementById("native-frames")!;
const cache = new SduiCache();
const ID = "native-cart";
let ref = 0;
let ws: WebSocket;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, props: Partial<HTMLElementTagNameMap[K]> & { dataset?: Record<string, string> } = {}, ...kids: (Node | string)[]): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  const { dataset, ...rest } = props;
  Object.assign(e, rest);
  if (dataset) Object.assign(e.dataset, dataset);
  e.append(...kids);
  return e;
}

function send(event: string, payload: Record<string, unknown> = {}): void {
  ws.send(JSON.stringify({ t: "event", id: ID, ref: ++ref, event, payload }));
}

/** One line per frame: what it is (with each component's merge strategy), then the raw JSON. */
function note(raw: string, m: Frame): void {
  const parts = Object.entries(m.screens?.cart?.components ?? {}).map(([rel, c]) => {
    const items = (c.payload as { items?: unknown[] } | undefined)?.items;
    return `${rel} ${c.mergeStrategy?.type ?? "REPLACE"}${items ? ` (${items.length} item${items.length === 1 ? "" : "s"})` : ""}`;
  });
  const head = `${m.t}${m.done !== undefined ? ` done:${m.done}` : ""}${parts.length ? ": " + parts.join(", ") : ""} · ${raw.length} bytes`;
  const li = el("li", { className: "frame" }, el("strong", {}, head), el("code", {}, raw.length > 600 ? raw.slice(0, 600) + "…" : raw));
  li.dataset.t = m.t;
  log.prepend(li);
}

const renderers = {
  appbar: (c: CachedComponent) => el("header", { className: "native-appbar" }, el("strong", {}, c.locale.title ?? ""), " ", el("span", { className: "badge native-count" }, c.locale.count ?? "")),
  order_list: (c: CachedComponent) => {
    const items = (c.payload as { items: Item[] }).items;
    const list = el("ul", { className: "native-list" }, ...items.map((i) => el("li", { className: "native-item", dataset: { id: String(i.id) } },
      el("span", { className: "native-product" }, i.product), " ",
      el("span", { className: "native-qty" }, `× ${i.quantity}`), " ",
      el("span", { className: "muted" }, i.price), " ",
      el("button", { type: "button", className: "btn small", onclick: () => send("more", { id: i.id }) }, "+"))));
    return el("section", { className: "native-orders" }, el("h3", {}, c.locale.title ?? ""),
      items.length ? list : el("p", { className: "muted native-empty" }, c.locale.empty ?? ""), el("p", { className: "native-total" }, c.locale.total ?? ""));
  },
  checkout_button: {
    ACTION: (c: CachedComponent) => el("button", { type: "button", className: "btn primary native-checkout", onclick: () => send("checkout") }, c.locale.label ?? ""),
    LOADING: (c: CachedComponent) => el("button", { type: "button", className: "btn primary native-checkout", disabled: true }, c.locale.loading ?? ""),
  },
};

function draw(): void {
  root.replaceChildren(...cache.render("cart", renderers));
}

function connect(): void {
  ws = new WebSocket(new URL("/live", location.href).href.replace(/^http/, "ws"));
  ws.onopen = () => ws.send(JSON.stringify({ t: "join", id: ID, ref: ++ref, name: "cart", format: "sdui" }));
  ws.onmessage = (e) => {
    const raw = String(e.data);
    const m = JSON.parse(raw) as Frame;
    note(raw, m);
    if ((m.t === "ok" || m.t === "patch") && m.screens) {
      cache.apply({ screens: m.screens as never });
      draw();
    }
    if (m.t === "ok") root.classList.add("native-joined");
  };
  ws.onclose = () => root.classList.remove("native-joined");
}

for (const b of document.querySelectorAll<HTMLButtonElement>("[data-native-add]")) b.onclick = () => send("add", { sku: b.dataset.nativeAdd });
connect();

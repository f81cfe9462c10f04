// A small multi-page app for the navigation tests (server-level and Chromium): an orders list
// filtered by ?status (URL state), an order page (/orders/:id), a page without params, and the
// routes and layout that serve them.
import { z } from "zod";
import { Component } from "../../server/core/component.js";
import { HotlineError } from "../../server/core/errors.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import { escapeHtml } from "../../server/core/template/escape.js";
import type { Layout, Route } from "../../server/live/routes.js";

export const STATUSES = ["all", "paid", "open"] as const;

/** Every handleParams call, per component: the tests check when it runs. */
export const calls: { name: string; params: Record<string, unknown>; url: string }[] = [];
/** Mounts, per component name: a live navigate mounts once, a hydrate never. */
export const mounts: Record<string, number> = {};

export class Orders extends Component<{ status: string; page: number; bumps: number; mountedAt: number }> {
  static clientParams = z.object({ status: z.enum(STATUSES).optional(), page: z.coerce.number().int().min(1).max(50).optional() });
  mount() {
    mounts.orders = (mounts.orders ?? 0) + 1;
    this.state.bumps = 0;
    this.state.status = "all";
    this.state.page = 1;
  }
  handleParams(p: { status?: string; page?: number }, url: URL) {
    calls.push({ name: "orders", params: { ...p }, url: url.pathname + url.search });
    this.state.status = p.status ?? "all";
    if (p.page === 13) throw new HotlineError("bad_message", "there is no page 13");
    this.state.page = p.page ?? 1;
    if (p.status === "paid" && this.state.bumps === 0) this.flash("info", "Showing paid orders");
  }
  pageTitle() {
    return `Orders: ${this.state.status}`;
  }
  onBump() {
    this.state.bumps++;
  }
  onOpenOnly() {
    this.pushPatch("/orders?status=open");
  }
  onOpenSeven() {
    this.flash("info", "Opened order 7");
    this.pushNavigate("/orders/7");
  }
  onLeave() {
    this.redirect("/plain");
  }
  render() {
    const s = this.state;
    return html`<section class="orders">
<h1>Orders <span class="status">${s.status}</span> page <span class="page">${s.page}</span></h1>
<p>bumps <span class="bumps">${s.bumps}</span> <button class="bump" hl-click="bump">bump</button>
<button class="open-only" hl-click="open_only">open only</button>
<button class="open-seven" hl-click="open_seven">open 7</button>
<button class="leave" hl-click="leave">leave</button></p>
<nav>${STATUSES.map((x) => html`<a class="to-${x}" href="/orders?status=${x}" hl-patch>${x}</a> `)}<a class="page2" href="/orders?status=${s.status}&page=2" hl-patch>page 2</a></nav>
<div class="spacer" style="height:2400px">tall</div>
<p class="bottom"><a class="to-paid-bottom" href="/orders?status=paid" hl-patch>paid (bottom)</a> <a class="to-open-bottom" href="/orders?status=open" hl-patch>open (bottom)</a>
<a class="order-3" href="/orders/3" hl-navigate>order 3</a> <a class="about" href="/about" hl-navigate>about</a>
<a class="plain" href="/plain" hl-navigate>plain</a></p>
</section>`;
  }
}

export class Order extends Component<{ id: number; seen: number }, { id: number }> {
  static clientParams = z.object({ id: z.coerce.number().int().positive() });
  mount() {
    mounts.order = (mounts.order ?? 0) + 1;
    this.state.id = this.params.id;
    this.state.seen = 0;
  }
  handleParams(p: { id: number }, url: URL) {
    calls.push({ name: "order", params: { ...p }, url: url.pathname + url.search });
    this.state.id = p.id;
    this.state.seen++;
  }
  onBack() {
    this.pushNavigate("/orders?status=paid");
  }
  render() {
    return html`<article class="order"><h1>Order <span class="id">${this.state.id}</span></h1>
<a class="list" href="/orders" hl-navigate>all orders</a> <a class="next" href="/orders/${this.state.id + 1}" hl-patch>next</a>
<button class="back" hl-click="back">back to paid</button></article>`;
  }
}

/** A page that takes no params: its query string is ignored, a path param refused. */
export class About extends Component<{ v: number }> {
  mount() {
    this.state.v = 1;
  }
  render() {
    return html`<p class="about-page">About <a class="orders" href="/orders" hl-navigate>orders</a></p>`;
  }
}

/** A page whose mount redirects (a mount hook would do the same for a signed-out visitor). */
export class Gone extends Component<{ x: number }> {
  mount() {
    this.state.x = 0;
    this.pushNavigate("/about");
  }
  render() {
    return html`<p>gone</p>`;
  }
}

export function navRegistry(): Registry {
  const r = new Registry();
  r.register("orders", Orders);
  r.register("order", Order);
  r.register("about", About);
  r.register("gone", Gone);
  return r;
}

export const routes: Route[] = [
  { path: "/orders", component: "orders" },
  { path: "/orders/:id", component: "order", title: (p) => `Order ${p.id}` },
  { path: "/about", component: "about", title: "About us" },
  { path: "/about/:x", component: "about" },
  { path: "/gone", component: "gone" },
];

/** The app's layout: a header outside the page slot (it must survive a live navigate), the flash container, the slot. */
export const layout: Layout = (body, page) =>
  `<!doctype html><html><head><meta charset="utf-8"><title>${escapeHtml(page.title)}</title>${page.head}</head>` +
  `<body><header class="site" data-user="${escapeHtml(String((page.user as { id?: string } | null)?.id ?? ""))}">Shop <a class="h-orders" href="/orders" hl-navigate>orders</a> <a class="h-about" href="/about" hl-navigate>about</a></header>${page.flash}${body}</body></html>`;

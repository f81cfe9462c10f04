import { Component, HotlineError, html, loadModelMeta, modelTopic, register, repeat, type HotlineServices, type ModelAdapter, type Row } from "hotline";
import "./order-editor.js"; // the editor child
import type { EditorParams, ModelNames } from "./order-editor.js";
import "./services.js"; // the app's services, typed

type OrdersState = {
  rows: Row[];
  /** the model's table, key and version names (what the editor child is given with its row) */
  model: ModelNames;
  /** the statuses an order may have (the `status` field's enum): the filter's choices */
  statuses: string[];
  /** the order open in the editor */
  selected: number | null;
  /** the status the list is filtered by, or null for every order */
  status: string | null;
};

/** Where the page takes them from: its URL (`?status=paid&pk=2`), checked before use. */
export type OrdersParams = { selected?: unknown; status?: unknown };

/** What the list uses of an adapter; anything else is the app's mistake. */
const isAdapter = (x: unknown): x is ModelAdapter =>
  typeof x === "object" && x !== null && typeof (x as ModelAdapter).list === "function" && typeof (x as ModelAdapter).metadata === "function";

/** An order key from the URL: a plain positive integer, else none. */
export function orderKey(raw: unknown): number | null {
  const s = typeof raw === "number" ? String(raw) : raw;
  return typeof s === "string" && /^[1-9]\d{0,8}$/.test(s) ? Number(s) : null;
}

/**
 * The orders page: every order, updated live, filtered by status, with the open order's editor
 * as a child component (`order_editor`, this.child()). It follows the table's topic
 * (`model:orders`), which the model feed publishes on for each change, by the app or by any
 * other writer, and re-reads the list. Each row links to `?pk=<id>` (keeping the filter), which
 * opens that order's editor: a child with its own state, events and patches, mounted from the row
 * this list read (editable by the order's owner, read-only for everyone else). The adapter is
 * the app's service named by `static model` (`createHotline({ services: { orders } })`, see
 * demo/main.ts).
 *
 * It is not `shared`: a shared component cannot have children (an editor belongs to one page).
 *
 * @example
 * html`${await hotline.live("orders", { status: "paid", selected: 2 })}`
 */
@register("orders")
export class Orders extends Component<OrdersState, OrdersParams> {
  /** The app's service holding the orders adapter. */
  static model: keyof HotlineServices = "orders";

  getModel(): ModelAdapter {
    const owner = this.constructor.name;
    const key = (this.constructor as typeof Orders).model;
    const adapter: unknown = this.services[key];
    if (!adapter) {
      throw new HotlineError("handler_error", `${owner} reads its model from the app's service "${key}", but the app has none: pass createHotline({ services: { ${key}: adapter } })`, { fault: "app" });
    }
    if (!isAdapter(adapter)) {
      throw new HotlineError("handler_error", `${owner} reads its model from the app's service "${key}", which is not a ModelAdapter`, { fault: "app" });
    }
    return adapter;
  }

  async mount(): Promise<void> {
    const meta = await loadModelMeta(this.getModel());
    this.state.model = { table: meta.table, primaryKey: meta.primaryKey, versionField: meta.versionField };
    this.state.statuses = [...(meta.fields.find((f) => f.name === "status")?.enum ?? [])];
    this.choose(this.params);
    this.subscribe(modelTopic(meta.table));
    this.state.rows = await this.getModel().list({ limit: 200 });
  }

  /** Takes the order to open and the status to filter by (anything unknown: none). */
  choose({ selected, status }: OrdersParams): void {
    this.state.selected = orderKey(selected);
    this.state.status = typeof status === "string" && this.state.statuses.includes(status) ? status : null;
  }

  /** A change anywhere in the table (or a resync): re-read the list. */
  async onMessage(): Promise<void> {
    this.state.rows = await this.getModel().list({ limit: 200 });
  }

  /** Attributes of the list's links: none here (plain links, a page load each); a live page patches its URL instead. */
  link(): Record<string, string> | null {
    return null;
  }

  /** The page's URL for a status filter and an open order. */
  href(status: string | null, pk: number | null): string {
    const q = new URLSearchParams();
    if (status) q.set("status", status);
    if (pk !== null) q.set("pk", String(pk));
    return `?${q}`;
  }

  render() {
    const { rows, model, statuses, selected, status } = this.state;
    const key = model.primaryKey;
    const shown = status ? rows.filter((r) => r.status === status) : rows;
    const open = selected === null ? undefined : rows.find((r) => r[key] === selected);
    return html`<div class="orders-layout">
  <section class="card">
    <nav class="filters" aria-label="Filter by status">${[null, ...statuses].map((s) => html`<a class="filter" href="${this.href(s, selected)}" ${this.link()} ${s === status ? { "aria-current": "true" } : null}>${s ?? "All"}</a>`)}</nav>
    <div class="table-scroll"><table class="orders">
  <thead><tr><th scope="col">#</th><th scope="col">Customer</th><th scope="col">Owner</th><th scope="col">Status</th><th scope="col" class="num">Total</th><th scope="col" class="col-version">Version</th><th></th></tr></thead>
  <tbody>${repeat(
    shown,
    (r) => String(r[key]),
    (r) => html`<tr id="order-${String(r[key])}" class="${r[key] === selected ? "selected" : ""}">
      <td>${String(r[key])}</td><td>${String(r.customer ?? "")}</td><td class="order-owner">${String(r.owner ?? "")}</td>
      <td><span class="status status-${String(r.status ?? "")}">${String(r.status ?? "")}</span></td>
      <td class="num">${typeof r.total === "number" ? r.total.toFixed(2) : ""}</td>
      <td class="muted col-version">${String(r.version ?? "")}</td>
      <td><a href="${this.href(status, r[key] as number)}" ${this.link()} ${r[key] === selected ? { "aria-current": "true" } : null}>Open</a></td>
    </tr>`,
  )}</tbody>
</table></div>
    ${shown.length ? "" : html`<p class="muted">No ${status} orders.</p>`}
  </section>
  <section class="card">${selected === null
    ? html`<p class="muted">Pick an order to edit it.</p>`
    : open
      ? this.child("order_editor", { pk: selected, row: open, model } satisfies EditorParams, `editor-${selected}`)
      : html`<p class="muted">There is no order #${selected}.</p>`}</section>
</div>`;
  }
}

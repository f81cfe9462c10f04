import { Component, HotlineError, html, loadModelMeta, modelTopic, register, repeat, type HotlineServices, type ModelAdapter, type Row } from "hotline";
import "./services.js"; // the app's services, typed

type OrdersState = { rows: Row[]; pk: string; selected: number | null };

/** What the list uses of an adapter; anything else is the app's mistake. */
const isAdapter = (x: unknown): x is ModelAdapter =>
  typeof x === "object" && x !== null && typeof (x as ModelAdapter).list === "function" && typeof (x as ModelAdapter).metadata === "function";

/**
 * Every order, updated live: it follows the table's topic (`model:orders`), which the model feed
 * publishes on for each change, by the app or by any other writer, and re-reads the list. The
 * list is the same for all its viewers (`shared`): one read and one render per change, so it shows
 * every order's owner but nothing about who is looking. Each row links to `?pk=<id>`, where the
 * page embeds an `order_editor` (editable by the owner, read-only for everyone else). The adapter is the app's service
 * named by `static model` (`createHotline({ services: { orders } })`, see demo/main.ts).
 *
 * @example
 * html`${await hotline.live("orders", { selected: 2 })}`
 */
@register("orders")
export class Orders extends Component<OrdersState, { selected?: unknown }> {
  static shared = true;
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
    const selected = Number(this.params.selected);
    this.state.selected = Number.isSafeInteger(selected) ? selected : null;
    this.state.pk = meta.primaryKey;
    this.subscribe(modelTopic(meta.table));
    this.state.rows = await this.getModel().list({ limit: 200 });
  }

  /** A change anywhere in the table (or a resync): re-read the list. */
  async onMessage(): Promise<void> {
    this.state.rows = await this.getModel().list({ limit: 200 });
  }

  render() {
    const { rows, pk, selected } = this.state;
    return html`<div class="table-scroll"><table class="orders">
  <thead><tr><th scope="col">#</th><th scope="col">Customer</th><th scope="col">Owner</th><th scope="col">Status</th><th scope="col" class="num">Total</th><th scope="col">Version</th><th></th></tr></thead>
  <tbody>${repeat(
    rows,
    (r) => String(r[pk]),
    (r) => html`<tr id="order-${String(r[pk])}" class="${r[pk] === selected ? "selected" : ""}">
      <td>${String(r[pk])}</td><td>${String(r.customer ?? "")}</td><td class="order-owner">${String(r.owner ?? "")}</td>
      <td><span class="status status-${String(r.status ?? "")}">${String(r.status ?? "")}</span></td>
      <td class="num">${typeof r.total === "number" ? r.total.toFixed(2) : ""}</td>
      <td class="muted">${String(r.version ?? "")}</td>
      <td><a href="?pk=${String(r[pk])}" ${r[pk] === selected ? { "aria-current": "true" } : null}>Open</a></td>
    </tr>`,
  )}</tbody>
</table></div>`;
  }
}

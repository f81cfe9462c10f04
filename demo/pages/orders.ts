import { html, raw, register } from "hotline";
import { z } from "zod";
import { orderKey, Orders } from "../../components/orders.js";
import { ORDER_STATUSES } from "../orders-model.js";
import type { DemoPage } from "../page.js";

const INTRO = `<h1>Orders</h1>
<p class="lead">Every order has an owner: you may open any order, but edit only your own (sign in as
Ada or Grace to own some). Open one of yours in two windows, type different customers and save both: the
second save is refused, keeps what you typed and shows what the first one wrote beside it; only
<em>Keep mine</em> then writes yours over it. Change a row outside the app (<code>UPDATE orders SET status =
'paid' WHERE id = 1</code> in psql): the list and any open editor update at once.</p>`;

/**
 * The orders page, a route: the list filtered by `?status=` and the editor of `?pk=` (a child of
 * the list) follow the URL. The filter and "Open" links are `hl-patch` links: they change the URL
 * and run `handleParams` without a remount; a deep link renders the same view on the server. The
 * URL's params are checked by `clientParams`: a status that is none of the table's, or a key that
 * is not a plain positive number, is a 400 page (or an error frame for a live patch).
 */
@register("orders_page")
export class OrdersPage extends Orders {
  static clientParams = z.object({
    status: z.enum(ORDER_STATUSES).optional(),
    pk: z.string().regex(/^[1-9]\d{0,8}$/, "an order number").optional(),
  });

  handleParams(params: { status?: string; pk?: string }): void {
    this.choose({ status: params.status, selected: params.pk });
  }

  pageTitle(): string {
    return `${this.state.status ? `Orders: ${this.state.status}` : "Orders"} · Hotline`;
  }

  /** The editor (a child) saved its order: say so once, in the page's flash (it survives a navigate). */
  onSaved({ pk }: { pk?: unknown }): void {
    const key = orderKey(pk);
    if (key !== null) this.flash("info", `Order #${key} saved.`);
  }

  /** Links change the page's URL in place (`hl-patch`). */
  link(): Record<string, string> {
    return { "hl-patch": "" };
  }

  render() {
    return html`${raw(INTRO)}${super.render()}`;
  }
}

/** Orders from a database table, edited live with optimistic concurrency. */
export const ordersPage: DemoPage = {
  path: "/orders",
  title: "Orders",
  blurb: "Rows of a database table, edited in forms generated from the table's columns; every change, even one made in psql, shows up at once.",
  component: "orders_page",
  /** Without routes: the list (`orders`) embedded with the URL's filter and order, which it checks itself. */
  body: async ({ req, live }) => {
    const q = new URL(req.url ?? "/", "http://x").searchParams;
    return `${INTRO}\n${await live("orders", { selected: q.get("pk"), status: q.get("status") })}`;
  },
};

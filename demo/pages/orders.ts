import type { DemoPage } from "../page.js";

/**
 * Orders from a database table, edited live with optimistic concurrency. The `orders` component is
 * the whole page: the list, filtered by `?status=`, and the editor of `?pk=` as its child (editable
 * for the order's owner, read-only for everyone else). The URL's params are checked by the
 * component (an unknown status or a malformed key selects nothing).
 */
export const ordersPage: DemoPage = {
  path: "/orders",
  title: "Orders",
  blurb: "Rows of a database table, edited in forms generated from the table's columns; every change, even one made in psql, shows up at once.",
  body: async ({ req, live }) => {
    const q = new URL(req.url ?? "/", "http://x").searchParams;
    return `<h1>Orders</h1>
<p class="lead">Every order has an owner: you may open any order, but edit only your own (sign in as
Ada or Grace to own some). Open one of yours in two windows, type different customers and save both: the
second save is refused, keeps what you typed and shows what the first one wrote beside it; only
<em>Keep mine</em> then writes yours over it. Change a row outside the app (<code>UPDATE orders SET status =
'paid' WHERE id = 1</code> in psql): the list and any open editor update at once.</p>
${await live("orders", { selected: q.get("pk"), status: q.get("status") })}`;
  },
};

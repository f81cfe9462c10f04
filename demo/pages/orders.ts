import type { DemoPage } from "../page.js";

const style = `<style>
.orders-layout { display: grid; gap: 1.5rem; grid-template-columns: minmax(0, 3fr) minmax(0, 2fr); align-items: start; }
@media (max-width: 800px) { .orders-layout { grid-template-columns: minmax(0, 1fr); } }
table.orders { width: 100%; border-collapse: collapse; }
table.orders th, table.orders td { text-align: left; padding: .45rem .5rem; border-bottom: 1px solid var(--line); }
table.orders .num { text-align: right; font-variant-numeric: tabular-nums; }
table.orders tr.selected { background: var(--accent-soft); }
.model-form .field { display: flex; flex-direction: column; gap: .3rem; margin-bottom: 1rem; }
.model-form .field label { font-weight: 600; }
.model-form .field.dirty .input { border-color: var(--accent); }
.model-form .dirty-mark { font-weight: normal; color: var(--accent-text); font-size: .85rem; }
.model-form .field.invalid .input { border-color: var(--danger); }
.model-form .field-error, .model-form .notice.error { color: var(--danger); margin: 0; }
.model-form .conflict-note { margin: 0; font-size: .9rem; }
.model-form .notice { padding: .5rem .75rem; border-radius: 8px; background: var(--accent-soft); }
.order-editor h2 { margin-top: 0; }
.read-only-form { border: 0; padding: 0; margin: 0; min-width: 0; }
.read-only-form button[type=submit], .read-only-form .unsaved { display: none; }
.read-only-note { padding: .5rem .75rem; border-radius: 8px; background: var(--bg); border: 1px solid var(--line); }
</style>`;

/** Accepts `?pk=` only as a plain positive integer; anything else selects no order. */
function selectedPk(url: string | undefined): number | null {
  const raw = new URL(url ?? "/", "http://x").searchParams.get("pk");
  return raw && /^[1-9]\d{0,8}$/.test(raw) ? Number(raw) : null;
}

/**
 * Orders from a database table, edited live with optimistic concurrency. The editor of `?pk=` is
 * embedded with that key signed into its token, for the signed-in user: editable for the order's
 * owner, read-only for everyone else.
 */
export const ordersPage: DemoPage = {
  path: "/orders",
  title: "Orders",
  blurb: "Rows of a database table, edited in forms generated from the table's columns; every change, even one made in psql, shows up at once.",
  head: style,
  body: async ({ req, live }) => {
    const pk = selectedPk(req.url);
    const editor = pk === null
      ? `<p class="muted">Pick an order to edit it.</p>`
      : await live("order_editor", { pk });
    return `<h1>Orders</h1>
<p class="lead">Every order has an owner: you may open any order, but edit only your own (sign in as
Ada or Grace to own some). Open one of yours in two windows, type different customers and save both: the
second save is refused, keeps what you typed and shows what the first one wrote beside it; only
<em>Keep mine</em> then writes yours over it. Change a row outside the app (<code>UPDATE orders SET status =
'paid' WHERE id = 1</code> in psql): the list and any open editor update at once.</p>
<div class="orders-layout">
  <section class="card">${await live("orders", pk === null ? {} : { selected: pk })}</section>
  <section class="card">${editor}</section>
</div>`;
  },
};

import { Component, html, register } from "hotline";
import "../../components/cart.js";
import type { DemoPage } from "../page.js";

/** The cart's page: its text, and the cart as a child component. */
@register("cart_page")
export class CartPage extends Component {
  render() {
    return html`<h1>Cart</h1>
<p class="lead">The order lines live in a <em>stream container</em>: the server does not keep them in
what it diffs, and adding a line sends that line alone (a changed quantity, that line alone). Checkout
is a streaming handler: one patch while the payment runs, one when the order is placed. The same
component describes itself to native clients: <a href="/cart/native">see it on /cart/native</a>.</p>
<section class="card">${this.child("cart")}</section>`;
  }
}

/** The cart as HTML: its order lines in a stream container, so adding a line sends that line only. */
export const cartPage: DemoPage = {
  path: "/cart",
  title: "Cart",
  blurb: "One component, two kinds of client: HTML with a stream container here, server-driven UI for native apps on /cart/native.",
  component: "cart_page",
  body: ({ live }) => live("cart_page"),
};

import { html, modelForm, ModelComponent, register } from "hotline";
import "./services.js"; // the app's services, typed

/**
 * The seed's OrderEditor with declarative binding: a viewer may change an order's status and
 * customer; its total is shown, never written. Saves carry the version that was read, so two
 * people editing one order cannot overwrite each other unseen; a change made anywhere else (the
 * app, psql) reaches the editor through the model feed. The adapter is the app's `orders` service
 * (`createHotline({ services: { orders } })`, see demo/main.ts).
 *
 * @example
 * html`${await hotline.live("order_editor", { pk: 2 })}`
 */
@register("order_editor")
export class OrderEditor extends ModelComponent {
  static model = "orders";
  static fields = ["status", "customer"];
  static readonly = ["total"];

  render() {
    return html`<div class="order-editor">
  <h2>Order ${this.pk === null ? "(new)" : html`#${this.pk}`} <small class="muted">version ${this.version ?? "–"}</small></h2>
  ${modelForm(this, { labels: { customer: "Customer" } })}
</div>`;
  }
}

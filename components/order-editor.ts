import { HotlineError, html, modelForm, ModelComponent, register, type FormField } from "hotline";
import "./services.js"; // the app's services, typed
import "./user.js"; // this.user, typed

/**
 * The seed's OrderEditor with declarative binding: a viewer may change an order's status and
 * customer; its total is shown, never written. Saves carry the version that was read, so two
 * people editing one order cannot overwrite each other unseen; a change made anywhere else (the
 * app, psql) reaches the editor through the model feed. The adapter is the app's `orders` service
 * (`createHotline({ services: { orders } })`, see demo/main.ts).
 *
 * Every order has an owner (a user id). Anyone may view it; only its owner may change it:
 * `authorizeEvent` refuses every other user's event (`unauthorized`, nothing changes, on every
 * transport), and the editor renders read-only for them. The owner is never written by a client:
 * a new order (no `pk`) belongs to the user who opens it. The page gives the key, signed into the
 * embed's token; a client cannot choose it.
 *
 * @example
 * html`${await hotline.live("order_editor", { pk: 2 }, { request: req })}`
 */
@register("order_editor")
export class OrderEditor extends ModelComponent {
  static model = "orders";
  // `owner` is bound so that a new order is created with it; clients may never write it (below).
  static fields = ["status", "customer", "owner"];
  static readonly = ["total"];

  async mount(): Promise<void> {
    await super.mount();
    const pk = (this.params as Record<string, unknown>).pk;
    if ((pk === undefined || pk === null || pk === "") && this.user) {
      // A new order: its creator owns it (saved with the other values, never edited).
      this.state.owner = this.user.id;
      this.state.$saved.owner = this.user.id;
    }
  }

  /** Only the order's owner may change it; the check is plain (not async), so events stay on the fast path. */
  authorizeEvent(): boolean {
    return this.#mine();
  }

  async onBind(payload: Record<string, unknown>): Promise<void> {
    if ((payload.field ?? payload.name) === "owner") throw cannotWrite();
    await super.onBind(payload);
  }

  async onSave(payload: Record<string, unknown> = {}): Promise<void> {
    if (Object.hasOwn(payload, "owner")) throw cannotWrite();
    await super.onSave(payload);
  }

  /** The owner is shown as text, never as a control. */
  formFields(): FormField[] {
    return super.formFields().map((f) => (f.field.name === "owner" ? { ...f, editable: false, dirty: false } : f));
  }

  render() {
    const owner = typeof this.state.owner === "string" ? this.state.owner : null;
    const mine = this.#mine();
    const form = modelForm(this, { labels: { customer: "Customer", owner: "Owner" } });
    return html`<div class="${mine ? "order-editor" : "order-editor read-only"}">
  <h2>Order ${this.pk === null ? "(new)" : html`#${this.pk}`} <small class="muted">version ${this.version ?? "–"}</small></h2>
  ${mine
    ? form
    : html`${owner ? html`<p class="read-only-note">Owned by ${owner}: read-only</p>` : ""}<fieldset class="read-only-form" disabled>${form}</fieldset>`}
</div>`;
  }

  #mine(): boolean {
    const me = this.user?.id;
    return typeof me === "string" && this.state.owner === me;
  }
}

function cannotWrite(): HotlineError {
  return new HotlineError("unauthorized", "this field cannot be written");
}

import { HotlineError, html, modelForm, ModelComponent, modelResyncTopic, modelTopic, register, type FormField, type Row } from "hotline";
import { names, peopleOn } from "./people.js";
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
 * Who else has the order open is presence on `order:<pk>` ({@link orderPresenceTopic}): each
 * viewer's tab is tracked in `onJoin` with `{ name, editing }` (`editing` for its owner, who alone
 * may change it), and the editor says who else is there ("Ada is editing this order", "Grace and
 * Linus are viewing this order"), leaving out the viewer's own key (their user id) and counting
 * their own other tabs apart: two tabs of one owner are where save conflicts come from.
 *
 * As a child of the orders page (`this.child("order_editor", { pk, row, model }, …)`), it mounts
 * from the row the page has read ({@link EditorParams}): a child's mount is synchronous.
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

  /**
   * With a `row` (a child of the orders page): takes it at once, as the model component's own
   * mount does after reading it. Else reads the row (or starts a new order).
   */
  mount(): void | Promise<void> {
    const { row, model } = this.params as EditorParams;
    // Synchronous on purpose with a row: child() refuses a mount that returns a promise.
    if (row && model && typeof row === "object" && row[model.primaryKey] === (this.params as EditorParams).pk) return this.#take(row, model);
    return this.#read();
  }

  /** The row as the bound state: its fields, key and version, nothing edited; and its topics followed. */
  #take(row: Row, model: ModelNames): void {
    const fields = [...OrderEditor.fields, ...OrderEditor.readonly];
    const saved: Row = Object.fromEntries(fields.map((f) => [f, row[f] ?? null]));
    const version = typeof row[model.versionField] === "number" ? (row[model.versionField] as number) : null;
    // Object.assign, not hydrate(): hydrate reads the model, which a child rendered outside a live
    // app (a plain render in a test: no services) does not have; render() shows the row then
    Object.assign(this.state, {
      ...saved,
      [model.primaryKey]: row[model.primaryKey],
      [model.versionField]: version,
      $saved: saved,
      $base: { version, values: { ...saved } },
      $prior: null,
      $conflicts: {},
      $notice: null,
    });
    this.subscribe(modelTopic(model.table, row[model.primaryKey] as string | number));
    this.subscribe(modelResyncTopic(model.table));
  }

  async #read(): Promise<void> {
    await super.mount();
    const pk = (this.params as Record<string, unknown>).pk;
    if ((pk === undefined || pk === null || pk === "") && this.user) {
      // A new order: its creator owns it (saved with the other values, never edited).
      this.state.owner = this.user.id;
      this.state.$saved.owner = this.user.id;
    }
  }

  /** Every viewer of a saved order is on its presence topic while their tab is open. */
  onJoin(): void {
    const me = this.user;
    if (me && this.pk !== null) this.track(orderPresenceTopic(this.pk), { name: me.name, editing: this.#mine() });
  }

  /** Only the order's owner may change it; the check is plain (not async), so events stay on the fast path. */
  authorizeEvent(): boolean {
    return this.#mine();
  }

  async onBind(payload: Record<string, unknown>): Promise<void> {
    if ((payload.field ?? payload.name) === "owner") throw cannotWrite();
    await super.onBind(payload);
  }

  /** Saves; once saved, tells the page around it (`emit("saved")`: the orders page flashes it). */
  async onSave(payload: Record<string, unknown> = {}): Promise<void> {
    if (Object.hasOwn(payload, "owner")) throw cannotWrite();
    const before = this.version;
    await super.onSave(payload);
    // a write moves the version on (a refusal, a conflict or nothing to save leave it)
    if (this.version !== null && this.version !== before) this.emit("saved", { pk: this.pk });
  }

  /** The owner is shown as text, never as a control. */
  formFields(): FormField[] {
    return super.formFields().map((f) => (f.field.name === "owner" ? { ...f, editable: false, dirty: false } : f));
  }

  render() {
    if (!this.services.orders) return this.#plain();
    const owner = typeof this.state.owner === "string" ? this.state.owner : null;
    const mine = this.#mine();
    const form = modelForm(this, { labels: { customer: "Customer", owner: "Owner" } });
    return html`<div class="${mine ? "order-editor" : "order-editor read-only"}">
  <h2>Order ${this.pk === null ? "(new)" : html`#${this.pk}`} <small class="muted">version ${this.version ?? "–"}</small></h2>
  ${this.#others()}
  ${mine
    ? form
    : html`${owner ? html`<p class="read-only-note">Owned by ${owner}: read-only</p>` : ""}<fieldset class="read-only-form" disabled>${form}</fieldset>`}
</div>`;
  }

  /** Without the app's model (a child rendered outside a live app): the row it was given, as text. */
  #plain() {
    const { pk } = this.params as EditorParams;
    return html`<div class="order-editor read-only"><h2>Order #${String(pk ?? "")}</h2><dl>${[...OrderEditor.fields, ...OrderEditor.readonly].map((f) => html`<dt>${f}</dt><dd>${String(this.state[f] ?? "")}</dd>`)}</dl></div>`;
  }

  /** Who else has this order open, from its presence list; nothing when nobody else does. */
  #others() {
    if (this.pk === null) return "";
    const me = this.user?.id;
    const people = peopleOn(this.presence(orderPresenceTopic(this.pk)));
    const others = people.filter((p) => p.key !== me);
    const editing = others.filter((p) => p.editing).map((p) => p.name);
    const viewing = others.filter((p) => !p.editing).map((p) => p.name);
    const mineToo = (people.find((p) => p.key === me)?.tabs ?? 0) - 1;
    const lines = [
      editing.length ? `${names(editing)} ${editing.length === 1 ? "is" : "are"} editing this order.` : "",
      viewing.length ? `${names(viewing)} ${viewing.length === 1 ? "is" : "are"} viewing this order.` : "",
      mineToo > 0 ? `You have it open in ${mineToo === 1 ? "another tab" : `${mineToo} other tabs`} too.` : "",
    ].filter(Boolean);
    return lines.length ? html`<p class="order-presence" aria-live="polite">${lines.join(" ")}</p>` : "";
  }

  #mine(): boolean {
    const me = this.user?.id;
    return typeof me === "string" && this.state.owner === me;
  }
}

/** The names a page gives an editor child along with the row (the model's metadata). */
export interface ModelNames {
  table: string;
  primaryKey: string;
  versionField: string;
}

/** The editor's params: the order's key; as a child, also the row the page read and the model's names. */
export interface EditorParams {
  pk?: number | string;
  row?: Row;
  model?: ModelNames;
}

function cannotWrite(): HotlineError {
  return new HotlineError("unauthorized", "this field cannot be written");
}

/** The presence topic of one order's viewers. */
export function orderPresenceTopic(pk: unknown): string {
  return `order:${String(pk)}`;
}

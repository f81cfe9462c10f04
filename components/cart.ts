import { Component, HotlineError, html, register, stream, streamDelete, streamInsert, streamReset, type ScreenSet } from "hotline";

/** One line of the cart (an order line): what both the HTML and the sdui client show. */
export interface CartLine {
  id: number;
  sku: string;
  product: string;
  description: string;
  /** unit price, in cents */
  price: number;
  quantity: number;
}

interface CartState {
  lines: CartLine[];
  /** the next line id */
  next: number;
  /** `open`, `paying` (during checkout), `placed` (after it) */
  phase: "open" | "paying" | "placed";
}

/** What the demo sells. */
export const CATALOG: Readonly<Record<string, { product: string; description: string; price: number }>> = {
  tea: { product: "Green tea", description: "Sencha, loose leaf, 100 g tin", price: 850 },
  mug: { product: "Stoneware mug", description: "Hand-glazed, 350 ml, dishwasher safe", price: 1400 },
  kettle: { product: "Gooseneck kettle", description: "0.8 l, temperature control, matte black", price: 5900 },
};

const TEXTS = {
  en: {
    title: "Your cart",
    count: (n: number) => (n === 1 ? "1 item" : `${n} items`),
    orders: "Your orders",
    empty: "No items yet",
    placed: "Thank you: your order is placed.",
    checkout: "Checkout",
    paying: "Placing your order…",
    total: "Total",
  },
  fr: {
    title: "Votre panier",
    count: (n: number) => (n <= 1 ? `${n} article` : `${n} articles`),
    orders: "Vos commandes",
    empty: "Aucun article",
    placed: "Merci : votre commande est passée.",
    checkout: "Commander",
    paying: "Commande en cours…",
    total: "Total",
  },
};

const money = (cents: number) => `$${(cents / 100).toFixed(2)}`;
const bad = (message: string) => new HotlineError("bad_message", message);

/**
 * A shopping cart that serves two kinds of client from one component: browsers get HTML
 * (`render()`, its lines in a stream container, so adding a line sends that line only), native
 * clients get screens (`describe()`: `appbar`, `order_list`, `checkout_button`), diffed into
 * APPEND and MATCH patches. `checkout` is a streaming handler: LOADING, then done.
 *
 * @example
 * // a native client: {t:"join", id:"c", name:"cart", format:"sdui"} then {t:"event", id:"c", event:"add", payload:{sku:"tea"}}
 * const cart = new Cart({ lang: "en" });
 * cart.dispatch({ event: "add", payload: { sku: "tea" } }).state.lines.length; // 1
 */
@register("cart")
export class Cart extends Component<CartState, { lang?: string }> {
  /** How long checkout stays in LOADING (the payment round trip). */
  static checkoutDelayMs = 400;

  mount(): void {
    this.state.lines = [];
    this.state.next = 1;
    this.state.phase = "open";
  }

  /** A rejoin (or an HTTP request) starts with an empty stream container: the lines go again. */
  hydrate(state: Partial<CartState>): void {
    super.hydrate(state);
    streamInsert(this, "lines", this.state.lines ?? []);
  }

  onAdd({ sku }: { sku?: unknown }): void {
    if (typeof sku !== "string" || !Object.hasOwn(CATALOG, sku)) throw bad("unknown product");
    if (this.state.phase === "paying") return;
    this.state.phase = "open";
    const line = this.state.lines.find((l) => l.sku === sku);
    if (line) return this.#more(line);
    const added: CartLine = { id: this.state.next++, sku, ...CATALOG[sku]!, quantity: 1 };
    this.state.lines.push(added);
    streamInsert(this, "lines", [added]);
  }

  onMore({ id }: { id?: unknown }): void {
    this.#more(this.#line(id));
  }

  onRemove({ id }: { id?: unknown }): void {
    const line = this.#line(id);
    this.state.lines = this.state.lines.filter((l) => l !== line);
    streamDelete(this, "lines", line.id);
  }

  /** Streaming: one render in LOADING, then the placed order (the cart emptied). */
  async *onCheckout(): AsyncGenerator<void> {
    if (!this.state.lines.length || this.state.phase === "paying") return;
    this.state.phase = "paying";
    yield;
    await new Promise((r) => setTimeout(r, (this.constructor as typeof Cart).checkoutDelayMs));
    this.state.lines = [];
    this.state.phase = "placed";
    streamReset(this, "lines");
  }

  #line(id: unknown): CartLine {
    const line = this.state.lines.find((l) => l.id === Number(id));
    if (!line) throw bad("no such line in the cart");
    return line;
  }

  #more(line: CartLine): void {
    if (this.state.phase === "paying") return;
    line.quantity += 1;
    // the same key: the client replaces that line in place
    streamInsert(this, "lines", [line]);
  }

  get #t() {
    return this.params.lang === "fr" ? TEXTS.fr : TEXTS.en;
  }

  get #count(): number {
    return this.state.lines.reduce((n, l) => n + l.quantity, 0);
  }

  get #total(): number {
    return this.state.lines.reduce((n, l) => n + l.quantity * l.price, 0);
  }

  /** The checkout button's behavior: ACTION, LOADING or HIDDEN. */
  get checkoutBehavior(): "ACTION" | "LOADING" | "HIDDEN" {
    if (this.state.phase === "paying") return "LOADING";
    return this.state.lines.length ? "ACTION" : "HIDDEN";
  }

  render() {
    const t = this.#t;
    const behavior = this.checkoutBehavior;
    return html`<div class="cart">
  <div class="cart-bar row"><strong class="cart-title">${t.title}</strong> <span class="badge cart-count">${t.count(this.#count)}</span></div>
  <div class="row">${Object.entries(CATALOG).map(([sku, p]) => html`<button type="button" class="btn" hl-click="add" hl-value-sku="${sku}">Add ${p.product}</button>`)}</div>
  <h3>${t.orders}</h3>
  <ul id="cart-lines" class="cart-lines" hl-stream="lines">${stream(this, "lines", {
    key: (l: CartLine) => l.id,
    render: (l: CartLine, id) => html`<li id="${id}" class="cart-line"><span class="cart-product">${l.product}</span> <span class="muted">${l.description}</span> <span class="cart-qty">× ${l.quantity}</span> <span class="cart-price">${money(l.price * l.quantity)}</span> <button type="button" class="btn small" hl-click="more" hl-value-id="${l.id}" aria-label="One more ${l.product}">+</button> <button type="button" class="btn small" hl-click="remove" hl-value-id="${l.id}" aria-label="Remove ${l.product}">×</button></li>`,
  })}</ul>
  <p class="muted cart-note">${this.state.lines.length ? "" : this.state.phase === "placed" ? t.placed : t.empty}</p>
  <p class="cart-total">${t.total}: ${money(this.#total)}</p>
  ${behavior === "ACTION" ? html`<button type="button" class="btn primary cart-checkout" hl-click="checkout">${t.checkout}</button>`
    : behavior === "LOADING" ? html`<p class="cart-paying" role="status" aria-busy="true">${t.paying}</p>` : ""}
</div>`;
  }

  /** The same cart for native clients: one screen, three components (docs/sdui.md). */
  describe(): ScreenSet {
    const t = this.#t;
    const count = this.#count;
    return {
      screens: {
        cart: {
          components: {
            appbar: { rel: "appbar", behavior: "VISIBLE", locale: { title: t.title, count: t.count(count) }, payload: { count } },
            order_list: {
              rel: "order_list",
              behavior: "VISIBLE",
              locale: { title: t.orders, empty: this.state.phase === "placed" ? t.placed : t.empty, total: `${t.total}: ${money(this.#total)}` },
              payload: {
                items: this.state.lines.map((l) => ({ id: l.id, product: l.product, description: l.description, quantity: l.quantity, price: money(l.price) })),
              },
            },
            checkout_button: {
              rel: "checkout_button",
              behavior: this.checkoutBehavior,
              locale: { label: t.checkout, loading: t.paying },
              payload: { event: "checkout" },
            },
          },
        },
      },
    };
  }
}

import { Component, html, register } from "hotline";
import "./user.js"; // this.user, typed

/**
 * The smallest live component: a number and two buttons. Each click is one event over the socket
 * and one patch back that carries only the new number.
 *
 * Each counter belongs to whoever opened it: the page embeds it with no params, `mount()` takes
 * the name from `this.user`, and its token and session key are bound to that user by Hotline, so
 * nobody else can resume or click it.
 *
 * @example
 * new Counter().dispatch({ event: "increment" }).state.count; // 1
 * new Counter({}, { user: { id: "ada", name: "Ada" } }).dispatch().html; // … Ada's counter … Count: 0 …
 */
@register("counter")
export class Counter extends Component<{ count: number; owner?: string }> {
  mount(): void {
    const start = Number((this.params as Record<string, unknown>).start);
    this.state.count = Number.isSafeInteger(start) ? start : 0;
    if (this.user) this.state.owner = this.user.name;
  }

  onIncrement(): void {
    this.state.count += 1;
  }

  onDecrement(): void {
    this.state.count -= 1;
  }

  render() {
    return html`<div class="counter">
  ${this.state.owner ? html`<p class="counter-owner muted">${this.state.owner}'s counter</p>` : ""}
  <p class="counter-value" aria-live="polite">Count: ${this.state.count}</p>
  <div class="row">
    <button type="button" class="btn" hl-click="decrement">Decrement</button>
    <button type="button" class="btn primary" hl-click="increment">Increment</button>
  </div>
</div>`;
  }
}

import { Component, html, register } from "hotline";

/**
 * The smallest live component: a number and two buttons. Each click is one event over the socket
 * and one patch back that carries only the new number.
 *
 * @example
 * new Counter().dispatch({ event: "increment" }).state.count; // 1
 */
@register("counter")
export class Counter extends Component<{ count: number }> {
  mount(): void {
    const start = Number((this.params as Record<string, unknown>).start);
    this.state.count = Number.isSafeInteger(start) ? start : 0;
  }

  onIncrement(): void {
    this.state.count += 1;
  }

  onDecrement(): void {
    this.state.count -= 1;
  }

  render() {
    return html`<div class="counter">
  <p class="counter-value" aria-live="polite">Count: ${this.state.count}</p>
  <div class="row">
    <button type="button" class="btn" hl-click="decrement">Decrement</button>
    <button type="button" class="btn primary" hl-click="increment">Increment</button>
  </div>
</div>`;
  }
}

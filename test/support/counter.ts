// The smallest live component, for tests about the runtime around it: a count and an increment.
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";

export class Counter extends Component<{ count: number }> {
  mount() {
    this.state.count = 0;
  }
  onIncrement() {
    this.state.count += 1;
  }
  render() {
    return html`<b>${this.state.count}</b>`;
  }
}

/** A registry with {@link Counter} as "counter". */
export function counterRegistry(): Registry {
  const registry = new Registry();
  registry.register("counter", Counter);
  return registry;
}

// Components for the HTTP/SSE transport and adapter tests, in a registry of their own.
import { Component, html, Registry } from "../../server/core/index.js";
import { z } from "zod";

export class TestCounter extends Component<{ count: number }> {
  /** A client may choose where the count starts (nothing else). */
  static clientParams = z.object({ start: z.union([z.number(), z.string()]).optional() }).strict();
  mount(): void {
    const start = Number((this.params as Record<string, unknown>).start);
    this.state.count = Number.isSafeInteger(start) ? start : 0;
  }
  onIncrement(payload: { by?: string | number }): void {
    this.state.count += payload.by === undefined ? 1 : Number(payload.by);
  }
  onDecrement(): void {
    this.state.count -= 1;
  }
  onSubscribeTo(payload: { topic?: string }): void {
    if (payload.topic) this.subscribe(payload.topic);
  }
  render() {
    return html`<div class="counter"><p class="value">Count: ${this.state.count}</p><button type="button" hl-click="increment">+</button><button type="button" hl-click="decrement">-</button></div>`;
  }
}

/** A streaming handler: one render per yield, then the settled one. */
export class Steps extends Component<{ step: number; log: string[] }> {
  static delayMs = 0;
  /** When set, each step waits for it first (a test holds the handler until it has seen a frame). */
  static gate: (() => Promise<void>) | undefined;
  /** Steps run so far, by every instance (to see a disconnect stop the handler). */
  static ran = 0;
  mount(): void {
    this.state.step = 0;
    this.state.log = [];
  }
  async *onRun(payload: { n?: number }): AsyncGenerator<void> {
    const n = Number(payload.n ?? 3);
    for (let i = 1; i <= n; i++) {
      if (Steps.gate) await Steps.gate();
      if (Steps.delayMs) await new Promise((r) => setTimeout(r, Steps.delayMs));
      Steps.ran++;
      this.state.step = i;
      this.state.log.push(`step ${i}`);
      yield;
    }
    this.state.log.push("done");
  }
  async *onFailMidway(): AsyncGenerator<void> {
    this.state.step = 1;
    yield;
    throw new Error("secret database password is hunter2");
  }
  async onSlow(): Promise<void> {
    await new Promise((r) => setTimeout(r, 5));
    this.state.step = 99;
  }
  render() {
    return html`<ol data-step="${this.state.step}">${this.state.log.map((l) => html`<li>${l}</li>`)}</ol>`;
  }
}

/** A handler that throws an app error, and a validated event. */
export class Boom extends Component<{ text: string }> {
  static payloads = { say: z.object({ text: z.string().min(1).max(20) }) };
  static clientParams = z.object({ text: z.string().max(100).optional() }).strict();
  mount(): void {
    this.state.text = String((this.params as Record<string, unknown>).text ?? "");
  }
  onExplode(): void {
    throw new Error("internal detail: /etc/secret at line 42");
  }
  onSay(payload: { text: string }): void {
    this.state.text = payload.text;
  }
  render() {
    return html`<p class="said">${this.state.text}</p>`;
  }
}

/** A registry with the test components under fixed names. */
export function testRegistry(): Registry {
  const r = new Registry();
  r.register("counter", TestCounter);
  r.register("steps", Steps);
  r.register("boom", Boom);
  return r;
}

// A test component for test/testing/shared.test.ts and redis.test.ts.
import { Component, html } from "hotline";

/** A private component: each view has its own, and they talk over the "room" topic. */
export class Room extends Component<{ lines: string[] }> {
  mount(): void {
    this.state.lines = [];
    this.subscribe("room");
  }
  async onSay(p: { text: string }): Promise<void> {
    await this.publish("room", { text: p.text });
  }
  /** Every "ping…" is answered with an echo by each room that hears it: settled() waits for such chains. */
  async onMessage(_topic: string, m: unknown): Promise<void> {
    const text = String((m as { text?: unknown }).text);
    this.state.lines = [...this.state.lines, text];
    if (text.startsWith("ping")) await this.publish("room", { text: `echo of ${text}` });
  }
  render() {
    return html`<ul>${this.state.lines.map((l) => html`<li>${l}</li>`)}</ul><button hl-click="say" hl-value-text="hello">Say hello</button>`;
  }
}

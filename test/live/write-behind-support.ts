// What the write-behind tests share: a counter whose "slow" event awaits mid-change, a base for
// test stores that keep states as JSON, and ways to send a burst of clicks and read its patches.
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import type { StateStore } from "../../server/core/store.js";
import { html } from "../../server/core/template/template.js";
import { sleep, type Msg, type TestClient } from "../support/ws-client.js";

class Counter extends Component<{ count: number }> {
  mount() {
    this.state.count = 0;
  }
  onIncrement() {
    this.state.count += 1;
  }
  async onSlow() {
    this.state.count += 1000;
    await sleep(30);
    this.state.count += 1000;
  }
  render() {
    return html`<b>${this.state.count}</b>`;
  }
}
export const registry = new Registry();
registry.register("counter", Counter);

/** What the test stores share: the states they hold, as JSON, and reading them back. */
export abstract class MapStore implements StateStore {
  readonly data = new Map<string, string>();

  abstract save(key: string, state: Record<string, unknown>): Promise<void>;

  async load(key: string): Promise<Record<string, unknown> | null> {
    const json = this.data.get(key);
    return json === undefined ? null : (JSON.parse(json) as Record<string, unknown>);
  }

  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }

  /** The count saved under `key`. */
  count(key: string): number | undefined {
    const json = this.data.get(key);
    return json === undefined ? undefined : (JSON.parse(json) as { s: { count: number } }).s.count;
  }
}

/** Sends `n` increments in one socket write (one burst, as a fast clicker's frames arrive). */
export function burst(client: TestClient, n: number, firstRef: number): void {
  const socket = (client.ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
  socket.cork();
  for (let i = 0; i < n; i++) client.send({ t: "event", ref: firstRef + i, id: "c", event: "increment" });
  socket.uncork();
}

/** The patches answering refs firstRef … firstRef+n-1, in the order they came. */
export async function patches(client: TestClient, n: number, firstRef: number, ms = 10_000): Promise<Msg[]> {
  const got: Msg[] = [];
  for (let i = 0; i < n; i++) got.push(await client.next((m) => m.t === "patch" && m.ref === firstRef + i, ms));
  return got;
}


// A pub/sub resync (messages may have been missed) reaches onResync, and the client gets a patch.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MemoryPubSub } from "../../pubsub/memory.js";
import type { Listener, PubSub } from "../../pubsub/pubsub.js";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import { startServer, TestClient } from "../support/ws-client.js";

/** A bus that can announce a gap, as the Redis one does after a reconnect. */
class GappyPubSub implements PubSub {
  readonly #inner = new MemoryPubSub();
  readonly #listeners = new Map<string, Set<Listener>>();
  publish(topic: string, message: unknown) { return this.#inner.publish(topic, message); }
  async subscribe(topic: string, listener: Listener) {
    let set = this.#listeners.get(topic);
    if (!set) this.#listeners.set(topic, (set = new Set()));
    set.add(listener);
    const off = await this.#inner.subscribe(topic, listener);
    return async () => { set!.delete(listener); await off(); };
  }
  close() { return this.#inner.close(); }
  gap(topic: string) { for (const l of this.#listeners.get(topic) ?? []) l(undefined, { topic, resync: true }); }
}

let external = 1; // what the messages would have told
const registry = new Registry();
registry.register("reader", class extends Component<{ value: number; resyncs: number }> {
  mount() { this.state.value = external; this.state.resyncs = 0; this.subscribe("feed"); }
  onMessage(_t: string, m: unknown) { this.state.value = (m as { value: number }).value; }
  onResync(topic: string) { if (topic === "feed") { this.state.value = external; this.state.resyncs++; } }
  render() { return html`<p>${this.state.value} after ${this.state.resyncs} resyncs</p>`; }
});

const pubsub = new GappyPubSub();
const server = await startServer({ registry, pubsub });

test("a resync runs onResync and patches the client with what it missed", async () => {
  const c = await TestClient.open(server.url);
  const ok = await c.join("r", "reader");
  assert.match(ok.html, /1 after 0 resyncs/);
  external = 7; // changed while the bus was away: no message ever arrives for it
  pubsub.gap("feed");
  const p = await c.next((m) => m.t === "patch" && m.ref === undefined);
  assert.equal({ 0: p[0], 1: p[1] }, { 0: 7, 1: 1 });
  c.close();
});

test.after(() => server.stop());
test.run();

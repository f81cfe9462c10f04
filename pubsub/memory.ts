import type { Listener, PubSub } from "./pubsub.js";

/**
 * The reference {@link PubSub}: one process, synchronous fan-out after the publish's microtask.
 * Each published message is delivered as the same value to every listener (listeners must not
 * mutate it), which is what lets a shared component render once per change.
 */
export class MemoryPubSub implements PubSub {
  readonly #topics = new Map<string, Set<Listener>>();
  #closed = false;

  async publish(topic: string, message: unknown): Promise<void> {
    if (this.#closed) throw new Error("pubsub is closed");
    // Serialise once, as a remote bus would: a publisher can't later mutate what subscribers got,
    // and a non-JSON message fails here, in the publisher, not in every subscriber.
    const copy = message === undefined ? undefined : JSON.parse(JSON.stringify(message));
    const listeners = this.#topics.get(topic);
    if (!listeners) return;
    for (const listener of [...listeners]) {
      try {
        listener(copy, { topic });
      } catch (err) {
        console.error(`[hotline] a listener on "${topic}" threw`, err);
      }
    }
  }

  async subscribe(topic: string, listener: Listener): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error("pubsub is closed");
    let set = this.#topics.get(topic);
    if (!set) this.#topics.set(topic, (set = new Set()));
    // Wrap, so that subscribing the same function twice gives two independent subscriptions.
    const entry: Listener = (m, i) => listener(m, i);
    set.add(entry);
    return async () => {
      const s = this.#topics.get(topic);
      if (!s) return;
      s.delete(entry);
      if (s.size === 0) this.#topics.delete(topic);
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#topics.clear();
  }

  /** Topics with at least one subscriber (for tests and the dashboard). */
  get topicCount(): number {
    return this.#topics.size;
  }
}

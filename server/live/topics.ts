import type { DeliveryInfo, PubSub } from "../../pubsub/pubsub.js";
import { SpanKind } from "@opentelemetry/api";
import { Attr, SpanNames, type Telemetry } from "../telemetry/telemetry.js";

/** Something in this process that listens to topics: a live instance, or a shared group. */
export interface TopicListener {
  deliver(topic: string, message: unknown, resync: boolean): void;
}

type Entry = { listeners: Set<TopicListener>; live: Promise<(() => Promise<void>) | undefined> };

/**
 * The process's local topic index: one pub/sub subscription per topic, however many instances
 * listen to it, so that a message crosses the bus once per process and is fanned out here.
 *
 * @example
 * index.add("orders:42", instance);   // subscribes to the bus on first use
 * index.remove("orders:42", instance); // unsubscribes when the last local listener goes
 */
export class TopicIndex {
  readonly #pubsub: PubSub;
  readonly #log: (message: string, err?: unknown) => void;
  readonly #topics = new Map<string, Entry>();
  readonly #tel: Telemetry | undefined;

  constructor(pubsub: PubSub, log: (message: string, err?: unknown) => void, telemetry?: Telemetry) {
    this.#pubsub = pubsub;
    this.#log = log;
    this.#tel = telemetry;
  }

  add(topic: string, listener: TopicListener): void {
    let entry = this.#topics.get(topic);
    if (!entry) {
      const listeners = new Set<TopicListener>();
      const live = this.#pubsub
        .subscribe(topic, (message, info) => {
          const fanOut = () => {
            for (const l of [...listeners]) l.deliver(topic, message, info.resync === true);
          };
          if (this.#tel?.on) this.#measured(topic, info, listeners.size, fanOut);
          else fanOut();
        })
        .catch((err: unknown) => {
          this.#log(`cannot subscribe to a topic`, err);
          return undefined;
        });
      this.#topics.set(topic, (entry = { listeners, live }));
    }
    entry.listeners.add(listener);
  }

  remove(topic: string, listener: TopicListener): void {
    const entry = this.#topics.get(topic);
    if (!entry || !entry.listeners.delete(listener)) return;
    if (entry.listeners.size) return;
    this.#topics.delete(topic);
    void entry.live.then((off) => off?.()).catch((err: unknown) => this.#log("cannot unsubscribe from a topic", err));
  }

  /** Resolves once the bus subscriptions of `topics` are live (a join waits for it before its `ok`). */
  async ready(topics: Iterable<string>): Promise<void> {
    const waits: Promise<unknown>[] = [];
    for (const t of topics) {
      const e = this.#topics.get(t);
      if (e) waits.push(e.live);
    }
    await Promise.all(waits);
  }

  /**
   * A delivery's lag: from the bus's publish time when it gives one (`publishedAt`, ms since the
   * epoch), else from a publish in this call stack (MemoryPubSub delivers inside `publish()`).
   */
  #measured(topic: string, info: DeliveryInfo, count: number, fanOut: () => void): void {
    const tel = this.#tel!;
    const at = info.publishedAt;
    const lag = typeof at === "number" ? Date.now() - at : tel.publishing !== undefined ? performance.now() - tel.publishing : undefined;
    // The instances queue their onMessage and render in this span's context: they are its children.
    const op = tel.begin(SpanNames.deliver, { [Attr.topic]: topic, [Attr.listeners]: count, ...(info.resync && { [Attr.resync]: true }) }, SpanKind.CONSUMER);
    try {
      tel.run(op, fanOut);
    } finally {
      tel.delivered(op, topic, count, lag);
    }
  }

  /** Topics with at least one local listener. */
  get size(): number {
    return this.#topics.size;
  }

  /** Local listeners of `topic`. */
  listeners(topic: string): number {
    return this.#topics.get(topic)?.listeners.size ?? 0;
  }
}

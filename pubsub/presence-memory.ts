import type { Presence, PresenceList, PresenceListener, PresenceMeta, PresenceOptions } from "./presence.js";
import { checkKey, checkTopic, closedError, copyMeta, maxPerTopic, newRef, topicFull, unknownRef } from "./presence-limits.js";
import { deliver, PresenceTable, type Tracking } from "./presence-table.js";

interface Topic {
  readonly table: PresenceTable;
  readonly listeners: Set<PresenceListener>;
}

/**
 * The reference {@link Presence}: one process. Listeners get each diff synchronously, before the
 * call that made it resolves, as the same value for all of them (they must not mutate it).
 *
 * @example
 * const presence = new MemoryPresence();
 * const ref = await presence.track("board:1", "ada", { name: "Ada" });
 */
export class MemoryPresence implements Presence {
  readonly #topics = new Map<string, Topic>();
  /** This instance's trackings: ref -> topic. */
  readonly #own = new Map<string, string>();
  readonly #max: number;
  #closed = false;

  constructor(options: PresenceOptions = {}) {
    this.#max = maxPerTopic(options);
  }

  async track(topic: string, key: string, meta: PresenceMeta): Promise<string> {
    this.#open();
    checkTopic(topic);
    checkKey(key);
    const copy = copyMeta(meta);
    const t = this.#topic(topic);
    if (t.table.size >= this.#max) throw topicFull(topic, this.#max);
    const ref = newRef();
    this.#own.set(ref, topic);
    this.#change(topic, t, [], [{ ref, key, meta: copy.meta }]);
    return ref;
  }

  async update(topic: string, ref: string, meta: PresenceMeta): Promise<void> {
    this.#open();
    checkTopic(topic);
    const copy = copyMeta(meta);
    const t = this.#topics.get(topic);
    const old = this.#own.get(ref) === topic ? t?.table.get(ref) : undefined;
    if (!t || !old) throw unknownRef(topic, ref);
    this.#change(topic, t, [old], [{ ref, key: old.key, meta: copy.meta }]);
  }

  async untrack(topic: string, ref: string): Promise<void> {
    this.#open();
    checkTopic(topic);
    if (this.#own.get(ref) !== topic) return;
    this.#own.delete(ref);
    const t = this.#topics.get(topic)!;
    this.#change(topic, t, [t.table.get(ref)!], []);
    this.#forget(topic, t);
  }

  async list(topic: string): Promise<PresenceList> {
    this.#open();
    checkTopic(topic);
    return this.#topics.get(topic)?.table.list() ?? {};
  }

  async subscribe(topic: string, listener: PresenceListener): Promise<() => Promise<void>> {
    this.#open();
    checkTopic(topic);
    const t = this.#topic(topic);
    // Wrapped, so that the same function subscribed twice is two subscriptions.
    const entry: PresenceListener = (d, i) => listener(d, i);
    t.listeners.add(entry);
    return async () => {
      if (t.listeners.delete(entry)) this.#forget(topic, t);
    };
  }

  /** Untracks everything (listeners get the leaves), then ends every subscription. */
  async close(): Promise<void> {
    if (this.#closed) return;
    for (const [ref, topic] of [...this.#own]) await this.untrack(topic, ref);
    this.#closed = true;
    this.#topics.clear();
  }

  /** Topics with a tracking or a listener (for tests and the dashboard). */
  get topicCount(): number {
    return this.#topics.size;
  }

  #open(): void {
    if (this.#closed) throw closedError();
  }

  #topic(topic: string): Topic {
    let t = this.#topics.get(topic);
    if (!t) this.#topics.set(topic, (t = { table: new PresenceTable(), listeners: new Set() }));
    return t;
  }

  #change(topic: string, t: Topic, leaves: Tracking[], joins: Tracking[]): void {
    const diff = t.table.apply(leaves, joins);
    if (diff) deliver(t.listeners, diff, { topic });
  }

  #forget(topic: string, t: Topic): void {
    if (t.table.size === 0 && t.listeners.size === 0 && this.#topics.get(topic) === t) this.#topics.delete(topic);
  }
}

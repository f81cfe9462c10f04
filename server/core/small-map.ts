/**
 * A Map that keeps its one entry in two fields and makes a hash table only when a second key is
 * set. Most WebSocket connections join one component for their whole life, and a `Map` holding
 * one entry costs about 200 bytes of heap for its table, where this costs one small object: every
 * idle session is that much smaller (bench/heap.ts). From the second key on, the entries live in a
 * `Map`, and stay there.
 *
 * Iterates like a `Map`: in the order of insertion, and an entry deleted before the loop reaches
 * it is skipped.
 */
export class SmallMap<K, V> {
  #key: K | undefined = undefined;
  #value: V | undefined = undefined;
  #has = false;
  #many: Map<K, V> | undefined = undefined;

  get size(): number {
    if (this.#many !== undefined) return this.#many.size;
    return this.#has ? 1 : 0;
  }

  get(key: K): V | undefined {
    if (this.#many !== undefined) return this.#many.get(key);
    return this.#has && this.#key === key ? this.#value : undefined;
  }

  has(key: K): boolean {
    if (this.#many !== undefined) return this.#many.has(key);
    return this.#has && this.#key === key;
  }

  set(key: K, value: V): this {
    if (this.#many !== undefined) {
      this.#many.set(key, value);
    } else if (!this.#has || this.#key === key) {
      this.#key = key;
      this.#value = value;
      this.#has = true;
    } else {
      // once a table, always a table: a loop over it stays a loop over the live map
      this.#many = new Map([[this.#key as K, this.#value as V], [key, value]]);
      this.#key = this.#value = undefined;
      this.#has = false;
    }
    return this;
  }

  delete(key: K): boolean {
    if (this.#many !== undefined) return this.#many.delete(key);
    if (!this.#has || this.#key !== key) return false;
    this.#key = this.#value = undefined;
    this.#has = false;
    return true;
  }

  clear(): void {
    this.#many?.clear();
    this.#key = this.#value = undefined;
    this.#has = false;
  }

  /** The values, in the order of insertion (a loop over them sees deletes as a `Map`'s would). */
  values(): IterableIterator<V> {
    if (this.#many !== undefined) return this.#many.values();
    return (this.#has ? [this.#value as V] : [])[Symbol.iterator]();
  }
}

/** What the runtime reads of an instance's viewers: how many, whether one is still there, each in turn. */
export interface ViewerSet<V> extends Iterable<V> {
  readonly size: number;
  has(viewer: V): boolean;
}

/**
 * The viewers of a live instance: a set that keeps its one member in a field and makes a hash
 * table only when a second one joins. An ordinary component has exactly one viewer its whole
 * life, and a `Set` holding one member costs about 180 bytes of heap for its table, where this
 * costs one object of two fields: every idle session is that much smaller (bench/heap.ts). A
 * shared component's viewers live in a `Set` from the second one on.
 *
 * Iterates like a `Set`: in the order of joining, and a member deleted before the loop reaches it
 * is skipped.
 */
export class Viewers<V extends object> implements ViewerSet<V> {
  #one: V | undefined = undefined;
  #many: Set<V> | undefined = undefined;

  get size(): number {
    if (this.#many !== undefined) return this.#many.size;
    return this.#one === undefined ? 0 : 1;
  }

  has(viewer: V): boolean {
    return this.#many !== undefined ? this.#many.has(viewer) : this.#one === viewer;
  }

  add(viewer: V): this {
    if (this.#many !== undefined) {
      this.#many.add(viewer);
    } else if (this.#one === undefined || this.#one === viewer) {
      this.#one = viewer;
    } else {
      // once a table, always a table: a loop over it stays a loop over the live set
      this.#many = new Set([this.#one, viewer]);
      this.#one = undefined;
    }
    return this;
  }

  delete(viewer: V): boolean {
    if (this.#many !== undefined) return this.#many.delete(viewer);
    if (this.#one !== viewer) return false;
    this.#one = undefined;
    return true;
  }

  [Symbol.iterator](): Iterator<V> {
    if (this.#many !== undefined) return this.#many.values();
    return (this.#one === undefined ? [] : [this.#one])[Symbol.iterator]();
  }
}

/** A settled promise: what an idle queue's `drained()` returns, one for every queue. */
export const SETTLED: Promise<void> = Promise.resolve();

/**
 * Work that runs in order, one piece at a time: a live instance's joins, events and messages. A
 * base class rather than an object of its own, so that its three fields stay in the instance's
 * object (instances are many, and an idle one keeps no promise of its own either).
 */
export class SerialQueue {
  /** the last work queued; {@link SETTLED} when none is pending */
  #tail: Promise<unknown> = SETTLED;
  /** work queued and not finished, and work running outside the queue ({@link beginInline}) */
  #queued = 0;
  /** work queued (or run inline) so far, ever */
  #runs = 0;

  /** Runs `fn` after everything queued before it; its failure does not stop the queue. */
  enqueue<T>(fn: () => Promise<T>): Promise<T> {
    this.#queued++;
    this.#runs++;
    const run = this.#tail.then(fn);
    const settled = () => {
      if (--this.#queued === 0) this.#tail = SETTLED;
    };
    this.#tail = run.then(settled, settled);
    return run;
  }

  /** Resolves once the queued work is done. */
  drained(): Promise<unknown> {
    return this.#tail;
  }

  /**
   * How many pieces of work were queued (or run inline) so far: a change between two reads means work came
   * meanwhile (`hotline/testing`'s `settled()` compares it, since `drained()` of every idle queue
   * is the same promise).
   */
  get runs(): number {
    return this.#runs;
  }

  /** Nothing queued or running: work may run at once, outside the queue. */
  protected get idle(): boolean {
    return this.#queued === 0;
  }

  /** Work runs outside the queue, synchronously, until {@link endInline}: what is queued meanwhile waits for it. */
  protected beginInline(): void {
    this.#queued++;
    this.#runs++;
  }

  protected endInline(): void {
    this.#queued--;
  }
}

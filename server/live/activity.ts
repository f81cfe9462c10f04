/**
 * What happens in this process (joins, events, renders, publishes), as a feed of plain records for
 * the devtools inspector and the telemetry metrics. Emitting costs one property read when nobody
 * listens: call sites check `feed.active` before building a record.
 */

/** The kinds of activity a process reports. */
export type ActivityKind = "join" | "leave" | "event" | "render" | "publish" | "deliver" | "error";

/** One thing that happened. */
export interface Activity {
  kind: ActivityKind;
  /** When it ended (ms since the epoch). */
  at: number;
  /** The component's registered name. */
  component?: string;
  /** The live instance's id in this process. */
  instance?: string;
  /** The event's name, or the topic. */
  name?: string;
  /** How long it took, in ms. */
  ms?: number;
  /** Bytes sent (a patch's frame, a published message). */
  bytes?: number;
  /** How many viewers or subscribers it reached. */
  count?: number;
  outcome?: "ok" | "error";
  /** The error code when `outcome` is "error". */
  code?: string;
}

export type ActivityListener = (activity: Activity) => void;

/** A process's activity feed: listeners in this process only (the inspector relays across processes). */
export class ActivityFeed {
  #listeners = new Set<ActivityListener>();

  /** Whether anyone listens: call sites skip building records when not. */
  get active(): boolean {
    return this.#listeners.size > 0;
  }

  /** Adds a listener; returns its removal. A listener that throws is ignored. */
  on(listener: ActivityListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(activity: Activity): void {
    for (const listener of this.#listeners) {
      try {
        listener(activity);
      } catch {
        // a broken listener never breaks the runtime
      }
    }
  }
}

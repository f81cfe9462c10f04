import type { Viewer, LiveInstance } from "./instance.js";
import type { TopicListener } from "./topics.js";
import type { Page } from "./navigation.js";
import type { StoredInstance } from "./stored-instance.js";

/**
 * A viewer that can hold a hibernated session (docs/hibernation.md): a WebSocket connection's
 * view. Its connection wakes the session at the view's next message; the hub wakes it for a
 * second join with its session key.
 */
export interface SleepingViewer extends Viewer {
  /** on whose behalf its session's state is saved (the store's quotas): its client's */
  readonly owner: string | undefined;
  /** Its instance hibernated: it keeps `dormant` instead. */
  sleep(dormant: Dormant): void;
  /** Its session woke (`live`), or could not be woken (`undefined`: the view is gone, its client told). */
  woke(live: LiveInstance | undefined): void;
}

/** Whether a viewer can hold a hibernated session. */
export function canSleep(viewer: Viewer): viewer is SleepingViewer {
  return typeof (viewer as Partial<SleepingViewer>).sleep === "function";
}

/** What a hibernated session's instance kept besides its state, when it differs from the usual. */
export interface DormantExtra {
  /** a route's page: its route and URL */
  page?: Page;
  /** the id its children's page ids start with, when it is not the viewer's (server/core/children.ts) */
  scope?: string;
  /** the topics it listens to: the topic index holds the dormant session meanwhile, and a message wakes it */
  topics?: readonly string[];
  /** who wakes it for a message (the hub) */
  waker?: { wake(dormant: Dormant): LiveInstance; log(message: string, err: unknown): void };
}

/**
 * What is kept of a hibernated session: its one viewer (whose session key is the store key), how
 * it was started, and its state as JSON (the store holds the same). Everything else (the
 * component, the instance, what the client's copy was diffed against) is rebuilt when it wakes.
 */
export class Dormant implements TopicListener {
  constructor(
    readonly viewer: SleepingViewer,
    readonly name: string,
    /** the params it was started with and its user's key */
    readonly bound: Pick<StoredInstance, "p" | "u">,
    /** its dehydrated state, as JSON */
    readonly json: string,
    readonly extra: DormantExtra | undefined,
  ) {}

  /** A message on one of its topics: the session wakes and handles it (`onMessage`, or `onResync`). */
  deliver(topic: string, message: unknown, resync: boolean): void {
    const waker = this.extra?.waker;
    if (!waker) return;
    let live: LiveInstance;
    try {
      live = waker.wake(this);
    } catch (err) {
      waker.log(`component "${this.name}": a hibernated session failed to wake for a message`, err);
      return;
    }
    live.deliver(topic, message, resync);
  }
}

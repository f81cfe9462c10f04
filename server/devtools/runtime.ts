import type { Hub } from "../live/hub.js";
import type { PubSub } from "../../pubsub/pubsub.js";
import { HELLO_MS, type DevtoolsRelay, type HelloMessage } from "./relay.js";
import { RESERVED, TOPICS } from "./snapshot.js";

/**
 * What the inspector's components reach in their app: found by the `app` param of their signed
 * grant (one registry may serve several apps in one process; the components are registered once).
 */
export class DevtoolsRuntime {
  readonly key: string;
  readonly relay: DevtoolsRelay;
  readonly #hub: Hub;
  readonly #pubsub: PubSub;
  readonly #log: (message: string, err?: unknown) => void;
  #heartbeat: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(key: string, hub: Hub, pubsub: PubSub, relay: DevtoolsRelay, log: (message: string, err?: unknown) => void) {
    this.key = key;
    this.#hub = hub;
    this.#pubsub = pubsub;
    this.relay = relay;
    this.#log = log;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /**
   * Asks every process to report (and renews that every few seconds while an inspector of this app
   * is open in this process), once this process listens to their answers.
   */
  async hello(): Promise<void> {
    if (this.#closed) return;
    if (!this.#heartbeat) {
      this.#heartbeat = setInterval(() => {
        if (this.#open().length) void this.hello();
        else this.#stopHeartbeat();
      }, HELLO_MS);
      this.#heartbeat.unref();
    }
    try {
      await this.#hub.index.ready([TOPICS.snapshots, TOPICS.activity]);
      const watch = this.#open().flatMap((c) => {
        const s = (c.state as { selected?: { p: string; i: string } | null }).selected;
        return s ? [s] : [];
      });
      const message: HelloMessage = watch.length ? { t: "hello", watch } : { t: "hello" };
      await this.#pubsub.publish(TOPICS.request, message);
    } catch (err) {
      this.#log("devtools: cannot reach the other processes", err);
    }
  }

  /** The components of the open inspectors in this process. */
  #open() {
    return [...this.#hub.lives].filter((l) => !l.closed && l.name === RESERVED.panel).map((l) => l.component);
  }

  #stopHeartbeat(): void {
    clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
  }

  close(): void {
    this.#closed = true;
    this.#stopHeartbeat();
    runtimes.delete(this.key);
  }
}

const runtimes = new Map<string, DevtoolsRuntime>();
let apps = 0;

/**
 * A key for the next app's runtime: a count of the apps made in this process, so that processes
 * running the same code give their apps the same keys (a page served by one process may join on
 * another).
 */
export function nextKey(): string {
  return `a${++apps}`;
}

export function addRuntime(runtime: DevtoolsRuntime): void {
  runtimes.set(runtime.key, runtime);
}

/** The signed params of the page's components: which app, and until when they may join. */
export interface Grant {
  app: string;
  until: number;
}

/** The runtime a grant names, when the grant is still valid; else undefined. */
export function runtimeOf(params: Readonly<Record<string, unknown>>): DevtoolsRuntime | undefined {
  const { app, until } = params as Partial<Grant>;
  if (typeof app !== "string" || typeof until !== "number" || Date.now() > until) return undefined;
  const r = runtimes.get(app);
  return r && !r.closed ? r : undefined;
}

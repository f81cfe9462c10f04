import { createHash, randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { Hub } from "../live/hub.js";
import type { LiveInstance } from "../live/instance.js";
import { instanceId } from "../telemetry/telemetry.js";
import { redactState } from "./options.js";

/** The names the inspector's own components are registered under (hidden from what it shows). */
export const RESERVED = Object.freeze({ panel: "hotline-devtools", timeline: "hotline-devtools-timeline" });
/** Topics of the inspector: requests to every process, and what they answer. */
export const TOPICS = Object.freeze({ request: "hotline:devtools", snapshots: "hotline:devtools:snapshots", activity: "hotline:devtools:activity" });

/** Most instances, topics and connections listed per process (the counts stay exact). */
const MAX_LISTED = 300;
/** Largest state sent, in bytes of JSON. */
const MAX_STATE_BYTES = 16 * 1024;

/** Who this process is. */
export interface ProcessInfo {
  /** Unique per app per run (a restarted process is a new one). */
  id: string;
  pid: number;
  host: string;
  /** When the app was created (ms since the epoch). */
  startedAt: number;
}

/** One live instance, as the inspector lists it. */
export interface InstanceInfo {
  /** Its id in its process ("i3"; never its session key): the one the timeline shows. */
  id: string;
  component: string;
  viewers: number;
  shared: boolean;
  topics: number;
}

/** One WebSocket connection (never its user's data: only whether it has one). */
export interface ConnectionInfo {
  address: string;
  joined: number;
  signedIn: boolean;
}

/** What one process holds at one moment. */
export interface ProcessSnapshot extends ProcessInfo {
  at: number;
  connections: number;
  instances: number;
  /** hibernated sessions (docs/hibernation.md; absent from older processes) */
  hibernated?: number;
  sharedGroups: number;
  connectionList: ConnectionInfo[];
  instanceList: InstanceInfo[];
  /** Live instances per component name. */
  components: { name: string; instances: number; viewers: number }[];
  /** Topics listened to in this process, with their local subscribers (instances). */
  topics: { topic: string; subscribers: number }[];
}

/** What the inspector needs of a connection (the WebSocket transport's). */
export interface ConnectionLike {
  readonly address: string | undefined;
  readonly user: unknown;
  readonly joined: number;
}

export function processInfo(): ProcessInfo {
  return { id: `${process.pid}-${randomBytes(4).toString("hex")}`, pid: process.pid, host: hostname(), startedAt: Date.now() };
}

/**
 * What the inspector shows of an activity record's instance that is not a runtime id ("i3"): a
 * short hash (should anything ever emit a session key there, the key never reaches the page).
 */
export function publicId(key: string): string {
  return createHash("sha256").update(key).digest("base64url").slice(0, 10);
}

/** The instance's id in this process, the one its activity records carry ("i1", "i2", …). */
const idOf = (live: LiveInstance): string => instanceId(live);

const hidden = (name: string) => name === RESERVED.panel || name === RESERVED.timeline;

/** Everything the inspector shows of this process (read-only: nothing here changes the hub). */
export function takeSnapshot(info: ProcessInfo, hub: Hub, connections: Iterable<ConnectionLike>): ProcessSnapshot {
  const instanceList: InstanceInfo[] = [];
  const byComponent = new Map<string, { name: string; instances: number; viewers: number }>();
  const byTopic = new Map<string, number>();
  let instances = 0;
  for (const live of hub.lives) {
    if (live.closed || hidden(live.name)) continue;
    instances++;
    const c = byComponent.get(live.name) ?? { name: live.name, instances: 0, viewers: 0 };
    c.instances++;
    c.viewers += live.viewers.size;
    byComponent.set(live.name, c);
    const topics = live.component.topics;
    for (const t of topics) byTopic.set(t, (byTopic.get(t) ?? 0) + 1);
    if (instanceList.length < MAX_LISTED) {
      const shared = !!(live.component.constructor as { shared?: boolean }).shared;
      instanceList.push({ id: idOf(live), component: live.name, viewers: live.viewers.size, shared, topics: topics.size });
    }
  }
  const connectionList: ConnectionInfo[] = [];
  let open = 0;
  for (const c of connections) {
    open++;
    if (connectionList.length < MAX_LISTED) connectionList.push({ address: c.address ?? "?", joined: c.joined, signedIn: c.user !== null && c.user !== undefined });
  }
  const topics = [...byTopic].filter(([t]) => !t.startsWith(TOPICS.request)).map(([topic, subscribers]) => ({ topic, subscribers }));
  topics.sort((a, b) => b.subscribers - a.subscribers || (a.topic < b.topic ? -1 : 1));
  return {
    ...info, at: Date.now(), connections: open, instances, hibernated: hub.hibernated, sharedGroups: hub.groupCount, connectionList, instanceList,
    components: [...byComponent.values()].sort((a, b) => (a.name < b.name ? -1 : 1)),
    topics: topics.slice(0, MAX_LISTED),
  };
}

/** One instance's state, redacted; `undefined` when no live instance of this process has that id. */
export function instanceState(hub: Hub, id: string, redact: (key: string) => boolean): { component: string; state: unknown; truncated?: boolean } | undefined {
  for (const live of hub.lives) {
    if (live.closed || hidden(live.name) || idOf(live) !== id) continue;
    let state: unknown;
    try {
      state = redactState(live.component.dehydrate(), redact);
    } catch {
      return { component: live.name, state: "[the state cannot be read]" };
    }
    const json = JSON.stringify(state) ?? "null";
    if (json.length > MAX_STATE_BYTES) return { component: live.name, state: json.slice(0, MAX_STATE_BYTES), truncated: true };
    return { component: live.name, state };
  }
  return undefined;
}

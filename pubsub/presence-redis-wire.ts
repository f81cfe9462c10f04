/**
 * What RedisPresence keeps in Redis and sends over it (docs/presence.md describes both).
 *
 * Keys, under the prefix (default `hotline:`):
 * - `presence:topic:<topic>`: a hash, one field per tracking, `<processId>:<ref>` ->
 *   `{"ref":…,"key":…,"meta":{…}}`. The channel of the same name carries the topic's diffs.
 * - `presence:procs`: a sorted set, process id -> its last heartbeat (Redis time, ms).
 * - `presence:proc:<processId>`: a set of the topics that process tracks on, so that a sweep finds
 *   a dead process's fields without scanning the keyspace.
 *
 * On a Redis Cluster the names are hash-tagged (presence-redis-beat.ts has them) and diffs go
 * out with SPUBLISH.
 *
 * A diff on the channel: `{"o":"<processId>","j":[<value>…],"l":[<value>…]}`, each value the
 * hash's field value. A sweep publishes with the dead process's id as origin.
 */
import type { PresenceMeta } from "./presence.js";
import type { Tracking } from "./presence-table.js";

export class PresenceKeys {
  /** The command that sends a diff: SPUBLISH (sharded) on a cluster. */
  readonly publish: "PUBLISH" | "SPUBLISH";

  /** `cluster`: hash-tagged names (see presence-redis-beat.ts), so that a script's keys share a slot. */
  constructor(readonly prefix: string, readonly cluster = false) {
    this.publish = cluster ? "SPUBLISH" : "PUBLISH";
  }
  /** The topic's hash, and the name of its channel. */
  topic(topic: string): string {
    return this.cluster ? `${this.prefix}presence:topic:{${topic}}` : `${this.prefix}presence:topic:${topic}`;
  }
  /** The topic of a channel name, or undefined when it is not one. */
  topicOf(channel: string): string | undefined {
    const head = this.cluster ? `${this.prefix}presence:topic:{` : `${this.prefix}presence:topic:`;
    if (!channel.startsWith(head)) return undefined;
    if (!this.cluster) return channel.slice(head.length);
    return channel.endsWith("}") ? channel.slice(head.length, -1) : undefined;
  }
  get procs(): string {
    return this.cluster ? `${this.prefix}presence:{procs}` : `${this.prefix}presence:procs`;
  }
  proc(processId: string): string {
    return this.cluster ? `${this.prefix}presence:{procs}:${processId}` : `${this.prefix}presence:proc:${processId}`;
  }
}

/** The hash field of a tracking: the process first, so a sweep can pick out a process's fields. */
export function fieldOf(processId: string, ref: string): string {
  return `${processId}:${ref}`;
}

/** A tracking as stored and sent; `metaJson` is already checked JSON. */
export function valueOf(ref: string, key: string, metaJson: string): string {
  return `{"ref":${JSON.stringify(ref)},"key":${JSON.stringify(key)},"meta":${metaJson}}`;
}

/** A diff message, from values. */
export function messageOf(origin: string, joins: readonly string[], leaves: readonly string[]): string {
  return `{"o":${JSON.stringify(origin)},"j":[${joins.join(",")}],"l":[${leaves.join(",")}]}`;
}

/** A message as read off a channel. */
export interface PresenceMessage {
  origin: string;
  joins: Tracking[];
  leaves: Tracking[];
}

/** Reads one message; undefined when it is not one (the caller reloads the topic). Never throws. */
export function readMessage(payload: string): PresenceMessage | undefined {
  let m: { o?: unknown; j?: unknown; l?: unknown };
  try {
    m = JSON.parse(payload) as typeof m;
  } catch {
    return undefined;
  }
  if (typeof m !== "object" || m === null || typeof m.o !== "string") return undefined;
  const joins = trackings(m.j), leaves = trackings(m.l);
  if (!joins || !leaves) return undefined;
  return { origin: m.o, joins, leaves };
}

/** Reads one hash value; undefined when it is not one. */
export function readValue(value: string): Tracking | undefined {
  try {
    return trackings([JSON.parse(value)])?.[0];
  } catch {
    return undefined;
  }
}

function trackings(list: unknown): Tracking[] | undefined {
  if (!Array.isArray(list)) return undefined;
  for (const t of list as { ref?: unknown; key?: unknown; meta?: unknown }[]) {
    if (typeof t !== "object" || t === null || typeof t.ref !== "string" || typeof t.key !== "string"
      || typeof t.meta !== "object" || t.meta === null || Array.isArray(t.meta)) return undefined;
  }
  return list as { ref: string; key: string; meta: PresenceMeta }[];
}

/**
 * KEYS[1] = `presence:procs`; ARGV = prefix, this process's id, stale after (ms), most processes to
 * sweep in one run. Returns `{ rejoined, swept }`.
 *
 * Heartbeat and sweep in one script, on Redis's clock (TIME), so that processes on machines whose
 * clocks disagree don't sweep each other. ZADD answers 1 when this process was missing: it was
 * swept (a partition longer than the timeout) or Redis lost its data; the caller then tracks
 * everything again. A script runs alone, so two processes sweeping at once never both publish a
 * dead process's leaves: the second finds nothing left.
 */
export const HEARTBEAT_SCRIPT = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local rejoined = redis.call('ZADD', KEYS[1], now, ARGV[2])
local dead = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now - tonumber(ARGV[3]), 'LIMIT', 0, tonumber(ARGV[4]))
for _, id in ipairs(dead) do
  local topics = ARGV[1] .. 'presence:proc:' .. id
  local mark = id .. ':'
  for _, topic in ipairs(redis.call('SMEMBERS', topics)) do
    local key = ARGV[1] .. 'presence:topic:' .. topic
    local fields = {}
    for _, f in ipairs(redis.call('HKEYS', key)) do
      if string.sub(f, 1, #mark) == mark then fields[#fields + 1] = f end
    end
    for i = 1, #fields, 500 do
      local chunk = {unpack(fields, i, math.min(i + 499, #fields))}
      local values = redis.call('HMGET', key, unpack(chunk))
      redis.call('HDEL', key, unpack(chunk))
      redis.call('PUBLISH', key, '{"o":"' .. id .. '","j":[],"l":[' .. table.concat(values, ',') .. ']}')
    end
  end
  redis.call('DEL', topics)
  redis.call('ZREM', KEYS[1], id)
end
return {rejoined, #dead}`;

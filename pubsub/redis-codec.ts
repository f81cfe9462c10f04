/**
 * The wire format of a Hotline message on a Redis channel (version 1), and the Lua script that
 * numbers and publishes it in one round trip. docs/deploy-redis.md describes both for writers
 * outside the app.
 *
 * ```
 * 1|<seq>|<origin>|<json>
 * ```
 * - `1`: the format version. A reader that meets another version cannot trust its own state and
 *   asks its listeners to resync.
 * - `<seq>`: the topic's sequence number, `INCR <prefix>seq:<topic>`; consecutive per topic, so a
 *   subscriber that sees anything but last + 1 knows it missed something.
 * - `<origin>`: an id of the publishing RedisPubSub (no `|`), for tracing who sent what; Hotline
 *   writes `<id>@<publish time in ms since the epoch>` (read as `DeliveryInfo.publishedAt`, the
 *   delivery lag metric), a reader takes whatever follows the last `@` as the time when it is a number.
 * - `<json>`: the message as JSON; empty for `undefined`.
 *
 * A payload that is not in this format but is valid JSON (a plain `PUBLISH` from a script or
 * another language) is delivered as an unnumbered message: gap detection skips it.
 */

/** The version this module writes. */
export const FORMAT_VERSION = 1;

/** A message as read off a channel. */
export type Decoded =
  | { kind: "message"; seq: number | undefined; origin: string | undefined; publishedAt?: number; value: unknown }
  | { kind: "unreadable"; reason: string };

/** Builds the version-1 payload (the Lua script builds the same string server-side). */
export function encode(seq: number, origin: string, json: string): string {
  return `${FORMAT_VERSION}|${seq}|${origin}|${json}`;
}

/** Serialises a message once, in the publisher, so a bad value fails there and not in every subscriber. */
export function toJson(message: unknown): string {
  if (message === undefined) return "";
  const json = JSON.stringify(message);
  if (json === undefined) throw new TypeError("hotline/redis: a pub/sub message must be JSON-serialisable");
  return json;
}

const versioned = /^(\d+)\|/;

/** Reads one payload; never throws. */
export function decode(payload: string): Decoded {
  const v = versioned.exec(payload);
  if (!v) {
    try {
      return { kind: "message", seq: undefined, origin: undefined, value: JSON.parse(payload) };
    } catch {
      return { kind: "unreadable", reason: "neither the Hotline format nor JSON" };
    }
  }
  if (Number(v[1]) !== FORMAT_VERSION) return { kind: "unreadable", reason: `format version ${v[1]}` };
  const a = payload.indexOf("|", v[0].length);
  const b = a < 0 ? -1 : payload.indexOf("|", a + 1);
  if (b < 0) return { kind: "unreadable", reason: "truncated header" };
  const seq = Number(payload.slice(v[0].length, a));
  if (!Number.isSafeInteger(seq) || seq < 1) return { kind: "unreadable", reason: "bad sequence number" };
  const json = payload.slice(b + 1);
  try {
    const origin = payload.slice(a + 1, b);
    const value = json === "" ? undefined : JSON.parse(json);
    const at = origin.lastIndexOf("@");
    const publishedAt = at < 0 ? NaN : Number(origin.slice(at + 1));
    return Number.isSafeInteger(publishedAt) && publishedAt > 0 ? { kind: "message", seq, origin, publishedAt, value } : { kind: "message", seq, origin, value };
  } catch {
    return { kind: "unreadable", reason: "bad JSON" };
  }
}

/**
 * KEYS[1] = sequence key; ARGV = channel, origin, json, sequence key TTL (ms).
 * INCR and PUBLISH in one script, so numbers reach the channel in the order they were taken.
 * The TTL keeps one key per topic ever published from piling up; when a key expires or is evicted
 * the count restarts, which subscribers see as a gap and answer with a (harmless) resync.
 */
export const PUBLISH_SCRIPT = publishScript("PUBLISH");

/**
 * The same script for a Redis Cluster: SPUBLISH (sharded pub/sub), so that a message goes only to
 * the shard that owns the channel's slot instead of to every node of the cluster. The channel and
 * the sequence key share a hash tag (`{<topic>}`), so the script touches one slot.
 */
export const SPUBLISH_SCRIPT = publishScript("SPUBLISH");

function publishScript(command: "PUBLISH" | "SPUBLISH"): string {
  return `local seq = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[4])
redis.call('${command}', ARGV[1], '${FORMAT_VERSION}|' .. seq .. '|' .. ARGV[2] .. '|' .. ARGV[3])
return seq`;
}

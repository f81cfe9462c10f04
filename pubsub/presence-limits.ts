// Checks what an app hands to Presence, the same way in every implementation: a bad value fails in
// the caller, with a stable code, before anything reaches another process.
import { randomBytes } from "node:crypto";
import { HotlineError } from "../server/core/errors.js";
import { PRESENCE_LIMITS, type PresenceMeta, type PresenceOptions } from "./presence.js";

/** The per-topic limit an instance was given, checked once. */
export function maxPerTopic(options: PresenceOptions | undefined): number {
  const max = options?.maxPresencesPerTopic ?? PRESENCE_LIMITS.presencesPerTopic;
  if (!Number.isSafeInteger(max) || max < 1) throw new TypeError("presence: maxPresencesPerTopic must be a positive integer");
  return max;
}

function checkName(what: "topic" | "key", value: unknown, max: number): string {
  if (typeof value !== "string" || value === "") {
    throw new HotlineError("bad_message", `a presence ${what} must be a non-empty string`, { fault: "app" });
  }
  if (value.length > max) {
    throw new HotlineError("too_large", `a presence ${what} is ${value.length} characters, over the limit of ${max}`,
      { fault: "app", details: { limit: max, length: value.length } });
  }
  return value;
}

export function checkTopic(topic: unknown): string {
  return checkName("topic", topic, PRESENCE_LIMITS.topicLength);
}

export function checkKey(key: unknown): string {
  return checkName("key", key, PRESENCE_LIMITS.keyLength);
}

/** Refused: the topic holds `max` trackings already. */
export function topicFull(topic: string, max: number): HotlineError {
  return new HotlineError("too_large", `presence topic "${topic}" already holds ${max} presences, the limit`,
    { fault: "app", details: { limit: max } });
}

/** Refused: `ref` is not a tracking of this instance on `topic`. */
export function unknownRef(topic: string, ref: unknown): HotlineError {
  return new HotlineError("bad_message", `no presence tracked by this instance on "${topic}" has ref ${JSON.stringify(String(ref))}`,
    { fault: "app" });
}

/** Refused: the instance was closed. */
export function closedError(): HotlineError {
  return new HotlineError("handler_error", "presence is closed", { fault: "app" });
}

/**
 * The meta as JSON text, or a `bad_message` when it is not a plain JSON object (JSON.stringify
 * would silently drop a function or turn NaN into null, so another process would see something
 * else than this one), or `too_large` past 1 KiB.
 */
export function metaJson(meta: unknown): string {
  if (!isPlainObject(meta)) throw notJson("the meta must be a plain object");
  const problem = jsonProblem(meta, "meta", new Set());
  if (problem) throw notJson(problem);
  const json = JSON.stringify(meta);
  const bytes = Buffer.byteLength(json);
  if (bytes > PRESENCE_LIMITS.metaBytes) {
    throw new HotlineError("too_large", `a presence meta is ${bytes} bytes of JSON, over the limit of ${PRESENCE_LIMITS.metaBytes}`,
      { fault: "app", details: { limit: PRESENCE_LIMITS.metaBytes, bytes } });
  }
  return json;
}

/** A checked meta: its JSON, and a copy the caller can no longer mutate. */
export function copyMeta(meta: unknown): { json: string; meta: PresenceMeta } {
  const json = metaJson(meta);
  return { json, meta: JSON.parse(json) as PresenceMeta };
}

function notJson(why: string): HotlineError {
  return new HotlineError("bad_message", `a presence meta must be JSON: ${why}`, { fault: "app" });
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function jsonProblem(v: unknown, path: string, seen: Set<object>): string | undefined {
  switch (typeof v) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(v) ? undefined : `${path} is ${v}`;
    case "object": {
      if (v === null) return undefined;
      if (seen.has(v)) return `${path} is a cycle`;
      seen.add(v);
      try {
        if (Array.isArray(v)) {
          for (let i = 0; i < v.length; i++) {
            const p = jsonProblem(v[i], `${path}[${i}]`, seen);
            if (p) return p;
          }
          return undefined;
        }
        if (!isPlainObject(v)) return `${path} is a ${v.constructor?.name ?? "non-plain object"}`;
        for (const [k, x] of Object.entries(v)) {
          if (x === undefined) continue; // dropped, as JSON does with an absent optional field
          const p = jsonProblem(x, `${path}.${k}`, seen);
          if (p) return p;
        }
        return undefined;
      } finally {
        seen.delete(v);
      }
    }
    default:
      return `${path} is a ${typeof v}`;
  }
}

/** A tracking's ref: random, so refs are unique across processes without coordination. */
export function newRef(): string {
  return randomBytes(9).toString("base64url");
}

import { HotlineError } from "./errors.js";

/** The default largest dehydrated state, in bytes of JSON. */
export const DEFAULT_MAX_STATE_BYTES = 64 * 1024;

/**
 * Checks that `value` survives a JSON round trip unchanged, naming the first key that does not
 * (a function, a class instance, a Date, a BigInt, a cycle…). Throws `handler_error` (the app's fault).
 */
export function assertJson(value: unknown, path = "state", seen?: Set<object>): void {
  // Runs on every event: valid data passes the check below, with no path strings and no cycle set.
  if (seen === undefined && plainJson(value, 0)) return;
  seen ??= new Set();
  switch (typeof value) {
    case "string":
    case "boolean":
      return;
    case "number":
      if (Number.isFinite(value)) return;
      return bad(path, "is not a finite number");
    case "object": {
      if (value === null) return;
      if (seen.has(value)) return bad(path, "is a circular reference");
      const proto = Object.getPrototypeOf(value);
      if (Array.isArray(value)) {
        seen.add(value);
        for (let i = 0; i < value.length; i++) assertJson(value[i], `${path}[${i}]`, seen);
        seen.delete(value);
        return;
      }
      if (proto !== Object.prototype && proto !== null) {
        return bad(path, `is a ${value.constructor?.name ?? "non-plain object"}; state holds plain JSON data only`);
      }
      seen.add(value);
      for (const k of Object.keys(value)) {
        const v = (value as Record<string, unknown>)[k];
        if (v === undefined) continue; // dropped by JSON, as an absent key: harmless
        assertJson(v, `${path}.${k}`, seen);
      }
      seen.delete(value);
      return;
    }
    default:
      return bad(path, `is a ${typeof value}`);
  }
}

/**
 * True when `value` is plain JSON data. False sends it to the full check of {@link assertJson},
 * which names the culprit: a value JSON cannot carry, or nesting past 100 levels (a cycle, or data
 * that deep, which the full check then tells apart).
 */
function plainJson(value: unknown, depth: number): boolean {
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object": {
      if (value === null) return true;
      if (depth > 100) return false;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length; i++) if (!plainJson(value[i], depth + 1)) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const k in value) {
        const v = (value as Record<string, unknown>)[k];
        if (v !== undefined && !plainJson(v, depth + 1)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

function bad(path: string, why: string): never {
  throw new HotlineError("handler_error", `${path} ${why}, which JSON cannot carry`, { fault: "app" });
}

/** Per-key JSON of a state: what dirty tracking compares and what a failed event restores. */
export function snapshotKeys(state: Record<string, unknown>): Map<string, string> {
  const out = new Map<string, string>();
  for (const k of Object.keys(state)) {
    const v = state[k];
    if (v === undefined) continue;
    try {
      out.set(k, JSON.stringify(v));
    } catch (err) {
      assertJson(v, `state.${k}`); // names the culprit (a BigInt, a cycle…)
      throw err;
    }
  }
  return out;
}

/** The keys whose JSON differs between two snapshots (added, removed or changed). */
export function changedKeys(before: Map<string, string>, after: Map<string, string>): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of after) if (before.get(k) !== v) out.add(k);
  for (const k of before.keys()) if (!after.has(k)) out.add(k);
  return out;
}

/** Restores a state object in place from a snapshot (same object, so templates holding it see the old values). */
export function restore(state: Record<string, unknown>, snap: Map<string, string>): void {
  for (const k of Object.keys(state)) if (!snap.has(k)) delete state[k];
  for (const [k, v] of snap) state[k] = JSON.parse(v);
}

/** Size in bytes of the state's JSON; throws `too_large` past `max`. */
export function assertSize(json: string, max: number): void {
  const bytes = Buffer.byteLength(json, "utf8");
  if (bytes > max) {
    throw new HotlineError("too_large", `the component's state is ${bytes} bytes of JSON, over the limit of ${max}`, { fault: "app" });
  }
}

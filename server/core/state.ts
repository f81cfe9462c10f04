import { HotlineError } from "./errors.js";

/** The default largest dehydrated state, in bytes of JSON. */
export const DEFAULT_MAX_STATE_BYTES = 64 * 1024;

/**
 * Checks that `value` survives a JSON round trip unchanged, naming the first key that does not
 * (a function, a class instance, a Date, a BigInt, a cycle…). Throws `handler_error` (the app's fault).
 */
export function assertJson(value: unknown, path = "state"): void {
  // Runs on every event: valid data builds no path strings (the culprit's path is made on the way out).
  const f = fault(value, []);
  if (f) bad(path + f.at.map((k) => (typeof k === "number" ? `[${k}]` : `.${k}`)).join(""), f.why);
}

/** Why `value` is not plain JSON data, and where (keys from `value` down); `ancestors` finds cycles. */
function fault(value: unknown, ancestors: object[]): { at: (string | number)[]; why: string } | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : { at: [], why: "is not a finite number" };
    case "object": {
      if (value === null) return undefined;
      if (ancestors.includes(value)) return { at: [], why: "is a circular reference" };
      const proto = Object.getPrototypeOf(value);
      if (!Array.isArray(value) && proto !== Object.prototype && proto !== null) {
        return { at: [], why: `is a ${value.constructor?.name ?? "non-plain object"}; state holds plain JSON data only` };
      }
      ancestors.push(value);
      let f: ReturnType<typeof fault>;
      if (Array.isArray(value)) {
        for (let i = 0; i < value.length && !f; i++) if ((f = fault(value[i], ancestors))) f.at.unshift(i);
      } else {
        for (const k in value) {
          const v = (value as Record<string, unknown>)[k];
          // undefined is dropped by JSON, as an absent key: harmless
          if (v !== undefined && Object.hasOwn(value, k) && (f = fault(v, ancestors))) {
            f.at.unshift(k);
            break;
          }
        }
      }
      ancestors.pop();
      return f;
    }
    default:
      return { at: [], why: `is a ${typeof value}` };
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

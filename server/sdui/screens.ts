/**
 * Server-driven UI (`format: "sdui"`): the check of what a component describes (the wire types
 * live in protocol/sdui.ts), and the diff that turns two descriptions into the smallest patch a client cache (client/sdui-cache.ts) applies exactly.
 * docs/sdui.md has the whole story.
 */
import { HotlineError } from "../core/errors.js";
import { MergeStrategyTypes, type ItemId, type MergeStrategyType, type Screen, type ScreenSet, type SduiComponent } from "../../protocol/sdui.js";

export type { SduiComponent, Screen, ScreenSet, MergeStrategyType, ItemId } from "../../protocol/sdui.js";
export { MergeStrategyTypes } from "../../protocol/sdui.js";

/** The `id` of a list item, or `undefined` when it has none that `MATCH` can use. */
export function itemId(item: unknown): ItemId | undefined {
  if (typeof item !== "object" || item === null || Array.isArray(item)) return undefined;
  const id = (item as { id?: unknown }).id;
  if (typeof id === "string") return id;
  if (typeof id === "number" && Number.isFinite(id)) return id;
  return undefined;
}

/** The list rule: the keys of a plain-object payload whose values are arrays, in key order. */
export function listKeys(payload: unknown): string[] {
  if (!isPlainObject(payload)) return [];
  return Object.keys(payload).filter((k) => Array.isArray(payload[k]));
}

/**
 * Checks what a component's `describe()` returned and gives back a deep copy (so that later
 * in-place changes to the component's state cannot alter the description the server keeps as
 * the client's `prev`). Throws `handler_error` (the app's fault) naming the screen and rel.
 *
 * @example
 * const next = validateScreenSet(instance.describe());
 * const patch = diffScreens(prev, next); // null when nothing changed
 */
export function validateScreenSet(value: unknown, source = "describe()"): ScreenSet {
  if (!isPlainObject(value) || !isPlainObject(value.screens)) {
    throw appError(`${source} must return { screens: { <name>: { components: { <rel>: component } } } }`);
  }
  const screens: Record<string, Screen> = {};
  for (const [name, screen] of Object.entries(value.screens)) {
    if (!isPlainObject(screen) || !isPlainObject(screen.components)) {
      throw appError(`${source}: screen "${name}" must be { components: { <rel>: component } }`);
    }
    const components: Record<string, SduiComponent> = {};
    for (const [rel, component] of Object.entries(screen.components)) {
      put(components, rel, validateComponent(rel, component, `${source}: component "${rel}" of screen "${name}"`));
    }
    put(screens, name, { components });
  }
  return { screens };
}

/**
 * Checks one component described under `rel` (see {@link validateScreenSet}); returns a deep copy.
 * Throws `handler_error` (fault "app") with `where` and the offending field in the message.
 */
export function validateComponent(rel: string, value: unknown, where = `sdui component "${rel}"`): SduiComponent {
  if (!isPlainObject(value)) throw appError(`${where} must be an object`);
  if (rel === "") throw appError(`${where}: rel must be a non-empty string`);
  if (value.rel !== rel) throw appError(`${where}: rel must equal its key "${rel}"`);
  if (typeof value.behavior !== "string" || value.behavior === "") {
    throw appError(`${where}: behavior must be a non-empty string`);
  }
  if (!isPlainObject(value.locale)) throw appError(`${where}: locale must be a flat map of strings`);
  for (const [key, text] of Object.entries(value.locale)) {
    if (typeof text !== "string") throw appError(`${where}: locale["${key}"] must be a string`);
  }
  if (!("payload" in value)) throw appError(`${where}: payload is missing (use {} when there is none)`);
  const problem = jsonProblem(value.payload, "payload", new Set());
  if (problem) throw appError(`${where}: ${problem}`);
  const out: SduiComponent = {
    rel,
    behavior: value.behavior,
    locale: { ...(value.locale as Record<string, string>) },
    payload: structuredClone(value.payload),
  };
  if (value.mergeStrategy !== undefined) {
    const type = isPlainObject(value.mergeStrategy) ? value.mergeStrategy.type : undefined;
    if (!MergeStrategyTypes.includes(type as MergeStrategyType)) {
      throw appError(`${where}: mergeStrategy.type must be one of ${MergeStrategyTypes.join(", ")}`);
    }
    if (listKeys(value.payload).length === 0) {
      throw appError(`${where}: mergeStrategy is only for a payload that holds a list (an array-valued key)`);
    }
    out.mergeStrategy = { type: type as MergeStrategyType };
  }
  return out;
}

/**
 * The minimal patch that brings a client cache holding `prev` to `next` (`prev` undefined: the
 * client holds nothing, every component is sent whole). Only changed components are sent; a
 * changed component goes as the smallest correct of REPLACE, APPEND (only the new items, when
 * each old list is a prefix of the new one) and MATCH (only changed and added items, when no item
 * was removed or reordered and ids are unique); a strategy the component declares wins when it is
 * correct. Returns `null` when nothing changed. Both sessions should come from
 * {@link validateScreenSet}. A rel or screen may not disappear (the client could not learn of it):
 * that throws `handler_error`; hide it with behavior `HIDDEN` instead.
 *
 * @example
 * diffScreens(prev, next);
 * // one item appended to a 1000-item list:
 * // { screens: { cart: { components: { order_list: { ..., payload: { items: [newItem] },
 * //   mergeStrategy: { type: "APPEND" } } } } } }
 */
export function diffScreens(prev: ScreenSet | undefined, next: ScreenSet): ScreenSet | null {
  const screens: Record<string, Screen> = {};
  let changed = false;
  for (const name of Object.keys(prev?.screens ?? {})) {
    if (!Object.hasOwn(next.screens, name)) {
      throw appError(`screen "${name}" disappeared from the description; screens are stable, hide its components with behavior "HIDDEN"`);
    }
  }
  for (const [name, screen] of Object.entries(next.screens)) {
    const before = prev && Object.hasOwn(prev.screens, name) ? prev.screens[name] : undefined;
    const components: Record<string, SduiComponent> = {};
    let any = false;
    for (const rel of Object.keys(before?.components ?? {})) {
      if (!Object.hasOwn(screen.components, rel)) {
        throw appError(`component "${rel}" disappeared from screen "${name}"; rels are stable, use behavior "HIDDEN" instead`);
      }
    }
    for (const [rel, component] of Object.entries(screen.components)) {
      const old = before && Object.hasOwn(before.components, rel) ? before.components[rel] : undefined;
      const patch = old ? diffComponent(old, component) : bare(component);
      if (patch) {
        put(components, rel, patch);
        any = true;
      }
    }
    // A new screen is sent even when empty, so that the client knows it exists.
    if (any || !before) {
      put(screens, name, { components });
      changed = true;
    }
  }
  return changed ? { screens } : null;
}

/** The patch for one component that exists on both sides, or `null` when it did not change. */
export function diffComponent(prev: SduiComponent, next: SduiComponent): SduiComponent | null {
  const whole = bare(next);
  if (jsonEqual(bare(prev), whole)) return null;
  const declared = next.mergeStrategy?.type;
  if (declared === "REPLACE") return whole;
  const append = appendPatch(prev, next);
  if (declared === "APPEND" && append) return append;
  const match = matchPatch(prev, next);
  if (declared === "MATCH" && match) return match;
  // When APPEND is correct, MATCH would carry the same items (nothing old changed): APPEND is
  // preferred as the simpler merge. Either must still beat the whole component (short lists).
  const partial = append ?? match;
  if (!partial) return whole;
  return JSON.stringify(partial).length < JSON.stringify(whole).length ? partial : whole;
}

/** APPEND: correct when every old list is a prefix of the new list under the same key. */
function appendPatch(prev: SduiComponent, next: SduiComponent): SduiComponent | null {
  return listPatch(prev, next, "APPEND", (old, now) => {
    if (old.length > now.length) return null;
    for (let i = 0; i < old.length; i++) if (!jsonEqual(old[i], now[i])) return null;
    return now.slice(old.length);
  });
}

/**
 * MATCH: correct when both lists have unique ids on every item and the new list is the old ids in
 * the same order (items possibly changed) followed by new ids; the client appends unmatched items.
 */
function matchPatch(prev: SduiComponent, next: SduiComponent): SduiComponent | null {
  return listPatch(prev, next, "MATCH", (old, now) => {
    if (old.length > now.length || !uniqueIds(old) || !uniqueIds(now)) return null;
    const delta: unknown[] = [];
    for (let i = 0; i < old.length; i++) {
      if (itemId(old[i]) !== itemId(now[i])) return null;
      if (!jsonEqual(old[i], now[i])) delta.push(now[i]);
    }
    for (let i = old.length; i < now.length; i++) delta.push(now[i]);
    return delta;
  });
}

/**
 * Builds an APPEND or MATCH patch: the next payload with each list replaced by its delta against
 * the old list under the same key (an absent or non-array old value counts as an empty list).
 */
function listPatch(
  prev: SduiComponent,
  next: SduiComponent,
  type: "APPEND" | "MATCH",
  delta: (old: unknown[], now: unknown[]) => unknown[] | null,
): SduiComponent | null {
  if (!isPlainObject(next.payload) || listKeys(next.payload).length === 0) return null;
  const oldPayload = isPlainObject(prev.payload) ? prev.payload : {};
  const payload: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(next.payload)) {
    if (!Array.isArray(value)) {
      put(payload, key, value);
      continue;
    }
    const before = Object.hasOwn(oldPayload, key) ? oldPayload[key] : undefined;
    const d = delta(Array.isArray(before) ? before : [], value);
    if (!d) return null;
    put(payload, key, d);
  }
  return { ...bare(next), payload, mergeStrategy: { type } };
}

function uniqueIds(list: unknown[]): boolean {
  const seen = new Set<ItemId>();
  for (const item of list) {
    const id = itemId(item);
    if (id === undefined || seen.has(id)) return false;
    seen.add(id);
  }
  return true;
}

/** The component without its merge instruction: what a client cache holds. */
function bare(c: SduiComponent): SduiComponent {
  return { rel: c.rel, behavior: c.behavior, locale: c.locale, payload: c.payload };
}

/** Structural equality of JSON values; object key order does not matter. */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!jsonEqual(a[i], b[i])) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  for (const k of ka) {
    if (!Object.hasOwn(b, k)) return false;
    if (!jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k])) return false;
  }
  return true;
}

/** Why `value` is not plain JSON (named by its path), or `undefined` when it is. */
function jsonProblem(value: unknown, path: string, stack: Set<object>): string | undefined {
  switch (typeof value) {
    case "string":
    case "boolean":
      return undefined;
    case "number":
      return Number.isFinite(value) ? undefined : `${path} is not a finite number`;
    case "object":
      break;
    default:
      return `${path} is ${typeof value === "undefined" ? "undefined" : `a ${typeof value}`}, not JSON`;
  }
  if (value === null) return undefined;
  if (stack.has(value)) return `${path} refers to itself (a cycle)`;
  stack.add(value);
  try {
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        const p = jsonProblem(value[i], `${path}[${i}]`, stack);
        if (p) return p;
      }
      return undefined;
    }
    if (!isPlainObject(value)) return `${path} is a ${value.constructor?.name ?? "non-plain object"}, not plain JSON`;
    for (const [k, v] of Object.entries(value)) {
      const p = jsonProblem(v, `${path}.${k}`, stack);
      if (p) return p;
    }
    return undefined;
  } finally {
    stack.delete(value);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Sets an own property even for a key like "__proto__", which plain assignment would not. */
function put<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function appError(message: string): HotlineError {
  return new HotlineError("handler_error", message, { fault: "app" });
}

/** A component that can answer in sdui format: it describes its screens. */
export interface Describable {
  describe(): unknown;
}

/** Whether a component (or a class's prototype) has `describe()`, so that it can answer in sdui format. */
export function isDescribable(value: unknown): value is Describable {
  return !!value && typeof (value as { describe?: unknown }).describe === "function";
}

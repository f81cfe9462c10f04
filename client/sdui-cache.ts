/**
 * The reference client cache for server-driven UI (`format: "sdui"`): the executable spec that a
 * native client (Swift, Kotlin, …) follows. DOM-free; docs/sdui.md explains every rule.
 */
import type { ErrorCode } from "../protocol/codes.js";
import { MergeStrategyTypes, type ItemId, type MergeStrategyType, type Screen, type ScreenSet, type SduiComponent } from "../protocol/sdui.js";

/** What the cache holds for one (screen, rel): the component without its merge instruction. */
export type CachedComponent = Readonly<Omit<SduiComponent, "mergeStrategy">>;

/** Renders one component; `screen` is the screen's name. */
export type SduiRenderFn<T> = (component: CachedComponent, screen: string) => T;

/**
 * Renderers for {@link SduiCache.render}, keyed by rel; each is a function, or a map from behavior
 * to function (with `"*"` for any other behavior). The key `"*"` renders any rel not listed.
 */
export type SduiRenderers<T> = Record<string, SduiRenderFn<T> | Record<string, SduiRenderFn<T>>>;

/** A message from the server that the cache cannot apply. `code` is a protocol error code. */
export class SduiError extends Error {
  readonly code: ErrorCode;
  readonly screen?: string;
  readonly rel?: string;

  constructor(code: ErrorCode, message: string, where: { screen?: string; rel?: string } = {}) {
    super(message);
    this.name = "SduiError";
    this.code = code;
    if (where.screen !== undefined) this.screen = where.screen;
    if (where.rel !== undefined) this.rel = where.rel;
  }
}

/** A (screen, rel) that an {@link SduiCache.apply} changed. */
export interface SduiChange {
  screen: string;
  rel: string;
}

/**
 * The client's component cache, keyed by (screen, rel). Each screen set (`ok` or `patch`) is
 * applied with each component's merge strategy; screens and components absent from it stay as
 * they are; the client renders from the whole cache.
 *
 * @example
 * const cache = new SduiCache();
 * cache.apply({ screens: ok.screens });    // the join's answer: every component whole
 * cache.apply({ screens: patch.screens }); // later: only what changed
 * const views = cache.render("cart", {
 *   order_list: (c) => `${c.locale.title}: ${(c.payload as { items: unknown[] }).items.length}`,
 *   "*": (c) => `<${c.rel}>`,
 * });
 */
export class SduiCache {
  readonly #screens = new Map<string, Map<string, CachedComponent>>();

  /**
   * Applies a screen set to the cache, all or nothing: when any component is invalid, an
   * {@link SduiError} (code `bad_message`) is thrown and the cache is left as it was.
   * Returns the (screen, rel) pairs it wrote, in message order.
   */
  apply(set: ScreenSet): SduiChange[] {
    if (!isObject(set) || !isObject(set.screens)) {
      throw new SduiError("bad_message", "an sdui screen set must be { screens: { <name>: screen } }");
    }
    const staged: Array<[string, string, CachedComponent]> = [];
    const screensSeen: string[] = [];
    for (const [name, screen] of Object.entries(set.screens)) {
      if (!isObject(screen) || !isObject((screen as Screen).components)) {
        throw new SduiError("bad_message", `screen "${name}" must be { components: { <rel>: component } }`, { screen: name });
      }
      screensSeen.push(name);
      const cached = this.#screens.get(name);
      for (const [rel, component] of Object.entries((screen as Screen).components)) {
        staged.push([name, rel, merge(cached?.get(rel), checked(name, rel, component), name, rel)]);
      }
    }
    for (const name of screensSeen) if (!this.#screens.has(name)) this.#screens.set(name, new Map());
    for (const [name, rel, component] of staged) this.#screens.get(name)!.set(rel, component);
    return staged.map(([screen, rel]) => ({ screen, rel }));
  }

  /** The cached screen (components in first-seen order), or `undefined` if none arrived yet. */
  screen(name: string): { components: Record<string, CachedComponent> } | undefined {
    const cached = this.#screens.get(name);
    if (!cached) return undefined;
    const components: Record<string, CachedComponent> = {};
    for (const [rel, c] of cached) put(components, rel, c);
    return { components };
  }

  /** The cached component at (screen, rel). It is frozen: the cache's own copy. */
  component(screen: string, rel: string): CachedComponent | undefined {
    return this.#screens.get(screen)?.get(rel);
  }

  /** Names of the screens the cache holds. */
  screenNames(): string[] {
    return [...this.#screens.keys()];
  }

  /** Forgets everything (a fresh join will send every component whole). */
  clear(): void {
    this.#screens.clear();
  }

  /**
   * Renders a screen from the whole cache: one renderer call per component, in first-seen order,
   * skipping behavior `HIDDEN` and components with no matching renderer (a newer server may send
   * parts an older client does not know). Returns what the renderers return; `[]` for an unknown
   * screen. Lookup: `renderers[rel]` (a function, or `[behavior]` then `["*"]` of a map), else
   * `renderers["*"]`.
   */
  render<T>(screenName: string, renderers: SduiRenderers<T>): T[] {
    const out: T[] = [];
    for (const [rel, component] of this.#screens.get(screenName) ?? []) {
      if (component.behavior === "HIDDEN") continue;
      const fn = pick(Object.hasOwn(renderers, rel) ? renderers[rel] : undefined, component.behavior)
        ?? pick(Object.hasOwn(renderers, "*") ? renderers["*"] : undefined, component.behavior);
      if (fn) out.push(fn(component, screenName));
    }
    return out;
  }
}

function pick<T>(entry: SduiRenderFn<T> | Record<string, SduiRenderFn<T>> | undefined, behavior: string): SduiRenderFn<T> | undefined {
  if (typeof entry === "function") return entry;
  if (!entry) return undefined;
  if (Object.hasOwn(entry, behavior)) return entry[behavior];
  return Object.hasOwn(entry, "*") ? entry["*"] : undefined;
}

/** Checks a component off the wire; returns a frozen deep copy of it. */
function checked(screen: string, rel: string, value: unknown): SduiComponent {
  const where = { screen, rel };
  const fail = (what: string): never => {
    throw new SduiError("bad_message", `component "${rel}" of screen "${screen}": ${what}`, where);
  };
  if (!isObject(value)) return fail("must be an object");
  if (value.rel !== rel) fail(`rel must equal its key`);
  if (typeof value.behavior !== "string" || value.behavior === "") fail("behavior must be a non-empty string");
  if (!isObject(value.locale) || Object.values(value.locale).some((s) => typeof s !== "string")) {
    fail("locale must be a flat map of strings");
  }
  if (!("payload" in value) || value.payload === undefined) fail("payload is missing");
  if (value.mergeStrategy !== undefined) {
    const type = isObject(value.mergeStrategy) ? value.mergeStrategy.type : undefined;
    if (!MergeStrategyTypes.includes(type as MergeStrategyType)) fail("mergeStrategy.type must be REPLACE, APPEND or MATCH");
    if (listKeys(value.payload).length === 0) fail(`mergeStrategy ${String(type)} on a payload without a list (no array-valued key)`);
  }
  return deepFreeze(structuredClone(value)) as unknown as SduiComponent;
}

/**
 * Merges an incoming component into the cached one. REPLACE: the incoming one, as it is.
 * APPEND / MATCH: the incoming component, except that each array-valued payload key is merged
 * with the cached array under the same key (an absent cached component or key is an empty list).
 */
function merge(cached: CachedComponent | undefined, incoming: SduiComponent, screen: string, rel: string): CachedComponent {
  const type = incoming.mergeStrategy?.type ?? "REPLACE";
  const { mergeStrategy: _, ...component } = incoming;
  if (type === "REPLACE") return Object.freeze(component);
  const patch = incoming.payload as Record<string, unknown>;
  const old = isObject(cached?.payload) ? (cached!.payload as Record<string, unknown>) : {};
  const payload: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) {
    if (!Array.isArray(value)) {
      put(payload, key, value);
      continue;
    }
    const before = Object.hasOwn(old, key) && Array.isArray(old[key]) ? (old[key] as unknown[]) : [];
    const list = type === "APPEND" ? before.concat(value) : matchList(before, value, key, screen, rel);
    put(payload, key, Object.freeze(list));
  }
  return Object.freeze({ ...component, payload: Object.freeze(payload) });
}

/** MATCH: matched items are replaced in place, unmatched cached items stay, new items go last. */
function matchList(cached: readonly unknown[], incoming: readonly unknown[], key: string, screen: string, rel: string): unknown[] {
  const where = { screen, rel };
  const byId = new Map<ItemId, unknown>();
  incoming.forEach((item, i) => {
    const id = itemId(item);
    if (id === undefined) {
      throw new SduiError("bad_message", `MATCH on component "${rel}" of screen "${screen}": payload.${key}[${i}] has no id (a string or a number)`, where);
    }
    if (byId.has(id)) {
      throw new SduiError("bad_message", `MATCH on component "${rel}" of screen "${screen}": id ${JSON.stringify(id)} appears twice in payload.${key}`, where);
    }
    byId.set(id, item);
  });
  const seen = new Set<ItemId>();
  const out = cached.map((item) => {
    const id = itemId(item);
    if (id === undefined) return item; // an item without an id can't be matched: it stays
    if (seen.has(id)) {
      throw new SduiError("bad_message", `MATCH on component "${rel}" of screen "${screen}": the cached payload.${key} holds id ${JSON.stringify(id)} twice, so the match is ambiguous`, where);
    }
    seen.add(id);
    return byId.has(id) ? byId.get(id) : item;
  });
  for (const item of incoming) if (!seen.has(itemId(item)!)) out.push(item);
  return out;
}

/** The list rule (same as server/sdui/screens.ts `listKeys`): array-valued keys of a plain-object payload. */
function listKeys(payload: unknown): string[] {
  if (!isObject(payload)) return [];
  return Object.keys(payload).filter((k) => Array.isArray(payload[k]));
}

/** Same rule as server/sdui/screens.ts `itemId` (the client imports nothing from the server). */
function itemId(item: unknown): ItemId | undefined {
  if (!isObject(item)) return undefined;
  const id = item.id;
  if (typeof id === "string") return id;
  if (typeof id === "number" && Number.isFinite(id)) return id;
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

function put<T>(obj: Record<string, T>, key: string, value: T): void {
  Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

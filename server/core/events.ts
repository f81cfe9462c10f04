import { HotlineError } from "./errors.js";

const EVENT_NAME = /^[a-zA-Z][a-zA-Z0-9]*(?:[-_][a-zA-Z0-9]+)*$/;

/** The handler name for an event: `increment` -> `onIncrement`, `save_draft` / `save-draft` -> `onSaveDraft`. */
export function handlerName(event: string): string {
  return "on" + event.split(/[-_]/).map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

/**
 * The handler a client may reach for `event`: a function named `on<Event>` that the component's own
 * class chain defines, below `base` (the framework's Component), other than the lifecycle and
 * pub/sub callbacks. Anything else, including names that are not strings or that resolve to
 * inherited machinery, is `unknown_event`.
 */
export function findHandler(instance: object, base: object, event: unknown): Function {
  if (typeof event !== "string") throw new HotlineError("unknown_event", "no such event");
  // Every event of a busy component asks again: remember the answer per class (found or not).
  const proto = Object.getPrototypeOf(instance) as object;
  let known = lookups.get(proto);
  if (!known) lookups.set(proto, (known = new Map()));
  let found = known.get(event);
  if (found === undefined) {
    found = lookup(proto, base, event);
    if (known.size < 256) known.set(event, found);
  }
  if (found === null) {
    throw new HotlineError("unknown_event", EVENT_NAME.test(event) && event.length <= 64 ? `no handler for the event "${event}"` : "no such event");
  }
  return found;
}

const lookups = new WeakMap<object, Map<string, Function | null>>();

/**
 * Callbacks of the lifecycle and of pub/sub and presence: the framework calls them, a client never
 * does (an event "message" must not run `onMessage`, which re-reads a database).
 */
const CALLBACKS = new Set(["onMessage", "onResync", "onPresence", "onJoin"]);

function lookup(start: object, base: object, event: string): Function | null {
  if (event.length > 64 || !EVENT_NAME.test(event)) return null;
  const name = handlerName(event);
  if (CALLBACKS.has(name)) return null;
  for (let proto = start; proto && proto !== base; proto = Object.getPrototypeOf(proto)) {
    const desc = Object.getOwnPropertyDescriptor(proto, name);
    if (desc) return typeof desc.value === "function" ? (desc.value as Function) : null;
  }
  return null;
}

/** How a handler runs: plain, async (a Promise), or streaming (an async generator: one render per yield). */
export function handlerKind(fn: Function): "sync" | "async" | "stream" {
  const kind = fn.constructor?.name;
  if (kind === "AsyncGeneratorFunction") return "stream";
  if (kind === "AsyncFunction") return "async";
  return "sync";
}

const plainHandlers = new WeakMap<Function, Map<string, boolean>>();

/**
 * Whether `event`'s handler on `instance` is plain: synchronous, with no payload schema and a
 * synchronous `authorizeEvent`, so that the live runtime may run it without the async path. False
 * for an unknown event (the async path reports it; not remembered: clients choose these names).
 */
export function isPlainEvent(instance: object, base: object, event: string): boolean {
  const cls = instance.constructor as Function & { payloads?: Record<string, unknown> };
  let known = plainHandlers.get(cls);
  if (!known) plainHandlers.set(cls, (known = new Map()));
  let plain = known.get(event);
  if (plain === undefined) {
    let h: Function;
    try {
      h = findHandler(instance, base, event);
    } catch {
      return false;
    }
    const authorize = (instance as { authorizeEvent?: Function }).authorizeEvent;
    plain = handlerKind(h) === "sync" && !cls.payloads?.[event] && (!authorize || handlerKind(authorize) === "sync");
    known.set(event, plain);
  }
  return plain;
}

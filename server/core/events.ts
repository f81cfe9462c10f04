import { HotlineError } from "./errors.js";

const EVENT_NAME = /^[a-zA-Z][a-zA-Z0-9]*(?:[-_][a-zA-Z0-9]+)*$/;

/** The handler name for an event: `increment` -> `onIncrement`, `save_draft` / `save-draft` -> `onSaveDraft`. */
export function handlerName(event: string): string {
  return "on" + event.split(/[-_]/).map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

/**
 * The handler a client may reach for `event`: a function named `on<Event>` that the component's own
 * class chain defines, below `base` (the framework's Component). Anything else, including names that
 * are not strings or that resolve to inherited machinery, is `unknown_event`.
 */
export function findHandler(instance: object, base: object, event: unknown): Function {
  if (typeof event !== "string" || event.length > 64 || !EVENT_NAME.test(event)) {
    throw new HotlineError("unknown_event", "no such event");
  }
  const name = handlerName(event);
  for (let proto = Object.getPrototypeOf(instance); proto && proto !== base; proto = Object.getPrototypeOf(proto)) {
    const desc = Object.getOwnPropertyDescriptor(proto, name);
    if (desc) {
      if (typeof desc.value === "function") return desc.value as Function;
      break;
    }
  }
  throw new HotlineError("unknown_event", `no handler for the event "${event}"`);
}

/** How a handler runs: plain, async (a Promise), or streaming (an async generator: one render per yield). */
export function handlerKind(fn: Function): "sync" | "async" | "stream" {
  const kind = fn.constructor?.name;
  if (kind === "AsyncGeneratorFunction") return "stream";
  if (kind === "AsyncFunction") return "async";
  return "sync";
}

import type { Component, ComponentClass } from "./component.js";
import { asyncBusy } from "./async.js";
import { holdsChildren } from "./children.js";
import { hasErrors } from "./event-run.js";
import { hasUploads } from "./uploads.js";
import { hasPendingStreams } from "./template/stream.js";

/** The own fields every component has (`Component`'s constructor sets them). */
const BASE_FIELDS = new Set(["params", "state", "id"]);

/**
 * Whether a component would lose nothing by being dropped and rebuilt from its dehydrated state
 * (an idle session hibernating, docs/hibernation.md): its class allows it (`static hibernate`
 * is not false), it has no public field of its own besides `params`, `state` and `id` (a class
 * field holding a cache, a handle, a timer's id), no errors to show, no upload slots, no async
 * load registered, no stream operations waiting and no children in its last render.
 *
 * Private (`#`) fields and closures cannot be seen from here: a component that keeps something
 * in them sets `static hibernate = false`.
 */
export function mayHibernate(c: Component): boolean {
  if ((c.constructor as ComponentClass).hibernate === false) return false;
  for (const k of Object.keys(c)) if (!BASE_FIELDS.has(k)) return false;
  if (hasErrors(c) || hasUploads(c) || asyncBusy(c) || hasPendingStreams(c) || holdsChildren(c)) return false;
  return true;
}

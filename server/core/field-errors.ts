/**
 * Payload validation errors where the user looks: a payload that fails its event's schema fills
 * `this.errors` (path -> message) and the component re-renders, instead of an `error` frame.
 *
 * Which errors go away, precisely: the keys that event's last refused payload wrote. They are
 * removed when a later payload of the same event passes its schema, before its handler runs (the
 * handler may set its own). Errors the app writes itself, and those of other events, are left
 * alone. A handler that then throws puts `this.errors` back as it was before the event (with the
 * keys), and they are removed again by the next valid payload of that event.
 */
import type { Issue } from "./validate.js";

/** The key of an issue without a path (the payload as a whole). */
export const FORM_ERROR_KEY = "_";

/** Per component and event: the `this.errors` keys its last refused payload wrote. */
const owned = new WeakMap<object, Map<string, string[]>>();

/**
 * The issues by field: the path joined with "." (`email`, `address.zip`, `items.0.name`), the
 * first message per field; an issue without a path under {@link FORM_ERROR_KEY} ("_").
 */
export function issuesToErrors(issues: readonly Issue[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const i of issues) {
    const key = i.path?.length ? i.path.join(".") : FORM_ERROR_KEY;
    if (!Object.hasOwn(out, key)) out[key] = i.message;
  }
  return out;
}

/** A refused payload of `event`: its earlier errors go, its issues are shown in `component.errors`. */
export function showInvalid(component: { errors: Record<string, string> }, event: string, issues: readonly Issue[]): void {
  clearInvalid(component, event);
  const errors = issuesToErrors(issues);
  Object.assign(component.errors, errors);
  let mine = owned.get(component);
  if (!mine) owned.set(component, (mine = new Map()));
  mine.set(event, Object.keys(errors));
}

/** A payload of `event` passed its schema: the errors its last refused payload wrote are removed. */
export function clearInvalid(component: { errors: Record<string, string> }, event: string): void {
  const keys = owned.get(component)?.get(event);
  if (keys) for (const k of keys) delete component.errors[k];
}

/** The event's handler succeeded: what it removed stays removed. */
export function forgetInvalid(component: object, event: string): void {
  owned.get(component)?.delete(event);
}

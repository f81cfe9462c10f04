/**
 * One event on a component, run as a transaction: the handler is found, the payload checked (a
 * refusal goes to `errors`), the event authorized, the handler run (plain, async or streaming),
 * the new state checked; a failure puts back the state, the errors, the stream operations and the
 * async loads as they were. `Component` installs the access to its private members (its errors
 * and changed fields) from its static block; nothing else can.
 */
import type { Component, ComponentClass } from "./component.js";
import { HotlineError, toHotlineError } from "./errors.js";
import { findHandler, handlerKind } from "./events.js";
import { assertJson, assertSize, changedKeys, DEFAULT_MAX_STATE_BYTES, restore, snapshotKeys } from "./state.js";
import { flushStreams } from "./template/stream.js";
import { checkPayload, validatePayload, type Checked } from "./validate.js";
import { clearInvalid, forgetInvalid, showInvalid } from "./field-errors.js";
import { asyncMark, rollbackAsync } from "./async.js";

/**
 * What work on a component (an event, a pub/sub message, a join, a URL) is undone to when it fails:
 * its state, the async loads it registered and the stream operations it queued.
 */
export interface Attempt {
  before: Map<string, string>;
  mark: number;
}

/** What an attempt notes before the work: the state's per-key JSON and the async loads' mark. */
class Noted implements Attempt {
  readonly before: Map<string, string>;
  readonly mark: number;
  constructor(c: Component) {
    this.before = snapshotKeys(c.state);
    this.mark = asyncMark(c);
  }
}

/** Notes what {@link undoAttempt} restores: call before the work. */
export function beginAttempt(c: Component): Attempt {
  return new Noted(c);
}

/** The work since `a` failed: its state is restored, its stream operations are not sent, its async loads do not start. */
export function undoAttempt(c: Component, a: Attempt): void {
  restore(c.state, a.before);
  flushStreams(c);
  rollbackAsync(c, a.mark);
}

/** One event under way: a class, so that every event's record has one shape (a literal spread from the attempt made V8 build a new hidden class per event). */
class Pending extends Noted {
  checked: Checked | Promise<Checked> | undefined = undefined;
  valid = false;
  constructor(
    c: Component,
    readonly errors: Record<string, string> | undefined,
    readonly handler: Function,
    public payload: unknown,
    readonly event: string,
  ) {
    super(c);
  }
}

/** What `Component` lends the event run: its prototype, and its private errors and changed fields. */
export interface EventSlots {
  /** `Component.prototype`: handlers are looked up below it, and its `authorizeEvent` allows all. */
  base: Component;
  /** The errors as they are, without making the object (an idle instance holds none). */
  errors(c: Component): Record<string, string> | undefined;
  changed(c: Component, changed: ReadonlySet<string>): void;
  /** A failed event: the errors as they were, no changed fields. */
  undo(c: Component, errors: Record<string, string> | undefined): void;
}

let slots: EventSlots;
let allowAll: Component["authorizeEvent"];

/** Whether the component shows errors (without making its errors object). */
export function hasErrors(c: Component): boolean {
  const errors = slots.errors(c);
  if (errors) for (const _ in errors) return true;
  return false;
}

/** Called once, by `Component`'s static block. */
export function installEventSlots(s: EventSlots): void {
  slots = s;
  allowAll = s.base.authorizeEvent;
}

/** `component.handleEvent(event, payload)`: a plain handler, run synchronously. */
export function handleEventSync(c: Component, event: string, payload: Record<string, unknown>): void {
  const p = begin(c, event, payload, false);
  try {
    if (p.checked && !valid(c, p, p.checked as Checked)) return finish(c, p);
    if (c.authorizeEvent !== allowAll) {
      const ok = c.authorizeEvent(event, p.payload as Record<string, unknown>);
      if (isThenable(ok)) throw new HotlineError("handler_error", "authorizeEvent() is async; use asyncDispatch", { fault: "app" });
      if (!ok) throw refused();
    }
    const r = p.handler.call(c, p.payload);
    if (r && typeof (r as Promise<unknown>).then === "function") {
      throw new HotlineError("handler_error", `the handler for "${event}" returned a Promise; use asyncDispatch`, { fault: "app" });
    }
    finish(c, p);
  } catch (err) {
    throw fail(c, p, err);
  }
}

/** Any handler: yields `false` after each step of a streaming one, `true` once the state is settled (server/core/host.ts `runEvent`). */
export async function* runEventSteps(c: Component, event: string, payload: Record<string, unknown> = {}): AsyncGenerator<boolean> {
  const p = begin(c, event, payload, true);
  try {
    p.payload = await p.payload;
    if (p.checked && !valid(c, p, await p.checked)) {
      finish(c, p);
      yield true;
      return;
    }
    if (c.authorizeEvent !== allowAll && !(await c.authorizeEvent(event, p.payload as Record<string, unknown>))) throw refused();
    const r = p.handler.call(c, p.payload);
    if (handlerKind(p.handler) === "stream") {
      const it = r as AsyncGenerator<unknown>;
      for await (const _ of it) {
        slots.changed(c, changedKeys(p.before, snapshotKeys(c.state)));
        yield false;
      }
    } else if (r && typeof (r as Promise<unknown>).then === "function") {
      await r;
    }
    finish(c, p);
  } catch (err) {
    throw fail(c, p, err);
  }
  yield true;
}

/**
 * Checks the dehydrated state: JSON only, within the class's size limit. `keys` (the per-key JSON
 * of `c.state`, when the caller has it) spares serialising it again.
 */
export function checkComponentState(c: Component, keys?: Map<string, string>): void {
  const state = c.dehydrate();
  assertJson(state);
  const max = (c.constructor as ComponentClass).maxStateBytes ?? DEFAULT_MAX_STATE_BYTES;
  if (keys && state === c.state) {
    // A UTF-16 unit is at most 3 bytes of UTF-8: only a state that might be over needs counting.
    let units = 2;
    for (const [k, v] of keys) units += k.length + v.length + 4;
    if (units * 3 <= max) return;
  }
  assertSize(JSON.stringify(state), max);
}

export function isThenable(x: unknown): boolean {
  return !!x && typeof (x as Promise<unknown>).then === "function";
}

function begin(c: Component, event: string, payload: unknown, allowAsync: boolean): Pending {
  const handler = findHandler(c, slots.base, event);
  if (!allowAsync && handlerKind(handler) !== "sync") {
    throw new HotlineError("handler_error", `the handler for "${event}" is async; use asyncDispatch`, { fault: "app" });
  }
  if (payload == null) payload = {};
  if (typeof payload !== "object" || Array.isArray(payload)) throw new HotlineError("bad_message", "payload must be an object");
  const cls = c.constructor as ComponentClass;
  const schema = cls.payloads?.[event];
  let value: unknown = payload;
  let checked: Checked | Promise<Checked> | undefined;
  if (schema) {
    // A shared component's render is every viewer's: its refusals stay the sender's `error` frame.
    if (cls.shared) value = validatePayload(schema, payload, event);
    else checked = checkPayload(schema, payload);
    if (!allowAsync && (value instanceof Promise || checked instanceof Promise)) {
      throw new HotlineError("handler_error", `the validator for "${event}" is async; use asyncDispatch`, { fault: "app" });
    }
  }
  const errors = slots.errors(c);
  const p = new Pending(c, errors && { ...errors }, handler, value, event);
  if (checked) p.checked = checked;
  return p;
}

/** A checked payload: refused, its issues go to `errors` (docs: server/core/field-errors.ts); else the handler gets its value. */
function valid(c: Component, p: Pending, checked: Checked): boolean {
  if (checked.issues) {
    showInvalid(c, p.event, checked.issues);
    return false;
  }
  clearInvalid(c, p.event);
  p.valid = true;
  p.payload = checked.value;
  return true;
}

function finish(c: Component, p: Pending): void {
  const after = snapshotKeys(c.state);
  checkComponentState(c, after);
  slots.changed(c, changedKeys(p.before, after));
  if (p.valid) forgetInvalid(c, p.event);
}

function fail(c: Component, p: Pending, err: unknown): HotlineError {
  undoAttempt(c, p);
  slots.undo(c, p.errors);
  return toHotlineError(err, `the handler for this event`);
}

const refused = () => new HotlineError("unauthorized", "you may not do this here");

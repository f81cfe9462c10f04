/**
 * Async loading (Phoenix LiveView's assign_async / start_async): work a component starts that
 * runs outside its instance's queue, so that the component renders at once and keeps handling
 * events and pub/sub messages; the outcome comes back as a normal state change.
 *
 * The component only registers tasks here. Who runs them is the caller's business: a live
 * instance launches them once the work that registered them is done and applies each outcome
 * through its queue (server/live/async.ts); a transport without a live instance (HTTP, htmx, SSE,
 * the CLI, `asyncDispatch()`) awaits them before answering ({@link settleAsync}).
 */
import type { Component, ComponentClass } from "./component.js";
import { HotlineError } from "./errors.js";
import { checkState, hostOf } from "./host.js";
import { assertJson, restore, snapshotKeys } from "./state.js";

/**
 * What a key loaded with `assignAsync` holds in `this.state`: one plain JSON object, always with
 * its four keys, so that templates, tests, sdui `describe()` and the dehydrated state see the
 * status and the value together.
 *
 * - loading: `{ loading: true, ok: false, failed: null, result: <previous result or null> }`
 * - loaded: `{ loading: false, ok: true, failed: null, result: <the value> }`
 * - failed: `{ loading: false, ok: false, failed: "<a message safe to show>", result: <previous or null> }`
 *
 * A reload keeps the previous `result` while loading (and after a failure), so a list does not
 * blink away while it is refreshed.
 */
export type AsyncResult<T = unknown> =
  | { loading: true; ok: false; failed: null; result: T | null }
  | { loading: false; ok: true; failed: null; result: T }
  | { loading: false; ok: false; failed: string; result: T | null };

/** What `handleAsync(name, outcome)` gets for a `startAsync` task. */
export type AsyncOutcome<T = unknown> =
  | { ok: true; result: T }
  /** `failed` is safe to show; `error` is what was thrown (server-side only: log it, never render it). */
  | { ok: false; failed: string; error: unknown };

/** What an async function is given: `signal` aborts when the component leaves or the load is replaced. */
export interface AsyncContext {
  signal: AbortSignal;
}

/** An async load or task: its value (or a Promise of it). */
export type AsyncFn<T = unknown> = (context: AsyncContext) => T | Promise<T>;

/** The value type an `AsyncResult` state key holds. */
export type AsyncValue<X> = X extends AsyncResult<infer T> ? T : unknown;

/** The message of a load that failed with anything but a HotlineError (whose own message is shown). */
export const LOAD_FAILED = "loading failed";
/** The message of a pending load that a resumed component cannot start again (no `static loaders` entry). */
export const LOAD_INTERRUPTED = "loading was interrupted";

type Log = (message: string, err?: unknown) => void;

/** One registered task: an `assignAsync` for its keys, or a `startAsync` under its name. */
export interface AsyncTask {
  readonly kind: "assign" | "start";
  /** the `startAsync` name, or the keys joined by "," */
  readonly name: string;
  readonly keys: readonly string[];
  readonly fn: AsyncFn;
  /** whether a resumed component can start it again (a `static loaders` entry) */
  readonly restartable: boolean;
  readonly seq: number;
  readonly controller: AbortController;
  status: "pending" | "running" | "done" | "dropped";
  /** settles once the outcome has been handed on (never rejects) */
  running?: Promise<void>;
}

interface Book {
  /** the task that currently owns each state key (assign) */
  owners: Map<string, AsyncTask>;
  /** the current task of each startAsync name */
  starts: Map<string, AsyncTask>;
  /** every task not done, dropped or superseded */
  live: Set<AsyncTask>;
  seq: number;
  launcher?: (task: AsyncTask) => void;
  log?: Log;
  closed: boolean;
}

// Made on a component's first registration: most components never load anything async, and a
// live instance's joined state stays small (bench/heap.ts).
const books = new WeakMap<Component, Book>();
const logs = new WeakMap<Component, Log>();

function book(c: Component): Book {
  let b = books.get(c);
  if (!b) {
    books.set(c, (b = { owners: new Map(), starts: new Map(), live: new Set(), seq: 0, closed: false }));
    const log = logs.get(c);
    if (log) b.log = log;
    // A live host hears of the first task, and attaches its runner then (attachAsync).
    hostOf(c)?.asyncRegistered?.();
  }
  return b;
}

/** A loading result, keeping what the key held before when it was loaded once. */
export function loadingResult(previous: unknown): AsyncResult {
  return { loading: true, ok: false, failed: null, result: isAsyncResult(previous) ? previous.result : null };
}

/** Whether `v` has the shape of an {@link AsyncResult}. */
export function isAsyncResult(v: unknown): v is AsyncResult {
  if (!v || typeof v !== "object" || Array.isArray(v)) return false;
  const r = v as Record<string, unknown>;
  return typeof r.loading === "boolean" && typeof r.ok === "boolean" && (r.failed === null || typeof r.failed === "string") && "result" in r && Object.keys(r).length === 4;
}

/** `this.assignAsync(keys, fn)`: marks the keys loading and registers the load. */
export function registerAssign(c: Component, keys: string | readonly string[], fn: AsyncFn | undefined): void {
  const list = typeof keys === "string" ? [keys] : [...keys];
  if (!list.length || list.some((k) => typeof k !== "string" || !k)) throw new HotlineError("handler_error", "assignAsync() takes a state key or a list of them", { fault: "app" });
  if (!fn) {
    // Each key from its own `static loaders` entry: those survive a resume.
    for (const k of list) registerAssign(c, k, loaderOf(c, k) ?? missingLoader(c, k));
    return;
  }
  const b = book(c);
  if (b.closed) return; // the component has left: nothing is written any more
  const restartable = list.length === 1 && fn === loaderOf(c, list[0]!);
  const task = newTask(b, "assign", list.join(","), list, fn, restartable);
  const state = c.state as Record<string, unknown>;
  for (const k of list) {
    state[k] = loadingResult(state[k]);
    b.owners.set(k, task);
  }
  enlist(b, task);
}

/** `this.startAsync(name, fn)`: registers the task; its outcome goes to `handleAsync(name, outcome)`. */
export function registerStart(c: Component, name: string, fn: AsyncFn): void {
  if (typeof name !== "string" || !name || typeof fn !== "function") throw new HotlineError("handler_error", "startAsync() takes a name and a function", { fault: "app" });
  const b = book(c);
  const task = newTask(b, "start", name, [], fn, false);
  b.starts.set(name, task);
  enlist(b, task);
}

function newTask(b: Book, kind: "assign" | "start", name: string, keys: string[], fn: AsyncFn, restartable: boolean): AsyncTask {
  return { kind, name, keys, fn, restartable, seq: ++b.seq, controller: new AbortController(), status: "pending" };
}

function enlist(b: Book, task: AsyncTask): void {
  if (b.closed) {
    task.status = "dropped";
    return;
  }
  b.live.add(task);
  b.launcher?.(task);
}

function loaderOf(c: Component, key: string): AsyncFn | undefined {
  const loaders = (c.constructor as ComponentClass).loaders;
  const fn = loaders && Object.hasOwn(loaders, key) ? loaders[key] : undefined;
  return typeof fn === "function" ? (fn as AsyncFn) : undefined;
}

function missingLoader(c: Component, key: string): never {
  throw new HotlineError("handler_error", `assignAsync("${key}") without a function needs static loaders.${key} on ${c.constructor.name}`, { fault: "app" });
}

/** Whether a task is still wanted: not dropped, superseded, or left behind by a closed component. */
export function isCurrent(c: Component, task: AsyncTask): boolean {
  const b = books.get(c);
  if (!b || b.closed || task.status === "dropped" || task.controller.signal.aborted) return false;
  if (task.kind === "start") return b.starts.get(task.name) === task;
  return task.keys.some((k) => b.owners.get(k) === task);
}

/**
 * Starts a task's function (once); `then` gets its outcome unless the task was dropped or
 * superseded meanwhile. The function runs outside any queue; a throw becomes a failed outcome
 * with a safe message (a HotlineError's own, else {@link LOAD_FAILED}), logged.
 */
export function launch(c: Component, task: AsyncTask, then: (outcome: AsyncOutcome) => void | Promise<void>): Promise<void> {
  if (task.running) return task.running;
  const b = book(c);
  if (!isCurrent(c, task)) {
    drop(b, task);
    return Promise.resolve();
  }
  // A newer load of the same keys or name: the older one stops here.
  for (const other of b.live) if (other !== task && other.seq < task.seq && !isCurrent(c, other)) drop(b, other);
  task.status = "running";
  const signal = task.controller.signal;
  task.running = (async (): Promise<AsyncOutcome> => {
    try {
      return { ok: true, result: await task.fn.call(c, { signal }) };
    } catch (error) {
      if (!signal.aborted) (b.log ?? consoleLog)(`component ${c.constructor.name}: the async "${task.name}" failed`, error);
      return { ok: false, failed: error instanceof HotlineError ? error.message : LOAD_FAILED, error };
    }
  })().then(async (outcome) => {
    if (task.status === "dropped" || !isCurrent(c, task)) return void b.live.delete(task);
    task.status = "done";
    try {
      await then(outcome); // still counted as busy until applied (view.loaded() waits for it)
    } finally {
      b.live.delete(task);
    }
  }).catch((err: unknown) => (b.log ?? consoleLog)(`component ${c.constructor.name}: applying the async "${task.name}" failed`, err));
  return task.running;
}

function consoleLog(message: string, err?: unknown): void {
  console.error(`[hotline] ${message}`, err);
}

function drop(b: Book, task: AsyncTask): void {
  task.status = "dropped";
  task.controller.abort();
  b.live.delete(task);
}

/**
 * Writes an outcome into the component: an assign's keys (each it still owns) become loaded or
 * failed; a start's outcome goes to `handleAsync(name, outcome)`. A loaded value JSON cannot carry,
 * or one over the state limit, is a failed load instead (logged), never a stuck `loading`.
 */
export function applyOutcome(c: Component, task: AsyncTask, outcome: AsyncOutcome): void | Promise<void> {
  const b = book(c);
  if (!isCurrent(c, task)) return;
  if (task.kind === "start") {
    b.starts.delete(task.name);
    return c.handleAsync(task.name, outcome);
  }
  const state = c.state as Record<string, unknown>;
  const mine = task.keys.filter((k) => b.owners.get(k) === task);
  for (const k of mine) b.owners.delete(k);
  const before = snapshotKeys(state);
  if (outcome.ok) {
    try {
      const values = task.keys.length === 1 ? { [task.keys[0]!]: outcome.result } : outcome.result;
      if (!values || typeof values !== "object") throw new HotlineError("handler_error", `assignAsync([${task.name}]) must resolve to an object with those keys`, { fault: "app" });
      for (const k of mine) {
        if (!Object.hasOwn(values, k)) throw new HotlineError("handler_error", `assignAsync([${task.name}]) resolved without "${k}"`, { fault: "app" });
        const v = (values as Record<string, unknown>)[k];
        assertJson(v, `state.${k}.result`);
        state[k] = { loading: false, ok: true, failed: null, result: v === undefined ? null : v };
      }
      checkState(c);
      return;
    } catch (error) {
      restore(state, before);
      (b.log ?? consoleLog)(`component ${c.constructor.name}: the async "${task.name}" loaded a value the state cannot keep`, error);
      outcome = { ok: false, failed: LOAD_FAILED, error };
    }
  }
  for (const k of mine) state[k] = { loading: false, ok: false, failed: outcome.failed, result: isAsyncResult(state[k]) ? state[k].result : null };
}

/** Connects a live runner: `launcher` gets every task registered from now on and those pending. */
export function attachAsync(c: Component, launcher: (task: AsyncTask) => void): void {
  const b = book(c);
  b.launcher = launcher;
  for (const t of b.live) if (t.status === "pending") launcher(t);
}

/** The app's logger for this component's async failures (the start step sets it). */
export function setAsyncLog(c: Component, log: Log): void {
  const b = books.get(c);
  if (b) b.log = log;
  else logs.set(c, log);
}

/** The component has left: every task is aborted (`signal.aborted`) and nothing is written after. */
export function cancelAsync(c: Component): void {
  const b = books.get(c);
  if (!b) return;
  b.closed = true;
  for (const t of [...b.live]) drop(b, t);
  b.owners.clear();
  b.starts.clear();
}

/** A mark to roll back to when the work that registers tasks fails ({@link rollbackAsync}). */
export function asyncMark(c: Component): number {
  return books.get(c)?.seq ?? 0;
}

/**
 * The work since `mark` failed and its state was restored: the tasks it registered are dropped
 * before they start, and the keys they claimed go back to their earlier owners.
 */
export function rollbackAsync(c: Component, mark: number): void {
  const b = books.get(c);
  if (!b || b.seq === mark) return;
  for (const t of [...b.live]) if (t.seq > mark) drop(b, t);
  // An older task whose key the dropped one had taken owns it again (the restored state says loading).
  const owners = new Map<string, AsyncTask>();
  for (const t of [...b.live].sort((x, y) => x.seq - y.seq)) for (const k of t.keys) owners.set(k, t);
  for (const [k, t] of b.owners) {
    if (t.seq <= mark) continue;
    const older = owners.get(k);
    if (older) b.owners.set(k, older);
    else b.owners.delete(k);
  }
  for (const [n, t] of b.starts) {
    if (t.seq <= mark) continue;
    const older = [...b.live].filter((x) => x.kind === "start" && x.name === n).pop();
    if (older) b.starts.set(n, older);
    else b.starts.delete(n);
  }
}

/** Whether tasks are registered that nobody runs yet (no live runner attached). */
export function hasPendingAsync(c: Component): boolean {
  const b = books.get(c);
  return !!b && !b.launcher && !b.closed && b.live.size > 0;
}

/** Whether any task is registered, running, or has its outcome still to be applied. */
export function asyncBusy(c: Component): boolean {
  const b = books.get(c);
  return !!b && !b.closed && b.live.size > 0;
}

/** Resolves when the tasks running now have handed their outcome on (their `then` has run). */
export async function asyncRunning(c: Component): Promise<void> {
  const b = books.get(c);
  if (b) await Promise.all([...b.live].map((t) => t.running));
}

/**
 * For a transport without a live instance: runs every pending task (together) and applies each
 * outcome as it comes, until none is left (a `handleAsync` may start more; at most `rounds`
 * rounds). An outcome whose application throws is logged and its changes undone.
 * `only` picks the tasks to run; the others stay registered (and are dropped).
 */
export async function settleAsync(c: Component, only: (task: AsyncTask) => boolean = () => true, rounds = 100): Promise<void> {
  const b = books.get(c);
  if (!b || b.launcher) return;
  for (let i = 0; i < rounds; i++) {
    const tasks = [...b.live].filter((t) => t.status === "pending" && only(t));
    if (!tasks.length) break;
    let chain: Promise<void> = Promise.resolve();
    await Promise.all(tasks.map((t) => launch(c, t, (o) => {
      chain = chain.then(async () => {
        const before = snapshotKeys(c.state);
        try {
          await applyOutcome(c, t, o);
          checkState(c);
        } catch (err) {
          restore(c.state, before);
          (b.log ?? consoleLog)(`component ${c.constructor.name}: handling the async "${t.name}" failed`, err);
        }
      });
      return chain;
    })));
    await chain;
  }
  for (const t of [...b.live]) drop(b, t);
}

/**
 * A component started from a dehydrated state (a token, the store): each key that was loading
 * starts again from its `static loaders` entry, or, without one, shows {@link LOAD_INTERRUPTED}.
 */
export function resumeAsync(c: Component): void {
  const state = c.state as Record<string, unknown>;
  for (const k of Object.keys(state)) {
    const v = state[k];
    if (!isAsyncResult(v) || !v.loading) continue;
    if (loaderOf(c, k)) registerAssign(c, k, undefined);
    else state[k] = { loading: false, ok: false, failed: LOAD_INTERRUPTED, result: v.result };
  }
}

/**
 * Async loads of a live instance (`assignAsync`, `startAsync`: server/core/async.ts). A task is
 * launched once the queued work that registered it is done (so a handler that fails after
 * registering it never starts it); its function runs outside the queue; its outcome is applied
 * through the queue like a pub/sub message: written to the state, rendered, patched to every
 * viewer, saved. When the instance closes, every task is aborted and nothing is written after.
 */
import type { Component } from "../core/component.js";
import { applyOutcome, attachAsync, cancelAsync, isCurrent, launch, setAsyncLog, type AsyncTask } from "../core/async.js";

/** What the runner needs of a live instance: its queue and a way to apply a change and patch. */
export interface AsyncHost {
  readonly component: Component;
  readonly closed: boolean;
  enqueue<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs `change` in the queue, then renders, patches every viewer and saves; resolves when done. */
  apply(change: () => void | Promise<void>, what: string): Promise<void>;
  log(message: string, err?: unknown): void;
}

/** Runs the component's async tasks on `host`: those registered so far and every later one. */
export function runAsync(host: AsyncHost): void {
  const c = host.component;
  setAsyncLog(c, (m, e) => host.log(m, e));
  attachAsync(c, (task: AsyncTask) => {
    void host.enqueue(async () => {
      if (host.closed || !isCurrent(c, task)) return;
      void launch(c, task, (outcome) => host.apply(() => applyOutcome(c, task, outcome), `the async "${task.name}"`));
    });
  });
}

/** The instance has closed: its tasks are aborted, none writes its state. */
export function stopAsync(c: Component): void {
  cancelAsync(c);
}

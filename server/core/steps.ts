/**
 * Rendering a component step by step: its HTML, and the render after each step of an event (one
 * per `yield` of a streaming handler), for transports and for tests.
 */
import type { Component, DispatchOptions, Step } from "./component.js";
import { checkState, runEvent } from "./host.js";
import { hasPendingAsync, settleAsync } from "./async.js";
import { renderToString } from "./template/render-string.js";
import { TemplateResult } from "./template/template.js";

/**
 * A component's HTML: its `render()` as a string.
 *
 * @example
 * const c = new Counter(); c.dispatch(); toHTML(c); // "<div class=\"counter\">…"
 */
export function toHTML(component: Component): string {
  const out = component.render();
  return out instanceof TemplateResult ? renderToString(out) : String(out);
}

/**
 * Runs one event on a component that has started (mounted or hydrated) and renders after each
 * step: one step per `yield` of a streaming handler, the last with `done: true`. Without an event,
 * one step: the state is checked and rendered. When async loads are pending (`assignAsync`,
 * `startAsync`) and no live instance runs them, the last step comes twice: first as not done (the
 * loading render: an SSE frame), then once every load has landed (docs/async.md: over HTTP the
 * answer waits for them).
 */
export async function* eventSteps<S extends Record<string, any>>(component: Component<S>, event?: string, payload?: Record<string, unknown>): AsyncGenerator<Step<S>> {
  if (event === undefined) checkState(component);
  else for await (const done of runEvent(component, event, payload)) if (!done) yield step(component, false);
  if (hasPendingAsync(component)) {
    yield step(component, false);
    await settleAsync(component);
    checkState(component);
  }
  yield step(component, true);
}

/** The render now; a step that is not the last gets a copy of the state (the component goes on changing it). */
function step<S extends Record<string, any>>(component: Component<S>, done: boolean): Step<S> {
  const state = component.dehydrate();
  return { html: toHTML(component), state: done ? state : (JSON.parse(JSON.stringify(state)) as S), done };
}

/**
 * `dispatch()` one render step at a time: mounts or hydrates, then each step of the event (one per
 * `yield` of a streaming handler, the last with `done: true`).
 *
 * @example
 * for await (const step of dispatchSteps(new RagQuery(), { event: "analyze", payload: { query: "htmx" } })) console.log(step.state.stage);
 */
export async function* dispatchSteps<S extends Record<string, any>>(component: Component<S>, options: DispatchOptions<S> = {}): AsyncGenerator<Step<S>> {
  if (options.state) component.hydrate(options.state);
  else await component.mount();
  yield* eventSteps(component, options.event, options.payload);
}

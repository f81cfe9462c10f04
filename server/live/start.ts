import { checkState, type Component, type ComponentClass } from "../core/component.js";
import type { AppContext } from "./context.js";

/** How a component was started: mounted fresh, hydrated from a signed token, or resumed from the store. */
export type StartMode = "mount" | "hydrate" | "resume";

/** What to start: a registered component, and where its state comes from. */
export interface StartRequest {
  name: string;
  /** The params it is created with. */
  params?: Record<string, unknown>;
  /** A signed state token (verified here): hydrate from it instead of mounting. */
  token?: string;
  /** A state already verified or loaded (a token read earlier, a stored record): hydrate from it. */
  restore?: { state?: Record<string, unknown>; topics?: readonly string[]; from: "token" | "store" };
}

/** A started component, its class, the topics it listens to, and how it was started. */
export interface Started {
  component: Component;
  cls: ComponentClass;
  topics: readonly string[];
  mode: StartMode;
}

/** What the start step needs of an app (the CLI has no more than this). */
export type StartContext = Pick<AppContext, "registry" | "tokens" | "component">;

const NO_TOPICS: readonly string[] = [];

/**
 * The one start step of every transport (WebSocket, HTTP, htmx, SSE, sdui over HTTP, the CLI,
 * `live()`): creates the component with the app's context, then mounts it, or hydrates it from a
 * token, or resumes it from a stored state, and checks the state. Throws a HotlineError
 * (`unknown_component`, `bad_state`, `too_large`, or the app's own failure in `mount()`).
 *
 * @example
 * const { component } = await startComponent(ctx, { name: "counter", params: { start: 5 } });
 */
export async function startComponent(ctx: StartContext, request: StartRequest): Promise<Started> {
  const cls = ctx.registry.require(request.name);
  const component = new cls({ ...(request.params ?? {}) }, ctx.component);
  let restore = request.restore;
  if (!restore && request.token !== undefined) {
    const snap = ctx.tokens.verify(request.name, request.token);
    restore = { state: snap.state, topics: snap.topics, from: "token" };
  }
  let mode: StartMode = "mount";
  if (restore) {
    component.hydrate(restore.state ?? {});
    mode = restore.from === "store" ? "resume" : "hydrate";
  } else await component.mount();
  checkState(component);
  return { component, cls, topics: restore?.topics ?? NO_TOPICS, mode };
}

import nunjucks from "nunjucks";
import { embedMarkup } from "../core/embed.js";
import { HotlineError } from "../core/errors.js";
import type { ComponentContext, MountHook } from "../core/context.js";
import type { Registry } from "../core/registry.js";
import type { Renderer } from "../core/renderer.js";
import type { Tokens } from "../core/tokens.js";

/** What `live_component` needs to embed a component: `hotline.context` (or `hotline`) has both. */
export interface LiveSource {
  registry: Registry;
  tokens: Tokens;
  /** The app's component context (services, renderer): `hotline.context.component`. */
  component?: ComponentContext;
  /** The app's mount hooks: a component is not embedded past them (pass `hotline.context`, which has them). */
  hooks?: readonly MountHook[];
}

/** Options of {@link NunjucksRenderer}. */
export interface NunjucksRendererOptions {
  /** Adds the `live_component(name, params)` global, which embeds components from this registry. */
  live?: LiveSource;
  /** Reload changed templates (development). Only used when the renderer makes the Environment. */
  watch?: boolean;
}

/**
 * Renders components' `templateName` with Nunjucks, autoescape on. A template sees the
 * component's `getContext()`: `state`, `errors`, `params`, `component`, `changedFields`.
 * A render is a plain string: over the WebSocket it travels as statics id 0 (docs/protocol.md
 * §1.1), so a change re-sends the whole HTML rather than a slot diff.
 *
 * @example
 * const renderer = new NunjucksRenderer("templates", { live: hotline.context });
 * class Counter extends Component<{ count: number }> {
 *   static templateName = "counter.njk";
 *   static renderer = renderer;
 *   mount() { this.state.count = 0; }
 *   onIncrement() { this.state.count++; }
 * }
 */
export class NunjucksRenderer implements Renderer {
  readonly env: nunjucks.Environment;

  /** `source`: a Nunjucks Environment (its autoescape must be on), or a templates folder (or several). */
  constructor(source: nunjucks.Environment | string | string[], options: NunjucksRendererOptions = {}) {
    if (source instanceof nunjucks.Environment) {
      const opts = (source as unknown as { opts?: { autoescape?: unknown } }).opts;
      if (opts?.autoescape !== true) {
        throw new Error("NunjucksRenderer needs an Environment with autoescape: true (component state is user input)");
      }
      this.env = source;
    } else {
      this.env = new nunjucks.Environment(new nunjucks.FileSystemLoader(source, { watch: !!options.watch, noCache: !!options.watch }), { autoescape: true });
    }
    if (options.live) addLiveComponent(this.env, options.live);
    addChild(this.env);
  }

  render(templateName: string, context: Record<string, unknown>): string {
    return this.env.render(templateName, context);
  }
}

/**
 * Adds the `live_component(name, params)` global to a Nunjucks environment. In a template:
 * `{{ live_component("counter", { start: 3 }) }}` or `{{ live_component("counter", start=3) }}`.
 * It mounts the component synchronously (an async `mount()` is refused: use `hotline.live()` in the
 * route and pass the HTML in) and returns the same markup as `hotline.live()`.
 */
export function addLiveComponent(env: nunjucks.Environment, source: LiveSource): void {
  env.addGlobal("live_component", (name: unknown, params?: unknown) => {
    let p: Record<string, unknown> = {};
    if (params && typeof params === "object" && !Array.isArray(params)) {
      const { __keywords, ...rest } = params as Record<string, unknown>;
      void __keywords; // Nunjucks' marker for keyword arguments
      p = rest;
    }
    return new nunjucks.runtime.SafeString(liveEmbed(source, String(name), p));
  });
}

/**
 * Adds the `child(name, params, id)` global: the template's component renders a child
 * (`Component.child()`, docs/components.md). In a template:
 * `{% for id in state.ids %}{{ child("tile", { label: id }, id) }}{% endfor %}`.
 */
export function addChild(env: nunjucks.Environment): void {
  env.addGlobal("child", function (this: { ctx?: Record<string, unknown> }, name: unknown, params?: unknown, id?: unknown) {
    const parent = this.ctx?.component as { child?: (n: string, p: Record<string, unknown>, id?: string) => unknown } | undefined;
    if (typeof parent?.child !== "function") throw new HotlineError("handler_error", "child() is for a component's template (its context has no component)", { fault: "app" });
    let p: Record<string, unknown> = {};
    if (params && typeof params === "object" && !Array.isArray(params)) {
      const { __keywords, ...rest } = params as Record<string, unknown>;
      void __keywords;
      p = rest;
    }
    return new nunjucks.runtime.SafeString(String(parent.child(String(name), p, id === undefined ? undefined : String(id))));
  });
}

/**
 * A component's first render wrapped in the markup the browser client joins from, synchronously:
 * `<div hl-component="NAME" hl-id="ID" hl-state="TOKEN">HTML</div>`, as `hotline.live()` makes it,
 * for an anonymous viewer. A template renders synchronously, so it cannot wait for mount hooks or
 * `authorize`: a component (or an app) that has any is refused here, never started unchecked;
 * render it in the route with `await hotline.live(name, params, { request })` and pass the HTML in.
 */
export function liveEmbed(source: LiveSource, name: string, params: Record<string, unknown> = {}, id?: string): string {
  const cls = source.registry.require(name);
  if (cls.authorize || cls.onMount || source.hooks?.length) {
    throw new HotlineError(
      "handler_error",
      `live_component("${name}"): it has mount hooks or authorize, which a template cannot wait for; render with await hotline.live(name, params, { request }) instead`,
      { fault: "app" },
    );
  }
  const component = new cls({ ...params }, source.component);
  const mounted = component.mount();
  if (mounted && typeof (mounted as Promise<void>).then === "function") {
    (mounted as Promise<void>).catch(() => {}); // already reported by the throw below
    throw new HotlineError("handler_error", `live_component("${name}"): mount() is async; render with await hotline.live() instead`, { fault: "app" });
  }
  return embedMarkup(source.tokens, name, component, { params, ...(id !== undefined && { id }) });
}

/**
 * `live()`: a component mounted for a test the way a page and its browser tab do it. The page's
 * embed (`hotline.live(name, params, { user })`: the start step with every check, a signed token),
 * then the tab's join from that token over the app's hub; or, with only `clientParams`, a join
 * that carries them (checked against the class's `clientParams`), as `hl-params` or the Node
 * client does; or, with `session`, a join that resumes an earlier view's session from the store.
 * Everything a real app runs runs: mount hooks, `static authorize`, `onJoin`, the
 * store, the pub/sub, presence.
 */
import { randomBytes } from "node:crypto";
import { createHotline, type Hotline, type HotlineOptions } from "../hotline.js";
import type { Component, ComponentClass } from "../core/component.js";
import type { HotlineServices, HotlineUser } from "../core/context.js";
import { HotlineError } from "../core/errors.js";
import { userKey } from "../core/identity.js";
import { registry as defaultRegistry, Registry } from "../core/registry.js";
import { Attr } from "../../protocol/attributes.js";
import { loadParser } from "./dom.js";
import { LiveTestError, misuse } from "./errors.js";
import { keepLog, keepingLogger } from "./logs.js";
import { LiveView } from "./view.js";
import { pageRoute, requestPage } from "./navigation.js";

/** Options of {@link live}. */
export interface LiveTestOptions {
  /**
   * Params the server gives, as a page embeds the component (`hotline.live(name, params)`):
   * signed into the embed's token, so the client cannot change them. Default `{}`.
   */
  params?: Record<string, unknown>;
  /**
   * Params a client sends with its join, checked against the class's `clientParams` schema (a
   * component without one refuses them with `bad_message`). Given alone, the view joins with them
   * and no embed, as `hl-params` or the Node client does.
   */
  clientParams?: Record<string, unknown>;
  /** Who is connected (what the app's `authenticate()` would resolve). Default `null`: anonymous. */
  user?: HotlineUser | null;
  /**
   * The app to mount in: its registry, services, store, pub/sub, presence, hooks and rules. Views
   * of one app see each other (a shared component's one instance, topics). Default: a private app
   * ({@link createTestApp} with `services`), closed with the view.
   */
  app?: Hotline;
  /**
   * A session key to resume (an earlier view's `view.session`), as a reconnecting tab does: the
   * join carries it instead of an embed's token, and the app's store must still hold it.
   */
  session?: string;
  /** The private app's services (`this.services`); ignored when `app` is given. */
  services?: HotlineServices;
  /** More options of the private app (mount hooks, `userKey`, a logger, …); ignored when `app` is given. */
  appOptions?: HotlineOptions;
  /** The instance id the view joins under. Default: the name and a counter. */
  id?: string;
  /** The client's address (the owner of an anonymous session's records in the store). Default "127.0.0.1". */
  address?: string;
  /**
   * A live page's URL (path and query) in the app's `routes`: the view starts as a browser tab
   * that loads it does (docs/navigation.md): the page request (the URL's params checked by the
   * class's `clientParams`, `mount()`, `handleParams()`, the title), then the join from the page's
   * token with the URL. Its params come from the URL (not with `params` or `clientParams`). With
   * `session`, the join resumes that session with this URL (a reconnecting page).
   */
  url?: string;
}

let views = 0;

/** Options of {@link createTestApp}: those of `createHotline()`, and components to register. */
export interface TestAppOptions extends HotlineOptions {
  /**
   * Components the app knows beside its registry's (default: the one `@register` fills), by name,
   * or as classes named after themselves (`TodoList` -> "todo-list"). The registry given is not
   * changed: the app gets a copy.
   */
  components?: Record<string, ComponentClass> | ComponentClass[];
}

/**
 * An app for tests: `createHotline()` with a memory store, pub/sub and presence, and a random
 * signing key (no `HOTLINE_SECRET` needed). Give it to several `live()` calls so that their views
 * share one runtime; `await app.close()` after.
 *
 * @example
 * const app = createTestApp({ services: { board: new MemoryBoardRepo() }, components: [Room] });
 * const a = await live(Board, { app }), b = await live(Board, { app });
 */
export function createTestApp(options: TestAppOptions = {}): Hotline {
  const { components, ...rest } = options;
  let registry = rest.registry ?? defaultRegistry;
  for (const [name, cls] of Array.isArray(components) ? components.map((c) => [undefined, c] as const) : Object.entries(components ?? {})) {
    registry = withComponent(registry, cls, name);
  }
  const lines: string[] = [];
  const app = createHotline({ secret: randomBytes(32).toString("base64url"), heartbeatMs: 0, ...rest, registry, logger: keepingLogger(rest.logger ?? console, lines) });
  keepLog(app, lines);
  return app;
}

/**
 * Mounts a component (its class, or its registered name) for a test, as a page embed and a browser
 * tab's join do, and resolves with a {@link LiveView} to click, fill and read. With `url` (or a
 * URL given instead of the component: `live("/orders?status=paid", { app })`, the route's
 * component), it starts the live page at that URL, as a tab loading it does.
 *
 * A mount that a hook refuses with `{ redirect }` (or a page request answered with a redirect)
 * resolves to a view whose `redirectedTo()` is that path. Any other refusal rejects with a
 * {@link LiveTestError} carrying the server's code (`unauthorized`, `bad_message` for params a
 * client may not choose or a URL param the schema refuses, `unknown_component`, …).
 *
 * @example
 * const view = await live(Counter, { params: { start: 5 }, user: { id: "ada", name: "Ada" } });
 * await view.element("button", "Increment").click();
 * assert.match(view.html(), "Count: 6");
 * await view.close();
 */
export async function live<S extends Record<string, any> = Record<string, any>>(component: (new (params?: any, context?: any) => Component<S, any>) | string, options: LiveTestOptions = {}): Promise<LiveView<S>> {
  // a registered name starts with a letter: a string starting with "/" is a page's URL
  const byUrl = typeof component === "string" && component.startsWith("/");
  const url = byUrl ? (component as string) : options.url;
  if (url !== undefined && (options.params !== undefined || options.clientParams !== undefined)) {
    throw misuse(`live(${byUrl ? `"${url}"` : "…"}, { url }): a page's params come from its URL, not from params or clientParams`);
  }
  if (byUrl && options.url !== undefined) throw misuse(`live("${url}", { url: "${options.url}" }): give the URL once`);
  const parse = await loadParser();
  const owned = !options.app;
  const base = byUrl ? (options.appOptions?.registry ?? defaultRegistry) : registryFor(component as ComponentClass | string, options.appOptions?.registry);
  const app = options.app ?? createTestApp({ ...options.appOptions, registry: base, ...(options.services && { services: options.services }) });
  try {
    const named = byUrl ? undefined : nameIn(app.registry, component as ComponentClass | string);
    const name = url === undefined ? named! : pageRoute(app, url, named).name;
    const id = options.id ?? `${name}-${++views}`;
    const user = options.user ?? null;
    const view = new LiveView<S>(app, name, id, parse, owned);
    let state: string | undefined;
    const embed = options.session === undefined && (options.params !== undefined || options.clientParams === undefined);
    if (url !== undefined && options.session === undefined) {
      // the page request of the URL, as the tab's first GET
      try {
        const page = await requestPage(app, url, user, tokenOf);
        if ("redirect" in page) return view.redirected(page.redirect), view;
        state = page.state;
        view.page.title = page.title;
        view.page.flashes.push(...page.flashes);
      } catch (err) {
        if (refusedTo(view, err)) return view;
        throw asTestError(err, name, "page request");
      }
    } else if (embed) {
      try {
        state = tokenOf(await app.live(name, options.params ?? {}, { user, id }));
      } catch (err) {
        if (refusedTo(view, err)) return view;
        throw asTestError(err, name, "embed");
      }
    }
    try {
      await view.join({
        user, userKey: userKey(user, app.context.userKeyOf), address: options.address ?? "127.0.0.1",
        ...(state !== undefined && { state }), ...(options.clientParams && { clientParams: options.clientParams }),
        ...(options.session !== undefined && { session: options.session }),
        ...(url !== undefined && { url }),
      });
    } catch (err) {
      if (refusedTo(view, err)) return view;
      throw asTestError(err, name, "join");
    }
    return view;
  } catch (err) {
    if (owned) await app.close();
    throw err;
  }
}

/** A refusal with `details.redirect`: the view records where to go. */
function refusedTo(view: LiveView, err: unknown): boolean {
  const to = err instanceof HotlineError ? (err.details as { redirect?: unknown } | undefined)?.redirect : undefined;
  if (typeof to !== "string") return false;
  view.redirected(to);
  return true;
}

function asTestError(err: unknown, name: string, step: "embed" | "join" | "page request"): unknown {
  if (err instanceof LiveTestError || !(err instanceof HotlineError)) return err;
  return new LiveTestError(err.code, `live(${name}): the ${step} was refused: ${err.code}: ${err.message}`, {
    ...(err.details !== undefined && { details: err.details as Record<string, unknown> }),
    ...(err.cause !== undefined && { cause: err.cause }),
  });
}

/** The signed token of an embed's markup (`hl-state="…"`; tokens are URL-safe, so never escaped). */
function tokenOf(markup: string): string {
  const m = new RegExp(`${Attr.state}="([^"]*)"`).exec(markup);
  if (!m) throw misuse(`the embed carries no ${Attr.state} token`);
  return m[1]!;
}

/** The registered name of `component` in `registry`; a clear error naming the class when it has none. */
function nameIn(registry: Registry, component: ComponentClass | string): string {
  if (typeof component === "string") {
    if (registry.has(component)) return component;
    throw new LiveTestError("unknown_component", `live("${component}"): no component is registered under "${component}" in the app's registry (registered: ${registry.names().join(", ") || "none"})`);
  }
  const name = registry.names().find((n) => registry.get(n) === component);
  if (name !== undefined) return name;
  throw new LiveTestError("unknown_component", `live(${component.name || "an anonymous class"}): the class is not registered in the app's registry: decorate it with @register("name"), or call app.registry.register("name", ${component.name || "TheClass"})`);
}

/**
 * The private app's registry: the given one (default: the one `@register` fills) when it holds
 * the class; else a copy with the class added.
 */
function registryFor(component: ComponentClass | string, base: Registry = defaultRegistry): Registry {
  return typeof component === "string" ? base : withComponent(base, component);
}

/**
 * `base` when it holds `cls` (under `name`, when given); else a copy of it with `cls` added under
 * `name`, or a name made from the class's own (`TodoList` -> "todo-list").
 */
function withComponent(base: Registry, cls: ComponentClass, name?: string): Registry {
  if (name === undefined ? base.names().some((n) => base.get(n) === cls) : base.get(name) === cls) return base;
  const copy = new Registry();
  for (const n of base.names()) copy.register(n, base.get(n)!);
  if (name !== undefined) {
    copy.register(name, cls);
    return copy;
  }
  const stem = (cls.name || "component").replace(/([a-z0-9])([A-Z])/g, "$1-$2").replace(/[^A-Za-z0-9_-]/g, "").toLowerCase().replace(/^[^a-z]+/, "") || "component";
  let made = stem.slice(0, 56);
  for (let i = 2; copy.has(made); i++) made = `${stem.slice(0, 56)}-${i}`;
  copy.register(made, cls);
  return copy;
}

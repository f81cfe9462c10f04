/**
 * Live pages (docs/navigation.md): a route's page started for a page request or a `join` with a
 * `url`, its URL params checked by the component's `clientParams`, `handleParams` after mount and
 * on every patch of the URL, and the page's `nav` frames (pushPatch, pushNavigate, redirect,
 * flash, title) over its connection.
 */
import type { ComponentClass } from "../core/component.js";
import type { HotlineUser } from "../core/context.js";
import { checkState } from "../core/host.js";
import { HotlineError } from "../core/errors.js";
import { keepIntent, takeIntents, type NavIntent } from "../core/navigation.js";
import { validateParams } from "../core/validate.js";
import { canonicalJson } from "../core/identity.js";
import { M, T } from "../../protocol/wire.js";
import type { AppContext } from "./context.js";
import type { LiveInstance, Viewer } from "./instance.js";
import type { Hub, JoinRequest } from "./hub.js";
import { setChildScope } from "../core/children.js";
import { parseUrl, Routes, type Route, type RouteMatch } from "./routes.js";
import { startComponent } from "./start.js";
import { embedStarted, settleInline } from "./embed-page.js";

const appRoutes = new WeakMap<AppContext, Routes>();

/** Gives an app its routes (`createHotline({ routes })`). */
export function setRoutes(ctx: AppContext, routes: Routes): void {
  appRoutes.set(ctx, routes);
}

/** The app's routes (none: an empty list). */
export function routesOf(ctx: AppContext): Routes {
  let r = appRoutes.get(ctx);
  if (!r) appRoutes.set(ctx, (r = new Routes()));
  return r;
}

/** A live page instance: its route and its current URL. */
export interface Page {
  route: Route;
  url: URL;
  /** the title last sent (a `nav` frame goes out only when it changes) */
  title?: string;
}
const pages = new WeakMap<LiveInstance, Page>();

/** The page an instance is (its route and URL), if it is one: a hibernating session keeps it. */
export function pageOf(live: LiveInstance): Page | undefined {
  return pages.get(live);
}

/** Makes `live` the page `page` (a hibernated session woken). */
export function setPage(live: LiveInstance, page: Page): void {
  pages.set(live, page);
}

/**
 * The params a page URL gives its component, unchecked: the path params, and the query's when
 * the class has a `clientParams` schema (without one, a page takes no params; its query string is
 * ignored, a path param is refused by the start step).
 */
export function rawParams(cls: ComponentClass, match: RouteMatch): Record<string, unknown> | undefined {
  const own = cls.clientParams ? match.params : pathOnly(match);
  return Object.keys(own).length ? own : undefined;
}

function pathOnly(match: RouteMatch): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const seg of match.route.path.split("/")) if (seg.startsWith(":")) out[seg.slice(1)] = match.params[seg.slice(1)];
  return out;
}

/** A URL's params checked by the class's schema, as for a start: `bad_message` with the schema's issues. */
async function checkedParams(cls: ComponentClass, match: RouteMatch): Promise<Record<string, unknown>> {
  const raw = rawParams(cls, match);
  if (!raw) return {};
  if (!cls.clientParams) throw new HotlineError("bad_message", "this page takes no params");
  return validateParams(cls.clientParams, raw);
}

function componentOf(ctx: AppContext, route: Route): ComponentClass {
  const cls = ctx.registry.get(route.component);
  if (!cls) throw new HotlineError("handler_error", `route "${route.path}" names component "${route.component}", which is not registered`, { fault: "app" });
  return cls;
}

/** The page's title: its component's `pageTitle()`, else the route's. */
function titleOf(page: Page, component: LiveInstance["component"], params: Readonly<Record<string, unknown>>): string | undefined {
  const own = component.pageTitle();
  if (typeof own === "string") return own;
  const t = page.route.title;
  return typeof t === "function" ? t(params) : t;
}

/** A rendered page, or where its component sent the request instead. */
export type PageResult =
  | { redirect: string }
  | { markup: string; title: string; flashes: [string, string][] };

/**
 * A page request (GET of a route's path): the component mounts with the URL's checked params,
 * `handleParams` runs, its inline loads are awaited (as `live()` does), and its first render is
 * embedded with a signed token (the client's join hydrates from it). A `pushPatch`, `pushNavigate` or `redirect` asked meanwhile redirects the
 * request instead. Throws HotlineErrors (`bad_message` for a URL param its schema refuses).
 */
export async function startPage(ctx: AppContext, match: RouteMatch, user: HotlineUser | null): Promise<PageResult> {
  const { route } = match;
  const cls = componentOf(ctx, route);
  const raw = rawParams(cls, match);
  const started = await startComponent(ctx, { name: route.component, user, ...(raw && { clientParams: raw }) });
  const { component } = started;
  const url = parseUrl(match.url);
  await component.handleParams(started.params, url);
  checkState(component);
  await settleInline(component);
  const intents = takeIntents(component);
  const go = intents.find((i) => i.url !== undefined);
  if (go) return { redirect: new URL(go.url!, url).href.replace(/^http:\/\/page\.invalid/, "") };
  const markup = embedStarted(ctx, started);
  const title = titleOf({ route, url }, component, started.params) ?? "";
  return { markup, title, flashes: intents.flatMap((i) => (i.flash ? [i.flash] : [])) };
}

/** What a join with a `url` is: a route's page, with its name and (for a fresh mount) raw params. */
export interface PageJoin {
  match: RouteMatch;
}

/**
 * A join's `url` (the browser client sends it for the component in the page slot): the route it
 * is. A join with no name (a live navigate) takes the route's component, and params from the URL
 * when it mounts; a join naming another component is `bad_message`. A named join whose URL is no
 * route is an ordinary join (undefined); an unnamed one is `unknown_component`.
 */
export function pageForJoin(ctx: AppContext, m: { name: string; url?: string; state?: string; session?: string; params?: Record<string, unknown> }): PageJoin | undefined {
  if (m.url === undefined) return undefined;
  const match = routesOf(ctx).match(m.url);
  if (!match) {
    if (m.name) return undefined;
    throw new HotlineError("unknown_component", "no live page at this URL");
  }
  if (m.name && m.name !== match.route.component) throw new HotlineError("bad_message", "this URL is another component's page");
  m.name = match.route.component;
  if (m.state === undefined && m.session === undefined) {
    const raw = rawParams(componentOf(ctx, match.route), match);
    if (raw) m.params = raw;
    else delete m.params;
  }
  return { match };
}

/**
 * Opens the instance a join asks for, as every transport does: the route page its URL names (its
 * name and params may come from the URL), children scoped by the view's id, and, for a page,
 * `handleParams` run ({@link openPage}); a failure there gives back the instance's hold. The
 * caller joins its viewer, then calls {@link afterJoin}.
 */
export async function openForJoin(hub: Hub, m: JoinRequest & { id: string; url?: string; state?: string; session?: string }, user: HotlineUser | null, userKey: string | undefined, address: string | undefined): Promise<{ live: LiveInstance; key: string; page: PageJoin | undefined }> {
  const page = pageForJoin(hub.env.ctx, m);
  const mounted = m.state === undefined && m.session === undefined;
  const opened = await hub.open(m, user, userKey, address);
  setChildScope(opened.live.component, m.id);
  if (page) await openPage(opened.live, page, mounted).catch((err: unknown) => (opened.live.release(), Promise.reject(err)));
  return { ...opened, page };
}

/**
 * Makes a joined instance the page of `join`, before `LiveInstance.join()` renders it. A freshly
 * mounted one runs `handleParams` first (in its queue). One hydrated or resumed runs it only when
 * its URL's params are not those it started with: a page patched before the server lost its
 * session rejoins from its first token, and must show its current URL.
 */
export async function openPage(live: LiveInstance, join: PageJoin, mounted: boolean): Promise<void> {
  const page: Page = { route: join.match.route, url: parseUrl(join.match.url) };
  pages.set(live, page);
  const component = live.component;
  let params = component.params as Record<string, unknown>;
  if (!mounted) {
    params = await checkedParams(component.constructor as ComponentClass, join.match);
    if (canonicalJson(params) === canonicalJson(component.params)) return;
  }
  await live.enqueue(async () => {
    await component.handleParams({ ...params }, page.url);
    checkState(component);
  });
}

/**
 * After a join's answer: a page's title, and what the component asked during mount or
 * handleParams (flashes, a navigation), for every join (a component that is no page may flash).
 */
export function afterJoin(live: LiveInstance, viewer: Viewer): void {
  const page = pages.get(live);
  if (page) {
    const title = titleOf(page, live.component, live.component.params);
    page.title = title;
    if (title !== undefined) viewer.send(navFrame(viewer.id, { [M.title]: title }));
  }
  for (const i of takeIntents(live.component)) viewer.send(navFrame(viewer.id, intentBody(live, i)));
}

/**
 * A client's `url` message (`hl-patch`, back/forward): the page's new URL. Its params are checked
 * with the schema, then `handleParams` runs in the instance's queue and the answer is a patch
 * with the message's ref. A URL of another page is `bad_message` (the client then loads it).
 */
export async function patchUrl(live: LiveInstance, viewer: Viewer, ref: number | undefined, url: string): Promise<void> {
  const page = pages.get(live);
  if (!page) throw new HotlineError("bad_message", "this instance is not a page (it joined without a url)");
  const match = routesOf(live.env.ctx).match(url);
  if (!match || match.route.component !== live.name) throw new HotlineError("bad_message", "this URL is another page");
  const params = await checkedParams(live.component.constructor as ComponentClass, match);
  live.act(() => applyParams(live, page, match, params), "handleParams for a new URL", viewer, ref);
}

async function applyParams(live: LiveInstance, page: Page, match: RouteMatch, params: Record<string, unknown>): Promise<void> {
  page.route = match.route;
  page.url = parseUrl(match.url);
  await live.component.handleParams(params, page.url);
  const title = titleOf(page, live.component, params);
  if (title !== undefined && title !== page.title) {
    page.title = title;
    for (const v of live.viewers) v.send(navFrame(v.id, { [M.title]: title }));
  }
}

/**
 * The host side of `pushPatch`, `pushNavigate`, `redirect` and `flash`. A patch to a URL of this
 * page runs `handleParams` in the queue (after the current event) and tells the client to change
 * its URL; a patch to another page's URL navigates. Kept for later when no viewer has joined yet.
 */
export function navigateFrom(live: LiveInstance, intent: NavIntent): void {
  // mount() and a fresh page's handleParams run before the join's viewer is there
  if (!live.viewers.size) return keepIntent(live.component, intent);
  const body = intentBody(live, intent);
  for (const v of live.viewers) v.send(navFrame(v.id, body));
}

/** An intent's `nav` frame body; a patch to a URL of this page queues its `handleParams` (once, whoever views it). */
function intentBody(live: LiveInstance, intent: NavIntent): Record<string, unknown> {
  const page = pages.get(live);
  let kind = intent.kind;
  let url = intent.url;
  if (kind === "patch" && url !== undefined) {
    const to = page ? safeMatch(live, new URL(url, page.url).href) : undefined;
    if (page && to && to.route.component === live.name) {
      url = to.url;
      const cls = live.component.constructor as ComponentClass;
      live.act(async () => applyParams(live, page, to, await checkedParams(cls, to)), `pushPatch("${url}")`);
    } else kind = "navigate";
  }
  const body: Record<string, unknown> = {};
  if (url !== undefined) Object.assign(body, { [M.url]: url, [M.kind]: kind }, intent.replace && { [M.replace]: true });
  if (intent.flash) body[M.flash] = intent.flash;
  return body;
}

function safeMatch(live: LiveInstance, url: string): RouteMatch | undefined {
  try {
    return routesOf(live.env.ctx).match(url);
  } catch (err) {
    live.env.ctx.log(`component "${live.name}": pushPatch to a bad URL`, err);
    return undefined;
  }
}

/** `{t:"nav", id, …}`: a URL to go to (`url`, `kind`, `replace`), a flash, a title. */
export function navFrame(id: string, body: Record<string, unknown>): string {
  return JSON.stringify({ [M.type]: T.nav, [M.id]: id, ...body });
}

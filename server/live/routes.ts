/**
 * Live pages mapped to paths (`createHotline({ routes })`, docs/navigation.md): which route a URL
 * is, and the raw params it carries (path segments and the query string). The params are checked
 * by the page component's `clientParams` schema before anything sees them (server/live/navigation.ts).
 */
import { HotlineError } from "../core/errors.js";
import type { HotlineUser } from "../core/context.js";

/** What a page's layout is given besides its body. */
export interface PageInfo {
  /** The page's title (the component's `pageTitle()`, else the route's `title`), not escaped. */
  title: string;
  /** The page's URL, path and query (`/orders?status=paid`). */
  url: string;
  /**
   * Markup for `<head>`: the client's script tag (and the dev overlay's in development mode).
   * A layout must include it, or the page stays static.
   */
  head: string;
  /**
   * The flash container, `<div hl-flash>…</div>`, holding the flashes the page set while it
   * started. Put it outside `body`: flashes sent later land in it and survive a live navigate.
   */
  flash: string;
  /** The HTTP status (200, or 400/403/404/500 for an error page). */
  status: number;
  /** Who asked (what the app's `authenticate()` resolved from the request), `null` for anonymous or when unknown. */
  user: HotlineUser | null;
}

/**
 * Wraps a page's body in a document. `body` is the page slot (`<div hl-page>…</div>`: the page
 * component's embedded root, which a live navigate swaps); `page.head` and `page.flash` must be
 * placed in the document too. Escape what you interpolate (`page.title` is raw text).
 *
 * @example
 * const layout: Layout = (body, page) => `<!doctype html><html><head><title>${escapeHtml(page.title)}</title>
 * ${page.head}</head><body><nav><a href="/orders" hl-navigate>Orders</a></nav>${page.flash}${body}</body></html>`;
 */
export type Layout = (body: string, page: PageInfo) => string;

/**
 * A live page: a GET of `path` renders `component` server-side as a full HTML document (it works
 * without JavaScript), which the browser client then joins without a second mount; `hl-navigate`
 * links and `pushNavigate()` reach it over the page's WebSocket.
 *
 * @example
 * createHotline({
 *   routes: [
 *     { path: "/orders", component: "orders", title: "Orders" },
 *     { path: "/orders/:id", component: "order", title: (p) => `Order ${p.id}` },
 *   ],
 * });
 */
export interface Route {
  /**
   * The path pattern: literal segments and `:name` segments (one segment each, URL-decoded into
   * the param `name`). Query parameters are params too (a repeated key gives an array); a path
   * param wins over a query parameter of the same name. No trailing slash, no wildcards.
   */
  path: string;
  /** The registered name of the page component. Its `static clientParams` schema checks every URL param. */
  component: string;
  /** `document.title` of the page, or a function of its (checked) params. A component's `pageTitle()` wins. */
  title?: string | ((params: Readonly<Record<string, unknown>>) => string);
  /** This page's layout; default: the app's (`createHotline({ layout })`), else a minimal document. */
  layout?: Layout;
}

/** A URL that is one of the routes, with its raw params (strings, or arrays of strings from repeated query keys). */
export interface RouteMatch {
  route: Route;
  params: Record<string, string | string[]>;
  /** the path and query, normalised (`/orders?status=paid`) */
  url: string;
}

/** Longest URL a route takes (a join's `url`, a page request's path and query). */
export const MAX_URL_LENGTH = 2048;

interface Compiled {
  route: Route;
  /** per segment: a literal, or `null` with the param name in `names` at the same index */
  parts: (string | null)[];
  names: (string | undefined)[];
}

/** The routes of an app, compiled once: `match(url)` per request and per navigate. */
export class Routes {
  readonly #compiled: Compiled[];
  /** The routes as given. */
  readonly list: readonly Route[];

  constructor(routes: readonly Route[] = []) {
    this.list = routes;
    this.#compiled = routes.map(compile);
  }

  /**
   * The route a URL (path and query, or a URL object) is, with its raw params; `undefined` for
   * none. A URL whose encoding is broken, or longer than {@link MAX_URL_LENGTH}, is `bad_message`.
   */
  match(url: string | URL): RouteMatch | undefined {
    const u = typeof url === "string" ? parseUrl(url) : url;
    const segments = u.pathname.split("/").slice(1);
    for (const c of this.#compiled) {
      if (c.parts.length !== segments.length) continue;
      const params: Record<string, string | string[]> = {};
      let ok = true;
      for (let i = 0; i < segments.length && ok; i++) {
        const lit = c.parts[i];
        if (lit !== null) ok = lit === segments[i];
        else if (!segments[i]) ok = false;
        else params[c.names[i]!] = decode(segments[i]!);
      }
      if (!ok) continue;
      const query: Record<string, string | string[]> = {};
      for (const [k, v] of u.searchParams) {
        const had = query[k];
        query[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
      }
      return { route: c.route, params: { ...query, ...params }, url: u.pathname + u.search };
    }
    return undefined;
  }
}

/** A path and query (or a full URL of any origin) as a URL object; `bad_message` when too long or not a path. */
export function parseUrl(url: string): URL {
  if (typeof url !== "string" || url.length > MAX_URL_LENGTH) throw new HotlineError("bad_message", `a page URL is a string of at most ${MAX_URL_LENGTH} characters`);
  try {
    return new URL(url, "http://page.invalid");
  } catch {
    throw new HotlineError("bad_message", "not a valid page URL");
  }
}

function decode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new HotlineError("bad_message", "a path segment of this URL is not valid percent-encoding");
  }
}

function compile(route: Route): Compiled {
  const { path } = route;
  if (typeof path !== "string" || !path.startsWith("/") || (path.length > 1 && path.endsWith("/")) || /[?#*]/.test(path)) {
    throw new TypeError(`hotline: route path "${path}" must start with "/", have no trailing slash, no "?", "#" or "*"`);
  }
  if (typeof route.component !== "string" || !route.component) throw new TypeError(`hotline: route "${path}" needs a component name`);
  const parts: (string | null)[] = [];
  const names: (string | undefined)[] = [];
  for (const seg of path.split("/").slice(1)) {
    const named = seg.startsWith(":");
    if (named && !/^:[A-Za-z_$][\w$]*$/.test(seg)) throw new TypeError(`hotline: route "${path}": "${seg}" is not a param name`);
    parts.push(named ? null : seg);
    names.push(named ? seg.slice(1) : undefined);
  }
  return { route, parts, names };
}

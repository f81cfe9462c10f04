/**
 * Page requests of an app's routes (`createHotline({ routes })`, docs/navigation.md): a GET of a
 * route's path answers a full HTML document, the page component's first render embedded for the
 * browser client to join. A URL param the component's schema refuses gets a 400 page that says
 * why; a refusal by a mount hook that names a place to go, a redirect.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { HttpStatus } from "../../../protocol/codes.js";
import { Attr, Classes } from "../../../protocol/attributes.js";
import { HotlineError, toHotlineError } from "../../core/errors.js";
import { escapeHtml } from "../../core/template/escape.js";
import type { HotlineUser } from "../../core/context.js";
import type { AppContext, HttpHandler } from "../../live/context.js";
import { routesOf, startPage } from "../../live/navigation.js";
import type { Layout, PageInfo } from "../../live/routes.js";
import { devScriptTag } from "../../dev/mode.js";

/**
 * The document a page gets without a layout of its own or of the app: a title, the client's
 * script, the flash container, the page slot.
 */
export const defaultLayout: Layout = (body, page) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">` +
  `<title>${escapeHtml(page.title)}</title>${page.head}</head><body>${page.flash}${body}</body></html>`;

/** The flash container with `flashes` in it (the client clears them after a few seconds). */
export function flashMarkup(flashes: readonly (readonly [string, string])[]): string {
  const items = flashes.map(([kind, text]) => `<p class="${Classes.flashPrefix}${escapeHtml(kind)}" role="status">${escapeHtml(text)}</p>`).join("");
  return `<div ${Attr.flash} aria-live="polite">${items}</div>`;
}

/** A node handler for the app's route pages: true when it answered (a GET or HEAD of a route's URL). */
export function createPageHandler(ctx: AppContext, layout: Layout = defaultLayout): HttpHandler {
  const head = () => `<script src="${escapeHtml(ctx.options.clientPath)}" defer></script>` + (ctx.options.dev ? devScriptTag(ctx.options.clientPath) : "");
  return async (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const routes = routesOf(ctx);
    if (!routes.list.length) return false;
    const raw = req.url ?? "/";
    let match;
    try {
      match = routes.match(raw);
    } catch (err) {
      sendPage(res, req, errorPage(ctx, err, raw, layout, head()));
      return true;
    }
    if (!match) return false;
    const own = match.route.layout ?? layout;
    let user: HotlineUser | null = null;
    try {
      user = ctx.authenticate ? ((await ctx.authenticate(req)) ?? null) : null;
      const page = await startPage(ctx, match, user);
      if ("redirect" in page) return redirect(res, page.redirect), true;
      const info: PageInfo = { title: page.title, url: match.url, head: head(), flash: flashMarkup(page.flashes), status: 200, user };
      sendPage(res, req, { status: 200, html: own(`<div ${Attr.page}>${page.markup}</div>`, info) });
    } catch (err) {
      const to = (err as HotlineError).details as { redirect?: unknown } | undefined;
      if (err instanceof HotlineError && err.code === "unauthorized" && typeof to?.redirect === "string") return redirect(res, to.redirect), true;
      sendPage(res, req, errorPage(ctx, err, match.url, own, head(), user));
    }
    return true;
  };
}

/** An error as a page: the client's fault with its (safe) message and status, anything else a logged 500. */
function errorPage(ctx: AppContext, err: unknown, url: string, layout: Layout, head: string, user: HotlineUser | null = null): { status: number; html: string } {
  const e = toHotlineError(err, "a page");
  if (e.fault !== "client") ctx.log(`page ${url.slice(0, 200)} failed`, e.cause ?? e);
  const status = e.fault === "client" ? HttpStatus[e.code] : 500;
  const message = e.fault === "client" ? e.message : "Something went wrong on our side.";
  const title = status === 404 ? "Not found" : status === 400 ? "Bad request" : status === 403 ? "Forbidden" : "Error";
  const body = `<main class="${Classes.errorPage}"><h1>${title}</h1><p>${escapeHtml(message)}</p></main>`;
  let html: string;
  try {
    html = layout(body, { title, url, head, flash: flashMarkup([]), status, user });
  } catch (layoutErr) {
    ctx.log("a page layout failed", layoutErr);
    html = defaultLayout(body, { title, url, head: "", flash: "", status, user });
  }
  return { status, html };
}

function sendPage(res: ServerResponse, req: IncomingMessage, page: { status: number; html: string }): void {
  if (res.headersSent) return void res.destroy();
  res.writeHead(page.status, {
    "content-type": "text/html; charset=utf-8",
    "content-length": String(Buffer.byteLength(page.html)),
    // a page embeds a state token: never from a shared cache
    "cache-control": "no-store",
    "x-content-type-options": "nosniff",
  });
  res.end(req.method === "HEAD" ? undefined : page.html);
}

function redirect(res: ServerResponse, to: string): void {
  res.writeHead(302, { location: to, "cache-control": "no-store", "content-length": "0" }).end();
}

/**
 * Live pages in `hotline/testing` (docs/navigation.md; docs/testing.md, "Live pages"): a view
 * started from a URL the way a browser tab loads it (the page request: the route's params checked,
 * `mount()` and `handleParams()`, the title; then the tab's join from the page's token, with the
 * URL), and what the component asked of the page, kept from the `nav` frames the view receives.
 */
import type { Hotline } from "../hotline.js";
import type { HotlineUser } from "../core/context.js";
import { HotlineError } from "../core/errors.js";
import { patchUrl, routesOf, startPage } from "../live/navigation.js";
import type { LiveInstance, Viewer } from "../live/instance.js";
import { M } from "../../protocol/wire.js";
import { LiveTestError } from "./errors.js";

/**
 * What the component asked of the page: a new URL of the same page (`pushPatch`), another live
 * page (`pushNavigate`, or a `pushPatch` to another page's URL), a full page load (`redirect`).
 */
export interface ViewNavigation {
  kind: "patch" | "navigate" | "redirect";
  /** the URL as the server sent it (a patch's normalised: path and query) */
  url: string;
  /** `{ replace: true }`: the current history entry is replaced instead of a new one added */
  replace?: boolean;
}

/** A flash the component set (`this.flash(kind, text)`), once. */
export interface ViewFlash {
  kind: string;
  text: string;
}

/** @internal A view's page: its URL, title, flashes and navigations, as its `nav` frames left them. */
export class PageRecord {
  /** the page's URL (path and query); undefined for a view that is no page */
  url: string | undefined;
  title: string | undefined;
  readonly flashes: ViewFlash[] = [];
  readonly navigations: ViewNavigation[] = [];
  #waits: Promise<unknown>[] = [];

  /**
   * A `nav` frame, applied as the browser client applies it (client/nav.ts): the title, a flash,
   * a URL. A patch is the page's new URL at once; its `handleParams` is queued on the instance
   * (`drained` waits for it, so that the action that asked for it resolves after it).
   */
  receive(f: Record<string, unknown>, drained: (() => Promise<unknown>) | undefined): void {
    if (typeof f[M.title] === "string") this.title = f[M.title] as string;
    const flash = f[M.flash];
    if (Array.isArray(flash)) this.flashes.push({ kind: String(flash[0]), text: String(flash[1]) });
    const url = f[M.url];
    if (typeof url !== "string") return;
    const k = f[M.kind];
    const kind: ViewNavigation["kind"] = k === "patch" || k === "redirect" ? k : "navigate";
    this.navigations.push({ kind, url, ...(f[M.replace] === true && { replace: true }) });
    if (kind === "patch") {
      this.url = url;
      if (drained) this.#waits.push(drained());
    }
  }

  /** The URL of the last navigation of `kind`. */
  last(kind: ViewNavigation["kind"]): string | undefined {
    for (let i = this.navigations.length - 1; i >= 0; i--) if (this.navigations[i]!.kind === kind) return this.navigations[i]!.url;
    return undefined;
  }

  /** Resolves once the `handleParams` of every patch received so far has run. */
  async settled(): Promise<void> {
    while (this.#waits.length) await Promise.all(this.#waits.splice(0));
  }
}

/** A page request's outcome: where it redirected (a `302`), or the page's token, URL, title and flashes. */
export type PageStart =
  | { name: string; redirect: string }
  | { name: string; state: string; url: string; title: string; flashes: ViewFlash[] };

/**
 * The route of `url` in `app` (its component's name). `expected`: the component the test named,
 * which must be the route's. Refusals are LiveTestErrors: `unknown_component` for a URL that is no
 * live page, `bad_message` for a broken URL or another component's page.
 */
export function pageRoute(app: Hotline, url: string, expected: string | undefined): { name: string } {
  const routes = routesOf(app.context);
  let match;
  try {
    match = routes.match(url);
  } catch (err) {
    throw refusal(`live("${url}")`, err);
  }
  if (!match) {
    const paths = routes.list.map((r) => r.path).join(", ");
    throw new LiveTestError("unknown_component", `live("${url}"): no live page at this URL (the app's routes: ${paths || "none: give createTestApp({ routes })"})`);
  }
  const name = match.route.component;
  if (expected !== undefined && expected !== name) {
    throw new LiveTestError("bad_message", `live(${expected}, { url: "${url}" }): this URL is the page of "${name}" (route ${match.route.path}), not of "${expected}"`);
  }
  return { name };
}

/**
 * The page request of `url` (what `hotline.handler` does for a GET of it): the component mounts
 * with the URL's params checked by its schema, `handleParams` runs, the page's title and flashes
 * are computed and its first render embedded with a signed token. A navigation asked meanwhile
 * answers `302` instead. Throws the server's HotlineErrors (`bad_message` for a refused param).
 */
export async function requestPage(app: Hotline, url: string, user: HotlineUser | null, tokenOf: (markup: string) => string): Promise<PageStart> {
  const match = routesOf(app.context).match(url)!;
  const name = match.route.component;
  const page = await startPage(app.context, match, user);
  if ("redirect" in page) return { name, redirect: page.redirect };
  return { name, state: tokenOf(page.markup), url: match.url, title: page.title, flashes: page.flashes.map(([kind, text]) => ({ kind, text })) };
}

/** A server's refusal (a HotlineError) as the LiveTestError a test asserts on; anything else as it is. */
export function refusal(what: string, err: unknown): unknown {
  if (!(err instanceof HotlineError)) return err;
  return new LiveTestError(err.code, `${what}: ${err.code}: ${err.message}`, {
    ...(err.details !== undefined && { details: err.details as Record<string, unknown> }),
    ...(err.cause !== undefined && { cause: err.cause }),
  });
}

/**
 * A view's `patch(url)` after its `url` message's checks: the page's URL changes first (the client
 * changes it, then tells the server: client/nav.ts), `patchUrl` checks the URL and queues
 * `handleParams`, which has run when this resolves. Returns the undo of the URL change, for a
 * refusal answered on `ref`. A refusal thrown by `patchUrl` rejects (a LiveTestError).
 */
export async function patchPage(app: Hotline, page: PageRecord, live: LiveInstance, viewer: Viewer, ref: number, url: string, what: string): Promise<() => void> {
  const before = page.url;
  let to: string | undefined;
  try {
    to = routesOf(app.context).match(url)?.url;
  } catch {
    // patchUrl refuses it, in the server's words
  }
  if (before !== undefined && to !== undefined) page.url = to;
  const undo = () => {
    if (page.url === to) page.url = before;
  };
  try {
    await patchUrl(live, viewer, ref, url);
  } catch (err) {
    undo();
    throw refusal(what, err);
  }
  await live.drained();
  await page.settled();
  return undo;
}

import type { IncomingMessage } from "node:http";
import type { HotlineUser } from "hotline";
import "../components/user.js"; // HotlineUser: { id, name }

/**
 * One page of the demo app. demo/pages/index.ts lists them; the index page links to all of them.
 *
 * A live page names its `component`: the demo serves it as a route of the app
 * (`createHotline({ routes })`), the component renders the whole page, and the pages' links
 * (`hl-navigate`) switch between live pages over one WebSocket. Other pages (no component) are
 * plain documents around `body`.
 */
export interface DemoPage {
  path: string;
  title: string;
  /** One sentence for the index page. */
  blurb: string;
  /** A live page: the registered component that renders it (a route of the app). */
  component?: string;
  /**
   * The page's main content (HTML). `live` embeds a component (see `Hotline.live`). A live page's
   * body embeds its component, for a server without routes (the tests' page servers).
   */
  body(ctx: PageContext): Promise<string> | string;
  /** Extra tags for <head> (scripts, styles), e.g. htmx for the htmx page. */
  head?: string;
  /** false for pages that must not load the Hotline client (the plain-htmx page). Default true. */
  client?: boolean;
}

/** What a page gets to build its body. */
export interface PageContext {
  req: IncomingMessage;
  /** Who is signed in (the demo serves pages to signed-in users only; absent where a server has no sign-in). */
  user?: HotlineUser;
  /**
   * Embeds a live component for this user: its first render, wrapped with the markup the client
   * joins from. `params` are signed into the embed's token (the client cannot change them), and
   * the token hydrates for this user only.
   */
  live(name: string, params?: Record<string, unknown>): Promise<string>;
}

import type { IncomingMessage } from "node:http";

/**
 * One page of the demo app. demo/pages/index.ts lists them; the demo server serves each at `path`
 * inside the shared layout (demo/layout.ts), and the index page links to all of them.
 */
export interface DemoPage {
  path: string;
  title: string;
  /** One sentence for the index page. */
  blurb: string;
  /** The page's main content (HTML). `live` embeds a component (see `Hotline.live`). */
  body(ctx: PageContext): Promise<string> | string;
  /** Extra tags for <head> (scripts, styles), e.g. htmx for the htmx page. */
  head?: string;
  /** false for pages that must not load the Hotline client (the plain-htmx page). Default true. */
  client?: boolean;
}

/** What a page gets to build its body. */
export interface PageContext {
  req: IncomingMessage;
  /** Embeds a live component: its first render, wrapped with the markup the client joins from. */
  live(name: string, params?: Record<string, unknown>): Promise<string>;
}

import { escapeHtml, type HotlineUser } from "hotline";
import "../components/user.js"; // HotlineUser: { id, name }
import { SIGN_OUT_PATH } from "./auth.js";
import type { DemoPage } from "./page.js";

/** The links in the header: every page but the index. */
export interface NavLink {
  path: string;
  title: string;
  /** A live page: the link navigates over the page's WebSocket (`hl-navigate`). */
  live?: boolean;
}

/** What a live page's document gets from Hotline (its `PageInfo`): the client's tags, the flash container. */
export interface LiveParts {
  head: string;
  flash: string;
  /** 200, or the status of Hotline's error page (which brings its own `<main>`). */
  status?: number;
}

// On a narrow screen the links scroll sideways: bring the current one into view.
const SHOW_CURRENT = `(function(n){var a=n.querySelector("[aria-current]");if(a&&a.offsetLeft+a.offsetWidth>n.offsetLeft+n.clientWidth)n.scrollLeft=a.offsetLeft-n.offsetLeft-16})(document.currentScript.previousElementSibling)`;

/**
 * Wraps a page's body in the demo's HTML document: head, header with navigation and who is signed
 * in (with a sign-out button), main, footer. Loads the Hotline client unless the page says
 * `client: false`. For a live page (a route of the app) `live` holds what Hotline gives its layout:
 * the client's tags, and the flash container (outside the page slot, so that a flash survives a
 * live navigate); the demo's own script (demo/browser.ts) follows the client there.
 *
 * @example
 * layout(counterPage, await counterPage.body(ctx), pages, { id: "ada", name: "Ada" });
 */
export function layout(page: Pick<DemoPage, "path" | "title" | "head" | "client">, body: string, nav: NavLink[], user: HotlineUser | null = null, live?: LiveParts): string {
  const links = nav
    .map((p) => `<a href="${escapeHtml(p.path)}"${p.live ? " hl-navigate" : ""}${p.path === page.path ? ' aria-current="page"' : ""}>${escapeHtml(p.title)}</a>`)
    .join("");
  const scripts = live ? `${live.head}\n<script src="/demo.js" defer></script>` : page.client === false ? "" : '<script src="/hotline.js" defer></script>';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(live ? page.title : `${page.title} · Hotline`)}</title>
<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Ccircle cx='8' cy='8' r='6' fill='%23e5484d'/%3E%3C/svg%3E">
<link rel="stylesheet" href="/style.css">
${scripts}
${page.head ?? ""}
</head>
<body>
<header class="site-header">
  <div class="wrap header-row">
    <a class="brand" href="/"${live ? " hl-navigate" : ""}><span class="brand-mark" aria-hidden="true">●</span> Hotline</a>
    ${user ? `<form class="who" method="post" action="${SIGN_OUT_PATH}"><span class="muted who-label">Signed in as</span> <strong class="who-name">${escapeHtml(user.name)}</strong> <button class="btn small" type="submit">Sign out</button></form>` : ""}
    <nav class="nav" aria-label="Demos">${links}</nav>
    <script>${SHOW_CURRENT}</script>
  </div>
</header>
${live?.status && live.status !== 200 ? '<div class="wrap">' : '<main class="wrap">'}
${live?.flash ?? ""}
${body}
${live?.status && live.status !== 200 ? "</div>" : "</main>"}
<footer class="wrap site-footer muted">Server-driven, realtime UI: components live on the server; the browser gets only what changed.</footer>
</body>
</html>`;
}

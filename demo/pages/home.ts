import { escapeHtml } from "hotline";
import type { DemoPage } from "../page.js";

/** The index: a card per demo page. Gets the list from demo/pages/index.ts. */
export function homePage(pages: readonly DemoPage[]): DemoPage {
  return {
    path: "/",
    title: "Demos",
    blurb: "Every demo of this app.",
    client: false,
    body: () => `<section class="hero">
  <h1>Hotline demos</h1>
  <p class="lead">Components that live on the server, handle the browser's events and push only what changed.
  Open a demo in two windows side by side to see the realtime ones at work.</p>
</section>
<div class="grid">
${pages
  .map((p) => `<a class="card card-link" href="${escapeHtml(p.path)}">
  <h2>${escapeHtml(p.title)}</h2>
  <p>${escapeHtml(p.blurb)}</p>
  <span class="card-cta">Open →</span>
</a>`)
  .join("\n")}
</div>`,
  };
}

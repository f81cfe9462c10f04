import { Component, escapeHtml, html, raw, register } from "hotline";
import type { DemoPage } from "../page.js";
import { pages } from "./index.js";

/**
 * The index: a card per demo page (demo/pages/index.ts). A live page itself, so that its cards
 * reach the live pages over the same WebSocket (`hl-navigate`).
 */
@register("home_page")
export class HomePage extends Component {
  static readonly html = `<section class="hero">
  <h1>Hotline demos</h1>
  <p class="lead">Components that live on the server, handle the browser's events and push only what changed.
  Open a demo in two windows side by side to see the realtime ones at work.</p>
</section>
<div class="grid">
${pages
  .map((p) => `<a class="card card-link" href="${escapeHtml(p.path)}"${p.component ? " hl-navigate" : ""}>
  <h2>${escapeHtml(p.title)}</h2>
  <p>${escapeHtml(p.blurb)}</p>
  <span class="card-cta">Open →</span>
</a>`)
  .join("\n")}
</div>`;

  render() {
    return html`${raw(HomePage.html)}`;
  }
}

/** The index page. */
export const homePage: DemoPage = {
  path: "/",
  title: "Demos",
  blurb: "Every demo of this app.",
  component: "home_page",
  body: ({ live }) => live("home_page"),
};

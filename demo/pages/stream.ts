import { Component, html, register } from "hotline";
import "../../components/rag-query.js";
import type { DemoPage } from "../page.js";

/**
 * The streaming page's second half: a form that reads `rag_query` over Server-Sent Events, in the
 * browser (the `SseForm` hook, demo/browser.ts). A component of its own whose render never
 * changes, so that no patch of the page ever touches the frames the hook writes into it.
 */
@register("sse_panel")
export class SsePanel extends Component {
  render() {
    return html`<div class="sse-panel">
  <form class="row sse-form" hl-hook="SseForm">
    <input class="input" name="query" required maxlength="200" value="how does the state token travel over htmx" aria-label="Question">
    <button class="btn">Stream over SSE</button>
  </form>
  <ol class="muted sse-frames"></ol>
  <div class="sse-view"></div>
</div>`;
  }
}

/** The streaming page: `rag_query` live over the WebSocket, and the same over SSE, each a child. */
@register("stream_page")
export class StreamPage extends Component {
  render() {
    return html`<h1>Streaming handlers</h1>
<p class="lead"><code>rag_query</code> searches this project's own documentation with BM25. Its handler is an
async generator: each <code>yield</code> renders the component and sends it, so you see it retrieve, rank and
answer.</p>
<section class="card">
<h2>Over the WebSocket</h2>
<p class="muted">The Hotline client sends one <code>event</code>; the server answers with one patch per stage, the last with <code>done: true</code>.</p>
${this.child("rag_query")}
</section>
<section class="card">
<h2>Over HTTP with Server-Sent Events</h2>
<p class="muted"><code>POST /components/rag_query/stream</code> answers <code>text/event-stream</code>: one
<code>data: {"html", "state"}</code> frame per stage, the last with <code>"stream_done": true</code>.</p>
${this.child("sse_panel")}
</section>`;
  }
}

/** A streaming handler: the rag_query component live over the WebSocket, and the same over SSE. */
export const streamPage: DemoPage = {
  path: "/stream",
  title: "Streaming",
  blurb: "A retrieval over these docs that renders once per stage: patches over the WebSocket, frames over Server-Sent Events.",
  component: "stream_page",
  body: ({ live }) => live("stream_page"),
};

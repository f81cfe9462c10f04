import "../../components/rag-query.js";
import type { DemoPage } from "../page.js";

// The SSE reader of the page's second half: fetch + ReadableStream, so the frames are visible one by one.
const SSE_SCRIPT = `
const form = document.getElementById("sse-form");
const log = document.getElementById("sse-frames");
const view = document.getElementById("sse-view");
form.addEventListener("submit", async (e) => {
  e.preventDefault();
  log.replaceChildren();
  const query = new FormData(form).get("query");
  const t0 = performance.now();
  const note = (text, cls) => { const li = document.createElement("li"); li.textContent = text; if (cls) li.className = cls; log.append(li); };
  const res = await fetch("/components/rag_query/stream", {
    method: "POST", headers: { "content-type": "application/json" },
    // form: false: this half has its own form above, so the component renders without one
    body: JSON.stringify({ event: "analyze", params: { form: false }, payload: { query } }),
  });
  if (!res.ok) {
    const body = await res.json().catch(() => ({}));
    return note("HTTP " + res.status + ": " + (body.error ? body.error.message : "error"), "error");
  }
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "", n = 0;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buf += value;
    let end;
    while ((end = buf.indexOf("\\n\\n")) >= 0) {
      const raw = buf.slice(0, end); buf = buf.slice(end + 2);
      let event = "message", data = "";
      for (const line of raw.split("\\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trim();
      }
      const frame = JSON.parse(data);
      const ms = Math.round(performance.now() - t0);
      if (event === "error") { note(ms + " ms: error " + frame.code + ": " + frame.message, "error"); continue; }
      const stage = (/data-stage="([a-z]+)"/.exec(frame.html) || [])[1];
      note(ms + " ms: frame " + (++n) + ", stage " + stage + ", " + frame.html.length + " bytes of HTML" + (frame.stream_done ? ", stream_done" : ""));
      view.innerHTML = frame.html; // the server's render, escaped by the server
    }
  }
});`;

/** A streaming handler: the rag_query component live over the WebSocket, and the same over SSE. */
export const streamPage: DemoPage = {
  path: "/stream",
  title: "Streaming",
  blurb: "A retrieval over these docs that renders once per stage: patches over the WebSocket, frames over Server-Sent Events.",
  body: async ({ live }) => `<h1>Streaming handlers</h1>
<p class="lead"><code>rag_query</code> searches this project's own documentation with BM25. Its handler is an
async generator: each <code>yield</code> renders the component and sends it, so you see it retrieve, rank and
answer.</p>
<section class="card">
<h2>Over the WebSocket</h2>
<p class="muted">The Hotline client sends one <code>event</code>; the server answers with one patch per stage, the last with <code>done: true</code>.</p>
${await live("rag_query")}
</section>
<section class="card">
<h2>Over HTTP with Server-Sent Events</h2>
<p class="muted"><code>POST /components/rag_query/stream</code> answers <code>text/event-stream</code>: one
<code>data: {"html", "state"}</code> frame per stage, the last with <code>"stream_done": true</code>.</p>
<form id="sse-form" class="row">
  <input class="input" name="query" required maxlength="200" value="how does the state token travel over htmx" aria-label="Question">
  <button class="btn">Stream over SSE</button>
</form>
<ol id="sse-frames" class="muted sse-frames"></ol>
<div id="sse-view"></div>
</section>
<script type="module">${SSE_SCRIPT}</script>`,
};

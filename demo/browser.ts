/**
 * The demo's own browser script, served at /demo.js after the Hotline client on every live page.
 * The demo is one live app: a page reached by `hl-navigate` arrives as a patch of the page slot,
 * whose `<script>` tags never run, so everything a page needs in the browser is here, as hooks
 * (`hl-hook`) that run whenever their element appears:
 *
 * - `BoardForm` clears the board's form once the item is added. The board is shared, so its
 *   "board:added" push reaches every viewer: each form tags its submits with its own random id and
 *   clears only on its own.
 * - `SseForm` reads the streaming page's second half over Server-Sent Events (fetch + a
 *   ReadableStream, so the frames show one by one).
 * - The header's links follow the page: the current one is marked (`aria-current`) and scrolled
 *   into view when the page slot changes (a live navigate, back and forward).
 */
export const DEMO_SCRIPT = `(function () {
var H = window.Hotline;
if (!H) return;
H.hooks.BoardForm = {
  mounted: function () {
    var form = this.el, tag = Math.random().toString(36).slice(2, 12);
    this.tag = tag;
    form.addEventListener("submit", function () { form.elements.client.value = tag; }, true);
  },
  handleEvent: function (event, payload) {
    if (event === "board:added" && payload && payload.client === this.tag) this.el.reset();
  }
};
H.hooks.SseForm = {
  mounted: function () {
    var form = this.el, box = form.closest("section") || document;
    var log = box.querySelector(".sse-frames"), view = box.querySelector(".sse-view");
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      stream(form, log, view);
    });
  }
};
function note(log, text, cls) {
  var li = document.createElement("li");
  li.textContent = text;
  if (cls) li.className = cls;
  log.append(li);
}
async function stream(form, log, view) {
  log.replaceChildren();
  var query = new FormData(form).get("query");
  var t0 = performance.now();
  // form: false: this half has its own form, so the component renders without one
  var res = await fetch("/components/rag_query/stream", {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ event: "analyze", params: { form: false }, payload: { query: query } })
  });
  if (!res.ok) {
    var body = await res.json().catch(function () { return {}; });
    return note(log, "HTTP " + res.status + ": " + (body.error ? body.error.message : "error"), "error");
  }
  var reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  var buf = "", n = 0;
  for (;;) {
    var next = await reader.read();
    if (next.done) break;
    buf += next.value;
    var end;
    while ((end = buf.indexOf("\\n\\n")) >= 0) {
      var raw = buf.slice(0, end), event = "message", data = "";
      buf = buf.slice(end + 2);
      raw.split("\\n").forEach(function (line) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data += line.slice(5).trim();
      });
      var frame = JSON.parse(data), ms = Math.round(performance.now() - t0);
      if (event === "error") { note(log, ms + " ms: error " + frame.code + ": " + frame.message, "error"); continue; }
      var stage = (/data-stage="([a-z]+)"/.exec(frame.html) || [])[1];
      note(log, ms + " ms: frame " + (++n) + ", stage " + stage + ", " + frame.html.length + " bytes of HTML" + (frame.stream_done ? ", stream_done" : ""));
      view.innerHTML = frame.html; // the server's render, escaped by the server
    }
  }
}
function markNav() {
  var nav = document.querySelector(".site-header .nav");
  if (!nav) return;
  var here = location.pathname, current = null;
  nav.querySelectorAll("a").forEach(function (a) {
    var on = a.getAttribute("href") === here;
    if (on) { a.setAttribute("aria-current", "page"); current = a; } else a.removeAttribute("aria-current");
  });
  if (!current) return;
  var x = current.offsetLeft - nav.offsetLeft;
  if (x < nav.scrollLeft || x + current.offsetWidth > nav.scrollLeft + nav.clientWidth) nav.scrollLeft = x - 16;
}
var slot = document.querySelector("[hl-page]");
if (slot) new MutationObserver(markNav).observe(slot, { childList: true });
addEventListener("popstate", function () { setTimeout(markNav); });
})();`;

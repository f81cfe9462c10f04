import type { DemoPage } from "../page.js";

/**
 * The counter over plain HTTP with htmx and no Hotline client: each click is one POST to
 * /components/counter, and the answer is the counter's HTML carrying the next state token.
 */
export const htmxPage: DemoPage = {
  path: "/htmx",
  title: "htmx",
  blurb: "The same counter over plain HTTP with htmx: no Hotline client, no WebSocket; the state token rides in the markup.",
  client: false,
  head: '<script src="/vendor/htmx.min.js" defer></script>',
  body: () => `<h1>Counter over htmx</h1>
<p class="lead">This page loads htmx and nothing else. The counter below is the same component as on the
<a href="/counter">counter page</a>; here every click is a <code>POST /components/counter</code> with the
<code>HX-Request</code> header, answered with HTML.</p>
<section class="card">
  <div id="htmx-counter" hx-post="/components/counter" hx-trigger="load" hx-swap="outerHTML">
    <p class="muted">Loading the counter…</p>
    <noscript>This page needs JavaScript for htmx.</noscript>
  </div>
</section>
<h2>How it works</h2>
<p>The server wraps the component's HTML in an element that carries its signed state token in a hidden input
and the htmx attributes that every button inside inherits; the component's own <code>hl-click</code>
bindings are translated to <code>hx-post</code> + <code>hx-vals</code>:</p>
<pre><code>&lt;div id="hl-counter-…" hx-target="this" hx-swap="outerHTML" hx-include="this"&gt;
  &lt;input type="hidden" name="state" value="v1.…"&gt;
  &lt;button hl-click="increment" hx-post="/components/counter" hx-trigger="click"
          hx-vals='{"event":"increment"}'&gt;Increment&lt;/button&gt;
&lt;/div&gt;</code></pre>
<p class="muted">Nothing is kept on the server between clicks: the state travels in the token, which the server signs,
so it cannot be forged.</p>`,
};

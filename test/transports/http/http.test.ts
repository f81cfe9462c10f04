// The HTTP transport's parts: the htmx translation of hl-* bindings, the failure limiter, the
// CSRF origin rules, and bodies that a host framework parsed before us.
import type { AddressInfo } from "node:net";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import express from "express";
import { hotlineExpress } from "../../../server/express.js";
import { createHotline } from "../../../server/hotline.js";
import { FailureLimiter } from "../../../server/transports/http/failure-limit.js";
import { htmxFields, htmxWrap, translateBindings } from "../../../server/transports/http/htmx.js";
import { originAllowed } from "../../../server/transports/http/origin.js";
import { testRegistry } from "../../support/http-components.js";
import type { IncomingMessage } from "node:http";

const htmx = suite("htmx markup");

htmx("hl-click becomes hx-post + hx-trigger + hx-vals with hl-value-* fields", () => {
  const out = translateBindings(`<button hl-click="add" hl-value-id="7" class="b">+</button>`, "/components/cart");
  assert.is(
    out,
    `<button hl-click="add" hl-value-id="7" class="b" hx-post="/components/cart" hx-trigger="click" hx-vals="{&quot;id&quot;:&quot;7&quot;,&quot;event&quot;:&quot;add&quot;}">+</button>`,
  );
});

htmx("forms, inputs with debounce, keys; elements with their own hx-post are left alone", () => {
  const out = translateBindings(
    `<form hl-submit="save"><input name="q" hl-input="search" hl-debounce="400"><input hl-keyup="go" hl-key="Enter"/><input hl-keyup="x" hl-key="a'];alert(1)//"><a hx-post="/x" hl-click="y">y</a></form>`,
    "/c/f",
  );
  assert.match(out, /<form hl-submit="save" hx-post="\/c\/f" hx-trigger="submit"/);
  assert.match(out, /hl-debounce="400" hx-post="\/c\/f" hx-trigger="input changed delay:400ms"/);
  assert.match(out, /hx-trigger="keyup\[key==&#39;Enter&#39;\]" hx-vals="[^"]*"\/>/);
  assert.match(out, /hl-key="a'\];alert\(1\)\/\/" hx-post="\/c\/f" hx-trigger="keyup"/); // not a filter: plain keyup
  assert.match(out, /<a hx-post="\/x" hl-click="y">/);
});

htmx("attribute values with quotes stay escaped in hx-vals", () => {
  const out = translateBindings(`<b hl-click="go" hl-value-name="a&quot;b&lt;">x</b>`, "/c/n");
  const vals = /hx-vals="([^"]*)"/.exec(out)![1]!.replace(/&quot;/g, '"').replace(/&lt;/g, "<").replace(/&amp;/g, "&");
  assert.equal(JSON.parse(vals), { name: 'a"b<', event: "go" });
});

htmx("the wrapper carries the token in a hidden input and the inherited htmx attributes", () => {
  const out = htmxWrap("counter", "/components/counter", `<p>1</p>`, "v1.abc.def");
  assert.match(out, /^<div id="hl-counter-[0-9a-f]{8}" hl-htmx="counter" hx-target="this" hx-swap="outerHTML" hx-include="this"><input type="hidden" name="state" value="v1.abc.def"><p>1<\/p><\/div>$/);
});

htmx("htmx fields: event, state, params are ours; the rest is the payload", () => {
  assert.equal(htmxFields({ event: "e", state: "s", a: "1", b: ["2", "3"] }), { event: "e", state: "s", params: undefined, payload: { a: "1", b: ["2", "3"] } });
});
htmx.run();

const limits = suite("failure limiter");
limits("blocks after `limit` failures in the window, per client, and forgets old ones", () => {
  const l = new FailureLimiter({ limit: 3, windowMs: 1000 });
  l.fail("a", 0);
  l.fail("a", 10);
  assert.not.ok(l.blocked("a", 20));
  l.fail("a", 20);
  assert.ok(l.blocked("a", 30));
  assert.not.ok(l.blocked("b", 30));
  assert.not.ok(l.blocked("a", 1015), "the first two failures left the window");
});
limits("keeps at most maxClients entries", () => {
  const l = new FailureLimiter({ limit: 1, maxClients: 2 });
  l.fail("a");
  l.fail("b");
  l.fail("c");
  assert.not.ok(l.blocked("a"));
  assert.ok(l.blocked("c"));
});
limits.run();

const csrf = suite("CSRF origins");
const req = (headers: Record<string, string>) => ({ headers } as unknown as IncomingMessage);
csrf("default: the Host's own origin when the host is trusted; a list; a function; missing per allowMissingOrigin", () => {
  const dflt = { allowedOrigins: undefined, allowMissingOrigin: true, allowedHosts: ["app.test"] };
  // not a listed host, nor a localhost name from a loopback address: DNS rebinding looks like this
  assert.not.ok(originAllowed(req({ host: "app.test:8080", origin: "http://app.test:8080" }), { ...dflt, allowedHosts: undefined }, true));
  assert.ok(originAllowed(req({ host: "app.test:8080", origin: "http://app.test:8080" }), dflt, true));
  assert.not.ok(originAllowed(req({ host: "app.test:8080", origin: "http://evil.test:8080" }), dflt, true));
  assert.ok(originAllowed(req({ host: "app.test", referer: "https://app.test/page?x=1" }), dflt, true));
  assert.not.ok(originAllowed(req({ host: "app.test", referer: "https://evil.test/page" }), dflt, true));
  assert.not.ok(originAllowed(req({ host: "app.test", origin: "null" }), dflt, true));
  assert.ok(originAllowed(req({ host: "app.test" }), dflt, true));
  assert.not.ok(originAllowed(req({ host: "app.test" }), { ...dflt, allowMissingOrigin: false }, true));
  const list = { allowedOrigins: ["https://a.test"], allowMissingOrigin: true };
  assert.ok(originAllowed(req({ host: "x", origin: "https://a.test" }), list, true));
  assert.not.ok(originAllowed(req({ host: "a.test", origin: "http://a.test" }), list, true));
  const fn = { allowedOrigins: (o: string) => o.endsWith(".corp.test"), allowMissingOrigin: true };
  assert.ok(originAllowed(req({ host: "x", origin: "https://w.corp.test" }), fn, true));
  assert.not.ok(originAllowed(req({ host: "x", origin: "https://corp.test.evil" }), fn, true));
});
csrf.run();

const parsed = suite("bodies parsed by the host");
parsed("express.json() and express.urlencoded() in front of the router", async () => {
  const hotline = createHotline({ registry: testRegistry(), secret: "http-test-secret-0123456789", logger: { error() {} } });
  const app = express();
  app.use(express.json(), express.urlencoded({ extended: false }));
  app.use(hotlineExpress(hotline));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const a = (await (await fetch(`${base}/components/counter`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ params: { start: 2 } }) })).json()) as any;
    assert.match(a.html, /Count: 2/);
    const b = await fetch(`${base}/components/counter`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "hx-request": "true" },
      body: new URLSearchParams({ state: a.state, event: "increment", by: "3" }).toString(),
    });
    assert.is(b.status, 200);
    assert.match(await b.text(), /Count: 5/);
  } finally {
    await hotline.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
parsed.run();

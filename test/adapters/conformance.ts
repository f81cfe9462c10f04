// The HTTP/SSE/WebSocket contract every host runs (node:http, Express, Fastify): one suite,
// given a start() that serves a Hotline app with the test components and returns its base URL.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import WebSocket from "ws";
import { Tokens, type Registry } from "../../server/core/index.js";
import { readSse } from "../support/sse.js";
import { testRegistry } from "../support/http-components.js";

/** What a host under test gets: the components and the secret its Hotline must use. */
export interface HostSetup {
  registry: Registry;
  secret: string;
}

/** A running host. */
export interface RunningHost {
  /** e.g. "http://127.0.0.1:4321" */
  base: string;
  close(): Promise<void>;
}

const SECRET = "conformance-secret-0123456789abcdef";

/** Registers and runs the conformance suite for one host. */
export function conformance(label: string, start: (setup: HostSetup) => Promise<RunningHost>): void {
  const test = suite(`http conformance: ${label}`);
  let host: RunningHost;
  const url = (p: string) => host.base + p;
  const post = (p: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url(p), { method: "POST", headers: { "content-type": "application/json", ...headers }, body: typeof body === "string" ? body : JSON.stringify(body) });
  const json = async (r: Response) => (await r.json()) as any;
  const htmx = (p: string, form: Record<string, string>, extra: Record<string, string> = {}) =>
    fetch(url(p), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "hx-request": "true", origin: host.base, ...extra },
      body: new URLSearchParams(form).toString(),
    });

  test.before(async () => {
    host = await start({ registry: testRegistry(), secret: SECRET });
  });
  test.after(async () => {
    await host.close();
  });

  test("POST mount: JSON {html, state} with a signed token", async () => {
    const r = await post("/components/counter", { params: { start: 5 } });
    assert.is(r.status, 200);
    assert.match(r.headers.get("content-type")!, /^application\/json/);
    const b = await json(r);
    assert.match(b.html, /Count: 5/);
    assert.type(b.state, "string");
    assert.equal(new Tokens({ secret: SECRET }).verify("counter", b.state).state, { count: 5 });
  });

  test("POST event with the state token: hydrates (no mount) and round-trips", async () => {
    const first = await json(await post("/components/counter", { params: { start: 5 } }));
    const second = await json(await post("/components/counter", { state: first.state, event: "increment", payload: { by: 2 } }));
    assert.match(second.html, /Count: 7/);
    // params are ignored when hydrating: mount() does not run again
    const third = await json(await post("/components/counter", { state: second.state, event: "increment", params: { start: 100 } }));
    assert.match(third.html, /Count: 8/);
    // with state and no event: a re-render of the same state
    const same = await json(await post("/components/counter", { state: third.state }));
    assert.match(same.html, /Count: 8/);
  });

  test("async handler runs over HTTP; a streaming handler runs to its end", async () => {
    const s = await json(await post("/components/steps", { event: "slow" }));
    assert.match(s.html, /data-step="99"/);
    const r = await json(await post("/components/steps", { event: "run", payload: { n: 2 } }));
    assert.match(r.html, /step 2.*done/s);
  });

  test("htmx: HTML with the token embedded, and a second request that uses it", async () => {
    const r = await htmx("/components/counter", { params: JSON.stringify({ start: 3 }) });
    assert.is(r.status, 200);
    assert.match(r.headers.get("content-type")!, /^text\/html/);
    const page = await r.text();
    assert.match(page, /Count: 3/);
    assert.match(page, /hx-target="this"/);
    assert.match(page, /hx-swap="outerHTML"/);
    assert.match(page, /hx-include="this"/);
    assert.match(page, /hx-post="\/components\/counter" hx-trigger="click" hx-vals="\{&quot;event&quot;:&quot;increment&quot;\}"/);
    const token = /<input type="hidden" name="state" value="([^"]+)">/.exec(page)![1]!;
    // what htmx sends for the + button: the hidden state (hx-include) and hx-vals
    const next = await (await htmx("/components/counter", { state: token, event: "increment" })).text();
    assert.match(next, /Count: 4/);
    const token2 = /name="state" value="([^"]+)"/.exec(next)![1]!;
    assert.is.not(token2, token);
    // form fields besides event/state are the payload
    const more = await (await htmx("/components/counter", { state: token2, event: "increment", by: "10" })).text();
    assert.match(more, /Count: 14/);
  });

  test("htmx: JSON bodies work too; errors are escaped HTML with the status", async () => {
    const r = await post("/components/counter", { event: "increment", params: { start: 1 } }, { "hx-request": "true" });
    assert.match(await r.text(), /Count: 2/);
    const bad = await htmx("/components/counter", { state: "v1.<script>alert(1)</script>.x" });
    assert.is(bad.status, 400);
    assert.match(bad.headers.get("content-type")!, /^text\/html/);
    const text = await bad.text();
    assert.match(text, /class="hl-error"/);
    assert.match(text, /data-code="bad_state"/);
    assert.not.match(text, /<script>/);
  });

  test("SSE: one frame per step, the last with stream_done", async () => {
    const r = await post("/components/steps/stream", { event: "run", payload: { n: 3 } });
    assert.is(r.status, 200);
    assert.match(r.headers.get("content-type")!, /^text\/event-stream/);
    const events = await readSse(r.body!);
    const frames = events.map((e) => JSON.parse(e.data));
    assert.is(frames.length, 4); // three yields, then the settled render
    assert.ok(events.every((e) => e.event === "message"));
    assert.match(frames[0].html, /data-step="1"/);
    assert.match(frames[2].html, /data-step="3"/);
    assert.ok(frames.slice(0, 3).every((f) => f.stream_done === undefined));
    assert.is(frames[3].stream_done, true);
    assert.match(frames[3].html, /done/);
    const t = new Tokens({ secret: SECRET });
    assert.is(t.verify("steps", frames[1].state).state.step, 2);
    // the last token carries on: an event over plain HTTP hydrates from it
    const after = await json(await post("/components/steps", { state: frames[3].state, event: "run", payload: { n: 1 } }));
    assert.match(after.html, /step 3<\/li><li>done<\/li><li>step 1/);
  });

  test("SSE: a non-generator handler gives exactly one frame, the last; a mount too", async () => {
    const r = await post("/components/counter/stream", { event: "increment", params: { start: 1 } });
    const frames = (await readSse(r.body!)).map((e) => JSON.parse(e.data));
    assert.is(frames.length, 1);
    assert.is(frames[0].stream_done, true);
    assert.match(frames[0].html, /Count: 2/);
    const m = (await readSse((await post("/components/counter/stream", {})).body!)).map((e) => JSON.parse(e.data));
    assert.is(m.length, 1);
    assert.is(m[0].stream_done, true);
  });

  test("SSE: errors before the stream are JSON with a status; mid-stream an error frame, no stack", async () => {
    const r = await post("/components/steps/stream", { event: "nope" });
    assert.is(r.status, 400);
    assert.is((await json(r)).error.code, "unknown_event");
    const s = await post("/components/steps/stream", { event: "fail_midway" });
    assert.is(s.status, 200);
    const events = await readSse(s.body!);
    assert.is(events.length, 2);
    assert.is(events[1]!.event, "error");
    const err = JSON.parse(events[1]!.data);
    assert.is(err.code, "handler_error");
    assert.not.match(events[1]!.data, /hunter2|at .*\.ts/);
  });

  test("WebSocket on the same host: join with the HTTP token, then an event", async () => {
    const first = await json(await post("/components/counter", { params: { start: 41 } }));
    const ws = new WebSocket(host.base.replace(/^http/, "ws") + "/live");
    const inbox: any[] = [];
    const waiters: Array<() => void> = [];
    ws.on("message", (d) => {
      inbox.push(JSON.parse(String(d)));
      waiters.splice(0).forEach((w) => w());
    });
    const next = async (ref: number) => {
      for (;;) {
        const m = inbox.find((x) => x.ref === ref);
        if (m) return m;
        await new Promise<void>((r) => waiters.push(r));
      }
    };
    await new Promise((r, j) => (ws.once("open", r), ws.once("error", j)));
    ws.send(JSON.stringify({ t: "join", ref: 1, id: "c1", name: "counter", state: first.state }));
    const ok = await next(1);
    assert.is(ok.t, "ok");
    assert.match(ok.html, /Count: 41/);
    ws.send(JSON.stringify({ t: "event", ref: 2, id: "c1", event: "increment" }));
    const patch = await next(2);
    assert.is(patch.t, "patch");
    assert.match(JSON.stringify(patch), /42/);
    ws.close();
    await new Promise((r) => ws.once("close", r));
  });

  test("413: a body over the limit, by Content-Length and while streaming", async () => {
    const big = JSON.stringify({ params: { pad: "x".repeat(70 * 1024) } });
    const r = await post("/components/counter", big);
    assert.is(r.status, 413);
    assert.is((await json(r)).error.code, "too_large");
    const chunks = new ReadableStream({
      start(c) {
        for (let i = 0; i < 40; i++) c.enqueue(new TextEncoder().encode(i ? "x".repeat(4096) : '{"params":{"pad":"'));
        c.close();
      },
    });
    const s = await fetch(url("/components/counter"), { method: "POST", headers: { "content-type": "application/json" }, body: chunks, duplex: "half" } as RequestInit);
    assert.is(s.status, 413);
  });

  test("415 for other content types (text/plain included), 405 for other methods", async () => {
    const r = await fetch(url("/components/counter"), { method: "POST", headers: { "content-type": "text/plain" }, body: "{}" });
    assert.is(r.status, 415);
    assert.is((await json(r)).error.code, "bad_message");
    const g = await fetch(url("/components/counter"));
    assert.is(g.status, 405);
    assert.is(g.headers.get("allow"), "POST");
  });

  test("400 bad_message: invalid JSON, not an object, mistyped fields", async () => {
    for (const body of ["{nope", "[1,2]", '"x"', JSON.stringify({ event: 3 }), JSON.stringify({ params: [1] }), JSON.stringify({ payload: "x" })]) {
      const r = await post("/components/counter", body);
      assert.is(r.status, 400, body);
      const b = await json(r);
      assert.is(b.error.code, "bad_message");
      assert.not.ok(JSON.stringify(b).includes("nope"), "no echo of raw input");
    }
  });

  test("a payload that fails its schema: 200, the component rendered with its errors (docs/protocol.md §3.3)", async () => {
    const v = await post("/components/boom", { event: "say", payload: { text: "" } });
    assert.is(v.status, 200);
    const b = await json(v);
    assert.match(b.html, '<p class="said"></p>', "the handler did not run");
    assert.type(b.state, "string");
  });

  test("400 bad_state: tampered, another component's, expired, another key", async () => {
    const good = (await json(await post("/components/counter", {}))).state as string;
    const [a, b, sig] = good.split(".");
    const forged = `${a}.${Buffer.from(JSON.stringify({ c: "counter", s: { count: 1e6 }, x: 9e9 })).toString("base64url")}.${sig}`;
    const other = (await json(await post("/components/boom", {}))).state;
    const expired = new Tokens({ secret: SECRET, ttlSeconds: -10 }).sign("counter", { state: { count: 1 } });
    const foreign = new Tokens({ secret: "another-secret-0123456789abcdef" }).sign("counter", { state: { count: 1 } });
    void b;
    for (const state of [forged, other, expired, foreign, "garbage"]) {
      const r = await post("/components/counter", { state, event: "increment" });
      assert.is(r.status, 400);
      assert.is((await json(r)).error.code, "bad_state");
    }
  });

  test("404 unknown component, 400 unknown event, 500 handler error without a stack", async () => {
    const u = await post("/components/nope", {});
    assert.is(u.status, 404);
    assert.is((await json(u)).error.code, "unknown_component");
    const e = await post("/components/counter", { event: "explode" });
    assert.is(e.status, 400);
    assert.is((await json(e)).error.code, "unknown_event");
    const h = await post("/components/boom", { event: "explode" });
    assert.is(h.status, 500);
    const text = await h.text();
    assert.is(JSON.parse(text).error.code, "handler_error");
    assert.not.match(text, /secret|line 42|at .*:\d+/);
  });

  test("CSRF: form posts and htmx requests from a foreign Origin get 403", async () => {
    const form = await fetch(url("/components/counter"), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
      body: "event=increment",
    });
    assert.is(form.status, 403);
    assert.is((await json(form)).error.code, "unauthorized");
    const hx = await htmx("/components/counter", {}, { origin: "https://evil.example" });
    assert.is(hx.status, 403);
    const ref = await fetch(url("/components/counter"), {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", referer: "https://evil.example/page" },
      body: "",
    });
    assert.is(ref.status, 403);
    const nul = await htmx("/components/counter", {}, { origin: "null" });
    assert.is(nul.status, 403);
    // JSON with a foreign Origin too; the same origin passes
    assert.is((await post("/components/counter", {}, { origin: "https://evil.example" })).status, 403);
    assert.is((await htmx("/components/counter", {})).status, 200);
  });

  test("the host's own routes still answer; the client bundle and htmx are served", async () => {
    const r = await fetch(url("/after"));
    assert.is(r.status, 200);
    assert.is(await r.text(), "the app's own route");
    const b = await fetch(url("/hotline.js"));
    assert.ok(b.status === 200 || b.status === 503, `bundle route answered ${b.status}`); // 503 before the first build
    await b.arrayBuffer();
    const h = await fetch(url("/vendor/htmx.min.js"));
    assert.is(h.status, 200);
    assert.match(h.headers.get("content-type")!, /javascript/);
    assert.match(await h.text(), /htmx/);
  });

  // Last: it blocks this client's tokens for a minute.
  test("429 rate_limited after repeated bad tokens from one client", async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 22; i++) statuses.push((await post("/components/counter", { state: "v1.bad.token" })).status);
    assert.ok(statuses.slice(0, 10).every((s) => s === 400));
    assert.is(statuses.at(-1), 429);
    const r = await post("/components/counter", { state: "v1.bad.token" });
    assert.is((await json(r)).error.code, "rate_limited");
    // requests without a token still work
    assert.is((await post("/components/counter", {})).status, 200);
  });

  test.run();
}

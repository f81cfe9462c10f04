// The devtools inspector on one process, over real HTTP and a real WebSocket: off by default,
// behind the app's authorization when on, redaction, and what the live page shows.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import { redactState, resolveDevtools } from "../../server/devtools/options.js";
import type { HotlineUser } from "../../server/core/context.js";
import { startServer, TestClient } from "../support/ws-client.js";
import { embeds, Inspector, instanceRows } from "./support.js";

class Vault extends Component<{ count: number; password: string; apiToken: string; profile: { ssn: string; city: string } }> {
  mount() {
    this.state.count = 0;
    this.state.password = "hunter2";
    this.state.apiToken = "tok-abc";
    this.state.profile = { ssn: "123-45-6789", city: "Lyon" };
    this.subscribe("vault:room");
  }
  onIncrement() {
    this.state.count += 1;
  }
  render() {
    return html`<p>${this.state.count}</p>`;
  }
}

function registry(): Registry {
  const r = new Registry();
  r.register("vault", Vault);
  return r;
}

const authenticate = (req: { headers: Record<string, unknown> }): HotlineUser | null =>
  String(req.headers.cookie ?? "").includes("u=ada") ? ({ id: "ada" } as HotlineUser) : null;

test("off by default: the route is not there (404) and nothing listens to the activity feed", async () => {
  const s = await startServer({ registry: registry() });
  try {
    const res = await fetch(`${s.http}/hotline/devtools`);
    assert.is(res.status, 404);
    await res.text();
    assert.is(s.hotline.context.activity.active, false);
    assert.is(s.hotline.registry.has("hotline-devtools"), false);
  } finally {
    await s.stop();
  }
});

test("enabled: authorize decides with the user authenticate() resolved; a refusal is 403 unauthorized", async () => {
  const seen: unknown[] = [];
  const s = await startServer({
    registry: registry(),
    authenticate,
    devtools: { enabled: true, authorize: (user) => (seen.push(user), (user as { id?: string } | null)?.id === "ada") },
  });
  try {
    const refused = await fetch(`${s.http}/hotline/devtools`);
    assert.is(refused.status, 403);
    assert.equal((await refused.json()).error.code, "unauthorized");
    const ok = await fetch(`${s.http}/hotline/devtools`, { headers: { cookie: "u=ada" } });
    assert.is(ok.status, 200);
    const page = await ok.text();
    assert.equal(embeds(page).map((e) => e.name), ["hotline-devtools", "hotline-devtools-timeline"]);
    assert.equal(seen, [null, { id: "ada" }]);
    const post = await fetch(`${s.http}/hotline/devtools`, { method: "POST", headers: { cookie: "u=ada" } });
    assert.is(post.status, 405);
    await post.text();
  } finally {
    await s.stop();
  }
});

test("an authorize that throws refuses (403), and the error is logged, not sent", async () => {
  const logged: string[] = [];
  const s = await startServer({
    registry: registry(),
    logger: { error: (...a: unknown[]) => void logged.push(a.map(String).join(" ")) },
    devtools: { enabled: true, authorize: () => { throw new Error("boom in authorize"); } },
  });
  try {
    const res = await fetch(`${s.http}/hotline/devtools`);
    assert.is(res.status, 403);
    const body = await res.text();
    assert.not.match(body, /boom/);
    assert.ok(logged.some((l) => l.includes("authorize() failed")), logged.join("\n"));
  } finally {
    await s.stop();
  }
});

test("only true lets in: an authorize that answers a truthy object refuses", async () => {
  const s = await startServer({ registry: registry(), devtools: { enabled: true, authorize: (() => ({ admin: true })) as unknown as () => boolean } });
  try {
    const res = await fetch(`${s.http}/hotline/devtools`);
    assert.is(res.status, 403);
    await res.text();
  } finally {
    await s.stop();
  }
});

test("enabled without authorize: loopback only, and never through a proxy", async () => {
  const s = await startServer({ registry: registry(), devtools: { enabled: true } });
  try {
    const local = await fetch(`${s.http}/hotline/devtools`);
    assert.is(local.status, 200);
    await local.text();
    const proxied = await fetch(`${s.http}/hotline/devtools`, { headers: { "x-forwarded-for": "203.0.113.9" } });
    assert.is(proxied.status, 403);
    assert.equal((await proxied.json()).error.code, "unauthorized");
  } finally {
    await s.stop();
  }
});

test("the inspector's components join only with the page's grant, for the page's user", async () => {
  const s = await startServer({ registry: registry(), authenticate, devtools: { enabled: true, authorize: (u) => u !== null } });
  try {
    const anon = await TestClient.open(s.url);
    const bare = await anon.join("x", "hotline-devtools");
    assert.is(bare.t, "error");
    assert.is(bare.code, "unauthorized");
    const page = await (await fetch(`${s.http}/hotline/devtools`, { headers: { cookie: "u=ada" } })).text();
    const stolen = await anon.join("y", "hotline-devtools", { state: embeds(page)[0]!.state });
    assert.is(stolen.t, "error");
    assert.is(stolen.code, "bad_state"); // the grant is bound to ada
    anon.close();
    const ada = await Inspector.open(s.http, s.url, { cookie: "u=ada" });
    ada.close();
  } finally {
    await s.stop();
  }
});

test("redaction: defaults (password, token, secret…) at any depth, plus the app's own keys", () => {
  const { redact } = resolveDevtools({ redact: ["ssn", /^card/i] }, 0);
  const out = redactState({ password: "p", apiToken: "t", nested: { clientSecret: "s", ssn: "1", cardNumber: "4", city: "Lyon" }, list: [{ sessionKey: "k", n: 1 }] }, redact);
  assert.equal(out, { password: "[redacted]", apiToken: "[redacted]", nested: { clientSecret: "[redacted]", ssn: "[redacted]", cardNumber: "[redacted]", city: "Lyon" }, list: [{ sessionKey: "[redacted]", n: 1 }] });
  const none = resolveDevtools({ redactDefaults: false }, 0).redact;
  assert.equal(redactState({ password: "p" }, none), { password: "p" });
  assert.throws(() => resolveDevtools({ redact: [42 as unknown as string] }, 0), /strings and regular expressions/);
});

test("over a real WebSocket: processes, instances per component, topics, a redacted state, the timeline", async () => {
  const s = await startServer({ registry: registry(), devtools: { enabled: true, redact: ["ssn"] } });
  const viewer = await TestClient.open(s.url);
  let inspector: Inspector | undefined;
  try {
    assert.is((await viewer.join("v1", "vault")).t, "ok");
    assert.is(s.hotline.context.activity.active, false, "nobody listens before an inspector opens");
    inspector = await Inspector.open(s.http, s.url);
    const panel = await inspector.until("devtools-panel", (h) => instanceRows(h, "vault", process.pid).length === 1, 8000, "the vault instance");
    assert.ok(s.hotline.context.activity.active, "an open inspector listens to the feed");
    assert.match(panel, new RegExp(`<tr class="hdt-process"[^>]*data-pid="${process.pid}"`));
    assert.match(panel, /<tr class="hdt-component" data-pid="\d+" data-component="vault"><td>vault<\/td><td>[^<]*<\/td><td>1<\/td><td>1<\/td>/);
    assert.match(panel, /<tr class="hdt-topic" data-pid="\d+"><td><code>vault:room<\/code><\/td><td>[^<]*<\/td><td>1<\/td>/);
    assert.not.match(panel, /hotline:devtools/, "the inspector's own topics are not listed");
    assert.not.match(panel, /data-component="hotline-devtools/, "nor its own instances");
    // two connections: the vault's viewer and the inspector
    await inspector.until("devtools-panel", (h) => /class="hdt-connections">2</.test(h), 8000, "two connections");

    const [row] = instanceRows(panel, "vault", process.pid);
    const sel = await inspector.client.event("devtools-panel", "select", row!);
    assert.is(sel.t, "patch");
    const shown = await inspector.until("devtools-panel", (h) => h.includes("&quot;count&quot;: 0"), 8000, "the selected state");
    assert.match(shown, /&quot;password&quot;: &quot;\[redacted\]&quot;/);
    assert.match(shown, /&quot;apiToken&quot;: &quot;\[redacted\]&quot;/);
    assert.match(shown, /&quot;ssn&quot;: &quot;\[redacted\]&quot;/);
    assert.match(shown, /&quot;city&quot;: &quot;Lyon&quot;/);
    for (const secret of ["hunter2", "tok-abc", "123-45-6789"]) assert.not.ok(shown.includes(secret), `${secret} leaked`);

    // the timeline: activity records of this process appear as they happen; the inspector's own do not
    s.hotline.context.activity.emit({ kind: "render", at: Date.now(), component: "hotline-devtools", name: "self" });
    s.hotline.context.activity.emit({ kind: "event", at: Date.now(), component: "vault", instance: "k1", name: "synthetic-click", ms: 1.25, bytes: 42, outcome: "ok" });
    const tl = await inspector.until("devtools-timeline", (h) => h.includes('data-name="synthetic-click"'), 8000, "the emitted event");
    assert.match(tl, /<td>event<\/td><td>vault<\/td><td><code>[\w-]+<\/code><\/td><td>synthetic-click<\/td><td>1\.25<\/td><td>42<\/td>/);
    assert.not.ok(tl.includes('data-name="self"'), "the inspector's own activity is not relayed");
    assert.not.ok(tl.includes(">k1<"), "instance ids are the inspector's opaque ones");
  } finally {
    inspector?.close();
    viewer.close();
    await s.stop();
  }
});

test("a real event on the app shows in the timeline as it happens (needs the runtime's activity emits)", async () => {
  const s = await startServer({ registry: registry(), devtools: { enabled: true } });
  const viewer = await TestClient.open(s.url);
  const inspector = await Inspector.open(s.http, s.url);
  try {
    assert.is((await viewer.join("v1", "vault")).t, "ok");
    const panel = await inspector.until("devtools-panel", (h) => instanceRows(h, "vault", process.pid).length === 1);
    const { i } = instanceRows(panel, "vault", process.pid)[0]!;
    assert.is((await viewer.event("v1", "increment")).t, "patch");
    const tl = await inspector.until("devtools-timeline", (h) => /data-kind="event" data-component="vault" data-name="increment"/.test(h), 8000, "the increment event");
    // the timeline names the instance as the instance list does
    assert.match(tl, new RegExp(`data-kind="event" data-component="vault" data-name="increment"><td>[^<]*</td><td>[^<]*</td><td>event</td><td>vault</td><td><code>${i}</code>`));
  } finally {
    inspector.close();
    viewer.close();
    await s.stop();
  }
});

test("junk on the devtools topics changes nothing and crashes nothing", async () => {
  const s = await startServer({ registry: registry(), devtools: { enabled: true } });
  const inspector = await Inspector.open(s.http, s.url);
  try {
    await inspector.until("devtools-panel", (h) => /class="hdt-process"/.test(h));
    const { pubsub } = s.hotline;
    await pubsub.publish("hotline:devtools", "junk");
    await pubsub.publish("hotline:devtools", { t: "hello", watch: "not a list" });
    await pubsub.publish("hotline:devtools:snapshots", { t: "snapshot", process: { id: "evil", instanceList: 7, components: null } });
    await pubsub.publish("hotline:devtools:activity", { p: "evil", items: [{ kind: "event", at: 1, component: { toString: 1 } }, null, 5] });
    s.hotline.context.activity.emit({ kind: "event", at: Date.now(), component: "vault", name: "after-junk" });
    await inspector.until("devtools-timeline", (h) => h.includes('data-name="after-junk"'));
    assert.ok(inspector.client.ws.readyState === 1);
  } finally {
    inspector.close();
    await s.stop();
  }
});

test.run();

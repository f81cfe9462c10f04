// Who is connected, over every transport: authenticate (a real signed cookie), mount hooks and
// redirects, static authorize, authorizeEvent, authorizeTopic, signed params and clientParams,
// session keys and tokens bound to their user, sign-out on every process, and catch-up on resume.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { z } from "zod";
import { MemoryPubSub } from "../../pubsub/memory.js";
import { Component } from "../../server/core/component.js";
import { MemoryStore } from "../../server/core/memory-store.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import { createHotline, type Hotline, type HotlineOptions } from "../../server/hotline.js";
import { createCookieSession } from "../../server/session/cookie-session.js";
import { readSse } from "../support/sse.js";
import { TestClient } from "../support/ws-client.js";

type User = { id: string; name: string; admin?: boolean };
const who = (c: Component) => c.user as User | null;

const registry = new Registry();

/** Anyone may open it. */
class Public extends Component<{ n: number }> {
  mount() {
    this.state.n = 0;
  }
  onBump() {
    this.state.n++;
  }
  render() {
    return html`<p>${this.state.n}</p>`;
  }
}
registry.register("public", Public);

/** Signed-in users only; a client may choose the page, nothing else. */
class Notes extends Component<{ owner: string; page: number }, { page?: number }> {
  static authorize(user: unknown) {
    return user !== null;
  }
  static clientParams = z.object({ page: z.number().int().min(1).max(100).optional() }).strict();
  mount() {
    this.state.owner = who(this)!.id;
    this.state.page = this.params.page ?? 1;
  }
  render() {
    return html`<p>notes of ${this.state.owner}, page ${this.state.page}</p>`;
  }
}
registry.register("notes", Notes);

/** Orders: everyone signed in may view one (the server gives its id); only its owner may rename it. */
const orders = new Map<number, { owner: string; name: string }>();
class Order extends Component<{ id: number; owner: string; name: string }, { id: number }> {
  static authorize(user: unknown) {
    return user !== null;
  }
  mount() {
    const o = orders.get(this.params.id)!;
    Object.assign(this.state, { id: this.params.id, owner: o.owner, name: o.name });
  }
  authorizeEvent() {
    return this.state.owner === who(this)?.id;
  }
  onRename(p: { name: string }) {
    this.state.name = p.name;
    orders.get(this.state.id)!.name = p.name;
  }
  render() {
    return html`<p>${this.state.name} (${this.state.owner})</p>`;
  }
}
registry.register("order", Order);

/** A server-given param and no client params at all. */
class Poll extends Component<{ poll: string }, { poll: string }> {
  mount() {
    this.state.poll = this.params.poll;
  }
  render() {
    return html`<p>poll ${this.state.poll}</p>`;
  }
}
registry.register("poll", Poll);

/** Listens to an admin topic: the app's authorizeTopic lets admins only. */
class Alerts extends Component<{ n: number }> {
  mount() {
    this.subscribe("admin:alerts");
    this.state.n = 0;
  }
  render() {
    return html`<p>alerts</p>`;
  }
}
registry.register("alerts", Alerts);

/** Behind the app's mount hook, which sends anonymous visitors to /signin. */
class Members extends Component<{ n: number }> {
  mount() {
    this.state.n = 1;
  }
  render() {
    return html`<p>members</p>`;
  }
}
registry.register("members", Members);

/** A list others change: catch-up re-reads it when a stale token or a session brings it back. */
const feed: string[] = [];
class Feed extends Component<{ items: string[] }> {
  mount() {
    this.subscribe("feed");
    this.state.items = [...feed];
  }
  onResync() {
    this.state.items = [...feed];
  }
  onMessage() {
    this.state.items = [...feed];
  }
  render() {
    return html`<ul>${this.state.items.map((i) => html`<li>${i}</li>`)}</ul>`;
  }
}
registry.register("feed", Feed);

const session = createCookieSession<User>({ secret: "identity-test-cookie-secret-0123456789" });

type App = { hotline: Hotline; server: Server; url: string; http: string; stop(): Promise<void> };

async function app(options: HotlineOptions = {}): Promise<App> {
  const hotline = createHotline({
    registry,
    secret: "identity-test-secret-0123456789",
    logger: { error() {} },
    authenticate: session.authenticate,
    authorizeTopic: (user, topic) => !topic.startsWith("admin:") || (user as User | null)?.admin === true,
    onMount: ({ user, name }) => (name === "members" && !user ? { redirect: "/signin" } : true),
    ...options,
  });
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? "/", "http://x");
    if (u.pathname === "/signin") {
      session.write(res, { id: u.searchParams.get("id")!, name: u.searchParams.get("id")!, ...(u.searchParams.has("admin") && { admin: true }) });
      return void res.end("ok");
    }
    void hotline.handler(req, res);
  });
  hotline.attach(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    hotline, server, url: `ws://127.0.0.1:${port}/live`, http: `http://127.0.0.1:${port}`,
    async stop() {
      await hotline.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/** Signs in through the app's own route: the real cookie a browser would carry. */
async function signIn(a: App, id: string, admin = false): Promise<string> {
  const res = await fetch(`${a.http}/signin?id=${id}${admin ? "&admin" : ""}`);
  return res.headers.get("set-cookie")!.split(";")[0]!;
}

const as = (a: App, cookie?: string) => TestClient.open(a.url, cookie ? { headers: { cookie } } : {});

function post(a: App, name: string, body: unknown, headers: Record<string, string> = {}) {
  return fetch(`${a.http}/components/${name}`, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: JSON.stringify(body) });
}

let A: App;
let ada: string;
let bob: string;

// ---------------------------------------------------------------- WebSocket
const ws = suite("identity over WebSocket");
ws.before(async () => {
  A = await app();
  ada = await signIn(A, "ada");
  bob = await signIn(A, "bob");
  orders.set(1, { owner: "ada", name: "tea" });
});
ws.after(() => A.stop());

ws("a join without a user where one is required is unauthorized; the connection goes on for legitimate joins", async () => {
  const c = await as(A);
  const refused = await c.join("n", "notes");
  assert.is(refused.t, "error");
  assert.is(refused.code, "unauthorized");
  assert.not.ok(JSON.stringify(refused).includes("at "), "no stack");
  const ok = await c.join("p", "public");
  assert.is(ok.t, "ok");
  assert.is((await c.event("p", "bump"))["0"], 1);
  c.close();
});

ws("the user reaches the component; a redirecting mount hook sends the client where to go", async () => {
  const c = await as(A, ada);
  assert.is((await c.join("n", "notes")).html, "<p>notes of ada, page 1</p>");
  const anon = await as(A);
  const e = await anon.join("m", "members");
  assert.is(e.code, "unauthorized");
  assert.equal(e.details, { redirect: "/signin" });
  assert.is((await c.join("m", "members")).t, "ok");
  c.close();
  anon.close();
});

ws("a forged param: the token's signed params are the only ones; a client's other param is bad_message", async () => {
  const embed = await A.hotline.live("poll", { poll: "a" });
  const token = /hl-state="([^"]+)"/.exec(embed)![1]!;
  const c = await as(A);
  const forged = await c.join("x", "poll", { state: token, params: { poll: "tampered" } });
  assert.is(forged.code, "bad_message");
  const fresh = await c.join("y", "poll", { params: { poll: "mine" } });
  assert.is(fresh.code, "bad_message", "a client may not choose params the class does not declare");
  const ok = await c.join("z", "poll", { state: token });
  assert.is(ok.html, "<p>poll a</p>");
  c.close();
});

ws("client params: what the schema allows passes; anything else is bad_message and nothing joins", async () => {
  const c = await as(A, ada);
  const bad = await c.join("n1", "notes", { params: { page: 2, owner: "bob" } });
  assert.is(bad.code, "bad_message");
  const bad2 = await c.join("n2", "notes", { params: { page: "2; drop" } });
  assert.is(bad2.code, "bad_message");
  const ok = await c.join("n3", "notes", { params: { page: 2 } });
  assert.is(ok.html, "<p>notes of ada, page 2</p>");
  c.close();
});

ws("a session key resumes for its own user only: another user or no user gets bad_state", async () => {
  const a1 = await as(A, ada);
  const ok = await a1.join("n", "notes", { params: { page: 3 } });
  a1.close();
  const b = await as(A, bob);
  assert.is((await b.join("n", "notes", { session: ok.session })).code, "bad_state");
  const anon = await as(A);
  assert.is((await anon.join("n", "notes", { session: ok.session })).code, "bad_state");
  const a2 = await as(A, ada);
  const back = await a2.join("n", "notes", { session: ok.session });
  assert.is(back.html, "<p>notes of ada, page 3</p>", "the owner resumes it, with its signed params");
  b.close();
  anon.close();
  a2.close();
});

ws("a token made for one user does not hydrate for another", async () => {
  const embed = await A.hotline.live("notes", {}, { user: { id: "ada", name: "ada" } });
  const token = /hl-state="([^"]+)"/.exec(embed)![1]!;
  const b = await as(A, bob);
  assert.is((await b.join("n", "notes", { state: token })).code, "bad_state");
  const a = await as(A, ada);
  assert.is((await a.join("n", "notes", { state: token })).t, "ok");
  a.close();
  b.close();
});

ws("another user's order: viewing is allowed, an edit is unauthorized and changes nothing", async () => {
  const b = await as(A, bob);
  const ok = await b.join("o", "order", { state: /hl-state="([^"]+)"/.exec(await A.hotline.live("order", { id: 1 }, { user: { id: "bob", name: "bob" } }))![1] });
  assert.is(ok.html, "<p>tea (ada)</p>");
  const e = await b.event("o", "rename", { name: "coffee" });
  assert.is(e.code, "unauthorized");
  assert.is(orders.get(1)!.name, "tea", "nothing changed");
  assert.is((await b.join("p", "public")).t, "ok", "the connection is still usable");
  const a = await as(A, ada);
  await a.join("o", "order", { state: /hl-state="([^"]+)"/.exec(await A.hotline.live("order", { id: 1 }, { user: { id: "ada", name: "ada" } }))![1] });
  const p = await a.event("o", "rename", { name: "coffee" });
  assert.is(p.t, "patch");
  assert.is(orders.get(1)!.name, "coffee");
  orders.get(1)!.name = "tea";
  a.close();
  b.close();
});

ws("a refused subscription refuses the join; an admin may subscribe", async () => {
  const c = await as(A, ada);
  assert.is((await c.join("al", "alerts")).code, "unauthorized");
  assert.is((await c.join("p", "public")).t, "ok");
  const admin = await as(A, await signIn(A, "root", true));
  assert.is((await admin.join("al", "alerts")).t, "ok");
  c.close();
  admin.close();
});

ws("signOut ends that user's connections on every process (4001), and nobody else's", async () => {
  const bus = new MemoryPubSub();
  const store = new MemoryStore();
  const p1 = await app({ pubsub: bus, store });
  const p2 = await app({ pubsub: bus, store });
  try {
    const adaOn1 = await as(p1, ada);
    const adaOn2 = await as(p2, ada);
    const bobOn2 = await as(p2, bob);
    for (const c of [adaOn1, adaOn2, bobOn2]) assert.is((await c.join("n", "notes")).t, "ok");
    await p1.hotline.signOut({ id: "ada", name: "ada" });
    assert.is((await adaOn1.closed).code, 4001);
    assert.is((await adaOn2.closed).code, 4001, "on the other process too");
    assert.is((await bobOn2.join("p", "public")).t, "ok", "bob is still connected");
    bobOn2.close();
  } finally {
    await p1.stop();
    await p2.stop();
  }
});

ws("catch-up: a view opened from a token older than the last change shows the current data", async () => {
  feed.length = 0;
  feed.push("first");
  const embed = await A.hotline.live("feed");
  const token = /hl-state="([^"]+)"/.exec(embed)![1]!;
  // The page is closed; meanwhile the feed changes and is announced to nobody who listens.
  feed.push("second");
  await A.hotline.pubsub.publish("feed", {});
  const c = await as(A);
  const ok = await c.join("f", "feed", { state: token });
  assert.is(ok.html, "<ul><li>first</li><li>second</li></ul>");
  c.close();
});

ws.run();

// ---------------------------------------------------------------- HTTP, htmx, SSE
const http = suite("identity over HTTP, htmx and SSE");
http.before(async () => {
  A = await app();
  ada = await signIn(A, "ada");
  bob = await signIn(A, "bob");
  orders.set(1, { owner: "ada", name: "tea" });
});
http.after(() => A.stop());

http("no user where one is required: 403 unauthorized (JSON, htmx, SSE); with the cookie it works", async () => {
  const j = await post(A, "notes", {});
  assert.is(j.status, 403);
  assert.is(((await j.json()) as { error: { code: string } }).error.code, "unauthorized");
  const h = await post(A, "notes", {}, { "hx-request": "true" });
  assert.is(h.status, 403);
  const s = await fetch(`${A.http}/components/notes/stream`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
  assert.is(s.status, 403);
  const ok = await post(A, "notes", { params: { page: 4 } }, { cookie: ada });
  assert.is(ok.status, 200);
  assert.match(((await ok.json()) as { html: string }).html, "notes of ada, page 4");
  const frames = await readSse((await fetch(`${A.http}/components/notes/stream`, { method: "POST", headers: { "content-type": "application/json", cookie: ada }, body: "{}" })).body!);
  assert.match(JSON.stringify(frames), "notes of ada");
});

http("a refused subscription: 403 over JSON, htmx and SSE; an admin's request passes", async () => {
  for (const headers of [{ cookie: ada }, { cookie: ada, "hx-request": "true" }] as Record<string, string>[]) assert.is((await post(A, "alerts", {}, headers)).status, 403);
  const s = await fetch(`${A.http}/components/alerts/stream`, { method: "POST", headers: { "content-type": "application/json", cookie: ada }, body: "{}" });
  assert.is(s.status, 403);
  assert.is((await post(A, "alerts", {}, { cookie: await signIn(A, "root", true) })).status, 200);
});

http("a redirecting hook: JSON details.redirect, and HX-Redirect for htmx", async () => {
  const j = await post(A, "members", {});
  assert.is(j.status, 403);
  assert.equal(((await j.json()) as { error: { details: unknown } }).error.details, { redirect: "/signin" });
  const h = await post(A, "members", {}, { "hx-request": "true" });
  assert.is(h.headers.get("hx-redirect"), "/signin");
});

http("a forged param and a client param outside the schema: 400 bad_message", async () => {
  const embed = await A.hotline.live("poll", { poll: "a" });
  const token = /hl-state="([^"]+)"/.exec(embed)![1]!;
  const forged = await post(A, "poll", { state: token, params: { poll: "tampered" } });
  assert.is(forged.status, 400);
  assert.is(((await forged.json()) as { error: { code: string } }).error.code, "bad_message");
  const outside = await post(A, "notes", { params: { page: 1, owner: "bob" } }, { cookie: ada });
  assert.is(outside.status, 400);
  const ok = await post(A, "poll", { state: token });
  assert.match(((await ok.json()) as { html: string }).html, "poll a");
});

http("another user's token: 400 bad_state; an edit of another user's order: 403 and nothing changed", async () => {
  const mine = (await (await post(A, "notes", {}, { cookie: ada })).json()) as { state: string };
  const stolen = await post(A, "notes", { state: mine.state }, { cookie: bob });
  assert.is(stolen.status, 400);
  assert.is(((await stolen.json()) as { error: { code: string } }).error.code, "bad_state");
  const embed = await A.hotline.live("order", { id: 1 }, { user: { id: "bob", name: "bob" } });
  const token = /hl-state="([^"]+)"/.exec(embed)![1]!;
  const edit = await post(A, "order", { state: token, event: "rename", payload: { name: "coffee" } }, { cookie: bob });
  assert.is(edit.status, 403);
  assert.is(orders.get(1)!.name, "tea");
  const htmxEdit = await post(A, "order", { state: token, event: "rename", payload: { name: "coffee" } }, { cookie: bob, "hx-request": "true" });
  assert.is(htmxEdit.status, 403);
  assert.is(orders.get(1)!.name, "tea");
});

http.run();

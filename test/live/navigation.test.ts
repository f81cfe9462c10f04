// Live pages over node:http and a real WebSocket (docs/navigation.md): a route's page request
// (full HTML, its params checked, hostile URLs answered with a 400 page), the join of that page from
// its token (no second mount, no second handleParams), the url message (hl-patch, back/forward),
// a live navigate's join by URL, and what pushPatch, pushNavigate, redirect and flash send.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { calls, layout, mounts, navRegistry, routes } from "./navigation-app.js";
import { startServer, TestClient, type Msg } from "../support/ws-client.js";

type Running = Awaited<ReturnType<typeof startServer>>;
const test = suite("live pages");
let app: Running;
let client: TestClient;

test.before(async () => {
  app = await startServer({ registry: navRegistry(), routes, layout });
});
test.after(async () => {
  client?.close();
  await app.stop();
});
test.before.each(async () => {
  calls.length = 0;
  for (const k of Object.keys(mounts)) delete mounts[k];
  client?.close();
  client = await TestClient.open(app.url);
});

const get = (path: string, init?: RequestInit) => fetch(app.http + path, { redirect: "manual", ...init });
/** The page component's embed in a page: its id and token. */
function embedOf(page: string): { id: string; token: string; name: string } {
  const m = /<div hl-page><div hl-component="([^"]+)" hl-id="([^"]+)" hl-state="([^"]+)"/.exec(page);
  assert.ok(m, "the page slot holds the component's embedded root");
  return { name: m![1]!, id: m![2]!, token: m![3]!.replace(/&quot;/g, '"').replace(/&amp;/g, "&") };
}
const navs = (c: TestClient, id: string) => c.all((m) => m.t === "nav" && m.id === id);

test("a page request renders the page server-side, params from the query, through the layout", async () => {
  const r = await get("/orders?status=paid&page=3");
  assert.is(r.status, 200);
  assert.match(r.headers.get("content-type")!, /^text\/html/);
  assert.is(r.headers.get("cache-control"), "no-store");
  const page = await r.text();
  assert.match(page, /^<!doctype html>/);
  assert.match(page, /<title>Orders: paid<\/title>/);
  assert.match(page, /<header class="site" data-user="">/);
  assert.match(page, /<script src="\/hotline\.js" defer><\/script>/);
  assert.match(page, /<span class="status">paid<\/span> page <span class="page">3<\/span>/);
  assert.match(page, /<div hl-flash[^>]*><p class="hl-flash-info" role="status">Showing paid orders<\/p><\/div>/);
  assert.is(embedOf(page).name, "orders");
  assert.equal(calls, [{ name: "orders", params: { status: "paid", page: 3 }, url: "/orders?status=paid&page=3" }]);
  assert.is(mounts.orders, 1);
  const order = await (await get("/orders/12")).text();
  assert.match(order, /<title>Order 12<\/title>/);
  assert.match(order, /Order <span class="id">12<\/span>/);
});

test("a URL param the schema refuses, a broken URL, a page without params: 400 pages that say why", async () => {
  const bad = await get("/orders?status=%3Cscript%3Ealert(1)%3C/script%3E");
  assert.is(bad.status, 400);
  const text = await bad.text();
  assert.match(text, /<h1>Bad request<\/h1>/);
  assert.match(text, /invalid params: status/);
  assert.not.match(text, /<script>alert/);
  assert.match(text, /<header class="site"/, "the error page has the app's layout");
  assert.is((await get("/orders/abc")).status, 400);
  assert.is((await get("/orders/0")).status, 400);
  assert.is((await get("/orders?page=99999")).status, 400);
  assert.is((await get("/orders/%E0%A4%A")).status, 400);
  const noParams = await get("/about/x");
  assert.is(noParams.status, 400);
  assert.match(await noParams.text(), /takes no params/);
  const about = await get("/about?utm_source=x");
  assert.is(about.status, 200, "a page without a schema ignores its query string");
  assert.match(await about.text(), /<title>About us<\/title>/);
  assert.is((await get("/orders/" + "9".repeat(3000))).status, 400);
  assert.equal(calls, [], "no refused URL reached handleParams");
  const unlucky = await get("/orders?page=13"); // handleParams refuses it
  assert.is(unlucky.status, 400);
  assert.match(await unlucky.text(), /there is no page 13/);
});

test("unknown paths, other methods: not a page (next, or 404); a mount that navigates: 302", async () => {
  assert.is((await get("/nowhere")).status, 404);
  assert.is((await get("/orders/1/2")).status, 404);
  assert.is((await get("/orders", { method: "POST" })).status, 404);
  const head = await get("/orders/4", { method: "HEAD" });
  assert.is(head.status, 200);
  assert.is(await head.text(), "");
  const gone = await get("/gone");
  assert.is(gone.status, 302);
  assert.is(gone.headers.get("location"), "/about");
});

test("the page's join hydrates from its token: no second mount, no second handleParams; its title follows", async () => {
  const { id, token, name } = embedOf(await (await get("/orders?status=paid")).text());
  calls.length = 0;
  const ok = await client.join(id, name, { state: token, url: "/orders?status=paid" });
  assert.is(ok.t, "ok");
  assert.match(ok.html, /<span class="status">paid<\/span>/);
  assert.is(mounts.orders, 1);
  assert.equal(calls, []);
  const title = await client.next((m) => m.t === "nav" && m.id === id);
  assert.is(title.title, "Orders: paid");
});

test("a page joined from a token older than its URL (patched, then the session lost) runs handleParams with the URL's params", async () => {
  const { id, token } = embedOf(await (await get("/orders?status=paid")).text());
  calls.length = 0;
  const ok = await client.join(id, "orders", { state: token, url: "/orders?status=open" });
  assert.match(ok.html, /<span class="status">open<\/span>/);
  assert.equal(calls, [{ name: "orders", params: { status: "open" }, url: "/orders?status=open" }]);
  assert.is(mounts.orders, 1, "hydrated, not mounted");
  const refused = await client.join("x1", "orders", { state: token, url: "/orders?status=evil" });
  assert.is(refused.code, "bad_message");
});

test("url message: handleParams with the new params, no remount (the state survives), answered by a patch", async () => {
  const { id, token } = embedOf(await (await get("/orders")).text());
  await client.join(id, "orders", { state: token, url: "/orders" });
  assert.is((await client.event(id, "bump")).t, "patch");
  calls.length = 0;
  const answer = await client.request({ t: "url", id, url: "/orders?status=open&page=2" });
  assert.is(answer.t, "patch");
  assert.equal(calls, [{ name: "orders", params: { status: "open", page: 2 }, url: "/orders?status=open&page=2" }]);
  assert.match(JSON.stringify(answer), /open/);
  const bumps = await client.event(id, "bump");
  assert.match(JSON.stringify(bumps), /2/, "the bump count went on from 1: no remount");
  assert.is(mounts.orders, 1);
  const t = await client.next((m) => m.t === "nav" && m.title === "Orders: open");
  assert.is(t.id, id);
});

test("hostile url messages: clear errors, the page and the connection live on", async () => {
  const { id, token } = embedOf(await (await get("/orders")).text());
  await client.join(id, "orders", { state: token, url: "/orders" });
  client.send({ t: "join", id: "plain", name: "about", ref: 1 });
  await client.next((m) => m.ref === 1);
  calls.length = 0;
  const cases: [Record<string, unknown>, string][] = [
    [{ t: "url", id, url: "/orders?status=evil" }, "bad_message"],
    [{ t: "url", id, url: "/orders/7" }, "bad_message"],
    [{ t: "url", id, url: "//evil.example/orders" }, "bad_message"],
    [{ t: "url", id, url: "https://evil.example/orders" }, "bad_message"],
    [{ t: "url", id, url: 42 }, "bad_message"],
    [{ t: "url", id, url: "/" + "a".repeat(5000) }, "bad_message"],
    [{ t: "url", id: "nobody", url: "/orders" }, "not_joined"],
    [{ t: "url", id: "plain", url: "/about" }, "bad_message"],
    [{ t: "url", id, url: "/orders?status=%ZZ" }, "bad_message"],
  ];
  for (const [m, code] of cases) {
    const a = await client.request(m);
    assert.is(a.t, "error", JSON.stringify(m).slice(0, 80));
    assert.is(a.code, code, JSON.stringify(m).slice(0, 80));
    assert.not.match(a.message, /\n\s+at /, "no stack");
  }
  assert.equal(calls.filter((c) => c.name === "orders"), []);
  // handleParams refuses: the answer is its error, the page's state is as before
  const refused = await client.request({ t: "url", id, url: "/orders?status=open&page=13" });
  assert.is(refused.t, "error");
  assert.is(refused.code, "bad_message");
  assert.is(refused.message, "there is no page 13");
  assert.is(client.all((m) => m.ref === refused.ref).length, 1, "one answer");
  const ok = await client.request({ t: "url", id, url: "/orders?status=paid" });
  assert.is(ok.t, "patch");
  assert.is((await client.request({ t: "ping" })).t, "pong");
});

test("a live navigate: a join by URL alone mounts the route's component, handleParams before its first render", async () => {
  const ok = await client.join("p2", "", { url: "/orders/7" });
  assert.is(ok.t, "ok");
  assert.is(ok.name, "order", "an ok of a join by URL names the route's component");
  assert.match(ok.html, /Order <span class="id">7<\/span>/);
  assert.is(mounts.order, 1);
  assert.equal(calls, [{ name: "order", params: { id: 7 }, url: "/orders/7" }]);
  const title = await client.next((m) => m.t === "nav" && m.id === "p2");
  assert.is(title.title, "Order 7");
  const list = await client.join("p3", "", { url: "/orders?status=open" });
  assert.match(list.html, /<span class="status">open<\/span>/, "the first render has handleParams' state");
  const bad: [Record<string, unknown>, string][] = [
    [{ url: "/nowhere" }, "unknown_component"],
    [{ url: "/orders/0" }, "bad_message"],
    [{ url: "/orders?status=nope" }, "bad_message"],
    [{ name: "orders", url: "/orders/7" }, "bad_message"],
    [{ url: "/about/x" }, "bad_message"],
  ];
  let n = 10;
  for (const [extra, code] of bad) {
    const a = await client.join(`bad${n++}`, (extra.name as string) ?? "", extra);
    assert.is(a.t, "error");
    assert.is(a.code, code, JSON.stringify(extra));
  }
});

test("pushPatch: handleParams runs, the client is told the URL; pushNavigate carries its flash; redirect", async () => {
  const ok = await client.join("o", "", { url: "/orders" });
  assert.is(ok.t, "ok");
  calls.length = 0;
  await client.event("o", "open_only");
  const nav = await client.next((m) => m.t === "nav" && m.id === "o" && m.kind === "patch");
  assert.is(nav.url, "/orders?status=open");
  const patch = await client.next((m: Msg) => m.t === "patch" && m.id === "o" && JSON.stringify(m).includes("open") && m.ref === undefined);
  assert.ok(patch);
  assert.equal(calls, [{ name: "orders", params: { status: "open" }, url: "/orders?status=open" }]);
  await client.event("o", "open_seven");
  const go = await client.next((m) => m.t === "nav" && m.id === "o" && m.kind === "navigate");
  assert.is(go.url, "/orders/7");
  const flash = navs(client, "o").find((m) => m.flash);
  assert.equal(flash?.flash, ["info", "Opened order 7"]);
  assert.ok(client.log.indexOf(flash!) < client.log.indexOf(go), "the flash comes before the navigate");
  await client.event("o", "leave");
  const away = await client.next((m) => m.t === "nav" && m.id === "o" && m.kind === "redirect");
  assert.is(away.url, "/plain");
});

test("a mount that navigates, joined live: the answer, then the navigate", async () => {
  const ok = await client.join("g", "", { url: "/gone" });
  assert.is(ok.t, "ok");
  const go = await client.next((m) => m.t === "nav" && m.id === "g" && m.kind === "navigate");
  assert.is(go.url, "/about");
});

test.run();

const auth = suite("live pages: who asks");
let guarded: Running;
auth.before(async () => {
  guarded = await startServer({
    registry: navRegistry(), routes, layout,
    authenticate: (req) => (typeof req.headers["x-user"] === "string" ? { id: req.headers["x-user"], name: req.headers["x-user"] } : null),
    onMount: ({ user, name }) => (name === "order" && !user ? { redirect: "/signin?next=order" } : true),
  });
});
auth.after(() => guarded.stop());

auth("the layout gets the user the app's authenticate() resolved; a mount hook's redirect is a 302", async () => {
  const page = await (await fetch(`${guarded.http}/orders/5`, { headers: { "x-user": "ada" } })).text();
  assert.match(page, /<header class="site" data-user="ada">/);
  assert.match(page, /Order <span class="id">5<\/span>/);
  const anonymous = await fetch(`${guarded.http}/orders/5`, { redirect: "manual" });
  assert.is(anonymous.status, 302);
  assert.is(anonymous.headers.get("location"), "/signin?next=order");
  const c = await TestClient.open(guarded.url);
  try {
    const refused = await c.join("p", "", { url: "/orders/5" });
    assert.is(refused.code, "unauthorized");
    assert.equal(refused.details, { redirect: "/signin?next=order" });
  } finally {
    c.close();
  }
});

auth.run();

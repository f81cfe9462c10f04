// Live pages on every host (node:http, Express, Fastify): a GET of a route's path is the page, a
// bad URL param a 400 page, the app's own routes still answer, and the page joins over the
// host's WebSocket from its token.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import express from "express";
import Fastify from "fastify";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { hotlineExpress } from "../../server/express.js";
import { fastifyHotline } from "../../server/fastify.js";
import { createHotline, type Hotline } from "../../server/hotline.js";
import { layout, navRegistry, routes } from "./navigation-app.js";
import { TestClient } from "../support/ws-client.js";

interface Host {
  base: string;
  close(): Promise<void>;
}
const SECRET = "navigation-hosts-secret-0123456789";
const make = () => createHotline({ registry: navRegistry(), routes, layout, secret: SECRET, logger: { error() {} } });

const hosts: Record<string, () => Promise<Host>> = {
  async "node:http"() {
    const hotline = make();
    const server = createServer((req, res) => {
      void hotline.handler(req, res, () => void res.writeHead(200).end("the app's own route"));
    });
    hotline.attach(server);
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    return closer(hotline, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  },
  async express() {
    const hotline = make();
    const app = express();
    app.use(hotlineExpress(hotline));
    app.get("/after", (_req, res) => void res.send("the app's own route"));
    app.get("/orders-report", (_req, res) => void res.send("the app's own route"));
    const server = app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    hotline.attach(server);
    return closer(hotline, `http://127.0.0.1:${(server.address() as AddressInfo).port}`, () => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));
  },
  async fastify() {
    const hotline = make();
    const app = Fastify();
    await app.register(fastifyHotline, { hotline });
    app.get("/after", async () => "the app's own route");
    app.get("/orders-report", async () => "the app's own route");
    hotline.attach(app.server);
    const base = await app.listen({ port: 0, host: "127.0.0.1" });
    return closer(hotline, base, () => app.close());
  },
};

function closer(hotline: Hotline, base: string, stop: () => Promise<unknown>): Host {
  return { base, async close() { await hotline.close(); await stop(); } };
}

for (const [label, start] of Object.entries(hosts)) {
  const test = suite(`live pages on ${label}`);
  let host: Host;
  test.before(async () => {
    host = await start();
  });
  test.after(() => host.close());

  test("a GET of a route's path is the page, server-rendered", async () => {
    const r = await fetch(`${host.base}/orders/5`);
    assert.is(r.status, 200);
    assert.match(r.headers.get("content-type")!, /^text\/html/);
    const page = await r.text();
    assert.match(page, /<title>Order 5<\/title>/);
    assert.match(page, /<div hl-page><div hl-component="order"/);
    const list = await (await fetch(`${host.base}/orders?status=open`)).text();
    assert.match(list, /<span class="status">open<\/span>/);
  });

  test("a bad URL param is a 400 page; other paths are the app's", async () => {
    const bad = await fetch(`${host.base}/orders/minus-one`);
    assert.is(bad.status, 400);
    assert.match(await bad.text(), /invalid params: id/);
    assert.is((await fetch(`${host.base}/orders?status=%E0%A4%A`)).status, 400);
    assert.is(await (await fetch(`${host.base}/after`)).text(), "the app's own route");
    if (label !== "node:http") assert.is(await (await fetch(`${host.base}/orders-report`)).text(), "the app's own route");
    const js = await fetch(`${host.base}/hotline.js`);
    assert.is(js.status, 200);
    await js.arrayBuffer();
  });

  test("the page joins over the host's WebSocket from its token", async () => {
    const page = await (await fetch(`${host.base}/orders/9`)).text();
    const m = /hl-id="([^"]+)" hl-state="([^"]+)"/.exec(page)!;
    const c = await TestClient.open(`${host.base.replace(/^http/, "ws")}/live`);
    try {
      const ok = await c.join(m[1]!, "order", { state: m[2]!.replace(/&quot;/g, '"').replace(/&amp;/g, "&"), url: "/orders/9" });
      assert.is(ok.t, "ok");
      const p = await c.request({ t: "url", id: m[1], url: "/orders/10" });
      assert.is(p.t, "patch");
      assert.match(JSON.stringify(p), /10/);
    } finally {
      c.close();
    }
  });

  test.run();
}

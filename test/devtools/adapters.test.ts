// The inspector behind Express and Fastify: the adapters mount its page (hotline.pagePaths) with
// nothing more from the app; the page is served, refused when authorize says no, and goes live.
import type { AddressInfo } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import express from "express";
import Fastify from "fastify";
import { hotlineExpress } from "../../server/express.js";
import { fastifyHotline } from "../../server/fastify.js";
import { createHotline, type HotlineOptions } from "../../server/hotline.js";
import { Registry } from "../../server/core/registry.js";
import { Inspector } from "./support.js";

const options = (allow: boolean): HotlineOptions => ({
  registry: new Registry(), secret: "test-secret-0123456789abcdef", logger: { error() {} },
  devtools: { enabled: true, authorize: (_u, req) => allow && req.headers["x-test"] === "yes" },
});

async function check(base: string): Promise<void> {
  const refused = await fetch(`${base}/hotline/devtools`);
  assert.is(refused.status, 403);
  await refused.text();
  const inspector = await Inspector.open(base, `${base.replace(/^http/, "ws")}/live`, { "x-test": "yes" });
  try {
    await inspector.until("devtools-panel", (h) => /class="hdt-process" data-process="[^"]+" data-pid="\d+"/.test(h));
  } finally {
    inspector.close();
  }
}

test("Express: hotlineExpress(hotline) serves the inspector", async () => {
  const hotline = createHotline(options(true));
  const app = express();
  app.use(hotlineExpress(hotline));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  hotline.attach(server);
  try {
    await check(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
  } finally {
    await hotline.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test("Fastify: the fastifyHotline plugin serves the inspector", async () => {
  const hotline = createHotline(options(true));
  const app = Fastify();
  await app.register(fastifyHotline, { hotline });
  hotline.attach(app.server);
  const base = await app.listen({ port: 0, host: "127.0.0.1" });
  try {
    await check(base);
  } finally {
    await hotline.close();
    await app.close();
  }
});

test.run();

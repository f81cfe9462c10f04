// A small app with the devtools inspector on, for the two-process Chromium suite
// (test/e2e/devtools.test.ts): a "clicker" component on "/", the inspector at /hotline/devtools
// (its default rule: requests from this machine), Redis pub/sub shared by every process of a run.
// Env: PORT, REDIS_URL, HOTLINE_REDIS_PREFIX, HOTLINE_SECRET. Prints "devtools app on <url>".
import { createServer } from "node:http";
import { Redis } from "ioredis";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import { createHotline } from "../../server/hotline.js";
import { RedisPubSub } from "../../pubsub/redis.js";

class Clicker extends Component<{ count: number; password: string }> {
  mount() {
    this.state.count = 0;
    this.state.password = "do-not-show";
    this.subscribe("clicks");
  }
  onClick() {
    this.state.count += 1;
  }
  render() {
    return html`<div class="clicker"><output>${this.state.count}</output> <button type="button" hl-click="click">Click</button></div>`;
  }
}

const registry = new Registry();
registry.register("clicker", Clicker);
const redis = new Redis(process.env.REDIS_URL ?? "redis://127.0.0.1:6379", { maxRetriesPerRequest: 2 });
redis.on("error", () => {});
const pubsub = new RedisPubSub({ client: redis, prefix: process.env.HOTLINE_REDIS_PREFIX ?? "hotline-devtools-test:" });
const hotline = createHotline({ registry, pubsub, devtools: { enabled: true } });
const server = createServer(async (req, res) => {
  if ((req.url ?? "/") === "/") {
    const body = `<!doctype html><html><head><meta charset="utf-8"><title>clicker</title></head><body>${await hotline.live("clicker")}<script src="/hotline.js" defer></script></body></html>`;
    res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(body);
    return;
  }
  if (req.url === "/favicon.ico") return void res.writeHead(204).end();
  await hotline.handler(req, res);
});
hotline.attach(server);
server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", () => {
  const a = server.address() as { port: number };
  console.log(`devtools app on http://127.0.0.1:${a.port}`);
});
// The test's pipe on stdin: when the test process goes, so does this one.
process.stdin.on("end", () => process.exit(0));
process.stdin.on("error", () => process.exit(0));
process.stdin.resume();

// Redis restarts empty while sessions are idle (issue 17, item 3): the live instances still hold
// their state, and the store's reconnect makes the hub save it again: a private component's state,
// a shared group's state and its viewers' session records. Then a reconnecting client resumes
// every acknowledged change. Real WebSockets, a private redis-server (the shared one is untouched),
// with ioredis and node-redis.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Redis } from "ioredis";
import { z } from "zod";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import { RedisStore } from "../../server/stores/redis.js";
import { haveRedisServer, startRedisServer, type PrivateRedis } from "../support/redis-server.js";
import { sleep, startServer, TestClient } from "../support/ws-client.js";

const registry = new Registry();

class Counter extends Component<{ n: number }> {
  mount() {
    this.state.n = 0;
  }
  onBump() {
    this.state.n++;
  }
  render() {
    return html`<p>n=${this.state.n}</p>`;
  }
}
registry.register("counter", Counter);

class Room extends Component<{ room: string; n: number }, { room: string }> {
  static shared = true;
  static clientParams = z.object({ room: z.string().max(40) }).strict();
  mount() {
    this.state.room = this.params.room;
    this.state.n = 0;
  }
  onBump() {
    this.state.n++;
  }
  render() {
    return html`<p>${this.state.room}=${this.state.n}</p>`;
  }
}
registry.register("room", Room);

const have = await haveRedisServer();

for (const driver of ["ioredis", "node-redis"] as const) {
  const t = suite(`state after a Redis restart (${driver})`);
  let redis: PrivateRedis;

  t.before(async () => {
    if (have) redis = await startRedisServer();
  });
  t.after(async () => {
    await redis?.stop();
  });

  t("the sessions idle when Redis restarted empty resume with every acknowledged change", async () => {
    if (!have) return console.log("  (skipped: no redis-server here)");
    const prefix = `hl-test-restart-${driver}:`;
    const store = new RedisStore({ url: redis.url, driver, prefix, log: () => {} });
    // connected before the first join (loading the Redis library can take seconds on a busy machine)
    assert.is(await store.load("nothing-here"), null);
    const srv = await startServer({ registry, store });
    const probe = new Redis(redis.url, { lazyConnect: true, retryStrategy: () => 200 });
    probe.on("error", () => {});
    try {
      const a = await TestClient.open(srv.url);
      const ok = await a.join("c", "counter");
      for (let i = 0; i < 3; i++) assert.is((await a.event("c", "bump")).t, "patch");
      const room = await a.join("r", "room", { params: { room: "lobby" } });
      assert.is(room.t, "ok");
      for (let i = 0; i < 2; i++) assert.is((await a.event("r", "bump")).t, "patch");

      // a key nobody saves again tells that Redis came back empty (the store may re-save before we look)
      await probe.connect();
      await probe.set(`${prefix}marker`, "1");
      await redis.kill();
      await sleep(300);
      await redis.start();
      await probe.ping();
      assert.is(await probe.exists(`${prefix}marker`), 0, "Redis came back empty");

      // the store reconnects by itself; then the hub saves what is live again
      const keys = [ok.session, room.session].map((k) => `${prefix}${k}`);
      const all = [...keys, `${prefix}hl:g:html:room:{"room":"lobby"}`];
      let found = 0;
      for (let i = 0; i < 150 && (found = await probe.exists(...all)) < 3; i++) await sleep(100);
      assert.is(found, 3, "the session records and the group's state are saved again");

      a.close();
      const b = await TestClient.open(srv.url);
      const c = await b.join("c", "counter", { session: ok.session });
      assert.is(c.t, "ok", `the private session resumes: ${JSON.stringify(c)}`);
      assert.match(c.html, "n=3");
      // leave the room so that its group closes, and resume it from the store
      await sleep(50);
      assert.is(srv.hotline.stats().sharedGroups, 0, "the group closed with its last viewer");
      const r = await b.join("r", "room", { params: { room: "lobby" }, session: room.session });
      assert.is(r.t, "ok", `the shared viewer resumes: ${JSON.stringify(r)}`);
      assert.match(r.html, "lobby=2");
      b.close();
    } finally {
      probe.disconnect();
      await srv.stop();
      await store.close();
    }
  });

  t.run();
}

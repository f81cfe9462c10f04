// hotline/testing over real Redis: two apps, each with its own RedisPubSub connections, stand for
// two processes; settled() on one waits until what the other published has been delivered and
// handled (its marker comes back after the message on the same subscriber connection).
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { RedisPubSub } from "hotline/redis";
import { live, createTestApp } from "hotline/testing";
import { needRedis } from "../support/services.js";
import { Room } from "./room.js";

const url = await needRedis();
const prefix = `hotline-test:testing:${process.pid}:`;

const s = suite("hotline/testing over Redis");

s("a view in another process hears a click after settled(), chains included", async () => {
  const one = createTestApp({ pubsub: new RedisPubSub({ url, prefix }), components: { room: Room } });
  const two = createTestApp({ pubsub: new RedisPubSub({ url, prefix }), components: { room: Room } });
  try {
    const a = await live(Room, { app: one });
    const b = await live(Room, { app: two });
    for (let i = 1; i <= 3; i++) {
      await a.element("button", "Say hello").click();
      await b.settled();
      assert.equal(b.find("li").length, i, `message ${i} handled in the other process`);
    }
    await a.event("say", { text: "ping" });
    // each room echoes the ping: b's settled() covers what b published, a's what a published,
    // and b's again a's echo (published after b's marker came back)
    await b.settled();
    await a.settled();
    await b.settled();
    assert.equal(b.find("li").map((li) => li.textContent).slice(3), ["ping", "echo of ping", "echo of ping"]);
    assert.equal(a.find("li").map((li) => li.textContent).slice(3), ["ping", "echo of ping", "echo of ping"]);
  } finally {
    await one.pubsub.close();
    await two.pubsub.close();
    await one.close();
    await two.close();
  }
});

s.run();

// A plain event runs at once only when nothing is queued on its instance: behind an async event,
// a join or a pub/sub message it waits its turn, and what it queues itself runs after it. Real WebSockets.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import { startServer, sleep, TestClient } from "../support/ws-client.js";

class Log extends Component<{ log: string[] }> {
  mount() {
    this.state.log = [];
    this.subscribe("log");
  }
  async onSlow() {
    await sleep(60);
    this.state.log = [...this.state.log, "slow"];
  }
  onFast() {
    this.state.log = [...this.state.log, "fast"];
  }
  onPublish() {
    // delivered back to this instance through the queue: after this event, never inside it
    void this.publish("log", "message");
    this.state.log = [...this.state.log, "published"];
  }
  onMessage(_t: string, m: unknown) {
    this.state.log = [...this.state.log, String(m)];
  }
  onBoom() {
    this.state.log = [...this.state.log, "half-way"];
    throw new Error("boom");
  }
  render() {
    return html`<p>${this.state.log.join(",")}</p>`;
  }
}

const registry = new Registry();
registry.register("log", Log);

function text(m: Record<string, unknown>): string {
  return JSON.stringify(m);
}

/** A server and a client joined to a log as "l"; `stop` ends both. */
async function joined(): Promise<{ c: TestClient; stop(): Promise<void> }> {
  const s = await startServer({ registry });
  const c = await TestClient.open(s.url);
  await c.join("l", "log");
  return {
    c,
    async stop() {
      c.close();
      await s.stop();
    },
  };
}

test("a plain event behind an async one waits for it, and answers after it", async () => {
  const { c, stop } = await joined();
  c.send({ t: "event", ref: 10, id: "l", event: "slow" });
  c.send({ t: "event", ref: 11, id: "l", event: "fast" });
  const fast = await c.next((m) => m.ref === 11);
  assert.match(text(fast), /slow,fast/);
  const order = c.all((m) => m.t === "patch").map((m) => m.ref);
  assert.equal(order, [10, 11]);
  await stop();
});

test("what a plain event queues (a message to its own topic) runs after it", async () => {
  const { c, stop } = await joined();
  const own = await c.event("l", "publish");
  assert.match(text(own), /published/);
  assert.not.match(text(own), /message/);
  const after = await c.next((m) => m.t === "patch" && m.ref === undefined);
  assert.match(text(after), /published,message/);
  await stop();
});

test("a failing plain event answers an error, keeps the state as it was, and the next event runs", async () => {
  const { c, stop } = await joined();
  await c.event("l", "fast");
  const failed = await c.event("l", "boom");
  assert.is(failed.t, "error");
  const next = await c.event("l", "fast");
  assert.match(text(next), /fast,fast/);
  assert.not.match(text(next), /half-way/);
  await stop();
});

test("a plain event whose failure cannot even be answered rejects its promise; it never throws into the socket's read", async () => {
  const s = await startServer({ registry });
  const { live, key } = await s.hotline.hub.open({ name: "log", format: "html" });
  let broken = false;
  const viewer = { id: "l", key, user: null, send() { if (broken) throw new Error("socket gone"); } };
  await live.join(viewer, 1);
  broken = true;
  let result: Promise<void> | undefined;
  assert.not.throws(() => void (result = live.event(viewer, 2, "boom", undefined)));
  const outcome = await result!.then(() => "resolved", (e: Error) => e.message);
  assert.is(outcome, "socket gone");
  broken = false;
  await live.event(viewer, 3, "fast", undefined);
  assert.equal(live.component.state.log, ["fast"], "the queue goes on; the failed event left no trace");
  await s.stop();
});

test.run();

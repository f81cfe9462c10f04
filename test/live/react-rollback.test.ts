// Work on a live component that fails outside an event (onMessage, onJoin) is undone like a failed
// event: its state, and the stream rows it queued, which no viewer ever receives. Real WebSockets.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import { stream, streamInsert } from "../../server/core/template/stream.js";
import { MemoryPubSub } from "../../pubsub/memory.js";
import { startServer, sleep, TestClient } from "../support/ws-client.js";

type Row = { id: string };

class Feed extends Component<{ n: number }> {
  static joins = 0;
  mount() {
    this.state.n = 0;
    this.subscribe("feed");
  }
  onJoin() {
    streamInsert(this, "rows", [{ id: `joined${++Feed.joins}` }]);
    if (Feed.joins === 1) throw new Error("the first join fails");
  }
  onMessage(_topic: string, m: unknown) {
    const { id, fail } = m as { id: string; fail?: boolean };
    streamInsert(this, "rows", [{ id }]);
    this.state.n += 1;
    if (fail) throw new Error("this message fails half-way");
  }
  render() {
    return html`<ul>${stream<Row>(this, "rows", { key: (r) => r.id, render: (r) => html`<li>${r.id}</li>` })}</ul><b>${this.state.n}</b>`;
  }
}

test("a failed onMessage sends none of its stream rows and keeps no state; the next message's rows arrive", async () => {
  const registry = new Registry();
  registry.register("feed", Feed);
  const pubsub = new MemoryPubSub();
  const app = await startServer({ registry, pubsub });
  const c = await TestClient.open(app.url);
  try {
    // the first join's onJoin fails (its row never shows); a second join works
    assert.is((await c.join("f", "feed")).t, "error");
    const ok = await c.join("f", "feed");
    assert.is(ok.t, "ok", JSON.stringify(ok));
    await pubsub.publish("feed", { id: "lost", fail: true });
    await sleep(50);
    await pubsub.publish("feed", { id: "kept" });
    const patch = await c.next((m) => m.t === "patch" && JSON.stringify(m).includes("rows-kept"));
    const seen = c.raw.join("\n");
    assert.not.ok(seen.includes("rows-lost"), `a failed message's row reached the client: ${seen}`);
    assert.not.ok(seen.includes("rows-joined1"), `a failed join's row reached the client: ${seen}`);
    assert.ok(seen.includes("rows-joined2"), "the working join's row is there");
    assert.is(patch["1"], 1, "the failed message's count is undone: the next one makes 1");
  } finally {
    c.close();
    await app.stop();
  }
});

test.run();

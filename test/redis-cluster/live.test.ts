// Two Hotline apps in one process, each on its own Redis Cluster clients (one ioredis Cluster,
// one node-redis createCluster), share a component's updates through sharded pub/sub, with their
// states in RedisStore on the same cluster. Then one master is SIGKILLed mid-run: no crash and no
// unhandled error event; a change made during the outage reaches both views once a replica has
// taken over (delivered, or by the resync that follows the resubscribe); changes flow both ways after.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rendered } from "../../client/rendered.js";
import { RedisPubSub } from "../../pubsub/redis.js";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import { RedisStore } from "../../server/stores/redis.js";
import { runPrefix } from "../pubsub/redis-clients.js";
import { needRedisCluster, startRedisCluster } from "../support/redis-cluster.js";
import { startServer, TestClient, type Msg } from "../support/ws-client.js";
import { clusterClient, type TestClusterClient } from "./clients.js";

await needRedisCluster();
const crashes: unknown[] = [];
process.on("uncaughtException", (err) => crashes.push(err));
process.on("unhandledRejection", (err) => crashes.push(err));

const cluster = await startRedisCluster({ replicas: 1, nodeTimeoutMs: 1000 });
const prefix = runPrefix("cluster-live");
const TOPIC = "counter:1";
/** The app's database, which both apps of this process read (as two processes would read one). */
const db = { n: 0 };

class Counter extends Component<{ n: number }> {
  mount() {
    this.subscribe(TOPIC);
    this.state.n = db.n;
  }
  async onIncrement() {
    this.state.n = ++db.n;
    await this.publish(TOPIC, db.n);
  }
  onMessage(_topic: string, n: unknown) {
    this.state.n = n as number;
  }
  onResync() {
    this.state.n = db.n;
  }
  render() {
    return html`<p>n=${this.state.n}</p>`;
  }
}
const registry = new Registry();
registry.register("counter", Counter);

/** A viewer that applies every patch to its copy, as the browser does. */
class View {
  tree: Rendered | undefined;
  readonly #wake: (() => void)[] = [];
  constructor(readonly client: TestClient) {
    client.ws.on("message", (data) => {
      const m = JSON.parse(String(data)) as Msg;
      if (m.t === "ok" && m.id === "c") this.tree = Rendered.fromJoin(m);
      else if (m.t === "patch" && m.id === "c") this.tree?.apply(m);
      for (const f of this.#wake.splice(0)) f();
    });
  }
  shows(): string {
    return this.tree?.toHTML() ?? "";
  }
  async until(n: number, ms: number, what: string): Promise<void> {
    const deadline = Date.now() + ms;
    while (!this.shows().includes(`n=${n}<`)) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${what}: expected n=${n}, the view shows ${this.shows()}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, Math.min(left, 200));
        this.#wake.push(() => (clearTimeout(t), resolve()));
      });
    }
  }
}

/** Sends an increment until it answers with a patch (15 s at most); any other answer than handler_error fails. */
async function eventually(v: View, what: string): Promise<void> {
  const end = Date.now() + 15_000;
  for (;;) {
    const answer = (await v.client.event("c", "increment")) as { t: string; code?: string };
    if (answer.t === "patch") return;
    if (answer.t !== "error" || answer.code !== "handler_error" || Date.now() > end) throw new Error(`${what}: ${JSON.stringify(answer)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

/** What the test opened, closed in reverse (an app leaves a pubsub and store it was given open). */
const closers: (() => Promise<void>)[] = [];
async function app(flavour: "ioredis" | "node-redis", lines: string[]) {
  const c: TestClusterClient = await clusterClient(flavour, cluster);
  closers.push(() => c.quit());
  const log = (line: string) => lines.push(line);
  const pubsub = new RedisPubSub({ client: c.client, prefix, log });
  const store = new RedisStore({ client: c.client, prefix: `${prefix}state:`, log });
  closers.push(() => pubsub.close(), () => store.close());
  const server = await startServer({ registry, pubsub, store });
  closers.push(() => server.stop());
  return server;
}

test("two apps share updates on a Redis Cluster; a master SIGKILLed mid-run: no crash, views resync after the failover", async () => {
  const linesA: string[] = [], linesB: string[] = [];
  const a = await app("ioredis", linesA), b = await app("node-redis", linesB);
  const va = new View(await TestClient.open(a.url)), vb = new View(await TestClient.open(b.url));
  try {
    assert.is((await va.client.join("c", "counter")).t, "ok");
    assert.is((await vb.client.join("c", "counter")).t, "ok");
    assert.is((await va.client.event("c", "increment")).t, "patch");
    await vb.until(1, 5000, "B sees A's change");
    assert.is((await vb.client.event("c", "increment")).t, "patch");
    await va.until(2, 5000, "A sees B's change");

    // The master that carries the topic's channel dies.
    let victim: number | undefined;
    for (const port of await cluster.masters()) {
      if ((await cluster.cli(port, "PUBSUB", "SHARDCHANNELS", `${prefix}*`)).includes(`{${TOPIC}}`)) victim = port;
    }
    assert.ok(victim, "a master holds the topic's channel");
    await cluster.kill(victim!);
    // A change during the outage: its publish goes to the dead master's slot (it fails, or waits
    // in the client's queue); the event is not awaited, whatever its answer.
    const during = va.client.event("c", "increment").catch((err: Error) => ({ t: "timeout", err }));
    await cluster.waitHealthy(20_000);
    await vb.until(3, 20_000, "B shows the change made during the outage");
    await va.until(3, 20_000, "A shows the change made during the outage");
    await during;

    // Both ways again, on the new master. A client may still route a first publish to the dead
    // node until it refreshes its slot map: that event answers handler_error (never a crash), and
    // the next one goes through.
    await eventually(vb, "B's event after the failover");
    await va.until(db.n, 8000, "A sees B's change after the failover");
    await eventually(va, "A's event after the failover");
    await vb.until(db.n, 8000, "B sees A's change after the failover");

    assert.equal(crashes, [], "no uncaught error, no unhandled rejection");
    for (const lines of [linesA, linesB]) {
      assert.ok(lines.some((l) => /node was lost/.test(l)), `the loss is logged: ${lines.join(" | ")}`);
      assert.ok(lines.some((l) => /live again/.test(l)), `the recovery is logged: ${lines.join(" | ")}`);
    }
  } finally {
    va.client.close();
    vb.client.close();
    while (closers.length) await closers.pop()!();
    await cluster.stop();
  }
});

test.run();

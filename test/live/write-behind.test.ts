// Write-behind (issue 16): an event's state write is handed to the store before its patch is sent,
// and the patch does not wait for the store's answer while the store is healthy. Writes of one
// instance keep their order and coalesce; a failing or silent store makes patches wait again; a
// graceful close waits for the writes. Real WebSockets, a store that answers when the test says.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { WAIT_MS } from "../../server/live/writes.js";
import type { HotlineOptions } from "../../server/hotline.js";
import { sleep, startServer, TestClient, type Msg } from "../support/ws-client.js";
import { burst, MapStore, patches, registry } from "./write-behind-support.js";

type Answer = "ok" | "fail" | "hang";

/**
 * A store like Redis seen from the app: a write is applied when it is handed over, its answer
 * comes later: after `delayMs`, or when the test calls `answerAll()` (`delayMs` < 0). `answer`
 * says how: ok, fail (nothing applied), or never.
 */
class SlowStore extends MapStore {
  /** every write handed over, in order */
  readonly writes: { key: string; json: string }[] = [];
  answered = 0;
  answer: Answer = "ok";
  /** what `writable()` says (a Redis client whose connection is down says false) */
  connected = true;
  /** what happened, in order: "write N", "answer N", and what the test adds ("patch 3") */
  readonly events: string[] = [];
  #held: (() => void)[] = [];

  constructor(public delayMs: number) {
    super();
  }

  save(key: string, state: Record<string, unknown>): Promise<void> {
    const json = JSON.stringify(state);
    const n = this.writes.push({ key, json });
    this.events.push(`write ${n}`);
    const how = this.answer;
    if (how !== "fail") this.data.set(key, json);
    if (how === "hang") return new Promise(() => {});
    return new Promise((resolve, reject) => {
      const answer = () => {
        this.answered++;
        this.events.push(`answer ${n}`);
        if (how === "fail") reject(new Error("the store is down"));
        else resolve();
      };
      if (this.delayMs < 0) this.#held.push(answer);
      else setTimeout(answer, this.delayMs);
    });
  }

  writable(): boolean {
    return this.connected;
  }

  answerAll(): void {
    const held = this.#held;
    this.#held = [];
    for (const a of held) a();
  }

  /** The counts written under `key`, in the order the writes were handed over. */
  counts(key: string): number[] {
    return this.writes.filter((w) => w.key === key).map((w) => (JSON.parse(w.json) as { s: { count: number } }).s.count);
  }
}

async function setup(store: SlowStore, options: HotlineOptions = {}) {
  const lines: string[] = [];
  const srv = await startServer({ registry, store, logger: { error: (m: unknown) => lines.push(String(m)) }, rateLimit: { perSecond: 1e6, burst: 1e6 }, ...options });
  const client = await TestClient.open(srv.url);
  /** Ends the test: the client, then the store's held answers, then the server. */
  const stop = async () => {
    client.close();
    store.delayMs = 0;
    store.answerAll();
    await srv.stop();
  };
  return { srv, client, lines, stop };
}

/** Adds "patch N" to the store's events when a patch showing count N comes. */
function tellPatches(client: TestClient, store: SlowStore): void {
  client.ws.on("message", (d) => {
    const m = JSON.parse(String(d)) as Msg;
    if (m.t === "patch") store.events.push(`patch ${m["0"]}`);
  });
}

const order = suite("write-behind: order and coalescing");

order("a burst of 100 events: the patches come before the writes are answered, the store ends with the last state, in a few ordered writes", async () => {
  const store = new SlowStore(-1); // no answer until the test says
  const { srv, client, stop } = await setup(store);
  try {
    const ok = await client.join("c", "counter");
    assert.is(ok.t, "ok");
    assert.is(store.answered, 0, "the ok came before its write was answered");
    const key = ok.session as string;
    assert.is(store.count(key), 0, "the join's write was handed over before the ok");
    store.answerAll();
    store.delayMs = 2000; // answers come late, but they come (a loaded machine may see the store as stalled)

    const answeredAt: number[] = [];
    client.ws.on("message", () => answeredAt.push(store.answered));
    burst(client, 100, 10);
    const got = await patches(client, 100, 10);
    assert.is(answeredAt[0], 1, "the first patch came before its write was answered");
    console.log(`  writes answered when each patch came: ${[...new Set(answeredAt)].join(", ")} (1: none of the burst's)`);
    assert.equal(got.map((m) => Number(m["0"])), Array.from({ length: 100 }, (_, i) => i + 1), "patches in order, counts 1..100");
    assert.is(store.count(key), 100, "the last state was handed over before the last patch");
    const counts = store.counts(key);
    assert.ok(counts.length <= 6, `a burst writes a few coalesced states, not one per event: ${counts.join(",")}`);
    assert.equal([...counts].sort((a, b) => a - b), counts, "never an older state after a newer one");

    await srv.hotline.close();
    assert.is(store.answered, store.writes.length, "close() waited for the answers");
    assert.is(store.count(key), 100);
  } finally {
    await stop();
  }
});

order("an async handler that awaits mid-change: a write handed over meanwhile never holds its half-way state", async () => {
  const store = new SlowStore(-1);
  const { srv, client, stop } = await setup(store);
  try {
    const ok = await client.join("c", "counter");
    const key = ok.session as string;
    // increment then slow in one burst: the increment's write goes out while slow awaits half-way
    const socket = (client.ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
    socket.cork();
    client.send({ t: "event", ref: 2, id: "c", event: "increment" });
    client.send({ t: "event", ref: 3, id: "c", event: "slow" });
    socket.uncork();
    const [one, slow] = [await client.next((m) => m.ref === 2), await client.next((m) => m.ref === 3)];
    assert.is(one["0"], 1);
    assert.is(slow["0"], 2001);
    assert.ok(!store.counts(key).includes(1001), `no write of the half-way state: ${store.counts(key).join(",")}`);
    assert.is(store.count(key), 2001);
    store.answerAll();
  } finally {
    await stop();
  }
});

order.run();

const fallback = suite("write-behind: a failing or silent store");

fallback("writes fail: patches still come, each after its write's answer, logged; the state is saved again once the store is back", async () => {
  const store = new SlowStore(-1);
  const { srv, client, lines, stop } = await setup(store);
  try {
    const ok = await client.join("c", "counter");
    const key = ok.session as string;
    store.answerAll();
    store.answer = "fail";
    const first = client.event("c", "increment");
    assert.is((await first)["0"], 1, "the first patch goes ahead (the store looked healthy)");
    store.answerAll(); // its write fails: from now on patches wait for their write's answer

    tellPatches(client, store);
    const next = client.event("c", "increment");
    while (!store.events.includes("write 3")) await sleep(5);
    await sleep(50); // a patch that did not wait would be here by now
    store.answerAll();
    assert.is((await next)["0"], 2);
    assert.ok(store.events.indexOf("answer 3") < store.events.indexOf("patch 2"), `the patch waited for its write's answer: ${store.events.join(", ")}`);
    assert.ok(lines.some((l) => l.includes("cannot save the state")), "the failure is logged");

    store.answer = "ok";
    const third = client.event("c", "increment");
    while (!store.events.includes("write 4")) await sleep(5);
    store.answerAll();
    assert.is((await third)["0"], 3);
    assert.is(store.count(key), 3, "the state is saved again, with every change");
  } finally {
    await stop();
  }
});

fallback("the store stops answering: patches wait (at most WAIT_MS), coalesce, and the process carries on", async () => {
  const store = new SlowStore(-1);
  const { srv, client, lines, stop } = await setup(store);
  try {
    const ok = await client.join("c", "counter");
    const key = ok.session as string;
    store.answerAll();
    store.answer = "hang";
    assert.is((await client.event("c", "increment"))["0"], 1);
    await sleep(150); // its write unanswered for longer than the stall threshold: the store looks stalled
    burst(client, 5, 100);
    const waited = await patches(client, 5, 100, WAIT_MS + 5000);
    assert.equal(waited.map((m) => m["0"]), [2, 3, 4, 5, 6]);
    assert.is(store.count(key), 6, "the last state was handed over");
    assert.ok(store.counts(key).length <= 4, `the waiting events coalesced: ${store.counts(key).join(",")}`);
    assert.ok(lines.some((l) => l.includes("did not answer")), "the silence is logged");
  } finally {
    await stop();
  }
});

fallback("the store says its connection is down (writable() false): the patch waits for its write's answer", async () => {
  const store = new SlowStore(-1);
  const { srv, client, stop } = await setup(store);
  try {
    await client.join("c", "counter");
    store.answerAll();
    store.connected = false;
    tellPatches(client, store);
    const ev = client.event("c", "increment");
    while (!store.events.includes("write 2")) await sleep(5);
    await sleep(50); // a patch that did not wait would be here by now
    store.answerAll();
    assert.is((await ev)["0"], 1);
    assert.ok(store.events.indexOf("answer 2") < store.events.indexOf("patch 1"), store.events.join(", "));
    store.connected = true;
    assert.is((await client.event("c", "increment"))["0"], 2, "connected again: the patch goes ahead");
    assert.is(store.answered, 2, "without waiting for its write");
  } finally {
    await stop();
  }
});

fallback.run();

const strict = suite("write-behind: off (writeBehind: false)");

strict("every patch waits for its write's answer", async () => {
  const store = new SlowStore(-1);
  const { srv, client, stop } = await setup(store, { writeBehind: false });
  try {
    const joined = client.join("c", "counter");
    while (!store.events.includes("write 1")) await sleep(5);
    await sleep(50);
    store.events.push("test answers");
    store.answerAll();
    await joined;
    store.events.push("ok");
    tellPatches(client, store);
    const ev = client.event("c", "increment");
    while (!store.events.includes("write 2")) await sleep(5);
    await sleep(50);
    store.answerAll();
    assert.is((await ev)["0"], 1);
    assert.ok(store.events.indexOf("answer 2") < store.events.indexOf("patch 1"), store.events.join(", "));
  } finally {
    await stop();
  }
});

strict.run();

const shutdown = suite("write-behind: graceful close");

shutdown("hotline.close() waits for the writes not yet answered, also of instances whose client left", async () => {
  const store = new SlowStore(1000);
  const { srv, client } = await setup(store);
  const other = await TestClient.open(srv.url);
  try {
    const ok = await client.join("c", "counter");
    const gone = await other.join("c", "counter");
    burst(client, 20, 10);
    await patches(client, 20, 10);
    other.send({ t: "event", ref: 5, id: "c", event: "increment" });
    await other.next((m) => m.ref === 5);
    other.close(); // its instance closes with its write unanswered
    await other.closed;
    assert.ok(store.answered < store.writes.length, "some writes are still unanswered");
    await srv.hotline.close();
    assert.is(store.answered, store.writes.length, "close() waited for every write's answer");
    assert.is(store.count(ok.session as string), 20);
    assert.is(store.count(gone.session as string), 1);
  } finally {
    client.close();
    other.close();
    await srv.stop();
  }
});

shutdown.run();

// Write-behind (issue 16): an event's state write is handed to the store before its patch is sent,
// and the patch does not wait for the store's answer while the store is healthy. Writes of one
// instance keep their order and coalesce; a failing or silent store makes patches wait again; a
// graceful close waits for the writes. Real WebSockets, a store that answers when the test says.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import type { StateStore } from "../../server/core/store.js";
import { html } from "../../server/core/template/template.js";
import { WAIT_MS } from "../../server/live/persister.js";
import type { HotlineOptions } from "../../server/hotline.js";
import { sleep, startServer, TestClient, type Msg } from "../support/ws-client.js";

class Counter extends Component<{ count: number }> {
  mount() {
    this.state.count = 0;
  }
  onIncrement() {
    this.state.count += 1;
  }
  async onSlow() {
    this.state.count += 1000;
    await sleep(30);
    this.state.count += 1000;
  }
  render() {
    return html`<b>${this.state.count}</b>`;
  }
}
const registry = new Registry();
registry.register("counter", Counter);

type Answer = "ok" | "fail" | "hang";

/** What the test stores share: the states they hold, as JSON, and reading them back. */
abstract class MapStore implements StateStore {
  readonly data = new Map<string, string>();

  abstract save(key: string, state: Record<string, unknown>): Promise<void>;

  async load(key: string): Promise<Record<string, unknown> | null> {
    const json = this.data.get(key);
    return json === undefined ? null : (JSON.parse(json) as Record<string, unknown>);
  }

  async delete(key: string): Promise<void> {
    this.data.delete(key);
  }

  /** The count saved under `key`. */
  count(key: string): number | undefined {
    const json = this.data.get(key);
    return json === undefined ? undefined : (JSON.parse(json) as { s: { count: number } }).s.count;
  }
}

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

/** Sends `n` increments in one socket write (one burst, as a fast clicker's frames arrive). */
function burst(client: TestClient, n: number, firstRef: number): void {
  const socket = (client.ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
  socket.cork();
  for (let i = 0; i < n; i++) client.send({ t: "event", ref: firstRef + i, id: "c", event: "increment" });
  socket.uncork();
}

/** Adds "patch N" to the store's events when a patch showing count N comes. */
function tellPatches(client: TestClient, store: SlowStore): void {
  client.ws.on("message", (d) => {
    const m = JSON.parse(String(d)) as Msg;
    if (m.t === "patch") store.events.push(`patch ${m["0"]}`);
  });
}

/** The patches answering refs firstRef … firstRef+n-1, in the order they came. */
async function patches(client: TestClient, n: number, firstRef: number, ms = 10_000): Promise<Msg[]> {
  const got: Msg[] = [];
  for (let i = 0; i < n; i++) got.push(await client.next((m) => m.t === "patch" && m.ref === firstRef + i, ms));
  return got;
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

/** A synchronous store (as the MemoryStore) whose saves fail while `failing`: with a rejected promise, or a throw. */
class FailingSyncStore extends MapStore {
  readonly synchronous = true;
  failing = false;

  constructor(readonly how: "reject" | "throw") {
    super();
  }

  save(key: string, state: Record<string, unknown>): Promise<void> {
    if (this.failing) {
      if (this.how === "throw") throw new Error("the disk is full");
      return Promise.reject(new Error("the disk is full"));
    }
    this.data.set(key, JSON.stringify(state));
    return Promise.resolve();
  }
}

for (const how of ["reject", "throw"] as const) {
  fallback(`a synchronous store whose save fails (${how}): the patch still comes, the failure is logged, and the session carries on`, async () => {
    const store = new FailingSyncStore(how);
    const lines: string[] = [];
    const srv = await startServer({ registry, store, logger: { error: (m: unknown) => lines.push(String(m)) }, rateLimit: { perSecond: 1e6, burst: 1e6 } });
    const client = await TestClient.open(srv.url);
    try {
      const ok = await client.join("c", "counter");
      const key = ok.session as string;
      assert.is(store.count(key), 0);
      store.failing = true;
      assert.is((await client.event("c", "increment"))["0"], 1, "the patch comes");
      for (let i = 0; i < 200 && !lines.some((l) => l.includes("cannot save the state")); i++) await sleep(5);
      assert.ok(lines.some((l) => l.includes("cannot save the state")), "the failure is logged");
      assert.is(store.count(key), 0, "nothing was saved");
      store.failing = false;
      assert.is((await client.event("c", "increment"))["0"], 2);
      assert.is(store.count(key), 2, "the next event's state is saved");
    } finally {
      client.close();
      await srv.stop();
    }
  });
}

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

const shared = suite("write-behind: saves that share one promise");

/**
 * A store that answers the saves of one turn with one promise, as RedisStore does with a batch
 * (`perTurn`), or every save with one promise settled once for good (`constant`). The turn's
 * answer is held until `answerAll()`; `fail` makes it a rejection.
 */
class SharedStore extends MapStore {
  fail = false;
  #turn: { promise: Promise<void>; settle(): void } | undefined;
  readonly #held: (() => void)[] = [];
  readonly #constant = Promise.resolve();

  constructor(readonly how: "perTurn" | "constant") {
    super();
  }

  save(key: string, state: Record<string, unknown>): Promise<void> {
    if (!this.fail) this.data.set(key, JSON.stringify(state));
    if (this.how === "constant") return this.#constant;
    if (!this.#turn) {
      let settle!: () => void;
      const fail = this.fail;
      const promise = new Promise<void>((resolve, reject) => (settle = () => (fail ? reject(new Error("the batch failed")) : resolve())));
      this.#turn = { promise, settle };
      setImmediate(() => {
        this.#held.push(this.#turn!.settle);
        this.#turn = undefined;
      });
    }
    return this.#turn.promise;
  }

  answerAll(): void {
    for (const settle of this.#held.splice(0)) settle();
  }
}

/** A server on `store` with `n` clients joined to a counter each: their session keys, the log, and the test's end. */
async function sharedSetup(store: SharedStore, n: number) {
  const lines: string[] = [];
  const srv = await startServer({ registry, store, logger: { error: (m: unknown) => lines.push(String(m)) }, rateLimit: { perSecond: 1e6, burst: 1e6 } });
  const clients = await Promise.all(Array.from({ length: n }, () => TestClient.open(srv.url)));
  const oks = await Promise.all(clients.map((c) => c.join("c", "counter")));
  const stop = async () => {
    for (const c of clients) c.close();
    store.answerAll();
    await srv.stop();
  };
  return { srv, clients, keys: oks.map((ok) => ok.session as string), lines, stop };
}

/** Resolves with how long `p` took, in ms. */
async function took(p: Promise<unknown>): Promise<number> {
  const t0 = Date.now();
  await p;
  return Date.now() - t0;
}

shared("one promise per turn for many sessions' saves: each session's writes are answered, and close() ends as soon as the answer comes", async () => {
  const store = new SharedStore("perTurn");
  const { srv, clients, keys, lines, stop } = await sharedSetup(store, 8);
  try {
    store.answerAll();
    clients.forEach((c, i) => burst(c, 5, 10 + i));
    await Promise.all(clients.map((c, i) => patches(c, 5, 10 + i)));
    for (const k of keys) assert.is(store.count(k), 5);
    let closed = false;
    const closing = srv.hotline.close().then(() => (closed = true));
    await sleep(100);
    assert.not.ok(closed, "close() waits for the writes' answers");
    store.answerAll();
    // every session's writes were answered by the one answer: close() does not wait out WAIT_MS
    assert.ok((await took(closing)) < WAIT_MS / 2, "close() ended once the shared answers came");
    assert.equal(lines, [], "nothing failed");
  } finally {
    await stop();
  }
});

shared("a shared answer that fails: every session in it logs the failure, and each one's next event writes its state again", async () => {
  const store = new SharedStore("perTurn");
  const { clients, keys, lines, stop } = await sharedSetup(store, 4);
  try {
    store.answerAll();
    store.fail = true;
    await Promise.all(clients.map((c) => c.event("c", "increment")));
    store.answerAll(); // the turn's writes fail together
    while (lines.filter((l) => l.includes("cannot save the state")).length < keys.length) await sleep(5);
    for (const k of keys) assert.is(store.count(k), 0, "nothing of the failed turn was kept");
    store.fail = false;
    // the patches wait for their write's answer now (the store failed last): answer as they come
    const answering = setInterval(() => store.answerAll(), 5);
    try {
      assert.equal((await Promise.all(clients.map((c) => c.event("c", "increment")))).map((m) => m["0"]), [2, 2, 2, 2]);
    } finally {
      clearInterval(answering);
    }
    for (const k of keys) assert.is(store.count(k), 2, "each state written again");
  } finally {
    await stop();
  }
});

shared("a store that hands out one settled promise for every save: every write is answered", async () => {
  const store = new SharedStore("constant");
  const { srv, clients, keys, stop } = await sharedSetup(store, 4);
  try {
    for (let round = 0; round < 3; round++) {
      clients.forEach((c, i) => burst(c, 4, 100 * round + 10 * i + 1));
      await Promise.all(clients.map((c, i) => patches(c, 4, 100 * round + 10 * i + 1)));
    }
    for (const k of keys) assert.is(store.count(k), 12);
    assert.ok((await took(srv.hotline.close())) < WAIT_MS / 2, "no write was left unanswered");
  } finally {
    await stop();
  }
});

shared.run();

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

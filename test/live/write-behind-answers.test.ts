// What write-behind does with a store's answers (issue 16): saves that share one promise (a RedisStore
// batch), and a synchronous store (as the MemoryStore) whose save fails. Real WebSockets.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { WAIT_MS } from "../../server/live/writes.js";
import { sleep, startServer, TestClient } from "../support/ws-client.js";
import { burst, MapStore, patches, registry } from "./write-behind-support.js";

const sync = suite("write-behind: a synchronous store that fails");

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
  sync(`a synchronous store whose save fails (${how}): the patch still comes, the failure is logged, and the session carries on`, async () => {
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

sync.run();

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

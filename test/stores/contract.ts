// The StateStore contract: MemoryStore (the reference) and RedisStore over ioredis and node-redis
// run these same tests. Each make() gives a store that shares nothing with the previous one.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { setTimeout as sleep } from "node:timers/promises";
import type { StateStore } from "../../server/core/store.js";

export interface StoreFixture {
  store: StateStore;
  cleanup(): Promise<void>;
}

export function storeContract(name: string, make: () => Promise<StoreFixture>): void {
  const test = suite(`StateStore contract: ${name}`);
  const fixtures: StoreFixture[] = [];
  const open = async () => { const f = await make(); fixtures.push(f); return f.store; };
  test.after.each(async () => { while (fixtures.length) await fixtures.pop()!.cleanup(); });

  test("save then load gives the state back", async () => {
    const s = await open();
    const state = { count: 3, name: "ünï", tags: ["a", "b"], nested: { ok: true, none: null } };
    await s.save("s1:counter", state);
    assert.equal(await s.load("s1:counter"), state);
  });

  test("a missing key loads as null", async () => {
    const s = await open();
    assert.is(await s.load("never-saved"), null);
  });

  test("save replaces what was there", async () => {
    const s = await open();
    await s.save("k", { a: 1, b: 2 });
    await s.save("k", { c: 3 });
    assert.equal(await s.load("k"), { c: 3 });
  });

  test("delete removes; deleting a missing key is not an error", async () => {
    const s = await open();
    await s.save("k", { a: 1 });
    await s.delete("k");
    assert.is(await s.load("k"), null);
    await s.delete("k");
    await s.delete("never-saved");
  });

  test("a state expires after its TTL", async () => {
    const s = await open();
    await s.save("short", { a: 1 }, 300);
    await s.save("long", { b: 2 }, 60_000);
    assert.equal(await s.load("short"), { a: 1 });
    await sleep(500);
    assert.is(await s.load("short"), null);
    assert.equal(await s.load("long"), { b: 2 });
  });

  test("saving again renews the TTL", async () => {
    const s = await open();
    // Without renewal the key would be gone at 600 ms; it is read at about 800 ms.
    await s.save("k", { v: 1 }, 600);
    await sleep(400);
    await s.save("k", { v: 2 }, 600);
    await sleep(400);
    assert.equal(await s.load("k"), { v: 2 });
  });

  test("keys are independent", async () => {
    const s = await open();
    await s.save("s1:a", { who: "a" });
    await s.save("s1:b", { who: "b" });
    await s.delete("s1:a");
    assert.equal(await s.load("s1:b"), { who: "b" });
  });

  test("the caller never shares an object with the store", async () => {
    const s = await open();
    const state = { list: [1] };
    await s.save("k", state);
    state.list.push(2);
    const loaded = (await s.load("k")) as { list: number[] };
    assert.equal(loaded, { list: [1] });
    loaded.list.push(3);
    assert.equal(await s.load("k"), { list: [1] });
  });

  test("two stores do not see each other's keys", async () => {
    const a = await open(), b = await open();
    await a.save("same-key", { from: "a" });
    assert.is(await b.load("same-key"), null);
    await b.save("same-key", { from: "b" });
    assert.equal(await a.load("same-key"), { from: "a" });
  });

  test.run();
}

// The board repos: the memory one and the Redis one (real Redis, a key unique to this run) behave alike.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Redis } from "ioredis";
import { MemoryBoardRepo, RedisBoardRepo, MAX_ITEMS, type BoardRepo } from "../../components/board-repo.js";
import { needRedis } from "../support/services.js";

const url = await needRedis();
const redis = new Redis(url);
const key = `hotline-test:board:${process.pid}:${Date.now()}`;

for (const [name, make] of [
  ["memory", () => new MemoryBoardRepo()],
  ["redis", () => new RedisBoardRepo(redis, `${key}:${Math.random()}`)],
] as [string, () => BoardRepo][]) {
  test(`${name}: add, list in order, toggle, remove`, async () => {
    const repo = make();
    const a = await repo.add("a");
    const b = await repo.add("b <&> \"q\"");
    assert.equal(a, { id: "i1", text: "a", done: false });
    assert.equal(await repo.list(), [a, b]);
    assert.is(await repo.toggle(a!.id), true);
    assert.is(await repo.toggle("i999"), false);
    assert.equal((await repo.list()).map((i) => i.done), [true, false]);
    assert.is(await repo.toggle(a!.id), true);
    assert.equal((await repo.list()).map((i) => i.done), [false, false]);
    assert.is(await repo.remove(a!.id), true);
    assert.is(await repo.remove(a!.id), false);
    assert.equal(await repo.list(), [b]);
  });

  test(`${name}: ids keep increasing after removals and the list stays in insertion order past i9`, async () => {
    const repo = make();
    for (let i = 0; i < 12; i++) await repo.add(`t${i}`);
    await repo.remove("i1");
    const c = await repo.add("last");
    assert.is(c!.id, "i13");
    assert.equal((await repo.list()).map((i) => i.text).slice(-3), ["t10", "t11", "last"]);
  });

  test(`${name}: an item keeps the name of who added it; one added anonymously has no author`, async () => {
    const repo = make();
    const a = await repo.add("by ada", "Ada");
    const b = await repo.add("by nobody");
    assert.equal(a, { id: "i1", text: "by ada", done: false, author: "Ada" });
    assert.equal(b, { id: "i2", text: "by nobody", done: false });
    await repo.toggle(a!.id);
    assert.equal(await repo.list(), [{ ...a!, done: true }, b]);
  });

  test(`${name}: a full board refuses`, async () => {
    const repo = make();
    for (let i = 0; i < MAX_ITEMS; i++) assert.ok(await repo.add(`x${i}`));
    assert.is(await repo.add("too many"), null);
    assert.is((await repo.list()).length, MAX_ITEMS);
  });
}

test("redis: two repos on one key (two processes) see each other's changes", async () => {
  const k = `${key}:shared`;
  const one = new RedisBoardRepo(redis, k);
  const two = new RedisBoardRepo(redis, k);
  const item = await one.add("shared");
  assert.equal(await two.list(), [item]);
  await two.toggle(item!.id);
  assert.is((await one.list())[0]!.done, true);
});

test("redis: items stored before authors were kept still list, without one", async () => {
  const k = `${key}:old`;
  await redis.hset(k, "i1", JSON.stringify({ text: "from before", done: true }));
  await redis.set(`${k}:seq`, "1");
  const repo = new RedisBoardRepo(redis, k);
  assert.equal(await repo.list(), [{ id: "i1", text: "from before", done: true }]);
  assert.is(await repo.toggle("i1"), true);
  assert.equal(await repo.add("new", "Grace"), { id: "i2", text: "new", done: false, author: "Grace" });
  assert.equal(await repo.list(), [{ id: "i1", text: "from before", done: false }, { id: "i2", text: "new", done: false, author: "Grace" }]);
});

test.after(async () => {
  const keys = await redis.keys(`${key}*`);
  if (keys.length) await redis.del(...keys);
  await redis.quit();
});

test.run();

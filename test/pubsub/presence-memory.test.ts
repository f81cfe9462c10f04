// MemoryPresence, the reference, against the Presence contract, and the default per-topic limit.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { PRESENCE_LIMITS } from "../../pubsub/presence.js";
import { MemoryPresence } from "../../pubsub/presence-memory.js";
import { uniqueTopic } from "./contract.js";
import { refusal, runPresenceContract } from "./presence-contract.js";

runPresenceContract({
  name: "memory",
  make: async (options) => {
    const presence = new MemoryPresence(options);
    return { presence, cleanup: () => presence.close() };
  },
});

const test = suite("MemoryPresence");

test("the default limit is 10,000 presences per topic", async () => {
  const p = new MemoryPresence();
  const t = uniqueTopic("default-limit");
  assert.is(PRESENCE_LIMITS.presencesPerTopic, 10_000);
  for (let i = 0; i < 10_000; i++) await p.track(t, `u${i % 100}`, { i });
  assert.is((await refusal(p.track(t, "one-more", {}))).code, "too_large");
  assert.is(Object.keys(await p.list(t)).length, 100);
  await p.close();
});

test("a bad maxPresencesPerTopic is refused at construction", () => {
  for (const bad of [0, -1, 1.5, NaN]) assert.throws(() => new MemoryPresence({ maxPresencesPerTopic: bad }), /maxPresencesPerTopic/);
});

test("a key named __proto__ is a key like any other", async () => {
  const p = new MemoryPresence();
  const t = uniqueTopic("proto");
  const ref = await p.track(t, "__proto__", { x: 1 });
  const list = await p.list(t);
  assert.equal(Object.keys(list), ["__proto__"]);
  assert.equal(Object.getOwnPropertyDescriptor(list, "__proto__")!.value, { metas: [{ ref, meta: { x: 1 } }] });
  assert.is(Object.getPrototypeOf(list), Object.prototype);
  await p.close();
});

test("topics with neither a tracking nor a listener are forgotten", async () => {
  const p = new MemoryPresence();
  const t = uniqueTopic("forget");
  const off = await p.subscribe(t, () => {});
  const ref = await p.track(t, "ada", {});
  assert.is(p.topicCount, 1);
  await off();
  assert.is(p.topicCount, 1);
  await p.untrack(t, ref);
  assert.is(p.topicCount, 0);
  await p.close();
});

test.run();

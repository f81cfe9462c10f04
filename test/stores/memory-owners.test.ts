// MemoryStore's per-owner bounds: one owner keeps at most maxEntriesPerOwner entries; when the
// store is full the owner with the most entries loses its least recently used first, so a
// flooding client evicts its own entries and not the other owners'.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MemoryStore } from "../../server/core/memory-store.js";

const s = (n: number) => ({ n });

test("a full store evicts the largest owner's least recently used entry, not another owner's", async () => {
  const store = new MemoryStore({ maxEntries: 10, maxEntriesPerOwner: 100 });
  await store.save("alice-1", s(1), undefined, "u:alice");
  await store.save("bob-1", s(1), undefined, "a:10.0.0.2");
  for (let i = 0; i < 50; i++) await store.save(`flood-${i}`, s(i), undefined, "a:10.0.0.66");
  assert.is(store.size, 10);
  assert.equal(await store.load("alice-1"), s(1));
  assert.equal(await store.load("bob-1"), s(1));
  assert.is(store.sizeOf("a:10.0.0.66"), 8);
  // the flood kept its most recent entries
  assert.equal(await store.load("flood-49"), s(49));
  assert.is(await store.load("flood-0"), null);
});

test("one owner keeps at most maxEntriesPerOwner entries, its least recently used going first", async () => {
  const store = new MemoryStore({ maxEntriesPerOwner: 3 });
  for (let i = 0; i < 3; i++) await store.save(`k${i}`, s(i), undefined, "a:x");
  await store.load("k0"); // used: k1 is now the least recently used
  await store.save("k3", s(3), undefined, "a:x");
  assert.is(store.sizeOf("a:x"), 3);
  assert.is(await store.load("k1"), null);
  assert.equal(await store.load("k0"), s(0));
  // entries without an owner have no quota of their own
  for (let i = 0; i < 10; i++) await store.save(`n${i}`, s(i));
  assert.is(store.sizeOf(), 10);
});

test("a key saved again by another owner moves to that owner; delete and expiry free the count", async () => {
  const store = new MemoryStore({ maxEntries: 4 });
  await store.save("k", s(1), undefined, "a:one");
  await store.save("k", s(2), undefined, "u:two");
  assert.is(store.sizeOf("a:one"), 0);
  assert.is(store.sizeOf("u:two"), 1);
  await store.delete("k");
  assert.is(store.sizeOf("u:two"), 0);
  await store.save("e", s(1), 1, "a:one");
  await new Promise((r) => setTimeout(r, 5));
  assert.is(await store.load("e"), null);
  assert.is(store.size, 0);
  // counts stay right through evictions: a balanced store evicts round-robin among the largest
  for (let i = 0; i < 8; i++) await store.save(`b${i}`, s(i), undefined, i % 2 ? "a:odd" : "a:even");
  assert.is(store.size, 4);
  assert.is(store.sizeOf("a:odd"), 2);
  assert.is(store.sizeOf("a:even"), 2);
});

test.run();

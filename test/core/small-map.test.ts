// SmallMap (server/core/small-map.ts): one entry in fields, a Map from the second key on. Checked
// against a real Map over random sequences of sets and deletes, and for keys a one-entry map must
// not confuse (undefined, a key set again, a key deleted then set). The WebSocket suites cover the
// connection that keeps its views in one.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SmallMap } from "../../server/core/small-map.js";

test("one entry: get, has, size, set again, delete, values", () => {
  const m = new SmallMap<string, number>();
  assert.is(m.size, 0);
  assert.is(m.get("a"), undefined);
  assert.is(m.has("a"), false);
  assert.is(m.delete("a"), false);
  assert.equal([...m.values()], []);
  m.set("a", 1).set("a", 2);
  assert.is(m.size, 1, "a key set twice is one entry");
  assert.is(m.get("a"), 2);
  assert.is(m.has("b"), false);
  assert.is(m.get("b"), undefined);
  assert.equal([...m.values()], [2]);
  assert.ok(m.delete("a"));
  assert.is(m.size, 0);
  assert.is(m.get("a"), undefined);
  m.set("b", 3);
  assert.equal([...m.values()], [3]);
});

test("keys a one-entry map must not confuse: undefined as a key and as a value", () => {
  const m = new SmallMap<string | undefined, number | undefined>();
  assert.is(m.has(undefined), false, "an empty map has no undefined key");
  m.set(undefined, undefined);
  assert.ok(m.has(undefined));
  assert.is(m.size, 1);
  assert.is(m.has("x"), false);
  m.set("x", 1);
  assert.equal([...m.values()], [undefined, 1]);
});

test("random sets, deletes and clears: the same entries, order and answers as a Map, at every step", () => {
  let seed = 11;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  const keys = ["c1", "c2", "c1:child", "c3"];
  for (let run = 0; run < 200; run++) {
    const s = new SmallMap<string, number>();
    const m = new Map<string, number>();
    for (let step = 0; step < 40; step++) {
      const k = keys[rand(keys.length)]!;
      const op = rand(10);
      if (op < 3) assert.is(s.delete(k), m.delete(k));
      else if (op === 3) {
        s.clear();
        m.clear();
      } else {
        s.set(k, step);
        m.set(k, step);
      }
      assert.is(s.size, m.size);
      assert.equal([...s.values()], [...m.values()]);
      for (const x of keys) {
        assert.is(s.get(x), m.get(x));
        assert.is(s.has(x), m.has(x));
      }
    }
  }
});

test.run();

// The viewers of a live instance (server/live/viewers.ts): one member kept in a field, a Set from
// the second on. Checked against a real Set over random sequences of joins and leaves, and for
// what loops over it rely on. (Private and shared components end to end: the live/ and
// transports/ suites.)
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Viewers } from "../../server/live/viewers.js";

type V = { n: number };
const pool: V[] = Array.from({ length: 6 }, (_, n) => ({ n }));

test("empty, one, then a second member: size, has and the order of joining", () => {
  const v = new Viewers<V>();
  const [a, b, c] = pool as [V, V, V];
  assert.is(v.size, 0);
  assert.is(v.has(a), false);
  assert.equal([...v], []);
  assert.is(v.delete(a), false);
  v.add(a).add(a);
  assert.is(v.size, 1, "adding the same viewer twice keeps one");
  assert.ok(v.has(a));
  assert.is(v.has(b), false);
  assert.equal([...v], [a]);
  v.add(b).add(c);
  assert.equal([...v], [a, b, c]);
  assert.ok(v.delete(b));
  assert.is(v.delete(b), false);
  assert.equal([...v], [a, c]);
  assert.is(v.size, 2);
});

test("the lone viewer leaves, another joins: nothing of the first remains", () => {
  const v = new Viewers<V>();
  const [a, b] = pool as [V, V];
  v.add(a);
  assert.ok(v.delete(a));
  assert.is(v.size, 0);
  assert.equal([...v], []);
  v.add(b);
  assert.equal([...v], [b]);
  assert.is(v.has(a), false);
});

test("a loop that removes members it has not reached skips them, as over a Set", () => {
  const v = new Viewers<V>();
  const [a, b, c] = pool as [V, V, V];
  v.add(a).add(b).add(c);
  const seen: V[] = [];
  for (const x of v) {
    seen.push(x);
    if (x === a) v.delete(c);
  }
  assert.equal(seen, [a, b]);
  const one = new Viewers<V>().add(a);
  const once: V[] = [];
  for (const x of one) {
    once.push(x);
    one.delete(x); // a leave from inside the loop
  }
  assert.equal(once, [a]);
  assert.is(one.size, 0);
});

test("random joins and leaves: the same members, size and order as a Set, at every step", () => {
  let seed = 7;
  const rand = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) % n);
  for (let run = 0; run < 200; run++) {
    const v = new Viewers<V>();
    const s = new Set<V>();
    for (let step = 0; step < 40; step++) {
      const x = pool[rand(pool.length)]!;
      if (rand(3) === 0) assert.is(v.delete(x), s.delete(x));
      else {
        v.add(x);
        s.add(x);
      }
      assert.is(v.size, s.size);
      assert.equal([...v], [...s]);
      for (const y of pool) assert.is(v.has(y), s.has(y));
    }
  }
});

test.run();

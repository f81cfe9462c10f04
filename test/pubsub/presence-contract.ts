// The Presence contract: every implementation (memory, Redis over ioredis, Redis over node-redis)
// runs these same tests. An instance's own changes reach its own listeners before the call that
// made them resolves; another process's changes are waited for.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { setTimeout as sleep } from "node:timers/promises";
import { HotlineError } from "../../server/core/errors.js";
import type { Presence, PresenceDiff, PresenceInfo, PresenceList, PresenceOptions } from "../../pubsub/presence.js";
import { uniqueTopic } from "./contract.js";

export interface PresenceFixture {
  presence: Presence;
  cleanup(): Promise<void>;
}

export interface PresenceContractOptions {
  name: string;
  /** A fresh instance (its own connections: for Redis, what another process would have). */
  make(options?: PresenceOptions): Promise<PresenceFixture>;
  /** Another process's instance on the same bus (for Redis: maybe over the other client library). */
  secondProcess?: (options?: PresenceOptions) => Promise<PresenceFixture>;
}

/** Records what a presence listener got. */
export interface DiffCollector {
  readonly listener: (diff: PresenceDiff, info: PresenceInfo) => void;
  readonly diffs: PresenceDiff[];
  readonly infos: PresenceInfo[];
  /** Resolves once `n` diffs arrived; rejects after `ms`. */
  until(n: number, ms?: number): Promise<void>;
}

export function diffCollector(): DiffCollector {
  const diffs: PresenceDiff[] = [];
  const infos: PresenceInfo[] = [];
  return {
    diffs, infos,
    listener: (d, i) => { diffs.push(d); infos.push(i); },
    async until(n, ms = 3000) {
      await eventually(() => diffs.length >= n, `${n} diffs (got ${diffs.length}: ${JSON.stringify(diffs)})`, ms);
    },
  };
}

/** Polls `check` until it holds; `what` (a function, to show the last state) names it when it times out. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string | (() => string), ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for: ${typeof what === "string" ? what : what()}`);
    await sleep(10);
  }
}

/** The list as plain data, key -> refs, both sorted (a list reloaded from Redis comes in hash order). */
export function refsOf(list: PresenceList): Record<string, string[]> {
  return Object.fromEntries(Object.entries(list).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, e]) => [k, e.metas.map((m) => m.ref).sort()]));
}

/** Awaits `p` and returns the HotlineError it rejected with (fails if it resolved or threw something else). */
export async function refusal(p: Promise<unknown>): Promise<HotlineError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof HotlineError, `expected a HotlineError, got ${caught === undefined ? "success" : String(caught)}`);
  return caught as HotlineError;
}

const join = (key: string, ref: string, meta: object): PresenceDiff => ({ joins: { [key]: { metas: [{ ref, meta: meta as never }] } }, leaves: {} });
const leave = (key: string, ref: string, meta: object): PresenceDiff => ({ joins: {}, leaves: { [key]: { metas: [{ ref, meta: meta as never }] } } });

export function runPresenceContract(options: PresenceContractOptions): void {
  const test = suite(`Presence contract: ${options.name}`);
  const fixtures: PresenceFixture[] = [];
  const open = async (o?: PresenceOptions) => { const f = await options.make(o); fixtures.push(f); return f.presence; };
  const openSecond = async (o?: PresenceOptions) => { const f = await options.secondProcess!(o); fixtures.push(f); return f.presence; };
  test.after.each(async () => { while (fixtures.length) await fixtures.pop()!.cleanup(); });

  test("track: the presence is listed under its key, with its ref and meta", async () => {
    const p = await open();
    const t = uniqueTopic("track");
    const ref = await p.track(t, "ada", { name: "Ada" });
    assert.type(ref, "string");
    assert.ok(ref.length > 0);
    assert.equal(await p.list(t), { ada: { metas: [{ ref, meta: { name: "Ada" } }] } });
    assert.equal(await p.list(uniqueTopic("elsewhere")), {});
  });

  test("a listener gets the join of its own instance's track by the time track resolves", async () => {
    const p = await open();
    const t = uniqueTopic("own");
    const c = diffCollector();
    await p.subscribe(t, c.listener);
    const ref = await p.track(t, "ada", { name: "Ada" });
    assert.equal(c.diffs, [join("ada", ref, { name: "Ada" })]);
    assert.equal(c.infos, [{ topic: t }]);
    assert.equal(await p.list(t), { ada: { metas: [{ ref, meta: { name: "Ada" } }] } });
  });

  test("two trackings of one key: one key with two metas; every join and leave is in a diff under the key", async () => {
    const p = await open();
    const t = uniqueTopic("tabs");
    const c = diffCollector();
    await p.subscribe(t, c.listener);
    const r1 = await p.track(t, "ada", { tab: 1 });
    const r2 = await p.track(t, "ada", { tab: 2 });
    await p.track(t, "bob", { tab: 1 });
    const list = await p.list(t);
    assert.equal(Object.keys(list).sort(), ["ada", "bob"]);
    assert.equal(list.ada!.metas, [{ ref: r1, meta: { tab: 1 } }, { ref: r2, meta: { tab: 2 } }]);
    assert.equal(c.diffs.slice(0, 2), [join("ada", r1, { tab: 1 }), join("ada", r2, { tab: 2 })]);
    await p.untrack(t, r1);
    assert.equal(c.diffs[3], leave("ada", r1, { tab: 1 }));
    assert.equal((await p.list(t)).ada, { metas: [{ ref: r2, meta: { tab: 2 } }] }, "one tab left: still present");
    await p.untrack(t, r2);
    assert.equal(c.diffs[4], leave("ada", r2, { tab: 2 }));
    assert.equal(Object.keys(await p.list(t)), ["bob"], "last tab gone: the key left");
  });

  test("update: one diff with the old meta in leaves and the new in joins, same ref", async () => {
    const p = await open();
    const t = uniqueTopic("update");
    const ref = await p.track(t, "ada", { typing: false });
    const c = diffCollector();
    await p.subscribe(t, c.listener);
    await p.update(t, ref, { typing: true });
    assert.equal(c.diffs, [{ joins: { ada: { metas: [{ ref, meta: { typing: true } }] } }, leaves: { ada: { metas: [{ ref, meta: { typing: false } }] } } }]);
    assert.equal(await p.list(t), { ada: { metas: [{ ref, meta: { typing: true } }] } });
  });

  test("update of an unknown ref, or of a ref on another topic, is refused with bad_message", async () => {
    const p = await open();
    const t = uniqueTopic("update-unknown");
    const ref = await p.track(t, "ada", {});
    assert.is((await refusal(p.update(t, "no-such-ref", {}))).code, "bad_message");
    assert.is((await refusal(p.update(uniqueTopic("other"), ref, {}))).code, "bad_message");
    await p.untrack(t, ref);
    assert.is((await refusal(p.update(t, ref, {}))).code, "bad_message", "after untrack the ref is gone");
  });

  test("untrack: a leave, the key gone; untracking twice or an unknown ref is harmless", async () => {
    const p = await open();
    const t = uniqueTopic("untrack");
    const ref = await p.track(t, "ada", { n: 1 });
    const c = diffCollector();
    await p.subscribe(t, c.listener);
    await p.untrack(t, ref);
    assert.equal(c.diffs, [leave("ada", ref, { n: 1 })]);
    assert.equal(await p.list(t), {});
    await p.untrack(t, ref);
    await p.untrack(t, "no-such-ref");
    assert.is(c.diffs.length, 1);
  });

  test("every listener of the topic gets each diff, as the same value; a listener of another topic gets nothing", async () => {
    const p = await open();
    const t = uniqueTopic("many");
    const a = diffCollector(), b = diffCollector(), other = diffCollector();
    await p.subscribe(t, a.listener);
    await p.subscribe(t, b.listener);
    await p.subscribe(uniqueTopic("other"), other.listener);
    const ref = await p.track(t, "ada", {});
    await p.untrack(t, ref);
    assert.is(a.diffs.length, 2);
    assert.is(b.diffs.length, 2);
    assert.ok(a.diffs[0] === b.diffs[0], "one diff value shared by every listener");
    assert.is(other.diffs.length, 0);
  });

  test("unsubscribe stops delivery and keeps the other listener; twice is harmless", async () => {
    const p = await open();
    const t = uniqueTopic("off");
    const a = diffCollector(), b = diffCollector();
    const offA = await p.subscribe(t, a.listener);
    await p.subscribe(t, b.listener);
    await p.track(t, "ada", {});
    await offA();
    await offA();
    await p.track(t, "bob", {});
    assert.is(a.diffs.length, 1);
    assert.is(b.diffs.length, 2);
    assert.equal(Object.keys(await p.list(t)).sort(), ["ada", "bob"]);
  });

  test("the same function subscribed twice is two subscriptions", async () => {
    const p = await open();
    const t = uniqueTopic("twice");
    const c = diffCollector();
    const off1 = await p.subscribe(t, c.listener);
    await p.subscribe(t, c.listener);
    await p.track(t, "ada", {});
    assert.is(c.diffs.length, 2);
    await off1();
    await p.track(t, "bob", {});
    assert.is(c.diffs.length, 3);
  });

  test("the meta is copied: mutating it after track or update changes nothing", async () => {
    const p = await open();
    const t = uniqueTopic("copy");
    const meta = { name: "Ada", tags: ["a"] };
    const ref = await p.track(t, "ada", meta);
    meta.name = "changed";
    meta.tags.push("b");
    assert.equal((await p.list(t)).ada!.metas[0]!.meta, { name: "Ada", tags: ["a"] });
    const next = { name: "Ada L." };
    await p.update(t, ref, next);
    next.name = "changed";
    assert.equal((await p.list(t)).ada!.metas[0]!.meta, { name: "Ada L." });
  });

  test("close untracks everything: its listeners get the leaves, then every call is refused", async () => {
    const p = await open();
    const t = uniqueTopic("close");
    const c = diffCollector();
    await p.subscribe(t, c.listener);
    const r1 = await p.track(t, "ada", { tab: 1 });
    const r2 = await p.track(t, "ada", { tab: 2 });
    await p.close();
    const left = c.diffs.slice(2).flatMap((d) => d.leaves.ada?.metas.map((m) => m.ref) ?? []);
    assert.equal(left.sort(), [r1, r2].sort());
    for (const call of [p.track(t, "ada", {}), p.list(t), p.subscribe(t, () => {}), p.update(t, r1, {})]) {
      assert.match((await refusal(call)).message, /closed/);
    }
    await p.close(); // twice is harmless
  });

  test("meta over 1 KiB of JSON, key or topic over 256 characters: refused with too_large; at the limits, accepted", async () => {
    const p = await open();
    const t = uniqueTopic("limits");
    const at = { s: "x".repeat(1024 - '{"s":""}'.length) };
    assert.is(JSON.stringify(at).length, 1024);
    await p.track(t, "k".repeat(256), at);
    await p.track(`${t}:`.padEnd(256, "t"), "ada", {});
    const over = { s: "é".repeat(510) }; // 1020 characters, 1028 bytes: bytes are what count
    for (const call of [
      p.track(t, "ada", over),
      p.track(t, "k".repeat(257), {}),
      p.track("t".repeat(257), "ada", {}),
      p.list("t".repeat(257)),
      p.subscribe("t".repeat(257), () => {}),
    ]) {
      const err = await refusal(call);
      assert.is(err.code, "too_large");
      assert.is(err.fault, "app");
    }
    const ref = await p.track(t, "bob", {});
    assert.is((await refusal(p.update(t, ref, over))).code, "too_large");
    assert.equal(Object.keys(await p.list(t)).sort(), ["bob", "k".repeat(256)]);
  });

  test("a topic at maxPresencesPerTopic refuses the next track with too_large, and has room again after an untrack", async () => {
    const p = await open({ maxPresencesPerTopic: 3 });
    const t = uniqueTopic("full");
    const c = diffCollector();
    await p.subscribe(t, c.listener);
    const refs = [await p.track(t, "ada", {}), await p.track(t, "ada", {}), await p.track(t, "bob", {})];
    const err = await refusal(p.track(t, "carol", {}));
    assert.is(err.code, "too_large");
    assert.match(err.message, /3 presences/);
    assert.is(c.diffs.length, 3, "a refused track makes no diff");
    await p.track(uniqueTopic("other"), "carol", {}); // the limit is per topic
    await p.untrack(t, refs[0]!);
    await p.track(t, "carol", {});
    assert.equal(Object.keys(await p.list(t)).sort(), ["ada", "bob", "carol"]);
  });

  test("a meta that is not a plain JSON object, an empty or non-string key or topic: refused with bad_message", async () => {
    const p = await open();
    const t = uniqueTopic("invalid");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const bad: unknown[] = [cyclic, { f: () => 1 }, { n: NaN }, { n: Infinity }, { b: 10n }, { d: new Date(0) }, { m: new Map() },
      { list: [1, undefined] }, [1, 2], null, "text", 42, undefined, new (class Meta { x = 1 })()];
    for (const meta of bad) {
      const err = await refusal(p.track(t, "ada", meta as never));
      assert.is(err.code, "bad_message", `meta ${String(meta)}`);
    }
    for (const call of [p.track(t, "", {}), p.track(t, 42 as never, {}), p.track("", "ada", {}), p.list(""), p.subscribe(undefined as never, () => {})]) {
      assert.is((await refusal(call)).code, "bad_message");
    }
    assert.equal(await p.list(t), {}, "nothing was tracked");
    // An optional field left undefined is dropped, as JSON does; that is not an error.
    const ref = await p.track(t, "ada", { name: "Ada", colour: undefined });
    assert.equal(await p.list(t), { ada: { metas: [{ ref, meta: { name: "Ada" } }] } });
  });

  test("a listener that throws does not stop the others", async () => {
    const p = await open();
    const t = uniqueTopic("throw");
    const c = diffCollector();
    const quiet = console.error;
    const errors: unknown[] = [];
    console.error = (...a: unknown[]) => errors.push(a);
    try {
      const off = await p.subscribe(t, () => { throw new Error("listener bug"); });
      await p.subscribe(t, c.listener);
      await p.track(t, "ada", {});
      await p.track(t, "bob", {});
      await off();
    } finally {
      console.error = quiet;
    }
    assert.is(c.diffs.length, 2);
    assert.is(errors.length, 2, "each throw is reported");
  });

  const distributed = options.secondProcess ? test : test.skip;

  distributed("a second instance (another process) sees the first's presences and diffs, and the reverse", async () => {
    const a = await open(), b = await openSecond();
    const t = uniqueTopic("cross");
    const ca = diffCollector(), cb = diffCollector();
    await a.subscribe(t, ca.listener);
    await b.subscribe(t, cb.listener);
    const ada = await a.track(t, "ada", { from: "a" });
    await cb.until(1);
    assert.equal(cb.diffs[0], join("ada", ada, { from: "a" }));
    assert.equal(cb.infos[0], { topic: t });
    const bob = await b.track(t, "bob", { from: "b" });
    await ca.until(2);
    assert.equal(ca.diffs[1], join("bob", bob, { from: "b" }));
    const both = { ada: [ada], bob: [bob] };
    assert.equal(refsOf(await a.list(t)), both);
    assert.equal(refsOf(await b.list(t)), both);
    await a.untrack(t, ada);
    await cb.until(3);
    assert.equal(cb.diffs[2], leave("ada", ada, { from: "a" }));
    assert.equal(refsOf(await b.list(t)), { bob: [bob] });
  });

  distributed("list() of a topic the instance does not subscribe to reads every process's presences", async () => {
    const a = await open(), b = await openSecond();
    const t = uniqueTopic("unsubscribed");
    const r1 = await a.track(t, "ada", { tab: 1 });
    const r2 = await b.track(t, "ada", { tab: 2 });
    for (const p of [a, b]) {
      const list = await p.list(t);
      assert.equal(Object.keys(list), ["ada"]);
      assert.equal(list.ada!.metas.map((m) => m.ref).sort(), [r1, r2].sort(), "one key, a meta per process");
    }
  });

  distributed("an update reaches the other instance as one leave+join diff", async () => {
    const a = await open(), b = await openSecond();
    const t = uniqueTopic("cross-update");
    const cb = diffCollector();
    await b.subscribe(t, cb.listener);
    const ref = await a.track(t, "ada", { typing: false });
    await a.update(t, ref, { typing: true });
    await cb.until(2);
    assert.equal(cb.diffs[1], { joins: { ada: { metas: [{ ref, meta: { typing: true } }] } }, leaves: { ada: { metas: [{ ref, meta: { typing: false } }] } } });
    assert.equal((await b.list(t)).ada!.metas, [{ ref, meta: { typing: true } }]);
  });

  distributed("closing an instance: the other sees its presences leave", async () => {
    const a = await open(), b = await openSecond();
    const t = uniqueTopic("cross-close");
    const cb = diffCollector();
    await b.subscribe(t, cb.listener);
    await a.track(t, "ada", { tab: 1 });
    await a.track(t, "ada", { tab: 2 });
    const bob = await b.track(t, "bob", {});
    await cb.until(3);
    await a.close();
    await eventually(async () => Object.keys(await b.list(t)).join() === "bob", "ada leaves b's list");
    assert.equal(refsOf(await b.list(t)), { bob: [bob] });
    const left = cb.diffs.slice(3).flatMap((d) => d.leaves.ada?.metas ?? []);
    assert.is(left.length, 2, "both of ada's tabs left");
  });

  distributed("maxPresencesPerTopic counts every process's presences", async () => {
    const a = await open(), b = await openSecond({ maxPresencesPerTopic: 3 });
    const t = uniqueTopic("cross-full");
    await a.track(t, "ada", {});
    await a.track(t, "ada", {});
    await b.track(t, "bob", {}); // b does not subscribe: it asks Redis how many there are
    assert.is((await refusal(b.track(t, "carol", {}))).code, "too_large");
    const u = uniqueTopic("cross-full-subscribed");
    await a.track(u, "ada", {});
    await a.track(u, "ada", {});
    const cb = diffCollector();
    await b.subscribe(u, cb.listener); // b holds the list: it counts from it
    await b.track(u, "bob", {});
    assert.is((await refusal(b.track(u, "carol", {}))).code, "too_large");
  });

  test.run();
}

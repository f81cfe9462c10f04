// The ModelAdapter contract: every adapter runs these tests over the demo's orders table
// (server/models/orders-demo.ts), freshly made for each test.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { HotlineError } from "../../server/core/errors.js";
import type { ModelAdapter, ModelChange, WatchOptions } from "../../server/models/model.js";

/** A fresh adapter over the demo orders (rows 1..5, version 1), and how to dispose of it. */
export type MakeAdapter = () => Promise<{ adapter: ModelAdapter; dispose: () => Promise<void> }>;

/** Rejects with a HotlineError of `code`; returns it. */
export async function rejectsWith(promise: Promise<unknown>, code: string): Promise<HotlineError> {
  try {
    await promise;
  } catch (err) {
    assert.instance(err, HotlineError, `expected a HotlineError, got ${String(err)}`);
    assert.is((err as HotlineError).code, code);
    return err as HotlineError;
  }
  assert.unreachable(`expected a rejection with ${code}`);
  throw new Error("unreachable");
}

/** Records the changes a watch delivers; `next()` waits for the next one. */
export async function record(adapter: ModelAdapter, options?: WatchOptions) {
  const got: ModelChange[] = [];
  let wake: (() => void) | undefined;
  const off = await adapter.watch((c) => { got.push(c); wake?.(); }, options);
  return {
    got,
    off,
    async next(timeoutMs = 5000): Promise<ModelChange> {
      const deadline = Date.now() + timeoutMs;
      while (!got.length) {
        if (Date.now() > deadline) throw new Error("no change arrived in time");
        await new Promise<void>((resolve) => { wake = resolve; setTimeout(resolve, 50); });
      }
      return got.shift()!;
    },
  };
}

const ada = { id: 1, status: "pending", customer: "Ada Lovelace", total: 120.5, owner: "ada", version: 1 };

/**
 * Runs the contract against one implementation.
 *
 * @example
 * modelAdapterContract("memory", async () => ({ adapter: createMemoryOrders(), dispose: async () => {} }));
 */
export function modelAdapterContract(name: string, make: MakeAdapter): void {
  const t = suite<{ adapter: ModelAdapter; dispose: () => Promise<void> }>(`ModelAdapter contract: ${name}`);
  t.before.each(async (ctx) => { Object.assign(ctx, await make()); });
  t.after.each(async (ctx) => ctx.dispose());

  t("metadata: key, version, and each field's type, nullability, length and enum", async ({ adapter }) => {
    const meta = await adapter.metadata();
    assert.is(meta.primaryKey, "id");
    assert.is(meta.versionField, "version");
    const f = Object.fromEntries(meta.fields.map((x) => [x.name, x]));
    assert.equal(Object.keys(f).sort(), ["customer", "id", "owner", "status", "total", "version"]);
    assert.is(f.id!.type, "integer");
    assert.ok(f.id!.readonly && f.version!.readonly, "key and version are read-only");
    assert.is(f.status!.type, "string");
    assert.equal(f.status!.enum, ["pending", "paid", "shipped", "cancelled"]);
    assert.is(f.customer!.maxLength, 80);
    assert.is(f.customer!.nullable, false);
    assert.is(f.total!.type, "number");
    assert.not.ok(f.status!.readonly || f.customer!.readonly || f.total!.readonly);
  });

  t("get: a row by key (a form's string key too), null when absent, bad_message for an ill-typed key", async ({ adapter }) => {
    assert.equal(await adapter.get(1), ada);
    assert.equal(await adapter.get("1"), ada);
    assert.is(await adapter.get(999), null);
    await rejectsWith(adapter.get("1 OR 1=1"), "bad_message");
  });

  t("list: all rows in key order, bounded by limit and offset", async ({ adapter }) => {
    const all = await adapter.list();
    assert.equal(all.map((r) => r.id), [1, 2, 3, 4, 5]);
    assert.equal(all[0], ada);
    assert.equal((await adapter.list({ limit: 2 })).map((r) => r.id), [1, 2]);
    assert.equal((await adapter.list({ limit: 2, offset: 3 })).map((r) => r.id), [4, 5]);
  });

  t("create: coerces form strings, fills defaults, starts at version 1", async ({ adapter }) => {
    const row = await adapter.create({ customer: "Barbara Liskov", total: "19.99", owner: "barbara" });
    assert.equal(row, { id: 6, status: "pending", customer: "Barbara Liskov", total: 19.99, owner: "barbara", version: 1 });
    assert.equal(await adapter.get(6), row);
    const second = await adapter.create({ customer: "Donald Knuth", total: 7, status: "paid", owner: "donald" });
    assert.is(second.id, 7);
  });

  t("create: invalid values are refused with every field's message, nothing is written", async ({ adapter }) => {
    const err = await rejectsWith(adapter.create({ status: "lost", total: "12abc" }), "bad_message");
    const errors = (err.details as { errors: Record<string, string> }).errors;
    assert.equal(Object.keys(errors).sort(), ["customer", "owner", "status", "total"]);
    assert.is(errors.customer, "is required");
    await rejectsWith(adapter.create({ customer: "X", total: 1, owner: "x", version: 9 }), "unauthorized");
    assert.is((await adapter.list()).length, 5);
  });

  t("save: writes, bumps the version, coerces strings", async ({ adapter }) => {
    const saved = await adapter.save(1, { status: "paid", total: "99.5" }, 1);
    assert.equal(saved, { ...ada, status: "paid", total: 99.5, version: 2 });
    assert.equal(await adapter.get(1), saved);
    const again = await adapter.save("1", { customer: "Ada King" }, "2" as unknown as number);
    assert.is(again.version, 3);
    assert.is(again.status, "paid");
  });

  t("save: a stale version is a conflict carrying the current row; nothing is written", async ({ adapter }) => {
    await adapter.save(2, { status: "shipped" }, 1);
    const err = await rejectsWith(adapter.save(2, { status: "cancelled" }, 1), "conflict");
    const current = (err.details as { current: Record<string, unknown> }).current;
    assert.is(current.status, "shipped");
    assert.is(current.version, 2);
    assert.equal(await adapter.get(2), current);
  });

  t("save: a deleted row is a conflict with current null", async ({ adapter }) => {
    await adapter.delete(3, 1);
    assert.is(await adapter.get(3), null);
    const err = await rejectsWith(adapter.save(3, { status: "paid" }, 1), "conflict");
    assert.equal(err.details, { current: null });
    await rejectsWith(adapter.delete(4, 7), "conflict");
    assert.ok(await adapter.get(4), "a stale delete deletes nothing");
  });

  t("save: read-only and unknown fields are refused, the row is unchanged", async ({ adapter }) => {
    await rejectsWith(adapter.save(1, { version: 50 }, 1), "unauthorized");
    await rejectsWith(adapter.save(1, { id: 9 }, 1), "unauthorized");
    const err = await rejectsWith(adapter.save(1, { status: "paid", "status\" = 'x' --": 1 }, 1), "bad_message");
    assert.not.match(err.message, "status\"", "the client's field name is not echoed");
    await rejectsWith(adapter.save(1, { status: "paid" }, "x" as unknown as number), "bad_message");
    assert.equal(await adapter.get(1), ada);
  });

  t("save: invalid values are refused with details.errors, the row is unchanged", async ({ adapter }) => {
    const err = await rejectsWith(adapter.save(1, { customer: "x".repeat(81), total: -3 }, 1), "bad_message");
    assert.equal((err.details as { errors: unknown }).errors, { customer: "must be at most 80 characters", total: "must not be negative" });
    await rejectsWith(adapter.save(1, { customer: null }, 1), "bad_message");
    assert.equal(await adapter.get(1), ada);
  });

  t("validate: metadata rules, the app's validator, partial and whole", async ({ adapter }) => {
    assert.equal(await adapter.validate({ status: "paid" }, { partial: true }), {});
    assert.equal(await adapter.validate({ status: "paid" }), { customer: "is required", total: "is required", owner: "is required" });
    assert.equal(await adapter.validate({ customer: "Bo", total: "3.5", owner: "bo" }), {});
    const errors = await adapter.validate({ status: "lost", customer: "  ", total: "abc", owner: "bo" });
    assert.equal(errors, { status: "must be one of: pending, paid, shipped, cancelled", customer: "must not be blank", total: "must be a number" });
    await rejectsWith(adapter.validate({ nope: 1 }), "bad_message");
  });

  t("values are data, never SQL: injection text is stored verbatim and harms nothing", async ({ adapter }) => {
    const evil = "'; DROP TABLE orders; --";
    const saved = await adapter.save(1, { customer: evil }, 1);
    assert.is(saved.customer, evil);
    const created = await adapter.create({ customer: "Robert'); DELETE FROM orders; --", total: 1, owner: "robert" });
    assert.is((await adapter.get(created.id as number))!.customer, "Robert'); DELETE FROM orders; --");
    assert.is((await adapter.list()).length, 6);
    await rejectsWith(adapter.save("1 OR 1=1", { status: "paid" }, 2), "bad_message");
    await rejectsWith(adapter.delete("1; DELETE FROM orders", 2), "bad_message");
    assert.equal((await adapter.list()).map((r) => r.version), [2, 1, 1, 1, 1, 1]);
  });

  t("watch a row: its writes arrive, other rows' do not", async ({ adapter }) => {
    const row = await record(adapter, { pk: "1" });
    const table = await record(adapter);
    await adapter.save(2, { status: "paid" }, 1);
    await adapter.save(1, { status: "paid" }, 1);
    assert.equal(await row.next(), { table: (await adapter.metadata()).table, op: "update", pk: 1, version: 2 });
    assert.is((await table.next()).pk, 2);
    assert.is((await table.next()).pk, 1);
    assert.is(row.got.length, 0, "row 2's change never reached row 1's watcher");
    await row.off();
    await table.off();
  });

  t("watch the table: inserts, updates and deletes arrive; unsubscribing stops them", async ({ adapter }) => {
    const feed = await record(adapter);
    const created = await adapter.create({ customer: "Frances Allen", total: 5, owner: "frances" });
    const c1 = await feed.next();
    assert.equal([c1.op, c1.pk, c1.version], ["insert", created.id, 1]);
    await adapter.save(created.id as number, { status: "paid" }, 1);
    const c2 = await feed.next();
    assert.equal([c2.op, c2.pk, c2.version], ["update", created.id, 2]);
    await adapter.delete(created.id as number, 2);
    const c3 = await feed.next();
    assert.equal([c3.op, c3.pk, c3.version], ["delete", created.id, 2]);
    await feed.off();
    const other = await record(adapter);
    await adapter.save(5, { status: "paid" }, 1);
    await other.next();
    assert.is(feed.got.length, 0, "an unsubscribed listener hears nothing");
    await other.off();
  });

  t.run();
}

// The PostgreSQL model adapter: the shared contract, then what only a real database can show:
// writers outside the adapter, injection attempts, catalog types, a lost LISTEN connection.
import pg from "pg";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { PostgresModelAdapter } from "../../server/models/postgres/adapter.js";
import { openPostgresOrders } from "../../demo/orders-model.js";
import { needPostgres } from "../support/services.js";
import { modelAdapterContract, record, rejectsWith } from "./contract.js";

const url = await needPostgres();
const pool = new pg.Pool({ connectionString: url, max: 6 });
const run = `hl_${process.pid}_${Date.now().toString(36)}`;
let n = 0;
const tables = new Set<string>();

async function drop(table: string): Promise<void> {
  await pool.query(`DROP TABLE IF EXISTS "${table}"`);
  tables.delete(table);
}

async function orders(options: { reconnectDelayMs?: number } = {}) {
  const table = `${run}_${++n}`;
  tables.add(table);
  const adapter = await openPostgresOrders(pool, { table, ...options });
  return { adapter, table, dispose: async () => { await adapter.close(); await drop(table); } };
}

modelAdapterContract("postgres", orders);

const pgOnly = suite<{ adapter: PostgresModelAdapter; table: string; dispose: () => Promise<void> }>("PostgresModelAdapter");
pgOnly.before.each(async (ctx) => { Object.assign(ctx, await orders({ reconnectDelayMs: 50 })); });
pgOnly.after.each(async (ctx) => ctx.dispose());
pgOnly.after(async () => {
  for (const t of [...tables]) await drop(t);
  await pool.end();
});

pgOnly("an UPDATE by another client (psql-like, version untouched) reaches watch and moves the version", async ({ adapter, table }) => {
  const feed = await record(adapter, { pk: 2 });
  const other = new pg.Client({ connectionString: url });
  await other.connect();
  try {
    await other.query(`UPDATE "${table}" SET status = 'shipped' WHERE id = 2`);
  } finally {
    await other.end();
  }
  assert.equal(await feed.next(), { table, op: "update", pk: 2, version: 2 });
  assert.is((await adapter.get(2))!.status, "shipped");
  const err = await rejectsWith(adapter.save(2, { status: "cancelled" }, 1), "conflict");
  assert.is((err.details as { current: { status: string } }).current.status, "shipped");
  await feed.off();
});

pgOnly("a save through a second adapter (another process) reaches the first one's watchers", async ({ adapter, table }) => {
  const feed = await record(adapter);
  const second = new PostgresModelAdapter({ connectionString: url, table });
  try {
    await second.save(3, { customer: "A. M. Turing" }, 1);
    assert.equal(await feed.next(), { table, op: "update", pk: 3, version: 2 });
  } finally {
    await second.close();
  }
  await feed.off();
});

pgOnly("injection through values, keys and field names changes nothing it should not", async ({ adapter, table }) => {
  const evil = `'; DROP TABLE "${table}"; --`;
  await adapter.save(1, { customer: evil, status: "paid" }, 1);
  for (const pk of ["1 OR 1=1", "1; DROP TABLE x", "' OR ''='"]) {
    await rejectsWith(adapter.get(pk), "bad_message");
    await rejectsWith(adapter.save(pk, { status: "cancelled" }, 1), "bad_message");
  }
  await rejectsWith(adapter.save(1, { [`status" = 'cancelled', "total`]: 0 }, 2), "bad_message");
  const direct = await pool.query(`SELECT id, status, customer, version FROM "${table}" ORDER BY id`);
  assert.is(direct.rows.length, 5, "the table and its rows are all there");
  assert.equal(direct.rows[0], { id: 1, status: "paid", customer: evil, version: 2 });
  assert.equal(direct.rows.slice(1).map((r) => [r.status, r.version]), [["paid", 1], ["shipped", 1], ["cancelled", 1], ["pending", 1]]);
});

pgOnly("metadata comes from the catalog: key, lengths, nullability, defaults", async ({ adapter }) => {
  const meta = await adapter.metadata();
  const f = Object.fromEntries(meta.fields.map((x) => [x.name, x]));
  assert.equal(f.id, { name: "id", type: "integer", nullable: false, hasDefault: true, readonly: true });
  assert.equal(f.customer, { name: "customer", type: "string", nullable: false, maxLength: 80 });
  assert.ok(f.status!.hasDefault);
});

pgOnly("catalog types round-trip: dates, datetimes, booleans, json, enums; unknown types are read-only", async () => {
  const table = `${run}_types`;
  tables.add(table);
  const mood = `${run}_mood`;
  await pool.query(`CREATE TYPE "${mood}" AS ENUM ('calm', 'busy')`);
  await pool.query(`CREATE TABLE "${table}" (code varchar(8) PRIMARY KEY, due date, at timestamptz, done boolean NOT NULL DEFAULT false,
    data jsonb, mood "${mood}", tags text[], big bigint, version integer NOT NULL DEFAULT 1)`);
  const a = new PostgresModelAdapter({ pool, table });
  try {
    const f = Object.fromEntries((await a.metadata()).fields.map((x) => [x.name, x]));
    assert.equal([f.code!.type, f.code!.maxLength, f.code!.readonly, f.code!.hasDefault], ["string", 8, true, undefined]);
    assert.equal([f.due!.type, f.at!.type, f.done!.type, f.data!.type, f.big!.type], ["date", "datetime", "boolean", "json", "integer"]);
    assert.equal(f.mood!.enum, ["calm", "busy"]);
    assert.ok(f.tags!.readonly);
    const row = await a.create({ code: "A-1", due: "2024-02-29", at: "2024-05-01T10:30:00Z", done: "on", data: [1, { x: "y" }], mood: "busy", big: "12" });
    assert.equal(row, { code: "A-1", due: "2024-02-29", at: "2024-05-01T10:30:00.000000Z", done: true, data: [1, { x: "y" }], mood: "busy", tags: null, big: 12, version: 1 });
    await rejectsWith(a.create({ code: "A-2", due: "2024-02-30" }), "bad_message");
    await rejectsWith(a.create({ code: "A-2", mood: "angry" }), "bad_message");
    await rejectsWith(a.create({ code: "A-1" }), "conflict");
    await rejectsWith(a.create({ code: "A-3", tags: ["x"] }), "unauthorized");
    assert.is((await a.save("A-1", { done: false }, 1)).version, 2);
  } finally {
    await a.close();
    await drop(table);
    await pool.query(`DROP TYPE IF EXISTS "${mood}"`);
  }
});

pgOnly("a lost LISTEN connection reconnects, tells watchers to resync, and hears later writes", async ({ adapter, table }) => {
  const feed = await record(adapter);
  const killed = await pool.query(
    `SELECT pg_terminate_backend(pid) AS ok FROM pg_stat_activity WHERE query = $1`, [`LISTEN "hotline:public.${table}"`]);
  assert.is(killed.rows.length, 1, "found the adapter's LISTEN connection");
  assert.equal(await feed.next(), { table, op: "resync", pk: null, version: null });
  await adapter.save(4, { status: "paid" }, 1);
  assert.equal(await feed.next(), { table, op: "update", pk: 4, version: 2 });
  await feed.off();
});

pgOnly("TRUNCATE tells watchers to resync", async ({ adapter, table }) => {
  const feed = await record(adapter, { pk: 1 });
  await pool.query(`TRUNCATE "${table}"`);
  assert.equal((await feed.next()).op, "resync");
  assert.equal(await adapter.list(), []);
  await feed.off();
});

pgOnly("a table without a version column, or unknown overrides, fail at ready()", async () => {
  const table = `${run}_nover`;
  tables.add(table);
  await pool.query(`CREATE TABLE "${table}" (id serial PRIMARY KEY, name text)`);
  const a = new PostgresModelAdapter({ pool, table });
  try {
    await a.ready().then(() => assert.unreachable("should refuse"), (err) => assert.match(String(err), "version"));
  } finally {
    await a.close();
    await drop(table);
  }
});

pgOnly("installTrigger: false installs nothing; triggerSql() is the migration that makes watch work", async () => {
  const table = `${run}_manual`;
  tables.add(table);
  await pool.query(`CREATE TABLE "${table}" (id serial PRIMARY KEY, name text NOT NULL, version integer NOT NULL DEFAULT 1)`);
  const a = new PostgresModelAdapter({ pool, table, installTrigger: false });
  try {
    const count = async () => (await pool.query(`SELECT count(*)::int AS n FROM pg_trigger WHERE tgrelid = to_regclass($1) AND tgname LIKE 'hotline%'`, [table])).rows[0].n;
    const statements = await a.triggerSql();
    assert.is(await count(), 0);
    for (const sql of statements) await pool.query(sql);
    assert.is(await count(), 3);
    const feed = await record(a);
    const row = await a.create({ name: "x" });
    assert.equal(await feed.next(), { table, op: "insert", pk: row.id, version: 1 });
    await feed.off();
  } finally {
    await a.close();
    await drop(table);
  }
});

pgOnly.run();

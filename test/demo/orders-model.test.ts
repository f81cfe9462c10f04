// The demo's orders: every row has an owner, in memory and in PostgreSQL, and a table made before
// orders had owners gets the column (the demo rows' owners back by key) without losing a row.
import pg from "pg";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createMemoryOrders, ensureOrdersTable, openPostgresOrders, ORDER_ROWS } from "../../demo/orders-model.js";
import { needPostgres } from "../support/services.js";

test("memory: the demo rows with their owners; a new order needs one", async () => {
  const orders = createMemoryOrders();
  assert.equal((await orders.list()).map((r) => r.owner), ORDER_ROWS.map((r) => r.owner));
  assert.equal(await orders.validate({ status: "pending", customer: "Barbara Liskov", total: 10 }), { owner: "is required" });
  const created = await orders.create({ customer: "Barbara Liskov", total: 10, owner: "barbara" });
  assert.is(created.owner, "barbara");
  await orders.close();
});

const url = await needPostgres();
const pool = new pg.Pool({ connectionString: url, max: 2 });
const tables: string[] = [];
const fresh = () => {
  const t = `hl_owner_${process.pid}_${Date.now().toString(36)}_${tables.length}`;
  tables.push(t);
  return t;
};

test("postgres: a new table has the owner column, NOT NULL, with the demo rows' owners", async () => {
  const table = fresh();
  const adapter = await openPostgresOrders(pool, { table });
  const owner = (await adapter.metadata()).fields.find((f) => f.name === "owner");
  assert.equal({ type: owner?.type, nullable: owner?.nullable, maxLength: owner?.maxLength }, { type: "string", nullable: false, maxLength: 40 });
  assert.equal((await adapter.list()).map((r) => r.owner), ORDER_ROWS.map((r) => r.owner));
  await adapter.close();
});

test("postgres: a table made before owners gets the column, owners by key, every row kept", async () => {
  const table = fresh();
  await pool.query(`CREATE TABLE "${table}" (id serial PRIMARY KEY, status text NOT NULL DEFAULT 'pending',
    customer varchar(80) NOT NULL, total numeric(10, 2) NOT NULL, version integer NOT NULL DEFAULT 1)`);
  for (const r of ORDER_ROWS) await pool.query(`INSERT INTO "${table}" (status, customer, total) VALUES ($1, $2, $3)`, [r.status, r.customer, r.total]);
  await pool.query(`INSERT INTO "${table}" (status, customer, total) VALUES ('paid', 'Added Later', 1)`);
  await ensureOrdersTable(pool, { table });
  await ensureOrdersTable(pool, { table }); // a second start changes nothing
  const rows = (await pool.query(`SELECT id, customer, owner FROM "${table}" ORDER BY id`)).rows;
  assert.equal(rows.map((r) => r.owner), [...ORDER_ROWS.map((r) => r.owner), "ada"]);
  assert.is(rows.length, ORDER_ROWS.length + 1);
  const nullable = (await pool.query("SELECT is_nullable FROM information_schema.columns WHERE table_name = $1 AND column_name = 'owner'", [table])).rows[0];
  assert.is(nullable.is_nullable, "NO");
});

test.after(async () => {
  for (const t of tables) await pool.query(`DROP TABLE IF EXISTS "${t}"`);
  await pool.end();
});

test.run();

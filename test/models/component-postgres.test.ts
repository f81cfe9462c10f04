// ModelComponent over PostgreSQL: hostile field values, field names and params go through the
// component to the database as data, never as SQL; an outside writer's change is a conflict.
import pg from "pg";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { HotlineError } from "../../server/core/index.js";
import type { ModelAdapter } from "../../server/models/model.js";
import { ModelComponent } from "../../server/models/model-component.js";
import { openPostgresOrders } from "../../demo/orders-model.js";
import { needPostgres } from "../support/services.js";
import { toHTML } from "../../server/core/steps.js";

const url = await needPostgres();
const pool = new pg.Pool({ connectionString: url, max: 4 });
const table = `hl_mc_${process.pid}_${Date.now().toString(36)}`;
let adapter: ModelAdapter;

class Editor extends ModelComponent {
  static fields = ["status", "customer"];
  static readonly = ["total"];
  getModel() { return adapter; }
}

async function open(params: Record<string, unknown>): Promise<Editor> {
  const c = new Editor(params);
  await c.mount();
  return c;
}

async function refused(p: Promise<unknown>, code: string): Promise<void> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, HotlineError);
    assert.is((err as HotlineError).code, code);
    return;
  }
  throw new Error(`expected a ${code} error`);
}

async function rowCount(): Promise<number> {
  return (await pool.query(`SELECT count(*)::int AS n FROM "${table}"`)).rows[0].n;
}

const s = suite("ModelComponent over PostgreSQL");
s.before(async () => { adapter = await openPostgresOrders(pool, { table }); });
s.after(async () => {
  await adapter.close();
  await pool.query(`DROP TABLE IF EXISTS "${table}"`);
  await pool.end();
});

s("a params.pk carrying SQL is refused before any query; a quoted one reads nothing", async () => {
  for (const pk of ["1 OR 1=1", "1; DROP TABLE orders", "1' OR '1'='1", ["1"], { $gt: 0 }]) {
    await refused(open({ pk }), "bad_message");
  }
  const c = await open({ pk: " 2 " });
  assert.is(c.state.customer, "Grace Hopper", "a well-formed key with spaces is coerced, nothing more");
  assert.is(await rowCount(), 5);
});

s("field values carrying SQL are stored as text, exactly", async () => {
  const c = await open({ pk: 1 });
  const hostile = `'); DROP TABLE "${table}"; -- \\ $1 ' OR '1'='1`;
  await c.asyncHandleEvent("save", { customer: hostile });
  assert.equal(c.errors, {});
  const { rows } = await pool.query(`SELECT customer, version FROM "${table}" WHERE id = 1`);
  assert.equal(rows[0], { customer: hostile, version: 2 });
  assert.is(await rowCount(), 5);
  assert.ok(toHTML(c).includes("&#39;); DROP TABLE"), "and rendered escaped");
});

s("field names carrying SQL are unauthorized (never reach a query)", async () => {
  const c = await open({ pk: 3 });
  for (const name of [`status" = 'paid' --`, `customer"; DROP TABLE "${table}"; --`, "total", "version", "id"]) {
    await refused(c.asyncHandleEvent("bind", { name, value: "x" }), "unauthorized");
    await refused(c.asyncHandleEvent("save", { [name]: "x" }), "unauthorized");
  }
  const { rows } = await pool.query(`SELECT status, version FROM "${table}" WHERE id = 3`);
  assert.equal(rows[0], { status: "shipped", version: 1 });
});

s("an enum value outside the list is a validation error beside the field, not a database error", async () => {
  const c = await open({ pk: 4 });
  await c.asyncHandleEvent("save", { status: "cancelled'); DELETE FROM x; --" });
  assert.ok(c.errors.status?.startsWith("must be one of"));
  assert.match(toHTML(c), /aria-invalid="true"/);
  assert.is((await pool.query(`SELECT version FROM "${table}" WHERE id = 4`)).rows[0].version, 1);
});

s("an UPDATE by another client moves the version: the editor's save is a conflict with the current values", async () => {
  const c = await open({ pk: 5 });
  const other = new pg.Client({ connectionString: url });
  await other.connect();
  try {
    await other.query(`UPDATE "${table}" SET status = 'paid' WHERE id = 5`);
  } finally {
    await other.end();
  }
  await c.asyncHandleEvent("save", { status: "cancelled" });
  assert.equal(c.state.$conflicts, { status: "paid" });
  assert.is(c.state.version, 2);
  assert.match(toHTML(c), /Saved elsewhere as: <strong>paid<\/strong>/);
  assert.is((await pool.query(`SELECT status FROM "${table}" WHERE id = 5`)).rows[0].status, "paid");
});

s.run();

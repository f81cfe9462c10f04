// The PostgreSQL adapter's side of a lost database, in process: a pool the app gives it survives
// its idle connections being terminated, one log line per outage, a clear error when the database
// cannot be reached, and which errors count as a lost connection. The crash itself (an unhandled
// `error` event ending the process) is shown by a child process in postgres-connection-loss.test.ts.
import pg from "pg";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { HotlineError } from "../../server/core/errors.js";
import { PostgresModelAdapter } from "../../server/models/postgres/adapter.js";
import { isConnectionLoss, Outage } from "../../server/models/postgres/outage.js";
import { ensureOrdersTable } from "../../demo/orders-model.js";
import { needPostgres } from "../support/services.js";

const url = await needPostgres();
const admin = new pg.Pool({ connectionString: url, max: 2 });
const table = `hl_outage_${process.pid}_${Date.now().toString(36)}`;
const appName = `${table}_app`;

async function poll(what: string, fn: () => boolean | Promise<boolean>): Promise<void> {
  const end = Date.now() + 30_000;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`no ${what} after 30 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const live = suite("PostgresModelAdapter: a lost database");
live.before(async () => { await ensureOrdersTable(admin, { table }); });
live.after(async () => {
  await admin.query(`DROP TABLE IF EXISTS "${table}"`);
  await admin.end();
});

live("a pool given without an error listener survives its idle connections being terminated; one line is logged; close() detaches", async () => {
  const appUrl = new URL(url);
  appUrl.searchParams.set("application_name", appName);
  const pool = new pg.Pool({ connectionString: appUrl.toString(), max: 4 });
  const lines: Array<[string, unknown]> = [];
  const adapter = new PostgresModelAdapter({ pool, table, log: (m, e) => lines.push([m, e]) });
  try {
    await Promise.all([1, 2, 3, 4].map((pk) => adapter.get(pk)));
    assert.ok(pool.idleCount >= 2, "the pool holds idle connections");
    const open = pool.totalCount;
    const killed = await admin.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1", [appName]);
    assert.is(killed.rows.length, open);
    // Each idle connection emits `error` on the pool as it hears the server go; unheard, Node ends this process.
    await poll("the pool dropping its dead connections", () => pool.totalCount === 0);
    assert.is((await adapter.get(2))!.customer, "Grace Hopper", "the next query opens a new connection");
    assert.is(lines.length, 1, `one line for the outage: ${JSON.stringify(lines)}`);
    assert.match(lines[0]![0], /lost the database connection \(terminating connection due to administrator command\)/);
    assert.is(lines[0]![1], undefined, "no error object (no stack trace) for an expected loss");
  } finally {
    await adapter.close();
  }
  assert.is(pool.listenerCount("error"), 0, "the adapter leaves the app's pool as it found it");
  await pool.end();
});

live("a database that cannot be reached fails a read with a HotlineError of the framework's, not pg's error", async () => {
  const lines: string[] = [];
  // Port 1 on loopback: refused at once.
  const adapter = new PostgresModelAdapter({ connectionString: "postgres://postgres@127.0.0.1:1/test", table, log: (m) => lines.push(m) });
  try {
    const err = await adapter.get(1).then(() => assert.unreachable("should fail"), (e: unknown) => e);
    assert.instance(err, HotlineError);
    const h = err as HotlineError;
    assert.equal([h.code, h.fault, h.message], ["handler_error", "framework", "the database is unavailable; try again"]);
    assert.is((h.cause as { code?: string }).code, "ECONNREFUSED", "pg's error is kept as the cause, for the server's log");
  } finally {
    await adapter.close();
  }
});

const unit = suite("connection loss: classification and one line per outage");

unit("connection errors are told from query errors", () => {
  for (const err of [
    Object.assign(new Error("terminating connection due to administrator command"), { code: "57P01" }),
    Object.assign(new Error("connection failure"), { code: "08006" }),
    Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), { code: "ECONNREFUSED" }),
    new Error("Connection terminated unexpectedly"),
    new Error("Client has encountered a connection error and is not queryable"),
  ]) assert.ok(isConnectionLoss(err), err.message);
  for (const err of [
    Object.assign(new Error("duplicate key"), { code: "23505" }),
    Object.assign(new Error("syntax error"), { code: "42601" }),
    Object.assign(new Error("canceling statement due to statement timeout"), { code: "57014" }),
    new Error("boom"), null, "Connection terminated",
  ]) assert.not.ok(isConnectionLoss(err), String(err));
});

unit("many symptoms of one outage log once; late echoes stay quiet; the next outage logs again", () => {
  const lines: string[] = [];
  const outage = new Outage("orders", (m) => lines.push(m));
  const before = Outage.now();
  outage.lost(new Error("terminating connection"), before);
  outage.lost(new Error("Connection terminated unexpectedly"), before);
  outage.lost(new Error("connect ECONNREFUSED"));
  assert.is(lines.length, 1);
  assert.ok(outage.down);
  outage.ok(before); // a query that started before the loss ending well says nothing about now
  assert.ok(outage.down);
  outage.ok(Outage.now());
  assert.not.ok(outage.down);
  outage.lost(new Error("Connection terminated unexpectedly"), before); // an idle connection from before the recovery
  assert.is(lines.length, 1);
  outage.lost(new Error("terminating connection"));
  assert.is(lines.length, 2);
  assert.match(lines[1]!, /^orders: lost the database connection \(terminating connection\)/);
});

live.run();
unit.run();

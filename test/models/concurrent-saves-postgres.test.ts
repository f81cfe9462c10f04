// Concurrent saves of one order over PostgreSQL (the suite: concurrent-saves.ts): the version
// check is the database's, so two saves in flight at once really race.
import pg from "pg";
import { openPostgresOrders } from "../../demo/orders-model.js";
import type { ModelAdapter } from "../../server/models/model.js";
import { needPostgres } from "../support/services.js";
import { runConcurrentSaves } from "./concurrent-saves.js";

const url = await needPostgres();
const pool = new pg.Pool({ connectionString: url, max: 4 });
const table = `hl_cs_${process.pid}_${Date.now().toString(36)}`;
let current: ModelAdapter | undefined;

runConcurrentSaves("PostgreSQL", {
  async adapter() {
    await current?.close?.();
    await pool.query(`DROP TABLE IF EXISTS "${table}"`);
    return (current = await openPostgresOrders(pool, { table }));
  },
  async after() {
    await current?.close?.();
    await pool.query(`DROP TABLE IF EXISTS "${table}"`);
    await pool.end();
  },
});

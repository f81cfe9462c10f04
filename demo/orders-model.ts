// The orders table behind the /orders demo, the same in memory and in PostgreSQL. The demo's own
// code, not the library's: it uses Hotline's public API only, as an app would.
import type { Pool } from "pg";
import { MemoryModelAdapter, type FieldMeta, type Validator } from "hotline";
import { PostgresModelAdapter, type PostgresModelOptions } from "hotline/postgres";
import { MAX_NAME_LENGTH } from "../components/user.js";

/** The statuses an order may have. */
export const ORDER_STATUSES = ["pending", "paid", "shipped", "cancelled"] as const;

/**
 * The demo's rows, in key order (keys 1..n). `owner` is the id of the user who may edit the order
 * (sign in as "Ada" or "Grace" to own some); everyone signed in may view every order.
 */
export const ORDER_ROWS: ReadonlyArray<{ status: string; customer: string; total: number; owner: string }> = [
  { status: "pending", customer: "Ada Lovelace", total: 120.5, owner: "ada" },
  { status: "paid", customer: "Grace Hopper", total: 89, owner: "grace" },
  { status: "shipped", customer: "Alan Turing", total: 42.75, owner: "ada" },
  { status: "cancelled", customer: "Katherine Johnson", total: 15, owner: "grace" },
  { status: "pending", customer: "Edsger Dijkstra", total: 230, owner: "ada" },
];

/** Longest owner id: a user id, as long as the names the demo's sign-in takes. */
export const OWNER_MAX_LENGTH = MAX_NAME_LENGTH;

/** Rules the columns cannot say: a total is not negative, a customer is not blank. */
export const orderValidator: Validator = (v) => {
  const errors: Record<string, string> = {};
  if (typeof v.total === "number" && v.total < 0) errors.total = "must not be negative";
  if (typeof v.customer === "string" && v.customer.trim() === "") errors.customer = "must not be blank";
  return errors;
};

const ORDER_FIELDS: FieldMeta[] = [
  { name: "id", type: "integer", nullable: false, readonly: true, hasDefault: true },
  { name: "status", type: "string", nullable: false, enum: ORDER_STATUSES, hasDefault: true },
  { name: "customer", type: "string", nullable: false, maxLength: 80 },
  { name: "total", type: "number", nullable: false },
  { name: "owner", type: "string", nullable: false, maxLength: OWNER_MAX_LENGTH },
  { name: "version", type: "integer", nullable: false, readonly: true, hasDefault: true },
];

/**
 * The demo's orders in memory: the same fields, rows and rules as {@link openPostgresOrders}.
 *
 * @example
 * const orders = createMemoryOrders();
 * await orders.get(1); // { id: 1, status: "pending", customer: "Ada Lovelace", total: 120.5, owner: "ada", version: 1 }
 */
export function createMemoryOrders(table = "orders"): MemoryModelAdapter {
  return new MemoryModelAdapter({
    table,
    fields: ORDER_FIELDS,
    rows: ORDER_ROWS.map((r, i) => ({ id: i + 1, ...r, version: 1 })),
    defaults: { status: "pending" },
    validator: orderValidator,
  });
}

/**
 * Creates the orders table and its demo rows when the table is absent; leaves an existing one's
 * rows alone, but gives a table made before orders had owners its `owner` column (the demo rows'
 * owners by key, "ada" for any other row). `table` is a plain SQL name chosen by the app (letters,
 * digits, underscores).
 *
 * @example
 * await ensureOrdersTable(pool); // orders (id serial, status, customer, total numeric(10,2), owner, version)
 */
export async function ensureOrdersTable(pool: Pool, options: { table?: string } = {}): Promise<void> {
  const table = options.table ?? "orders";
  if (!/^[A-Za-z_][A-Za-z0-9_]{0,62}$/.test(table)) throw new Error(`ensureOrdersTable: ${JSON.stringify(table)} is not a plain table name`);
  const t = `"${table}"`; // a plain name (checked above): quoting keeps its case
  // Two processes starting together must not both create and seed: one transaction under an
  // advisory lock, so that the second finds the table the first made.
  const client = await pool.connect();
  // Checked out, the client has no pool listener: a connection the server ends would emit an
  // unhandled `error` and end the process. The query in flight fails instead, and start-up with it.
  const ignore = () => {};
  client.on("error", ignore);
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", ["hotline_orders_demo"]);
    const exists = await client.query("SELECT to_regclass($1) IS NOT NULL AS yes", [table]);
    if (!exists.rows[0].yes) {
      const statuses = ORDER_STATUSES.map((s) => `'${s}'`).join(", ");
      await client.query(`CREATE TABLE ${t} (
        id serial PRIMARY KEY,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN (${statuses})),
        customer varchar(80) NOT NULL,
        total numeric(10, 2) NOT NULL CHECK (total >= 0),
        owner varchar(${OWNER_MAX_LENGTH}) NOT NULL,
        version integer NOT NULL DEFAULT 1)`);
      for (const r of ORDER_ROWS) {
        await client.query(`INSERT INTO ${t} (status, customer, total, owner) VALUES ($1, $2, $3, $4)`, [r.status, r.customer, r.total, r.owner]);
      }
    } else {
      const owner = await client.query("SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = $1 AND column_name = 'owner'", [table]);
      if (!owner.rowCount) {
        // Every order needs an owner, or nobody could edit it: the demo rows get theirs back by key.
        await client.query(`ALTER TABLE ${t} ADD COLUMN owner varchar(${OWNER_MAX_LENGTH})`);
        await client.query(`UPDATE ${t} SET owner = COALESCE(($1::text[])[id], 'ada')`, [ORDER_ROWS.map((r) => r.owner)]);
        await client.query(`ALTER TABLE ${t} ALTER COLUMN owner SET NOT NULL`);
      }
    }
    await client.query("COMMIT");
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.off("error", ignore);
    client.release();
  }
}

/**
 * {@link ensureOrdersTable}, then a {@link PostgresModelAdapter} over it with the demo's rules
 * (the status enum, which a CHECK constraint cannot report through the catalog, and the validator).
 */
export async function openPostgresOrders(
  pool: Pool,
  options: { table?: string } & Omit<PostgresModelOptions, "table" | "pool" | "connectionString"> = {},
): Promise<PostgresModelAdapter> {
  const { table = "orders", ...rest } = options;
  await ensureOrdersTable(pool, { table });
  const adapter = new PostgresModelAdapter({
    pool, table, validator: orderValidator, ...rest,
    fieldOverrides: { status: { enum: ORDER_STATUSES }, ...rest.fieldOverrides },
  });
  await adapter.ready();
  return adapter;
}

/**
 * `hotline/postgres`: the PostgreSQL model adapter. Importing it does not load `pg`; the adapter
 * uses the pool you give it, or loads `pg` itself when given a connection string.
 *
 * @example
 * import { PostgresModelAdapter } from "hotline/postgres";
 * const orders = new PostgresModelAdapter({ connectionString: process.env.DATABASE_URL, table: "orders" });
 */
export { PostgresModelAdapter, type PostgresModelOptions } from "./models/postgres/adapter.js";

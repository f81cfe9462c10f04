// What the PostgreSQL adapter reads from the catalog and the SQL it installs. Every identifier in
// generated SQL comes from the catalog (never from a client) and is still quoted.
import { createHash } from "node:crypto";
import type { Pool, PoolClient } from "pg";
import type { FieldMeta, FieldType } from "../model.js";

/** A column as the catalog describes it, plus how to read it back. */
export interface Column extends FieldMeta {
  /** The SQL that selects it, e.g. `to_char("d", 'YYYY-MM-DD') AS "d"`. */
  select: string;
}

/** A table as the catalog describes it. */
export interface TableInfo {
  oid: number;
  schema: string;
  name: string;
  /** `"schema"."name"`. */
  qualified: string;
  primaryKey: string;
  columns: Column[];
}

/** `"name"`, quotes doubled. */
export function ident(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}

/** A string literal, as pg's `escapeLiteral` writes it (for trigger arguments, which cannot be parameters). */
export function literal(value: string): string {
  const quoted = value.replaceAll("'", "''");
  return value.includes("\\") ? ` E'${quoted.replaceAll("\\", "\\\\")}'` : `'${quoted}'`;
}

const TYPES: Record<string, FieldType> = {
  int2: "integer", int4: "integer", int8: "integer",
  numeric: "number", float4: "number", float8: "number",
  bool: "boolean", date: "date", timestamp: "datetime", timestamptz: "datetime",
  text: "string", varchar: "string", bpchar: "string", citext: "string", uuid: "string", name: "string",
  json: "json", jsonb: "json",
};

interface ColumnRow {
  name: string; typname: string; typtype: string; notnull: boolean; hasdef: boolean;
  generated: boolean; maxlen: number | null; labels: string[] | null;
}

/** Reads `table` (a name as SQL would resolve it: `orders`, `app.orders`) from the catalog. */
export async function readTable(pool: Pool, table: string): Promise<TableInfo> {
  const rel = await pool.query<{ oid: number; schema: string; name: string }>(
    `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = to_regclass($1) AND c.relkind IN ('r', 'p')`,
    [table],
  );
  const found = rel.rows[0];
  if (!found) throw new Error(`PostgresModelAdapter: table ${JSON.stringify(table)} does not exist`);
  const cols = await pool.query<ColumnRow>(
    `SELECT a.attname AS name, bt.typname, bt.typtype, a.attnotnull AS notnull,
            (a.atthasdef OR a.attidentity <> '') AS hasdef, a.attgenerated <> '' AS generated,
            CASE WHEN bt.typname IN ('varchar', 'bpchar') AND a.atttypmod > 4 THEN a.atttypmod - 4 END AS maxlen,
            CASE WHEN bt.typtype = 'e' THEN
              (SELECT array_agg(e.enumlabel::text ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = bt.oid) END AS labels
       FROM pg_attribute a
       JOIN pg_type t ON t.oid = a.atttypid
       JOIN pg_type bt ON bt.oid = CASE WHEN t.typtype = 'd' THEN t.typbasetype ELSE t.oid END
      WHERE a.attrelid = $1 AND a.attnum > 0 AND NOT a.attisdropped
      ORDER BY a.attnum`,
    [found.oid],
  );
  const pk = await pool.query<{ name: string }>(
    `SELECT a.attname AS name FROM pg_index i
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey)
      WHERE i.indrelid = $1 AND i.indisprimary`,
    [found.oid],
  );
  if (pk.rows.length !== 1) {
    throw new Error(`PostgresModelAdapter: table ${found.name} needs a primary key of exactly one column`);
  }
  return {
    ...found,
    qualified: `${ident(found.schema)}.${ident(found.name)}`,
    primaryKey: pk.rows[0]!.name,
    columns: cols.rows.map(toColumn),
  };
}

function toColumn(c: ColumnRow): Column {
  const q = ident(c.name);
  const known = c.typtype === "e" ? "string" : TYPES[c.typname];
  const field: Column = {
    name: c.name,
    // A type we cannot coerce to (arrays, bytea, ranges…) is shown as text and never written.
    type: known ?? "string",
    nullable: !c.notnull,
    select: `${q}`,
  };
  if (c.maxlen !== null) field.maxLength = c.maxlen;
  if (c.labels) field.enum = c.labels;
  if (c.hasdef) field.hasDefault = true;
  if (c.generated || !known) field.readonly = true;
  // Dates travel as strings, so no time zone of this process can shift them.
  if (c.typname === "date") field.select = `to_char(${q}, 'YYYY-MM-DD') AS ${q}`;
  else if (c.typname === "timestamptz") field.select = `to_char(${q} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS ${q}`;
  else if (c.typname === "timestamp") field.select = `to_char(${q}, 'YYYY-MM-DD"T"HH24:MI:SS.US') AS ${q}`;
  else if (!known || c.typtype === "e") field.select = `${q}::text AS ${q}`;
  return field;
}

/** The NOTIFY channel of a table: `hotline:schema.table`, or a hash when that is too long for a channel name. */
export function channelFor(schema: string, name: string): string {
  const plain = `hotline:${schema}.${name}`;
  return Buffer.byteLength(plain) <= 63 ? plain : `hotline:${createHash("sha1").update(`${schema}.${name}`).digest("hex")}`;
}

/**
 * The functions and triggers the adapter installs (idempotent): a NOTIFY after each row write and
 * after TRUNCATE, and a version bump before any UPDATE that left the version alone (so a write
 * from psql also moves the version, and a stale save still conflicts).
 */
export function triggerSql(info: TableInfo, versionField: string, channel: string): string[] {
  const fn = (name: string) => `${ident(info.schema)}.${name}`;
  const args = [channel, info.primaryKey, versionField].map(literal).join(", ");
  return [
    `CREATE OR REPLACE FUNCTION ${fn("hotline_notify")}() RETURNS trigger LANGUAGE plpgsql AS $hotline$
DECLARE
  rec jsonb;
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    PERFORM pg_notify(TG_ARGV[0], json_build_object('table', TG_TABLE_NAME, 'pk', NULL, 'op', 'resync', 'version', NULL)::text);
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN rec := to_jsonb(OLD); ELSE rec := to_jsonb(NEW); END IF;
  PERFORM pg_notify(TG_ARGV[0], json_build_object(
    'table', TG_TABLE_NAME, 'pk', rec -> TG_ARGV[1], 'op', lower(TG_OP), 'version', rec -> TG_ARGV[2])::text);
  RETURN NULL;
END
$hotline$`,
    `CREATE OR REPLACE FUNCTION ${fn("hotline_bump_version")}() RETURNS trigger LANGUAGE plpgsql AS $hotline$
DECLARE
  before jsonb := to_jsonb(OLD);
BEGIN
  IF to_jsonb(NEW) -> TG_ARGV[0] IS NOT DISTINCT FROM before -> TG_ARGV[0] THEN
    NEW := jsonb_populate_record(NEW, jsonb_build_object(TG_ARGV[0], (before ->> TG_ARGV[0])::bigint + 1));
  END IF;
  RETURN NEW;
END
$hotline$`,
    `CREATE OR REPLACE TRIGGER hotline_version BEFORE UPDATE ON ${info.qualified}
       FOR EACH ROW EXECUTE FUNCTION ${fn("hotline_bump_version")}(${literal(versionField)})`,
    `CREATE OR REPLACE TRIGGER hotline_notify AFTER INSERT OR UPDATE OR DELETE ON ${info.qualified}
       FOR EACH ROW EXECUTE FUNCTION ${fn("hotline_notify")}(${args})`,
    `CREATE OR REPLACE TRIGGER hotline_truncate AFTER TRUNCATE ON ${info.qualified}
       FOR EACH STATEMENT EXECUTE FUNCTION ${fn("hotline_notify")}(${args})`,
  ];
}

/** Installs {@link triggerSql} in one transaction, serialised across processes by an advisory lock. */
export async function installTriggers(pool: Pool, statements: string[]): Promise<void> {
  await lockedTransaction(pool, "hotline_triggers", async (client) => {
    for (const sql of statements) await client.query(sql);
  });
}

/**
 * Runs `fn` in one transaction holding the advisory lock `lock`, so that processes starting
 * together (creating a table, installing triggers) take turns; rolled back if `fn` throws.
 */
export async function lockedTransaction<T>(pool: Pool, lock: string, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  // A checked-out client has no listener of the pool's: if the server ends the connection, its
  // `error` event would end the process. The query in flight fails instead, and so does `fn`.
  const ignore = () => {};
  client.on("error", ignore);
  try {
    await client.query("BEGIN");
    await client.query("SELECT pg_advisory_xact_lock(hashtext($1))", [lock]);
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => {});
    throw err;
  } finally {
    client.off("error", ignore);
    client.release();
  }
}

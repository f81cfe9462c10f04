// The durable side of the PostgreSQL model feed: a change-log table that a trigger appends to in
// the writer's own transaction, and the row per feed that records who leads it. LISTEN/NOTIFY
// alone loses what is committed while nobody listens (a leader dying, a failover); the log keeps
// it until a leader has published it.
//
// Why rows are deleted once published rather than a cursor kept: ids come from a sequence when a
// row is written, not when its transaction commits, so id 10 may become visible after id 11 was
// read. A cursor "published up to 11" would skip it for ever; deleting exactly the ids published
// leaves 10 in the log, and the next read (woken by its NOTIFY at commit) finds it.
import type { Pool } from "pg";
import type { TableInfo } from "./catalog.js";
import { ident, literal } from "./catalog.js";

/** Where a schema's log and feed rows live, as quoted SQL names. */
export interface ChangeLogNames {
  log: string;
  feeds: string;
}

/** The log and feeds tables of `schema`. */
export function changeLogNames(schema: string): ChangeLogNames {
  return {
    log: `${ident(schema)}.hotline_changes`,
    feeds: `${ident(schema)}.hotline_feeds`,
  };
}

/**
 * The tables, function and triggers of the change log (idempotent): one log table and one feeds
 * table per schema, shared by its tables (rows carry their channel), and two triggers per table.
 */
export function changeLogSql(info: TableInfo, versionField: string, channel: string): string[] {
  const n = changeLogNames(info.schema);
  const fn = `${ident(info.schema)}.hotline_log`;
  const args = [channel, info.primaryKey, versionField].map(literal).join(", ");
  return [
    `CREATE TABLE IF NOT EXISTS ${n.log} (
       id bigserial PRIMARY KEY,
       channel text NOT NULL,
       op text NOT NULL,
       pk jsonb,
       version jsonb,
       at timestamptz NOT NULL DEFAULT now())`,
    `CREATE INDEX IF NOT EXISTS hotline_changes_channel ON ${n.log} (channel, id)`,
    `CREATE TABLE IF NOT EXISTS ${n.feeds} (
       channel text PRIMARY KEY,
       term bigint NOT NULL DEFAULT 0,
       leader text,
       since timestamptz,
       last_id bigint,
       clean boolean NOT NULL DEFAULT false)`,
    `CREATE OR REPLACE FUNCTION ${fn}() RETURNS trigger LANGUAGE plpgsql AS $hotline$
DECLARE
  rec jsonb;
BEGIN
  IF TG_LEVEL = 'STATEMENT' THEN
    INSERT INTO ${n.log} (channel, op) VALUES (TG_ARGV[0], 'resync');
    RETURN NULL;
  END IF;
  IF TG_OP = 'DELETE' THEN rec := to_jsonb(OLD); ELSE rec := to_jsonb(NEW); END IF;
  INSERT INTO ${n.log} (channel, op, pk, version) VALUES (TG_ARGV[0], lower(TG_OP), rec -> TG_ARGV[1], rec -> TG_ARGV[2]);
  RETURN NULL;
END
$hotline$`,
    `CREATE OR REPLACE TRIGGER hotline_log AFTER INSERT OR UPDATE OR DELETE ON ${info.qualified}
       FOR EACH ROW EXECUTE FUNCTION ${fn}(${args})`,
    `CREATE OR REPLACE TRIGGER hotline_log_truncate AFTER TRUNCATE ON ${info.qualified}
       FOR EACH STATEMENT EXECUTE FUNCTION ${fn}(${args})`,
  ];
}

/** Fails, saying what to run, when the log of `info` is not installed (`installTrigger: false`). */
export async function assertChangeLog(pool: Pool, info: TableInfo): Promise<void> {
  const n = changeLogNames(info.schema);
  const res = await pool.query<{ log: boolean; trigger: boolean }>(
    `SELECT to_regclass($1) IS NOT NULL AND to_regclass($2) IS NOT NULL AS log,
            EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = $3 AND tgname = 'hotline_log') AS trigger`,
    [n.log, n.feeds, info.oid]);
  const { log, trigger } = res.rows[0]!;
  if (!log || !trigger) {
    throw new Error(`PostgresModelAdapter: the model feed of ${info.name} needs its change log (${log ? "the hotline_log trigger" : "the hotline_changes and hotline_feeds tables"} is missing) and installTrigger is false: run the statements of adapter.changeLogSql() in a migration`);
  }
}

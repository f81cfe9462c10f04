import type { Notification, Pool, PoolClient } from "pg";
import { HotlineError } from "../../core/errors.js";
import type {
  ChangeListener, FieldMeta, ListOptions, ModelAdapter, ModelChange, ModelMetadata, Pk, Row,
  ValidateOptions, ValidationErrors, Validator, WatchOptions,
} from "../model.js";
import { checkValues, coercePk, coerceVersion, listBounds, prepareWrite, samePk } from "../values.js";
import { channelFor, type Column, ident, installTriggers, readTable, type TableInfo, triggerSql } from "./catalog.js";
import { connectionLostError, isConnectionLoss, Outage } from "./outage.js";
import { leadTimings, type ChangeBatchPublisher, type FeedLeadership, type LeadingModelAdapter, type LeadOptions } from "../leadership.js";
import { assertChangeLog, changeLogNames, changeLogSql } from "./changelog.js";
import { startCampaign, type Campaign } from "./leader.js";

/** Options of {@link PostgresModelAdapter}. */
export interface PostgresModelOptions {
  /** The table, as SQL resolves it: `orders`, `app.orders`. */
  table: string;
  /** A pool to use (the adapter never ends it). Give this or `connectionString`. */
  pool?: Pool;
  /** Creates a pool that `close()` ends. */
  connectionString?: string;
  /** The integer version column. Default `"version"`. */
  versionField?: string;
  /** Corrections to what the catalog says, by column: `{ status: { enum: ["pending", "paid"] }, notes: { type: "text" } }`. */
  fieldOverrides?: Record<string, Partial<Omit<FieldMeta, "name">>>;
  validator?: Validator;
  /** Install the NOTIFY and version triggers on first use. Default `true`; see docs/models.md to install them yourself. */
  installTrigger?: boolean;
  /** First delay before the change feed reconnects, doubling up to 5 s. Default 200 ms. */
  reconnectDelayMs?: number;
  /**
   * Where the adapter reports a lost database connection (one line per outage, without a stack
   * trace) and unexpected errors of its change feed. Default `console.error`, prefixed `[hotline]`.
   */
  log?: (message: string, err?: unknown) => void;
}

interface Loaded { info: TableInfo; meta: ModelMetadata; columns: Map<string, Column>; selectList: string; channel: string }
interface Watcher { listener: ChangeListener; pk?: Pk }

// Errors the database raises for bad values: the client's fault, with pg's own text kept as the cause.
const BAD_VALUE_CODES = new Set(["23502", "23503", "23514", "22001", "22003", "22007", "22008", "22P02", "22021"]);

/**
 * A {@link ModelAdapter} over one PostgreSQL table, with `pg`. Metadata comes from the catalog;
 * every value travels as a query parameter; the change feed is LISTEN/NOTIFY fed by a trigger the
 * adapter installs, so a write by any process, or by anyone with psql, reaches `watch`.
 *
 * @example
 * import pg from "pg";
 * import { PostgresModelAdapter } from "hotline/postgres";
 * const orders = new PostgresModelAdapter({ pool: new pg.Pool(), table: "orders" });
 * const off = await orders.watch((change) => console.log(change), { pk: 42 });
 * await orders.save(42, { status: "paid" }, 3);
 */
export class PostgresModelAdapter implements LeadingModelAdapter {
  readonly #options: PostgresModelOptions;
  #pool?: Pool;
  #ownsPool = false;
  #loading?: Promise<Loaded>;
  readonly #watchers = new Set<Watcher>();
  #listening?: Promise<void>;
  /** Drops the LISTEN connection (once; a lost connection drops itself). */
  #dropClient: (() => void) | null = null;
  #timer?: NodeJS.Timeout;
  #delay: number;
  #closed = false;
  readonly #outage: Outage;
  readonly #log: (message: string, err?: unknown) => void;
  readonly #campaigns = new Set<Campaign>();
  /** When each pool connection opened, to tell a late echo of an outage from a new one. */
  readonly #opened = new WeakMap<object, number>();
  readonly #onPoolConnect = (client: PoolClient) => { this.#opened.set(client, Outage.now()); };
  // Without a listener, an idle pooled connection that the server closes (restart, failover, a
  // proxy's idle timeout) emits an `error` that ends the process. The pool has already dropped
  // it; the next query opens a new one.
  readonly #onPoolError = (err: Error, client?: PoolClient) => {
    if (this.#closed) return;
    if (isConnectionLoss(err)) this.#outage.lost(err, (client && this.#opened.get(client)) ?? 0);
    else this.#outage.failed("an idle database connection failed", err);
  };

  constructor(options: PostgresModelOptions) {
    if (!options.pool && !options.connectionString) throw new Error("PostgresModelAdapter needs a pool or a connectionString");
    this.#options = options;
    this.#delay = options.reconnectDelayMs ?? 200;
    const log = options.log ?? ((m: string, e?: unknown) => (e === undefined ? console.error(`[hotline] ${m}`) : console.error(`[hotline] ${m}`, e)));
    this.#log = log;
    this.#outage = new Outage(`PostgresModelAdapter(${options.table})`, log);
    if (options.pool) this.#usePool(options.pool);
  }

  #usePool(pool: Pool): void {
    this.#pool = pool;
    pool.on("connect", this.#onPoolConnect);
    pool.on("error", this.#onPoolError);
  }

  /** Reads the catalog and installs the triggers now, so that a misconfiguration shows at start-up. */
  async ready(): Promise<void> {
    await this.#load();
  }

  /**
   * The SQL that installs the change-feed and version triggers on this table, for a migration
   * when the app's role may not create triggers (`installTrigger: false`).
   */
  async triggerSql(): Promise<string[]> {
    const l = await this.#load();
    return triggerSql(l.info, l.meta.versionField, l.channel);
  }

  /**
   * The SQL of the change log that lets every process run the model feed (`lead()`): the shared
   * `hotline_changes` and `hotline_feeds` tables of the table's schema and this table's
   * `hotline_log` triggers. For a migration, with `installTrigger: false`.
   */
  async changeLogSql(): Promise<string[]> {
    const l = await this.#load();
    return changeLogSql(l.info, l.meta.versionField, l.channel);
  }

  /**
   * Campaigns, with every other process that runs the model feed on this table, to be the one
   * that publishes its changes: the holder of a session advisory lock on a dedicated connection,
   * reading the change log that a trigger fills in each writer's transaction. See
   * docs/models.md, "Running the feed on every process". `startModelFeed` calls it.
   *
   * @example
   * const leadership = await orders.lead(async (changes) => { for (const c of changes) await bus.publish("orders", c); });
   */
  async lead(publish: ChangeBatchPublisher, options: LeadOptions = {}): Promise<FeedLeadership> {
    const timings = leadTimings(options.takeoverMs);
    if (this.#closed) throw new Error("model adapter is closed");
    const l = await this.#load();
    // The campaign keeps one connection and the leader's LISTEN another: with fewer than three,
    // the app's own queries would wait for ever.
    const max = (this.#pool as { options?: { max?: unknown } }).options?.max;
    if (typeof max === "number" && max < 3) {
      throw new RangeError(`PostgresModelAdapter: the model feed keeps two of the pool's connections (the lock and the LISTEN); a pool of max ${max} leaves none for queries: give it max 3 or more`);
    }
    const names = changeLogNames(l.info.schema);
    const sql = changeLogSql(l.info, l.meta.versionField, l.channel);
    try {
      if (this.#options.installTrigger !== false) await installTriggers(this.#pool!, sql);
      else await assertChangeLog(this.#pool!, l.info);
    } catch (err) {
      throw isConnectionLoss(err) ? connectionLostError(err, false) : err;
    }
    const campaign = await startCampaign({
      pool: this.#pool!, table: l.meta.table, channel: l.channel, names, timings, outage: this.#outage,
      watch: (wake) => this.watch(wake), publish, onRole: options.onRole, log: options.log ?? this.#log,
    });
    this.#campaigns.add(campaign);
    return {
      get role() { return campaign.role; },
      close: async () => { this.#campaigns.delete(campaign); await campaign.close(); },
    };
  }

  async get(pk: Pk): Promise<Row | null> {
    const l = await this.#load();
    return this.#fetch(l, coercePk(l.meta, pk));
  }

  async list(options?: ListOptions): Promise<Row[]> {
    const l = await this.#load();
    const { limit, offset } = listBounds(options);
    const res = await this.#read(`SELECT ${l.selectList} FROM ${l.info.qualified} ORDER BY ${ident(l.meta.primaryKey)} LIMIT $1 OFFSET $2`, [limit, offset]);
    return res.rows.map((r) => this.#fromDb(l, r));
  }

  async create(values: Row): Promise<Row> {
    const l = await this.#load();
    const clean = await prepareWrite(l.meta, values, "create", this.#options.validator);
    const names = [...Object.keys(clean), l.meta.versionField];
    const params = [...Object.keys(clean).map((n) => this.#toDb(l, n, clean[n])), 1];
    const sql = `INSERT INTO ${l.info.qualified} (${names.map(ident).join(", ")})
                 VALUES (${names.map((_, i) => `$${i + 1}`).join(", ")}) RETURNING ${l.selectList}`;
    try {
      return this.#fromDb(l, (await this.#query(sql, params)).rows[0]!);
    } catch (err) {
      if ((err as { code?: string }).code === "23505") {
        const pk = clean[l.meta.primaryKey] as Pk | undefined;
        throw new HotlineError("conflict", "a row with this key exists", {
          cause: err, details: { current: pk === undefined ? null : await this.#fetch(l, pk) },
        });
      }
      throw err;
    }
  }

  async save(pk: Pk, values: Row, expectedVersion: number): Promise<Row> {
    const l = await this.#load();
    const key = coercePk(l.meta, pk);
    const expected = coerceVersion(expectedVersion);
    const clean = await prepareWrite(l.meta, values, "save", this.#options.validator);
    const names = Object.keys(clean);
    const sets = names.map((n, i) => `${ident(n)} = $${i + 1}`);
    const v = ident(l.meta.versionField);
    sets.push(`${v} = ${v} + 1`);
    const sql = `UPDATE ${l.info.qualified} SET ${sets.join(", ")}
                  WHERE ${ident(l.meta.primaryKey)} = $${names.length + 1} AND ${v} = $${names.length + 2}
                  RETURNING ${l.selectList}`;
    const res = await this.#query(sql, [...names.map((n) => this.#toDb(l, n, clean[n])), key, expected]);
    if (res.rows[0]) return this.#fromDb(l, res.rows[0]);
    throw await this.#conflict(l, key);
  }

  async delete(pk: Pk, expectedVersion: number): Promise<void> {
    const l = await this.#load();
    const key = coercePk(l.meta, pk);
    const res = await this.#query(
      `DELETE FROM ${l.info.qualified} WHERE ${ident(l.meta.primaryKey)} = $1 AND ${ident(l.meta.versionField)} = $2`,
      [key, coerceVersion(expectedVersion)],
    );
    if (res.rowCount !== 1) throw await this.#conflict(l, key);
  }

  async validate(values: Row, options: ValidateOptions = {}): Promise<ValidationErrors> {
    const l = await this.#load();
    return (await checkValues(l.meta, values, { partial: options.partial, validator: this.#options.validator })).errors;
  }

  async metadata(): Promise<ModelMetadata> {
    return structuredClone((await this.#load()).meta);
  }

  async watch(listener: ChangeListener, options: WatchOptions = {}): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error("model adapter is closed");
    const l = await this.#load();
    const entry: Watcher = options.pk === undefined ? { listener } : { listener, pk: coercePk(l.meta, options.pk) };
    this.#listening ??= this.#listen(l).catch((err) => {
      this.#listening = undefined;
      throw isConnectionLoss(err) ? connectionLostError(err, false) : err;
    });
    await this.#listening;
    this.#watchers.add(entry);
    return async () => { this.#watchers.delete(entry); };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    // A campaign's connection comes from the pool: hand over before the pool ends.
    await Promise.all([...this.#campaigns].map((c) => c.close()));
    this.#campaigns.clear();
    this.#watchers.clear();
    await this.#listening?.catch(() => {});
    // Destroyed rather than returned to the pool: a pooled connection would stay LISTENing.
    this.#dropClient?.();
    if (this.#ownsPool) await this.#pool?.end();
    else {
      this.#pool?.off("connect", this.#onPoolConnect);
      this.#pool?.off("error", this.#onPoolError);
    }
  }

  #load(): Promise<Loaded> {
    if (this.#closed) return Promise.reject(new Error("model adapter is closed"));
    this.#loading ??= this.#open().catch((err) => {
      this.#loading = undefined;
      if (isConnectionLoss(err)) throw connectionLostError(err, false);
      throw err;
    });
    return this.#loading;
  }

  async #open(): Promise<Loaded> {
    if (!this.#pool) {
      // pg is optional: it is loaded only by an app that asks for a connection string.
      const mod = await import("pg");
      const pg = (mod as unknown as { default?: typeof mod }).default ?? mod;
      // A connection attempt into a black hole (a failover in progress) fails after 10 s and is retried, rather than hanging.
      this.#usePool(new pg.Pool({ connectionString: this.#options.connectionString, keepAlive: true, connectionTimeoutMillis: 10_000 }));
      this.#ownsPool = true;
    }
    const info = await readTable(this.#pool!, this.#options.table);
    const versionField = this.#options.versionField ?? "version";
    const columns = new Map(info.columns.map((c) => [c.name, c]));
    const version = columns.get(versionField);
    if (!version || version.type !== "integer") {
      throw new Error(`PostgresModelAdapter: table ${info.name} needs an integer column ${JSON.stringify(versionField)}`);
    }
    for (const [name, patch] of Object.entries(this.#options.fieldOverrides ?? {})) {
      const col = columns.get(name);
      if (!col) throw new Error(`PostgresModelAdapter: fieldOverrides names ${JSON.stringify(name)}, which ${info.name} does not have`);
      Object.assign(col, patch);
    }
    const pk = columns.get(info.primaryKey)!;
    pk.readonly = true;
    version.readonly = true;
    version.hasDefault = true; // the adapter writes 1 on create
    const channel = channelFor(info.schema, info.name);
    if (this.#options.installTrigger !== false) await installTriggers(this.#pool!, triggerSql(info, versionField, channel));
    const fields = info.columns.map(({ select: _select, ...field }) => field);
    return {
      info, columns, channel,
      meta: { table: this.#options.table, primaryKey: info.primaryKey, versionField, fields },
      selectList: info.columns.map((c) => c.select).join(", "),
    };
  }

  /**
   * One query, never retried: after a lost connection a write's outcome is unknown. A lost
   * connection becomes the framework's HotlineError (see outage.ts), logged once per outage.
   */
  async #query(sql: string, params: unknown[], write = true) {
    const since = Outage.now();
    try {
      const res = await this.#pool!.query(sql, params);
      this.#outage.ok(since);
      return res;
    } catch (err) {
      const code = (err as { code?: unknown } | null)?.code;
      if (typeof code === "string" && BAD_VALUE_CODES.has(code)) {
        throw new HotlineError("bad_message", "the database refused the values", { cause: err });
      }
      if (!isConnectionLoss(err)) throw err;
      this.#outage.lost(err, since);
      throw connectionLostError(err, write);
    }
  }

  /**
   * A read: retried once on a new connection when the first one turns out to be gone (an idle
   * connection the server closed a moment ago may still be handed out before the pool hears of it).
   */
  async #read(sql: string, params: unknown[]) {
    try {
      return await this.#query(sql, params, false);
    } catch (err) {
      if (!(err instanceof HotlineError && isConnectionLoss(err.cause))) throw err;
      return this.#query(sql, params, false);
    }
  }

  async #fetch(l: Loaded, pk: Pk): Promise<Row | null> {
    const res = await this.#read(`SELECT ${l.selectList} FROM ${l.info.qualified} WHERE ${ident(l.meta.primaryKey)} = $1`, [pk]);
    return res.rows[0] ? this.#fromDb(l, res.rows[0]) : null;
  }

  async #conflict(l: Loaded, pk: Pk): Promise<HotlineError> {
    const current = await this.#fetch(l, pk);
    return new HotlineError("conflict", current ? "the row changed since it was read" : "the row was deleted", { details: { current } });
  }

  #toDb(l: Loaded, name: string, value: unknown): unknown {
    // pg would send a JS array as a PostgreSQL array literal; a json column wants JSON text.
    return l.columns.get(name)?.type === "json" && value !== null ? JSON.stringify(value) : value;
  }

  #fromDb(l: Loaded, row: Row): Row {
    const out: Row = {};
    for (const [name, value] of Object.entries(row)) {
      const type = l.columns.get(name)?.type;
      // numeric and int8 arrive as strings, to keep their precision; the model speaks numbers.
      out[name] = value !== null && typeof value === "string" && (type === "integer" || type === "number") ? Number(value) : value;
    }
    return out;
  }

  async #listen(l: Loaded): Promise<void> {
    const since = Outage.now();
    const client = await this.#pool!.connect();
    let live = false;
    let lost = false;
    const onLost = (err?: unknown) => {
      if (lost) return;
      lost = true;
      if (this.#dropClient === onLost) this.#dropClient = null;
      client.release(err instanceof Error ? err : true);
      if (live && !this.#closed) {
        if (err === undefined || isConnectionLoss(err)) this.#outage.lost(err ?? "the LISTEN connection ended", since);
        else this.#outage.failed("the change feed's connection failed; reconnecting", err);
        this.#reconnect(l);
      }
    };
    client.on("notification", (msg: Notification) => this.#onNotification(l, msg));
    client.on("error", onLost);
    client.on("end", () => onLost());
    try {
      await client.query(`LISTEN ${ident(l.channel)}`);
    } catch (err) {
      onLost(err);
      throw err;
    }
    if (this.#closed) { onLost(); return; }
    live = true;
    this.#dropClient = onLost;
    this.#outage.ok(since);
  }

  /** LISTENs again after `reconnectDelayMs`, doubling up to 5 s while it fails; then every watcher resyncs. */
  #reconnect(l: Loaded): void {
    const delay = this.#delay;
    this.#delay = Math.min(delay * 2, 5000);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#closed) return;
      this.#listen(l).then(
        () => {
          this.#delay = this.#options.reconnectDelayMs ?? 200;
          // Whatever was written while we were away was not heard: every watcher re-reads.
          this.#deliver({ table: l.meta.table, op: "resync", pk: null, version: null });
        },
        (err) => {
          if (this.#closed) return;
          // While the database is away each retry fails the same way: the outage was logged once.
          if (isConnectionLoss(err)) this.#outage.lost(err);
          else this.#outage.failed("the change feed could not LISTEN again; retrying", err);
          this.#reconnect(l);
        },
      );
    }, delay);
  }

  #onNotification(l: Loaded, msg: Notification): void {
    if (msg.channel !== l.channel || !msg.payload) return;
    let p: { pk?: unknown; op?: unknown; version?: unknown };
    try {
      p = JSON.parse(msg.payload);
    } catch {
      return;
    }
    if (p.op === "resync") return this.#deliver({ table: l.meta.table, op: "resync", pk: null, version: null });
    if ((p.op !== "insert" && p.op !== "update" && p.op !== "delete") || (typeof p.pk !== "number" && typeof p.pk !== "string")) return;
    this.#deliver({ table: l.meta.table, op: p.op, pk: p.pk, version: typeof p.version === "number" ? p.version : null });
  }

  #deliver(change: ModelChange): void {
    for (const w of [...this.#watchers]) {
      if (change.op !== "resync" && w.pk !== undefined && !samePk(w.pk, change.pk)) continue;
      try {
        w.listener({ ...change });
      } catch (err) {
        console.error(`[hotline] a watch listener on "${change.table}" threw`, err);
      }
    }
  }
}

/**
 * The model seam: how a component reads and writes one table's rows without knowing the
 * database. `MemoryModelAdapter` (server/models/memory.ts) is the reference; `hotline/postgres`
 * has `PostgresModelAdapter`. One contract suite (test/models/contract.ts) runs against both.
 *
 * Every row has one primary key column and an integer version column: a write names the version
 * it read, and fails with a `conflict` carrying the current row when someone wrote in between.
 */

/** A column's value kind, as forms and coercion see it. */
export type FieldType = "string" | "integer" | "number" | "boolean" | "date" | "datetime" | "text" | "json";

/** What a model knows about one column. */
export interface FieldMeta {
  name: string;
  type: FieldType;
  /** Whether `null` is an accepted value. */
  nullable: boolean;
  /** Most characters a string may have (from `varchar(n)` or the app). */
  maxLength?: number;
  /** The field cannot be written by `save` (the primary key, the version, generated columns). */
  readonly?: boolean;
  /** The only accepted values. */
  enum?: readonly string[];
  /** The database fills it in when `create` leaves it out (serial keys, defaults). */
  hasDefault?: boolean;
}

/** A table's shape, as the adapter reports it. */
export interface ModelMetadata {
  table: string;
  primaryKey: string;
  versionField: string;
  fields: FieldMeta[];
}

/** One row: column name to value. Dates are `YYYY-MM-DD` strings, datetimes ISO 8601 strings. */
export type Row = Record<string, unknown>;

/** A primary key value. */
export type Pk = string | number;

/** Field name to a message for people, e.g. `{ total: "must not be negative" }`. Empty means valid. */
export type ValidationErrors = Record<string, string>;

/** Options of {@link ModelAdapter.validate}. */
export interface ValidateOptions {
  /**
   * Check only the fields present (an update). Default `false`: a missing field that is not
   * nullable and has no default is reported as required (a create, or a whole form).
   */
  partial?: boolean;
}

/**
 * An app's own validation, run after the metadata checks, on values already coerced to their
 * field types. Return the errors (or nothing when valid).
 *
 * @example
 * const validator: Validator = (v) => (typeof v.total === "number" && v.total < 0 ? { total: "must not be negative" } : {});
 */
export type Validator = (
  values: Row,
  context: { partial: boolean },
) => ValidationErrors | undefined | void | Promise<ValidationErrors | undefined | void>;

/** Options of {@link ModelAdapter.list}. */
export interface ListOptions {
  /** Most rows returned. Default 100, at most 1000. */
  limit?: number;
  /** Rows skipped first (in primary key order). Default 0. */
  offset?: number;
}

/** A row was written, by this process or any other writer. */
export interface RowChange {
  table: string;
  op: "insert" | "update" | "delete";
  pk: Pk;
  /** The row's version after the write (before it, for a delete). */
  version: number | null;
}

/** Changes may have been missed (a lost database connection, a TRUNCATE): re-read what you show. */
export interface ResyncChange {
  table: string;
  op: "resync";
  pk: null;
  version: null;
}

/** What a {@link ModelAdapter.watch} listener is called with. */
export type ModelChange = RowChange | ResyncChange;

/** A change listener. It must not throw; what it throws is logged and swallowed. */
export type ChangeListener = (change: ModelChange) => void;

/** Options of {@link ModelAdapter.watch}. */
export interface WatchOptions {
  /** Only changes of this row (resyncs are always delivered). Default: the whole table. */
  pk?: Pk;
}

/**
 * One table's rows, read and written with optimistic concurrency, and a feed of its changes.
 * Values from clients may be strings (forms): `create` and `save` coerce them to the field types.
 *
 * Errors: `bad_message` for an ill-typed primary key, an unknown field or invalid values
 * (`details.errors` holds the {@link ValidationErrors}); `unauthorized` for writing a read-only
 * field; `conflict` when the version moved on (`details.current` holds the current row, or `null`
 * when it was deleted).
 *
 * @example
 * const order = await orders.get(42);                       // { id: 42, status: "pending", version: 3, … }
 * const saved = await orders.save(42, { status: "paid" }, 3); // version 4
 * const off = await orders.watch((c) => console.log(c.op, c.pk), { pk: 42 });
 */
export interface ModelAdapter {
  /** The row with this primary key, or `null`. */
  get(pk: Pk): Promise<Row | null>;
  /** Rows in primary key order, at most `limit` of them. */
  list(options?: ListOptions): Promise<Row[]>;
  /** Inserts a row (version 1) and returns it as stored, defaults filled in. */
  create(values: Row): Promise<Row>;
  /**
   * Writes `values` to the row if its version is still `expectedVersion`; returns the row as
   * stored, its version one higher. Otherwise throws a `conflict` with the current row.
   */
  save(pk: Pk, values: Row, expectedVersion: number): Promise<Row>;
  /** Deletes the row if its version is still `expectedVersion`; otherwise throws a `conflict`. */
  delete(pk: Pk, expectedVersion: number): Promise<void>;
  /** Checks values against the metadata and the app's validator, without writing. */
  validate(values: Row, options?: ValidateOptions): Promise<ValidationErrors>;
  /** The table's name, key, version column and fields. */
  metadata(): Promise<ModelMetadata>;
  /** Calls `listener` for each change of the table (or of one row); resolves, once live, to an unsubscribe function. */
  watch(listener: ChangeListener, options?: WatchOptions): Promise<() => Promise<void>>;
  /** Stops the change feed and releases connections. */
  close(): Promise<void>;
}

import { HotlineError } from "../core/errors.js";
import type {
  ChangeListener, FieldMeta, ListOptions, ModelAdapter, ModelChange, ModelMetadata, Pk, Row,
  ValidateOptions, ValidationErrors, Validator, WatchOptions,
} from "./model.js";
import { checkValues, coercePk, coerceVersion, listBounds, pkField, prepareWrite, samePk } from "./values.js";
import { leadTimings, type ChangeBatchPublisher, type FeedLeadership, type LeadingModelAdapter, type LeadOptions } from "./leadership.js";

/** Options of {@link MemoryModelAdapter}. */
export interface MemoryModelOptions {
  table: string;
  /** The columns. The key and version columns are added (integer, read-only) when not listed. */
  fields: FieldMeta[];
  /** Default `"id"`. An integer key that `create` leaves out is the largest key + 1. */
  primaryKey?: string;
  /** Default `"version"`. */
  versionField?: string;
  /** Initial rows; a row without a version starts at 1. */
  rows?: Row[];
  /** Values `create` fills in for fields it is not given (a database column's DEFAULT). */
  defaults?: Row;
  validator?: Validator;
}

/**
 * The reference {@link ModelAdapter}: rows in this process's memory, a change feed within the
 * process. Rows are copied in and out, so a caller never shares an object with the store.
 *
 * @example
 * const todos = new MemoryModelAdapter({
 *   table: "todos",
 *   fields: [{ name: "title", type: "string", nullable: false, maxLength: 200 }],
 *   rows: [{ id: 1, title: "Write docs" }],
 * });
 * await todos.save(1, { title: "Write the docs" }, 1); // { id: 1, title: "Write the docs", version: 2 }
 */
export class MemoryModelAdapter implements LeadingModelAdapter {
  readonly #meta: ModelMetadata;
  readonly #rows = new Map<string, Row>();
  readonly #listeners = new Set<{ listener: ChangeListener; pk?: Pk }>();
  readonly #validator?: Validator;
  readonly #defaults: Row;
  #closed = false;

  constructor(options: MemoryModelOptions) {
    const primaryKey = options.primaryKey ?? "id";
    const versionField = options.versionField ?? "version";
    const fields = options.fields.map((f) => ({ ...f }));
    if (!fields.some((f) => f.name === primaryKey)) {
      fields.unshift({ name: primaryKey, type: "integer", nullable: false, readonly: true, hasDefault: true });
    }
    if (!fields.some((f) => f.name === versionField)) {
      fields.push({ name: versionField, type: "integer", nullable: false, readonly: true, hasDefault: true });
    }
    for (const f of fields) {
      if (f.name === primaryKey || f.name === versionField) f.readonly = true;
      if (f.name === versionField) f.hasDefault = true;
    }
    this.#meta = { table: options.table, primaryKey, versionField, fields };
    this.#validator = options.validator;
    this.#defaults = structuredClone(options.defaults ?? {});
    for (const row of options.rows ?? []) {
      const copy: Row = structuredClone(row);
      copy[versionField] ??= 1;
      this.#rows.set(String(coercePk(this.#meta, copy[primaryKey])), copy);
    }
  }

  async get(pk: Pk): Promise<Row | null> {
    const row = this.#rows.get(String(coercePk(this.#meta, pk)));
    return row ? structuredClone(row) : null;
  }

  async list(options?: ListOptions): Promise<Row[]> {
    const { limit, offset } = listBounds(options);
    const key = this.#meta.primaryKey;
    const rows = [...this.#rows.values()].sort((a, b) => compare(a[key], b[key]));
    return rows.slice(offset, offset + limit).map((r) => structuredClone(r));
  }

  async create(values: Row): Promise<Row> {
    const clean = await prepareWrite(this.#meta, values, "create", this.#validator);
    const { primaryKey, versionField } = this.#meta;
    let pk = clean[primaryKey] as Pk | undefined;
    if (pk === undefined) {
      if (pkField(this.#meta).type !== "integer") throw new HotlineError("bad_message", "the values are not valid", { details: { errors: { [primaryKey]: "is required" } } });
      pk = Math.max(0, ...[...this.#rows.values()].map((r) => Number(r[primaryKey]))) + 1;
    }
    if (this.#rows.has(String(pk))) throw new HotlineError("conflict", "a row with this key exists", { details: { current: await this.get(pk) } });
    const row: Row = {};
    // Every field present, as a database row would have it.
    for (const f of this.#meta.fields) row[f.name] = Object.hasOwn(clean, f.name) ? clean[f.name] : structuredClone(this.#defaults[f.name] ?? null);
    row[primaryKey] = pk;
    row[versionField] = 1;
    this.#rows.set(String(pk), row);
    this.#emit({ table: this.#meta.table, op: "insert", pk, version: 1 });
    return structuredClone(row);
  }

  async save(pk: Pk, values: Row, expectedVersion: number): Promise<Row> {
    const key = coercePk(this.#meta, pk);
    const expected = coerceVersion(expectedVersion);
    const clean = await prepareWrite(this.#meta, values, "save", this.#validator);
    const row = this.#current(key, expected);
    Object.assign(row, clean);
    const version = Number(row[this.#meta.versionField]) + 1;
    row[this.#meta.versionField] = version;
    this.#emit({ table: this.#meta.table, op: "update", pk: key, version });
    return structuredClone(row);
  }

  async delete(pk: Pk, expectedVersion: number): Promise<void> {
    const key = coercePk(this.#meta, pk);
    const row = this.#current(key, coerceVersion(expectedVersion));
    this.#rows.delete(String(key));
    this.#emit({ table: this.#meta.table, op: "delete", pk: key, version: Number(row[this.#meta.versionField]) });
  }

  async validate(values: Row, options: ValidateOptions = {}): Promise<ValidationErrors> {
    return (await checkValues(this.#meta, values, { partial: options.partial, validator: this.#validator })).errors;
  }

  async metadata(): Promise<ModelMetadata> {
    return structuredClone(this.#meta);
  }

  async watch(listener: ChangeListener, options: WatchOptions = {}): Promise<() => Promise<void>> {
    if (this.#closed) throw new Error("model adapter is closed");
    const entry = options.pk === undefined ? { listener } : { listener, pk: coercePk(this.#meta, options.pk) };
    this.#listeners.add(entry);
    return async () => { this.#listeners.delete(entry); };
  }

  /**
   * The feed's leadership: always this process, since the rows (and their changes) live in it.
   * Each change is handed to `publish` as a batch of one, in order.
   */
  async lead(publish: ChangeBatchPublisher, options: LeadOptions = {}): Promise<FeedLeadership> {
    leadTimings(options.takeoverMs);
    let role: "leader" | "follower" = "leader";
    // A failed publish is the feed's to report; nothing is kept to retry, as nothing outlives the process.
    const off = await this.watch((change) => { if (role === "leader") publish([change]).catch(() => {}); });
    return {
      get role() { return role; },
      close: async () => { role = "follower"; await off(); },
    };
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#listeners.clear();
  }

  /** The stored row if its version is `expected`; otherwise a conflict carrying what is there now. */
  #current(pk: Pk, expected: number): Row {
    const row = this.#rows.get(String(pk));
    if (!row) throw new HotlineError("conflict", "the row was deleted", { details: { current: null } });
    if (row[this.#meta.versionField] !== expected) {
      throw new HotlineError("conflict", "the row changed since it was read", { details: { current: structuredClone(row) } });
    }
    return row;
  }

  #emit(change: ModelChange): void {
    // After the write's promise settles, as a database's notification would arrive.
    for (const entry of [...this.#listeners]) {
      if (change.op !== "resync" && entry.pk !== undefined && !samePk(entry.pk, change.pk)) continue;
      queueMicrotask(() => {
        try {
          entry.listener({ ...change });
        } catch (err) {
          console.error(`[hotline] a watch listener on "${this.#meta.table}" threw`, err);
        }
      });
    }
  }
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === "number" && typeof b === "number") return a - b;
  const x = String(a), y = String(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

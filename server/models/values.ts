import { HotlineError } from "../core/errors.js";
import type { FieldMeta, ModelMetadata, Pk, Row, ValidationErrors, Validator } from "./model.js";

type Coerced = { ok: true; value: unknown } | { ok: false; message: string };

const INTEGER = /^[+-]?\d+$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}(:?\d{2})?)?$/;
const TRUE = new Set(["true", "on", "1", "yes"]);
const FALSE = new Set(["false", "off", "0", "no"]);

function coerce(field: FieldMeta, value: unknown): Coerced {
  if (value === null || value === undefined) return { ok: true, value: null };
  // A form sends "" for a blank input (or a select's empty option): for anything but free text
  // that means "no value".
  if (value === "" && ((field.type !== "string" && field.type !== "text") || field.enum)) return { ok: true, value: null };
  switch (field.type) {
    case "string":
    case "text":
      if (typeof value !== "string") return { ok: false, message: "must be text" };
      // PostgreSQL refuses NUL in text; refuse it everywhere so every adapter agrees.
      if (value.includes("\u0000")) return { ok: false, message: "must not contain NUL characters" };
      return { ok: true, value };
    case "integer": {
      const n = typeof value === "number" ? value : typeof value === "string" && INTEGER.test(value.trim()) ? Number(value) : NaN;
      return Number.isSafeInteger(n) ? { ok: true, value: n } : { ok: false, message: "must be an integer" };
    }
    case "number": {
      const n = typeof value === "number" ? value : typeof value === "string" && NUMBER.test(value.trim()) ? Number(value) : NaN;
      return Number.isFinite(n) ? { ok: true, value: n } : { ok: false, message: "must be a number" };
    }
    case "boolean": {
      if (typeof value === "boolean") return { ok: true, value };
      const s = String(value).trim().toLowerCase();
      if ((typeof value === "string" || typeof value === "number") && TRUE.has(s)) return { ok: true, value: true };
      if ((typeof value === "string" || typeof value === "number") && FALSE.has(s)) return { ok: true, value: false };
      return { ok: false, message: "must be true or false" };
    }
    case "date": {
      if (value instanceof Date && !Number.isNaN(value.getTime())) return { ok: true, value: value.toISOString().slice(0, 10) };
      const m = typeof value === "string" ? DATE.exec(value.trim()) : null;
      if (m) {
        const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
        if (d.getUTCMonth() === Number(m[2]) - 1 && d.getUTCDate() === Number(m[3])) return { ok: true, value: m[0] };
      }
      return { ok: false, message: "must be a date (YYYY-MM-DD)" };
    }
    case "datetime": {
      if (value instanceof Date && !Number.isNaN(value.getTime())) return { ok: true, value: value.toISOString() };
      if (typeof value === "string" && DATETIME.test(value.trim()) && !Number.isNaN(Date.parse(value.trim().replace(" ", "T")))) {
        return { ok: true, value: value.trim().replace(" ", "T") };
      }
      return { ok: false, message: "must be a date and time (ISO 8601)" };
    }
    case "json": {
      try {
        // A string is JSON text (a textarea); anything else must survive a JSON round trip.
        const parsed: unknown = typeof value === "string" ? JSON.parse(value) : JSON.parse(JSON.stringify(value) ?? "x");
        return { ok: true, value: parsed };
      } catch {
        return { ok: false, message: "must be valid JSON" };
      }
    }
  }
}

/**
 * Converts a client-supplied value (often a string from a form) to `field`'s type, or throws
 * `HotlineError("bad_message")` when it is not of that type. `null`, `undefined` and, except for
 * free text (string fields without an enum), `""` become `null`: whether `null` is allowed is
 * validation's job.
 * JSON fields parse a string as JSON text.
 *
 * @example
 * coerceFieldValue({ name: "total", type: "integer", nullable: false }, "42"); // 42
 * coerceFieldValue({ name: "total", type: "integer", nullable: false }, "4x"); // throws bad_message
 */
export function coerceFieldValue(field: FieldMeta, value: unknown): unknown {
  const c = coerce(field, value);
  if (!c.ok) throw new HotlineError("bad_message", `field '${field.name}' ${c.message}`);
  return c.value;
}

/** The primary key field of `meta`. */
export function pkField(meta: ModelMetadata): FieldMeta {
  const f = meta.fields.find((x) => x.name === meta.primaryKey);
  if (!f) throw new Error(`model ${meta.table}: primary key ${meta.primaryKey} is not among its fields`);
  return f;
}

/**
 * A client-supplied primary key, coerced to the key's type (`"42"` to `42`); anything else, such
 * as `"1 OR 1=1"` for an integer key, is a `bad_message`.
 */
export function coercePk(meta: ModelMetadata, pk: unknown): Pk {
  const c = coerce(pkField(meta), pk);
  if (!c.ok || c.value === null || (typeof c.value !== "string" && typeof c.value !== "number")) {
    throw new HotlineError("bad_message", "the primary key is not valid");
  }
  return c.value;
}

/** A client-supplied expected version, which must be a non-negative integer. */
export function coerceVersion(version: unknown): number {
  const c = coerce({ name: "version", type: "integer", nullable: false }, version);
  if (!c.ok || typeof c.value !== "number" || c.value < 0) throw new HotlineError("bad_message", "the version is not valid");
  return c.value;
}

function refuseUnknown(meta: ModelMetadata, values: Row): void {
  const known = new Set(meta.fields.map((f) => f.name));
  for (const name of Object.keys(values)) {
    if (!known.has(name)) {
      // The name is client input: it goes to the server's log (cause), not into the message.
      throw new HotlineError("bad_message", `the values name a field that ${meta.table} does not have`, {
        cause: new Error(`unknown field ${JSON.stringify(name).slice(0, 100)}`),
      });
    }
  }
}

/**
 * Coerces and checks `values` against the metadata (types, not-null, lengths, enums), then runs
 * the app's validator on what passed. Throws `bad_message` for a field the table does not have.
 */
export async function checkValues(
  meta: ModelMetadata,
  values: Row,
  options: { partial?: boolean; validator?: Validator } = {},
): Promise<{ values: Row; errors: ValidationErrors }> {
  refuseUnknown(meta, values);
  const partial = options.partial ?? false;
  const out: Row = {};
  const errors: ValidationErrors = {};
  for (const field of meta.fields) {
    if (!Object.hasOwn(values, field.name)) {
      if (!partial && !field.nullable && !field.hasDefault) errors[field.name] = "is required";
      continue;
    }
    const c = coerce(field, values[field.name]);
    if (!c.ok) { errors[field.name] = c.message; continue; }
    const v = c.value;
    if (v === null) {
      if (!field.nullable) errors[field.name] = "is required";
      else out[field.name] = null;
      continue;
    }
    if (typeof v === "string" && field.maxLength !== undefined && [...v].length > field.maxLength) {
      errors[field.name] = `must be at most ${field.maxLength} characters`;
      continue;
    }
    if (field.enum && !field.enum.includes(String(v))) {
      errors[field.name] = `must be one of: ${field.enum.join(", ")}`;
      continue;
    }
    out[field.name] = v;
  }
  if (options.validator) {
    const extra = (await options.validator(out, { partial })) ?? {};
    for (const [name, message] of Object.entries(extra)) if (message && !errors[name]) errors[name] = String(message);
  }
  return { values: out, errors };
}

/**
 * What `create` and `save` run first: refuses unknown and read-only fields, coerces and validates,
 * and throws `bad_message` with `details.errors` when invalid. Returns the coerced values.
 */
export async function prepareWrite(
  meta: ModelMetadata,
  values: Row,
  mode: "create" | "save",
  validator?: Validator,
): Promise<Row> {
  if (values === null || typeof values !== "object" || Array.isArray(values)) {
    throw new HotlineError("bad_message", "values must be an object");
  }
  refuseUnknown(meta, values);
  for (const field of meta.fields) {
    if (!field.readonly || !Object.hasOwn(values, field.name)) continue;
    // A key without a default has to be given on create; nothing else read-only is ever written.
    const givenKey = mode === "create" && field.name === meta.primaryKey && !field.hasDefault;
    if (!givenKey) throw new HotlineError("unauthorized", `field '${field.name}' is read-only`);
  }
  const { values: clean, errors } = await checkValues(meta, values, { partial: mode === "save", validator });
  if (Object.keys(errors).length) throw new HotlineError("bad_message", "the values are not valid", { details: { errors } });
  return clean;
}

/** `list` options, bounded: limit 1..1000 (default 100), offset >= 0. */
export function listBounds(options: { limit?: number; offset?: number } = {}): { limit: number; offset: number } {
  const limit = Number.isSafeInteger(options.limit) ? Math.min(Math.max(options.limit!, 1), 1000) : 100;
  const offset = Number.isSafeInteger(options.offset) ? Math.max(options.offset!, 0) : 0;
  return { limit, offset };
}

/** Whether two primary keys name the same row (a NOTIFY payload's `42` and a caller's `"42"`). */
export function samePk(a: unknown, b: unknown): boolean {
  return a !== null && a !== undefined && String(a) === String(b);
}

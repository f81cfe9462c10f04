// Coercion of client-supplied values (server/core/model-values.ts), which every adapter and the
// model component rely on: a form's strings become typed values, or the message is refused.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { HotlineError } from "../../server/core/errors.js";
import type { FieldMeta, FieldType } from "../../server/models/model.js";
import { checkValues, coerceFieldValue, coercePk, listBounds } from "../../server/models/values.js";

const field = (type: FieldType, extra: Partial<FieldMeta> = {}): FieldMeta => ({ name: "f", type, nullable: true, ...extra });

function refused(type: FieldType, value: unknown): void {
  try {
    coerceFieldValue(field(type), value);
  } catch (err) {
    assert.instance(err, HotlineError);
    assert.is((err as HotlineError).code, "bad_message");
    return;
  }
  assert.unreachable(`${type} accepted ${JSON.stringify(value)}`);
}

test("form strings become typed values", () => {
  assert.is(coerceFieldValue(field("integer"), " 42 "), 42);
  assert.is(coerceFieldValue(field("integer"), -7), -7);
  assert.is(coerceFieldValue(field("number"), "19.99"), 19.99);
  assert.is(coerceFieldValue(field("number"), "1e3"), 1000);
  assert.is(coerceFieldValue(field("boolean"), "on"), true);
  assert.is(coerceFieldValue(field("boolean"), "false"), false);
  assert.is(coerceFieldValue(field("date"), "2024-02-29"), "2024-02-29");
  assert.is(coerceFieldValue(field("datetime"), "2024-05-01 10:30"), "2024-05-01T10:30");
  assert.is(coerceFieldValue(field("datetime"), new Date(Date.UTC(2024, 0, 2, 3, 4, 5))), "2024-01-02T03:04:05.000Z");
  assert.equal(coerceFieldValue(field("json"), '{"a":[1]}'), { a: [1] });
  assert.equal(coerceFieldValue(field("json"), { a: [1] }), { a: [1] });
  assert.is(coerceFieldValue(field("string"), ""), "", "an empty string is a string");
  assert.is(coerceFieldValue(field("integer"), ""), null, "a blank number input is no value");
  assert.is(coerceFieldValue(field("integer"), undefined), null);
});

test("type mismatches are bad_message", () => {
  for (const v of ["1 OR 1=1", "4.5", "0x10", "", true, 2 ** 60, [1], "1e3"]) if (v !== "") refused("integer", v);
  for (const v of ["abc", "1,5", NaN, Infinity, {}]) refused("number", v);
  for (const v of ["maybe", 2, {}]) refused("boolean", v);
  for (const v of ["2024-02-30", "2024-13-01", "yesterday", 20240101]) refused("date", v);
  for (const v of ["now", "2024-05-01T25:00", 5]) refused("datetime", v);
  for (const v of [5, true, { a: 1 }, "a\u0000b"]) refused("string", v);
  refused("json", "{not json");
  refused("json", 10n);
});

test("coercePk: the key's type, and nothing smuggled", () => {
  const meta = { table: "t", primaryKey: "id", versionField: "version", fields: [field("integer", { name: "id", nullable: false })] };
  assert.is(coercePk(meta, "12"), 12);
  for (const bad of ["1 OR 1=1", "", null, "12; DROP TABLE t"]) {
    assert.throws(() => coercePk(meta, bad), (e: unknown) => e instanceof HotlineError && e.code === "bad_message");
  }
});

test("checkValues: required, lengths (in characters), enums, then the app's validator", async () => {
  const meta = {
    table: "t", primaryKey: "id", versionField: "version",
    fields: [
      field("integer", { name: "id", nullable: false, readonly: true, hasDefault: true }),
      field("string", { name: "name", nullable: false, maxLength: 3 }),
      field("string", { name: "kind", nullable: true, enum: ["a", "b"] }),
    ],
  };
  assert.equal((await checkValues(meta, {})).errors, { name: "is required" });
  assert.equal((await checkValues(meta, { name: "ééé" })).errors, {}, "three characters, six bytes");
  assert.equal((await checkValues(meta, { name: "abcd", kind: "c" })).errors, { name: "must be at most 3 characters", kind: "must be one of: a, b" });
  const r = await checkValues(meta, { name: "ab", kind: "" }, { validator: (v) => ({ name: v.name === "ab" ? "taken" : "" }) });
  assert.equal(r.errors, { name: "taken" });
  assert.equal(r.values, { name: "ab", kind: null }, "a blank select is no value");
  assert.equal((await checkValues(meta, { name: "ab", kind: "a" }, { validator: () => ({ kind: "" }) })).errors, {}, "an empty message is no error");
});

test("listBounds: default 100, at most 1000", () => {
  assert.equal(listBounds(), { limit: 100, offset: 0 });
  assert.equal(listBounds({ limit: 10_000, offset: -5 }), { limit: 1000, offset: 0 });
});

test.run();

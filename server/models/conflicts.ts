/**
 * A {@link ModelComponent}'s edits against changes made elsewhere: the bookkeeping it keeps in
 * `state` beside the bound values, loading a row into it, merging a newer row under the viewer's
 * unsaved edits, and flagging the edited fields whose stored value moved away from what the viewer
 * based them on (a conflict: shown beside their value, never written by `save`).
 */
import type { FormNotice } from "./forms.js";
import type { FieldMeta, ModelMetadata, Row } from "./model.js";

/** Bookkeeping that a {@link ModelComponent} keeps in `state` beside the bound values. */
export interface ModelBookkeeping {
  /** The row's values as last read or saved: what `dirty` compares against. */
  $saved: Row;
  /** Fields that changed elsewhere while this viewer had unsaved edits to them: field -> the stored value. */
  $conflicts: Record<string, unknown>;
  /**
   * What the viewer's edits are based on, field by field: the value rendered to them when they
   * edited. A change merged in from elsewhere moves it only for fields they have not edited; an
   * edited field whose stored value moved away from it is a conflict, never written by `save`.
   */
  $base?: { version: number | null; values: Row };
  /**
   * `$base` as it was before the first change merged in since the viewer last loaded or saved:
   * a save from a form rendered before that change (its `_version` is older) is judged against it,
   * since the person typed over values that the change then replaced before they saw it.
   */
  $prior?: { version: number | null; values: Row } | null;
  /** A message about the whole form (saved, a conflict, a deleted row). */
  $notice: FormNotice | null;
}

/** Which fields a class's form shows, in order, and which of them a client may write. */
export type Plan = { meta: ModelMetadata; form: { field: FieldMeta; editable: boolean }[] };

type BookedState = Record<string, unknown> & ModelBookkeeping;

export const CONFLICT = "was changed by someone else";
export const REFUSED = "Someone else saved this record after you opened it. Their values are shown beside yours: nothing was saved. Change the field, or press “Keep mine” to save yours over theirs.";
export const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** Sets the state from a row read or written: every bound field, key and version; edits dropped. */
export function loadRow(s: BookedState, plan: Plan, row: Row): void {
  const { meta, form } = plan;
  const saved: Row = {};
  for (const { field } of form) saved[field.name] = s[field.name] = row[field.name] ?? null;
  s[meta.primaryKey] = row[meta.primaryKey] ?? null;
  s[meta.versionField] = row[meta.versionField] ?? null;
  s.$saved = saved;
  s.$base = { version: typeof s[meta.versionField] === "number" ? (s[meta.versionField] as number) : null, values: { ...saved } };
  s.$prior = null;
  s.$conflicts = {};
  s.$notice = null;
}

/** The row the viewer's edits are based on (states saved before `$base` existed: the last read). */
export function baseValues(s: BookedState): Row {
  return { ...(s.$base?.values ?? s.$saved ?? {}) };
}

/**
 * Flags every edited field whose stored value moved away from the viewer's base (a change made
 * elsewhere after they began editing it) and differs from their value; `always`: fields known to
 * conflict. True when any field is in conflict.
 */
export function flagConflicts(s: BookedState, errors: Record<string, string>, dirty: ReadonlySet<string>, base = baseValues(s), always: string[] = []): boolean {
  const saved = s.$saved ?? {};
  const conflicts: Record<string, unknown> = { ...(s.$conflicts ?? {}) };
  for (const name of Object.keys(conflicts)) {
    if (dirty.has(name)) continue;
    delete conflicts[name];
    if (errors[name] === CONFLICT) delete errors[name];
  }
  for (const name of dirty) {
    if (always.includes(name) || !same(saved[name], base[name])) {
      conflicts[name] = saved[name] ?? null;
      errors[name] = CONFLICT;
    }
  }
  s.$conflicts = conflicts;
  return Object.keys(conflicts).length > 0;
}

/**
 * Takes the current row on top of the viewer's edits: untouched fields take the stored value;
 * an edited field that changed elsewhere keeps the edit and is flagged with the stored value.
 */
export function mergeRow(s: BookedState, plan: Plan, errors: Record<string, string>, current: Row | null, why: "save" | "remote"): void {
  const { meta, form } = plan;
  if (current === null) {
    s.$notice = { kind: "error", text: "This record was deleted elsewhere; it can no longer be saved." };
    return;
  }
  const previous = s.$saved ?? {};
  const base = baseValues(s);
  s.$prior ??= { version: s.$base?.version ?? null, values: { ...base } };
  const conflicts: Record<string, unknown> = { ...(s.$conflicts ?? {}) };
  const saved: Row = {};
  for (const { field, editable } of form) {
    const name = field.name;
    const theirs = current[name] ?? null;
    saved[name] = theirs;
    const edited = editable && !same(s[name], previous[name]);
    if (!edited) {
      s[name] = theirs;
      base[name] = theirs; // shown to the viewer from now on
      delete conflicts[name];
    } else if (same(s[name], theirs)) delete conflicts[name];
    else if (!same(base[name], theirs)) conflicts[name] = theirs;
    else delete conflicts[name]; // an edit of a field nobody else changed since the viewer's base
  }
  s.$saved = saved;
  s[meta.versionField] = current[meta.versionField] ?? null;
  const version = s[meta.versionField];
  s.$base = { version: typeof version === "number" ? version : null, values: base };
  const before = s.$conflicts ?? {};
  s.$conflicts = conflicts;
  for (const name of Object.keys(before)) if (!(name in conflicts) && errors[name] === CONFLICT) delete errors[name];
  for (const name of Object.keys(conflicts)) errors[name] = CONFLICT;
  const n = Object.keys(conflicts).length;
  if (why === "save") {
    s.$notice = n
      ? { kind: "error", text: REFUSED }
      : { kind: "error", text: "Someone else saved this record after you opened it. It now shows their values with your edits on top; save again to keep them." };
  } else if (n) {
    s.$notice = { kind: "error", text: "Someone else changed fields you are editing. Their values are shown beside yours: change the field, or press “Keep mine” to save yours over theirs." };
  }
}

import { Component } from "../core/component.js";
import { HotlineError } from "../core/errors.js";
import { modelForm, type FormField, type FormNotice } from "./forms.js";
import { baseValues, CONFLICT, flagConflicts, loadRow, mergeRow, REFUSED, same, type ModelBookkeeping, type Plan } from "./conflicts.js";
import type { FieldMeta, ModelAdapter, ModelChange, ModelMetadata, Pk, Row, RowChange } from "./model.js";
import { cachedModelMeta, loadModelMeta, modelResyncTopic, modelTopic, readFor } from "./live.js";
import { coerceFieldValue, coercePk, samePk } from "./values.js";
import type { RenderOutput } from "../core/template/diff-tracker.js";

export type { ModelBookkeeping } from "./conflicts.js";

type ModelClass = typeof ModelComponent & {
  model?: ModelAdapter | string; fields?: readonly string[]; readonly?: readonly string[]; exclude?: readonly string[];
};

// A checkbox and the hidden "false" before it arrive as an array: the last wins. Any other field
// sent as an array is ill-typed (coercion refuses it).
const formValue = (f: FieldMeta, v: unknown) => (f.type === "boolean" && Array.isArray(v) ? v[v.length - 1] : v);

/**
 * A component bound to one row of a {@link ModelAdapter}: the seed's model mixin with declarative
 * binding. `state` holds the bound fields, the key and the version (plus `$`-prefixed
 * bookkeeping). Clients may write only `fields` that are neither `readonly` nor `exclude`d
 * (`bind` and `save` events); saves carry the version that was read, so a concurrent write is a
 * conflict shown to the user, never silently overwritten. Changes made elsewhere arrive through
 * the model feed (`startModelFeed`) and reload the row, keeping the viewer's unsaved edits.
 *
 * An edit is judged against the row the viewer last loaded or saved (`$base`), not against a
 * later remote change merged in: an edited field whose stored value changed since is a conflict,
 * shown beside the viewer's value and never written by `save`; the explicit second action
 * `keep_mine` (the form's "Keep mine" button) writes the viewer's values over the ones shown.
 *
 * The adapter comes from the app: `static model = "orders"` reads `this.services.orders`, so two
 * apps in one process may bind the same class to different tables or databases.
 *
 * @example
 * declare module "hotline" {
 *   interface HotlineServices { orders: ModelAdapter }
 * }
 * @register("order_editor")
 * class OrderEditor extends ModelComponent {
 *   static model = "orders";
 *   static fields = ["status", "customer"];
 *   static readonly = ["total"];
 * }
 * createHotline({ services: { orders: new PostgresModelAdapter({ pool, table: "orders" }) } });
 * // <… hl-change="bind" name="status"> sends {name, value}; <form hl-submit="save"> the form.
 */
export class ModelComponent<S extends Record<string, any> = Row, P extends Record<string, any> = Record<string, any>> extends Component<
  S & ModelBookkeeping,
  P
> {
  /**
   * The adapter: the name of one of the app's services (`"orders"` reads `this.services.orders`),
   * or an adapter itself; or override `getModel()`.
   */
  static model?: ModelAdapter | string;
  /** The fields shown and, unless read-only, writable. Default: every column but the key and version. */
  static fields?: readonly string[];
  /** Fields shown but never written by a client. */
  static readonly?: readonly string[];
  /** Fields neither shown, kept in state nor written. */
  static exclude?: readonly string[];

  #plan: Plan | undefined;

  /** The adapter this component reads and writes. */
  getModel(): ModelAdapter {
    const ctor = this.constructor as ModelClass;
    if (!ctor.model) throw new HotlineError("handler_error", `${ctor.name} has no model: set static model or override getModel()`, { fault: "app" });
    return typeof ctor.model === "string" ? serviceAdapter(this.services, ctor.model, ctor.name) : ctor.model;
  }

  /** The model's metadata (cached per adapter). */
  modelMeta(): Promise<ModelMetadata> {
    return loadModelMeta(this.getModel());
  }

  /** The row's key, or `null` for a row not yet created. */
  get pk(): Pk | null {
    const meta = this.#cachedPlan()?.meta;
    const v = meta ? this.#s[meta.primaryKey] : undefined;
    return typeof v === "string" || typeof v === "number" ? v : null;
  }

  /** The version the values were read at (`null` for a new row). */
  get version(): number | null {
    const meta = this.#cachedPlan()?.meta;
    const v = meta ? this.#s[meta.versionField] : undefined;
    return typeof v === "number" ? v : null;
  }

  /** Writable fields whose value differs from the saved row: the unsaved edits. */
  get dirty(): ReadonlySet<string> {
    const out = new Set<string>();
    const plan = this.#cachedPlan();
    const saved = this.#s.$saved ?? {};
    if (plan) for (const { field, editable } of plan.form) if (editable && !same(this.#s[field.name], saved[field.name])) out.add(field.name);
    return out;
  }

  // ---------- the seed's ModelMixin ----------

  /** The row named by `params.pk`, a blank one when there is none, or `null` when no row has that key. */
  async getInstance(): Promise<Row | null> {
    const { meta } = await this.#loadPlan();
    const raw = (this.params as Record<string, unknown>).pk;
    if (raw === undefined || raw === null || raw === "") {
      const blank: Row = {};
      for (const f of meta.fields) blank[f.name] = null;
      return blank;
    }
    return this.getModel().get(coercePk(meta, raw));
  }

  /**
   * Writes the unsaved edits (all values, for a new row) with the version that was read. Returns
   * the stored row; or `null` when it did not write: invalid values (in `errors`), a conflict or a
   * deleted row (in `state.$notice`, the current values in state). Throws for anything else.
   */
  async saveInstance(): Promise<Row | null> {
    const { meta, form } = await this.#loadPlan();
    const adapter = this.getModel();
    const s = this.#s;
    const pk = this.pk;
    const values: Row = {};
    for (const { field, editable } of form) {
      if (!editable) continue;
      const v = s[field.name];
      if (pk === null ? !(v === null && field.hasDefault) : this.dirty.has(field.name)) values[field.name] = v;
    }
    if (pk !== null && Object.keys(values).length === 0) {
      s.$notice = { kind: "info", text: "Nothing to save: no field has changed." };
      return null;
    }
    if (pk !== null && flagConflicts(this.#s, this.errors, this.dirty)) {
      s.$notice = { kind: "error", text: REFUSED };
      return null;
    }
    this.errors = await adapter.validate(values, { partial: pk !== null });
    if (Object.keys(this.errors).length) {
      s.$notice = { kind: "error", text: "Some values are not valid; see the fields marked below." };
      return null;
    }
    let row: Row;
    try {
      row = pk === null ? await adapter.create(values) : await adapter.save(pk, values, this.version ?? 0);
    } catch (err) {
      if (!(err instanceof HotlineError)) throw err;
      const details = err.details as { current?: Row | null; errors?: Record<string, string> } | undefined;
      if (err.code === "conflict") {
        mergeRow(this.#s, this.#plan!, this.errors, details?.current ?? null, "save");
        return null;
      }
      if (err.code === "bad_message" && details?.errors) {
        this.errors = { ...details.errors };
        s.$notice = { kind: "error", text: "Some values are not valid; see the fields marked below." };
        return null;
      }
      throw err;
    }
    loadRow(this.#s, this.#plan!, row);
    s.$notice = { kind: "info", text: "Saved." };
    if (pk === null) this.#listen();
    return row;
  }

  /**
   * "Keep mine" after a conflict: the viewer has seen the values shown beside theirs and writes
   * their edits over them (with the version those values were read at: a yet newer change is a
   * conflict again). Returns the stored row, or `null` when it did not write.
   */
  async keepMine(): Promise<Row | null> {
    const { meta } = await this.#loadPlan();
    const s = this.#s;
    if (this.pk === null) return this.saveInstance();
    s.$base = { version: typeof s[meta.versionField] === "number" ? (s[meta.versionField] as number) : null, values: { ...(s.$saved ?? {}) } };
    s.$prior = null;
    s.$conflicts = {};
    for (const name of Object.keys(this.errors)) if (this.errors[name] === CONFLICT) delete this.errors[name];
    return this.saveInstance();
  }

  /** Re-reads the row, keeping unsaved edits (and flagging those that changed elsewhere). */
  async reload(): Promise<void> {
    await this.#loadPlan();
    const pk = this.pk;
    if (pk === null) return;
    const current = await this.getModel().get(pk);
    mergeRow(this.#s, this.#plan!, this.errors, current, "remote");
  }

  /** `reload()` for an announced change: the read is shared with the row's other followers in this process. */
  async #reloadFor(change: RowChange): Promise<void> {
    const pk = this.pk;
    if (pk === null) return;
    const current = await readFor(this.getModel(), pk, `${change.op}:${change.version}`);
    mergeRow(this.#s, this.#plan!, this.errors, current, "remote");
  }

  // ---------- lifecycle and events ----------

  /**
   * Loads the instance and follows its row's changes (and the table's resyncs). Typed `void |
   * Promise<void>` so that a subclass may mount synchronously (a child, `this.child()`, must).
   */
  mount(): void | Promise<void> {
    return this.#mountRow();
  }

  async #mountRow(): Promise<void> {
    await this.#loadPlan();
    const row = await this.getInstance();
    this.errors = {};
    if (row === null) {
      loadRow(this.#s, this.#plan!, {});
      this.#s.$notice = { kind: "error", text: "There is no such record." };
      return;
    }
    loadRow(this.#s, this.#plan!, row);
    this.#listen();
  }

  /** Starts loading the metadata, so that later renders find it (hydrate cannot wait). */
  hydrate(state: Partial<S & ModelBookkeeping>): void {
    super.hydrate(state);
    loadModelMeta(this.getModel()).catch(() => {});
  }

  /**
   * One field's new value (`hl-change="bind"` on an input sends `{ name, value }`; `field` is
   * accepted for `name`). Only writable fields: anything else is `unauthorized`. The value is
   * coerced to the field's type (`bad_message` when it is not of it), then validated into `errors`.
   */
  async onBind(payload: Record<string, unknown>): Promise<void> {
    const plan = await this.#loadPlan();
    const field = this.#writable(plan, payload.field ?? payload.name);
    this.#s[field.name] = coerceFieldValue(field, formValue(field, payload.value));
    if (same(this.#s[field.name], this.#s.$conflicts?.[field.name])) delete this.#s.$conflicts[field.name];
    delete this.errors[field.name];
    const errors = await this.getModel().validate({ [field.name]: this.#s[field.name] }, { partial: true });
    if (errors[field.name]) this.errors[field.name] = errors[field.name]!;
    else if (this.pk !== null) flagConflicts(this.#s, this.errors, this.dirty);
    if (this.#s.$notice?.kind === "info") this.#s.$notice = null;
  }

  /**
   * A form's submit (`hl-submit="save"`): binds every field in the payload (all refused when one
   * is not writable; keys starting with `_` that are not columns are ignored), then saves. The
   * generated form sends `_version`, the version it was rendered from: edits typed on a form older
   * than a change merged in since are judged against what that form showed. A save is refused
   * while an edited field conflicts with a change made elsewhere: see `onKeepMine`.
   */
  async onSave(payload: Record<string, unknown> = {}): Promise<void> {
    const plan = await this.#loadPlan();
    const s = this.#s;
    const known = new Set(plan.meta.fields.map((f) => f.name));
    const updates: [string, unknown][] = [];
    const clobbered: string[] = [];
    for (const [name, value] of Object.entries(payload)) {
      if (name.startsWith("_") && !known.has(name)) continue;
      const field = this.#writable(plan, name);
      const v = coerceFieldValue(field, formValue(field, value));
      // The stored value over the viewer's bound edit: a render of someone else's change put it
      // into the form while the click was on its way (the change event carried what the person
      // typed); a person reverting a field sends that change event first.
      if (this.dirty.has(name) && !same(v, s[name]) && same(v, s.$saved?.[name])) {
        clobbered.push(name);
        continue;
      }
      updates.push([field.name, v]);
    }
    for (const [name, value] of updates) s[name] = value;
    const raw = payload._version;
    const seen = typeof raw === "number" ? raw : typeof raw === "string" && /^\d{1,15}$/.test(raw) ? Number(raw) : undefined;
    const prior = s.$prior;
    const base = baseValues(this.#s);
    // Form rendered before the last merged change: the fields it sent are judged against the older base.
    const older = seen !== undefined && prior && typeof s.$base?.version === "number" && seen < s.$base.version;
    if (older) for (const [name] of updates) if (Object.hasOwn(prior.values, name)) base[name] = prior.values[name];
    for (const name of clobbered) base[name] = prior?.values[name] ?? base[name];
    if (this.pk !== null && flagConflicts(this.#s, this.errors, this.dirty, base, clobbered)) {
      s.$notice = { kind: "error", text: REFUSED };
      return;
    }
    await this.saveInstance();
  }

  /**
   * The "Keep mine" button (`hl-click="keep_mine"`) after a conflict: writes the viewer's edits
   * over the values shown beside them. It takes no payload: the edits are those already bound.
   */
  async onKeepMine(): Promise<void> {
    await this.keepMine();
  }

  /** A change from the model feed: this row's change reloads it; a resync reloads; others are ignored. */
  async onMessage(_topic: string, message: unknown): Promise<void> {
    const { meta } = await this.#loadPlan();
    if (this.pk === null) return;
    const c = message as Partial<ModelChange> | undefined;
    if (!c || typeof c !== "object" || c.op === "resync") return this.reload();
    if (!samePk(c.pk, this.pk)) return;
    // Our own save, already shown: nothing to re-read.
    if (c.op !== "delete" && typeof c.version === "number" && c.version === this.#s[meta.versionField]) return;
    await this.#reloadFor(c as RowChange);
  }

  /** Messages may have been missed: re-read the row. */
  async onResync(_topic: string): Promise<void> {
    await this.#loadPlan();
    if (this.pk !== null) await this.reload();
  }

  /** The generated edit form (server/core/forms.ts); override to wrap or replace it. */
  render(): RenderOutput {
    return modelForm(this);
  }

  getContext(): Record<string, unknown> {
    return { ...super.getContext(), dirty: this.dirty, fields: this.formFields(), notice: this.#s.$notice ?? null };
  }

  /** What a form shows, field by field, in order: metadata, value, writability, error, dirty, conflict. */
  formFields(): FormField[] {
    const plan = this.#cachedPlan();
    const s = this.#s;
    const dirty = this.dirty;
    const rows = plan ? plan.form : fallbackFields(s);
    return rows.map(({ field, editable }) => ({
      field,
      editable,
      value: s[field.name] ?? null,
      error: this.errors[field.name],
      dirty: dirty.has(field.name),
      conflict: s.$conflicts && Object.hasOwn(s.$conflicts, field.name) ? { value: s.$conflicts[field.name] } : undefined,
    }));
  }

  /** The form's message, if any. */
  get notice(): FormNotice | null {
    return this.#s.$notice ?? null;
  }

  /** The table's name, once the metadata is known. */
  get table(): string | undefined {
    return this.#cachedPlan()?.meta.table;
  }

  // ---------- internals ----------

  get #s(): Record<string, unknown> & ModelBookkeeping {
    return this.state as Record<string, unknown> & ModelBookkeeping;
  }

  #listen(): void {
    const meta = this.#plan!.meta;
    const pk = this.pk;
    if (pk === null) return;
    this.subscribe(modelTopic(meta.table, pk));
    this.subscribe(modelResyncTopic(meta.table));
  }

  #writable(plan: Plan, name: unknown): FieldMeta {
    const entry = typeof name === "string" ? plan.form.find((x) => x.field.name === name) : undefined;
    // The name is client input: it stays out of the message.
    if (!entry || !entry.editable) throw new HotlineError("unauthorized", "this field cannot be written");
    return entry.field;
  }

  #cachedPlan(): Plan | undefined {
    if (this.#plan) return this.#plan;
    const meta = cachedModelMeta(this.getModel());
    return meta ? (this.#plan = planFor(this.constructor as ModelClass, meta)) : undefined;
  }

  async #loadPlan(): Promise<Plan> {
    return this.#cachedPlan() ?? (this.#plan = planFor(this.constructor as ModelClass, await this.modelMeta()));
  }
}

// A component naming a service its app does not give is the app's mistake: the message says
// which class wanted which key, so that the fix is obvious from the log line.
function serviceAdapter(services: object, key: string, owner: string): ModelAdapter {
  const found = key in services ? (services as Record<string, unknown>)[key] : undefined;
  if (found === undefined || found === null) {
    throw new HotlineError("handler_error", `${owner} reads its model from the app's services, but the app has no service "${key}": pass createHotline({ services: { ${key}: adapter } })`, { fault: "app" });
  }
  if (!isModelAdapter(found)) {
    throw new HotlineError("handler_error", `${owner} reads its model from the app's service "${key}", which is not a ModelAdapter (it lacks one of ${ADAPTER_METHODS.map((m) => `${m}()`).join(", ")})`, { fault: "app" });
  }
  return found;
}

const ADAPTER_METHODS = ["metadata", "get", "list", "create", "save", "validate"] as const;

function isModelAdapter(x: unknown): x is ModelAdapter {
  return typeof x === "object" && ADAPTER_METHODS.every((m) => typeof (x as Record<string, unknown>)[m] === "function");
}

/** Which fields the form shows, in order, and which of them a client may write. */
function planFor(ctor: ModelClass, meta: ModelMetadata): Plan {
  const byName = new Map(meta.fields.map((f) => [f.name, f]));
  const exclude = new Set(ctor.exclude ?? []);
  const ro = new Set(ctor.readonly ?? []);
  const names = ctor.fields
    ? [...ctor.fields, ...[...ro].filter((n) => !ctor.fields!.includes(n))]
    : meta.fields.map((f) => f.name).filter((n) => n !== meta.primaryKey && n !== meta.versionField);
  for (const n of [...names, ...exclude]) {
    if (!byName.has(n)) throw new HotlineError("handler_error", `${ctor.name}: the model ${meta.table} has no field "${n}"`, { fault: "app" });
  }
  const form = names
    .filter((n) => !exclude.has(n))
    .map((n) => {
      const field = byName.get(n)!;
      const editable = !ro.has(n) && !field.readonly && n !== meta.primaryKey && n !== meta.versionField;
      return { field, editable };
    });
  return { meta, form };
}

/** Without metadata (a resumed instance before it loaded): fields guessed from the state's values, shown read-only. */
function fallbackFields(s: Record<string, unknown>): { field: FieldMeta; editable: boolean }[] {
  return Object.keys(s.$saved ?? {}).map((name) => {
    const v = s[name];
    const type = typeof v === "number" ? "number" : typeof v === "boolean" ? "boolean" : "string";
    return { field: { name, type, nullable: true } as FieldMeta, editable: false };
  });
}

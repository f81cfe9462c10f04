/**
 * Edit forms generated from model metadata (the seed's "automatic form generation"): one
 * labelled control per field, typed from the column, errors beside their fields.
 */
import type { FieldMeta } from "./model.js";
import { html, type TemplateResult } from "../core/template/template.js";
import { Attr } from "../../protocol/attributes.js";

/** A message about a whole form. */
export interface FormNotice {
  kind: "info" | "error";
  text: string;
}

/** One field as a form shows it. */
export interface FormField {
  field: FieldMeta;
  /** Whether the client may write it (otherwise it is shown as text). */
  editable: boolean;
  value: unknown;
  /** A validation message for people. */
  error?: string;
  /** The value differs from the saved row. */
  dirty: boolean;
  /** The field was changed elsewhere while this viewer had an edit: the stored value. */
  conflict?: { value: unknown };
}

/** What {@link modelForm} reads: a `ModelComponent` is one. */
export interface FormSource {
  formFields(): FormField[];
  readonly notice: FormNotice | null;
  readonly pk: string | number | null;
  /** The row's version the form is rendered from: sent back with a save as `_version`. */
  readonly version?: number | null;
  readonly table: string | undefined;
  readonly id: string | undefined;
}

/** Options of {@link modelForm}. */
export interface ModelFormOptions {
  /** Prefix of the controls' ids (unique on the page). Default from the component's id or table and key. */
  idPrefix?: string;
  /** Labels by field name. Default: the name, `snake_case` turned into words. */
  labels?: Record<string, string>;
  /** The submit button's text. Default "Save". */
  submitLabel?: string;
  /** Event names. Defaults: `bind` for a field's change, `save` for the submit. */
  bindEvent?: string;
  saveEvent?: string;
  /** The event of the "Keep mine" button shown while a field conflicts. Default `keep_mine`. */
  keepEvent?: string;
  /** That button's text. Default "Keep mine". */
  keepLabel?: string;
}

/** "order_total" -> "Order total". */
export function fieldLabel(name: string): string {
  const words = name.replace(/[_-]+/g, " ").replace(/([a-z])([A-Z])/g, "$1 $2").trim().toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : name;
}

/** A value as text in a control or on the page. */
function text(field: FieldMeta, v: unknown): string {
  if (v === null || v === undefined) return "";
  if (field.type === "json") return JSON.stringify(v, null, 2);
  if (field.type === "datetime" && typeof v === "string") return v.replace(/(\.\d+)?(Z|[+-]\d{2}(:?\d{2})?)$/, "").slice(0, 16);
  return String(v);
}

function shown(field: FieldMeta, v: unknown): string {
  if (field.type === "boolean") return v === true ? "Yes" : v === false ? "No" : "";
  if (field.type === "datetime" && typeof v === "string") return v;
  return text(field, v);
}

const INPUT_TYPE: Partial<Record<FieldMeta["type"], string>> = {
  integer: "number", number: "number", date: "date", datetime: "datetime-local", string: "text",
};

function control(f: FormField, id: string, attrs: Record<string, unknown>, bind: string): TemplateResult {
  const { field, value } = f;
  const name = field.name;
  if (field.enum) {
    return html`<select id="${id}" name="${name}" class="input"${{ [Attr.change]: bind }}${attrs}>
      ${field.nullable || value === null ? html`<option value=""${{ selected: value === null }}>—</option>` : null}
      ${field.enum.map((o) => html`<option value="${o}"${{ selected: value === o }}>${o}</option>`)}
    </select>`;
  }
  if (field.type === "boolean") {
    // An unchecked box sends nothing; the hidden "false" before it makes "off" arrive too (last value wins).
    return html`<input type="hidden" name="${name}" value="false"><input type="checkbox" id="${id}" name="${name}" value="true"${{ [Attr.change]: bind, checked: value === true }}${attrs}>`;
  }
  if (field.type === "text" || field.type === "json") {
    return html`<textarea id="${id}" name="${name}" class="input" rows="4"${{ [Attr.change]: bind }}${attrs}>${text(field, value)}</textarea>`;
  }
  const step = field.type === "number" ? "any" : field.type === "integer" ? "1" : null;
  return html`<input type="${INPUT_TYPE[field.type] ?? "text"}" id="${id}" name="${name}" class="input" value="${text(field, value)}"${{ [Attr.change]: bind, step, maxlength: field.maxLength }}${attrs}>`;
}

function row(f: FormField, prefix: string, o: ModelFormOptions): TemplateResult {
  const name = f.field.name;
  const id = `${prefix}-${name}`;
  const label = o.labels?.[name] ?? fieldLabel(name);
  const describedBy = [f.conflict ? `${id}-conflict` : "", f.error ? `${id}-error` : ""].filter(Boolean).join(" ");
  const cls = ["field", f.editable ? "" : "readonly", f.dirty ? "dirty" : "", f.error ? "invalid" : "", f.conflict ? "conflict" : ""].filter(Boolean).join(" ");
  const attrs = {
    required: !f.field.nullable && f.field.type !== "boolean",
    "aria-invalid": f.error ? "true" : null,
    "aria-describedby": describedBy || null,
  };
  return html`<div class="${cls}" data-field="${name}">
    <label ${f.editable ? { for: id } : { id: `${id}-label` }}>${label}${f.dirty ? html` <span class="dirty-mark" title="Not saved yet">(edited)</span>` : null}</label>
    ${f.editable
      ? control(f, id, attrs, o.bindEvent ?? "bind")
      : html`<output id="${id}" class="value" aria-labelledby="${id}-label">${shown(f.field, f.value)}</output>`}
    ${f.conflict ? html`<p class="conflict-note" id="${id}-conflict">Saved elsewhere as: <strong>${shown(f.field, f.conflict.value) || "(empty)"}</strong></p>` : null}
    ${f.error ? html`<p class="field-error" id="${id}-error">${f.error}</p>` : null}
  </div>`;
}

/**
 * An edit form for a model component's fields: labels; an input typed from each column
 * (integer/number: number, boolean: checkbox, date: date, datetime: datetime-local, text and
 * json: textarea, enum: select, otherwise text); read-only fields as text; errors beside their
 * fields (`aria-invalid`, `aria-describedby`); unsaved fields marked; a Save button with
 * `hl-disable-with`, and a "Keep mine" button (`keep_mine`) while a field conflicts with a change
 * saved elsewhere. Every value goes through `html```, so escaping is automatic.
 *
 * @example
 * render() { return html`<h2>Order ${this.pk}</h2>${modelForm(this, { labels: { customer: "Customer name" } })}`; }
 */
export function modelForm(source: FormSource, options: ModelFormOptions = {}): TemplateResult {
  const prefix = options.idPrefix ?? (source.id ? `${source.id}-f` : `${source.table ?? "model"}-${source.pk ?? "new"}`).replace(/[^A-Za-z0-9_-]/g, "_");
  const fields = source.formFields();
  const notice = source.notice;
  const dirty = fields.filter((f) => f.dirty).length;
  // Saving over someone else's value is a second, explicit action, offered only while there is one.
  const conflicts = fields.some((f) => f.conflict);
  return html`<form class="model-form"${{ [Attr.submit]: options.saveEvent ?? "save" }} autocomplete="off" novalidate>
  ${typeof source.version === "number" ? html`<input type="hidden" name="_version" value="${source.version}"${{ [Attr.basis]: true }}>` : null}
  ${notice ? html`<p class="notice ${notice.kind}" role="${notice.kind === "error" ? "alert" : "status"}">${notice.text}</p>` : null}
  ${fields.map((f) => row(f, prefix, options))}
  <div class="row">
    <button type="submit" class="btn primary"${{ [Attr.disableWith]: "Saving…" }}>${options.submitLabel ?? "Save"}</button>
    ${conflicts ? html`<button type="button" class="btn keep-mine"${{ [Attr.click]: options.keepEvent ?? "keep_mine", [Attr.disableWith]: "Saving…" }} title="Save your values over the ones saved elsewhere">${options.keepLabel ?? "Keep mine"}</button>` : null}
    <span class="muted unsaved" aria-live="polite">${dirty ? `${dirty} unsaved ${dirty === 1 ? "change" : "changes"}` : ""}</span>
  </div>
</form>`;
}

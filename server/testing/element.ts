/**
 * What a test does to one element of a view, as the browser client does it (client/bindings.ts):
 * the binding is read from the rendered HTML (`hl-click` on the element or an ancestor inside the
 * component, `hl-value-*` merged into the payload), and the event goes to the server as the
 * client's would. Debounce and throttle are not applied: each call sends at once.
 */
import { Attr } from "../../protocol/attributes.js";
import { changeValue, describe, domValue, fieldNamed, fill, isField, query, serialize, setField, textOf, type Typed } from "./dom.js";
import { misuse } from "./errors.js";

/** What an element handle needs of its view. */
export interface ViewDriver {
  /** The view's name, for messages: `<counter>`. */
  readonly label: string;
  /** The component's root element, as the page holds it now. */
  root(): Element;
  readonly typed: Typed;
  /**
   * Sends `event` with `payload`, as a client would, to the component `from` (the bound element)
   * is in, or its `hl-target`; rejects with the server's error.
   */
  send(event: string, payload: Record<string, unknown>, from?: Element): Promise<void>;
  /** An `hl-patch` link (the page's new URL: `view.patch(href)`) or `hl-navigate` link (recorded, as `pushNavigate` is). */
  follow?(href: string, kind: "patch" | "navigate"): Promise<void>;
}

/** `hl-value-<name>` attributes as payload fields. */
function values(el: Element): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  for (const a of el.attributes) if (a.name.startsWith(Attr.valuePrefix)) o[a.name.slice(Attr.valuePrefix.length)] = a.value;
  return o;
}

/** The element that `attr` binds for an event on `el`: itself or its nearest ancestor inside the component. */
function bound(root: Element, el: Element, attr: string): Element | undefined {
  const b = el.closest(`[${attr}]`);
  return b && root.contains(b) && b !== root ? b : undefined;
}

/** Whether clicking `el` submits its form: a `<button>` of type submit (the default), an `<input type="submit">` or `"image"`. */
function submits(el: Element): boolean {
  const type = (el.getAttribute("type") ?? "").toLowerCase();
  if (el.tagName === "BUTTON") return type === "" || type === "submit";
  return el.tagName === "INPUT" && (type === "submit" || type === "image");
}

/**
 * One element of a view, found by a CSS selector (and a text filter) when an action runs, so a
 * handle stays valid across renders.
 *
 * @example
 * await view.element("button", "Increment").click();
 * await view.element("input[name=done]").change(true);
 */
export class ViewElement {
  readonly #view: ViewDriver;
  readonly #selector: string;
  readonly #text: string | RegExp | undefined;

  /** @internal Made by `view.element()`. */
  constructor(view: ViewDriver, selector: string, text?: string | RegExp) {
    this.#view = view;
    this.#selector = selector;
    this.#text = text;
  }

  /** What this handle looks for, for messages. */
  get #what(): string {
    return `element(${JSON.stringify(this.#selector)}${this.#text === undefined ? "" : `, ${typeof this.#text === "string" ? JSON.stringify(this.#text) : String(this.#text)}`})`;
  }

  /** The one element matching now; a clear error when none or several do. */
  resolve(): Element {
    const root = this.#view.root();
    const found = query(root, this.#selector, this.#text);
    if (found.length === 1) return found[0]!;
    if (found.length === 0) {
      const bySelector = this.#text === undefined ? [] : query(root, this.#selector);
      const hint = bySelector.length ? ` (the selector alone matches ${bySelector.length}: ${bySelector.slice(0, 5).map(describe).join(", ")})` : "";
      throw misuse(`${this.#view.label} ${this.#what}: no element matches${hint}. Its HTML: ${snippet(root.innerHTML)}`);
    }
    throw misuse(`${this.#view.label} ${this.#what}: ${found.length} elements match, one was expected (narrow the selector or add a text filter): ${found.slice(0, 5).map(describe).join(", ")}`);
  }

  /** Whether exactly one element matches now (no error when none does; several still throw). */
  exists(): boolean {
    const found = query(this.#view.root(), this.#selector, this.#text);
    if (found.length > 1) this.resolve();
    return found.length === 1;
  }

  /** The element's text, whitespace collapsed. */
  text(): string {
    return textOf(this.resolve());
  }

  /** The element's outer HTML. */
  html(): string {
    return this.resolve().outerHTML;
  }

  /** An attribute of the element (null when it has none). */
  attribute(name: string): string | null {
    return this.resolve().getAttribute(name);
  }

  /**
   * Clicks it: the `hl-click` of the element or its nearest ancestor, with that element's
   * `hl-value-*`; then, for a submit button of a form with `hl-submit`, the form's submit (with
   * the button's own name and value, as a browser sends its submitter). Neither is an error.
   * An `hl-patch` link patches the page (`view.patch(href)`); an `hl-navigate` link is recorded
   * in `view.navigations()` (start the next page with `live(view.navigatedTo(), { app })`).
   */
  async click(): Promise<void> {
    const el = this.resolve();
    const root = this.#view.root();
    const b = bound(root, el, Attr.click);
    const form = submits(el) ? el.closest("form") : null;
    const submit = form && root.contains(form) && form.hasAttribute(Attr.submit) ? form : undefined;
    // A live link (docs/navigation.md): what the browser client does with it, unless a binding takes the click.
    const link = !b && !submit ? el.closest(`a[${Attr.patch}],a[${Attr.navigate}]`) : null;
    if (link && root.contains(link) && this.#view.follow) {
      return this.#view.follow(link.getAttribute("href") ?? "", link.hasAttribute(Attr.patch) ? "patch" : "navigate");
    }
    if (!b && !submit) this.#binding(el, Attr.click); // throws, naming what is missing
    if (b) await this.#view.send(b.getAttribute(Attr.click)!, { ...(isField(b) ? { value: domValue(b) } : {}), ...values(b) }, b);
    if (!submit) return;
    // The click's render may have replaced the form: the submit reads the form as it is now.
    const now = this.#view.root().contains(submit) ? submit : this.resolve().closest("form");
    if (!now?.hasAttribute(Attr.submit)) return;
    const name = el.getAttribute("name");
    await this.#view.send(now.getAttribute(Attr.submit)!, { ...serialize(now), ...(name ? { [name]: domValue(el) } : {}), ...values(now) }, now);
  }

  /**
   * Changes a field (to `value` when given: text, `true`/`false` for a checkbox, an option's value)
   * and sends the nearest `hl-change`: `{ value, name }` when the field (or an element around it)
   * has it, the whole form's fields and `_target` when its form has it.
   */
  async change(value?: unknown): Promise<void> {
    return this.#fieldEvent(Attr.change, value);
  }

  /** Like {@link change}, for `hl-input` (each keystroke in a browser; one event here). */
  async input(value?: unknown): Promise<void> {
    return this.#fieldEvent(Attr.input, value);
  }

  /** Presses `key` on it: the nearest `hl-keydown` (sent only when its `hl-key`, if any, is that key). */
  async keydown(key: string): Promise<void> {
    return this.#key(Attr.keydown, key);
  }

  /** Releases `key` on it: the nearest `hl-keyup` (sent only when its `hl-key`, if any, is that key). */
  async keyup(key: string): Promise<void> {
    return this.#key(Attr.keyup, key);
  }

  /** Focuses it: its own `hl-focus` (focus does not bubble). */
  async focus(): Promise<void> {
    return this.#own(Attr.focus);
  }

  /** Blurs it: its own `hl-blur`. */
  async blur(): Promise<void> {
    return this.#own(Attr.blur);
  }

  #binding(el: Element, attr: string): Element {
    const b = bound(this.#view.root(), el, attr);
    if (!b) throw misuse(`${this.#view.label} ${this.#what}: ${describe(el)} has no ${attr}, nor has any element around it in the component`);
    return b;
  }

  async #fieldEvent(attr: string, value: unknown): Promise<void> {
    const el = this.resolve();
    const b = this.#binding(el, attr);
    if (value !== undefined) {
      if (!isField(el)) throw misuse(`${this.#view.label} ${this.#what}: ${describe(el)} is not a field, so it takes no value`);
      setField(this.#view.root(), el, value, this.#view.typed);
    }
    const payload = b.tagName === "FORM" ? { ...serialize(b), _target: el.getAttribute("name") ?? "" } : { value: isField(el) ? changeValue(el) : "", name: el.getAttribute("name") ?? "" };
    return this.#view.send(b.getAttribute(attr)!, { ...payload, ...values(b) }, b);
  }

  async #key(attr: string, key: string): Promise<void> {
    const el = this.resolve();
    const b = this.#binding(el, attr);
    const only = b.getAttribute(Attr.key);
    if (only && only.toLowerCase() !== key.toLowerCase()) return; // the browser sends nothing either
    await this.#view.send(b.getAttribute(attr)!, { key, ...(isField(b) ? { value: domValue(b) } : {}), ...values(b) }, b);
  }

  async #own(attr: string): Promise<void> {
    const el = this.resolve();
    if (!el.hasAttribute(attr)) throw misuse(`${this.#view.label} ${this.#what}: ${describe(el)} has no ${attr} (focus and blur do not bubble: the attribute must be on the element itself)`);
    return this.#view.send(el.getAttribute(attr)!, { ...(isField(el) ? { value: domValue(el) } : {}), ...values(el) }, el);
  }
}

/**
 * A form of a view: fill it and send its `hl-change` or `hl-submit` with its fields, as the
 * browser client serialises them (FormData), the given values written in first.
 *
 * @example
 * await view.form("#signup").change({ email: "ada@example.com" });
 * await view.form("#signup").submit({ password: "correct horse" });
 */
export class ViewForm {
  readonly #view: ViewDriver;
  readonly #element: ViewElement;
  readonly #selector: string;

  /** @internal Made by `view.form()`. */
  constructor(view: ViewDriver, selector: string) {
    this.#view = view;
    this.#selector = selector;
    this.#element = new ViewElement(view, selector);
  }

  #form(): Element {
    const el = this.#element.resolve();
    if (el.tagName !== "FORM") throw misuse(`${this.#view.label} form(${JSON.stringify(this.#selector)}): ${describe(el)} is not a <form>`);
    return el;
  }

  #fill(form: Element, fields: Record<string, unknown>, key: string): void {
    const wrong = fill(this.#view.root(), form, key, fields[key], this.#view.typed);
    if (wrong) throw misuse(`${this.#view.label} form(${JSON.stringify(this.#selector)}): ${wrong}`);
  }

  /** The form's fields as they would be sent now. */
  values(): Record<string, unknown> {
    return serialize(this.#form());
  }

  /**
   * Types `fields` into the form, one field after the other, each sending a change as a browser
   * does: the form's `hl-change` (all fields, `_target` naming the one changed), or else that
   * field's own `hl-change` (`{ value, name }`). A field changed under no `hl-change` is an error:
   * to fill fields without an event, pass them to {@link submit}.
   */
  async change(fields: Record<string, unknown>): Promise<void> {
    for (const key of Object.keys(fields)) {
      const form = this.#form();
      this.#fill(form, fields, key);
      const field = fieldNamed(this.#form(), key)!;
      const b = bound(this.#view.root(), field, Attr.change);
      if (!b) throw misuse(`${this.#view.label} form(${JSON.stringify(this.#selector)}): changing "${key}" sends nothing: neither the form nor the field has ${Attr.change} (to fill fields, pass them to submit())`);
      const payload = b.tagName === "FORM" ? { ...serialize(b), _target: key } : { value: changeValue(field), name: key };
      await this.#view.send(b.getAttribute(Attr.change)!, { ...payload, ...values(b) }, b);
    }
  }

  /** Fills `fields` in and submits: the form's `hl-submit` with all its fields (and its `hl-value-*`). */
  async submit(fields: Record<string, unknown> = {}): Promise<void> {
    const form = this.#form();
    const event = form.getAttribute(Attr.submit);
    if (!event) throw misuse(`${this.#view.label} form(${JSON.stringify(this.#selector)}): the form has no ${Attr.submit}`);
    for (const key of Object.keys(fields)) this.#fill(form, fields, key);
    return this.#view.send(event, { ...serialize(form), ...values(form) }, form);
  }
}

/** A long HTML string cut for a message. */
export function snippet(html: string): string {
  const s = html.replace(/\s+/g, " ").trim();
  return s.length > 300 ? s.slice(0, 300) + "…" : s || "(empty)";
}


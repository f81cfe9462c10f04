/**
 * Client-side commands (in the manner of Phoenix.LiveView.JS): `JS` builds the value of an event
 * attribute that the browser client runs itself, with no round trip. Its text is a JSON list of
 * `[op, args]` (protocol/commands.ts, docs/protocol.md §1.6); templates escape it like any value.
 */
import { Cmd, type CmdArgs, type Command } from "../../protocol/commands.js";
import { HotlineError } from "./errors.js";
import { isAttrName, sanitizeUrl, URL_ATTRS } from "./template/escape.js";

const bad = (message: string): never => {
  throw new HotlineError("handler_error", `JS: ${message}`, { fault: "app" });
};
const str = (v: unknown, what: string): string => (typeof v === "string" && v.trim() ? v : bad(`${what} must be a non-empty string`));
const target = (to: string | undefined): CmdArgs => (to === undefined ? {} : { to: str(to, "a target selector") });
const classes = (c: unknown): string => str(c, "classes").trim().split(/\s+/).join(" ");
/** A JSON value's text, or an error: `detail` and `value` travel as JSON in the attribute. */
const json = (v: unknown, what: string): unknown => {
  try {
    if (JSON.stringify(v) === undefined) throw 0;
  } catch {
    bad(`${what} must be JSON`);
  }
  return v;
};

/**
 * A list of client-side commands, built by chaining; each call returns a new list (a `JS` value
 * can be shared). Its `toString()` is the attribute value: put it in an event attribute
 * (`hl-click`, `hl-submit`, `hl-keydown`, `hl-window-keydown`, …) instead of an event name. `to`
 * is a CSS selector (every match in the document); without it, a command acts on the element
 * whose attribute runs it. What `show`, `hide`, `toggle`, the class and attribute commands change
 * on an element stays through the server's next patches of it.
 *
 * @example
 * html`<button hl-click="${JS.toggle("#menu").addClass("open")}">Menu</button>
 *   <nav id="menu" style="display:none">…</nav>
 *   <form hl-submit="${JS.push("save").hide("#dialog")}">…</form>`
 */
export class JS {
  readonly #ops: readonly Command[];

  private constructor(ops: readonly Command[] = []) {
    this.#ops = ops;
  }

  #and(op: Cmd, args: CmdArgs): JS {
    return new JS([...this.#ops, [op, args]]);
  }

  /** Shows the targets (`style.display`: `display`, default "block"). */
  show(to?: string, options: { display?: string } = {}): JS {
    return this.#and(Cmd.show, { ...target(to), ...display(options.display) });
  }
  /** Hides the targets (`style.display = "none"`). */
  hide(to?: string): JS {
    return this.#and(Cmd.hide, target(to));
  }
  /** Shows the hidden targets and hides the visible ones. */
  toggle(to?: string, options: { display?: string } = {}): JS {
    return this.#and(Cmd.toggle, { ...target(to), ...display(options.display) });
  }
  /** Adds the classes (space-separated). */
  addClass(names: string, to?: string): JS {
    return this.#and(Cmd.addClass, { ...target(to), c: classes(names) });
  }
  /** Removes the classes (space-separated). */
  removeClass(names: string, to?: string): JS {
    return this.#and(Cmd.removeClass, { ...target(to), c: classes(names) });
  }
  /** Adds the classes for `time` ms (default 200), then removes them: a CSS animation's trigger. */
  transition(names: string, to?: string, options: { time?: number } = {}): JS {
    const { time } = options;
    if (time !== undefined && !(Number.isFinite(time) && time >= 0)) bad("time is a number of milliseconds >= 0");
    return this.#and(Cmd.transition, { ...target(to), c: classes(names), ...(time !== undefined && { ms: time }) });
  }
  /** Sets an attribute (not an `on*` handler; a URL attribute's `javascript:` value is neutralised, as in templates). */
  setAttribute(name: string, value: string, to?: string): JS {
    const n = attrName(name);
    if (typeof value !== "string") bad("an attribute value must be a string");
    return this.#and(Cmd.setAttribute, { ...target(to), n, v: URL_ATTRS.has(n.toLowerCase()) ? sanitizeUrl(value, n.toLowerCase()) : value });
  }
  /** Removes an attribute. */
  removeAttribute(name: string, to?: string): JS {
    return this.#and(Cmd.removeAttribute, { ...target(to), n: attrName(name) });
  }
  /** Focuses the target (when several match, the last keeps the focus). */
  focus(to?: string): JS {
    return this.#and(Cmd.focus, target(to));
  }
  /** Dispatches a bubbling `CustomEvent(event, { detail })` on the targets (for the page's own scripts). */
  dispatch(event: string, to?: string, options: { detail?: unknown } = {}): JS {
    const args: CmdArgs = { ...target(to), e: str(event, "an event name") };
    if (options.detail !== undefined) args.v = json(options.detail, "detail");
    return this.#and(Cmd.dispatch, args);
  }
  /**
   * Sends `event` to the component, as the attribute's plain binding would (its payload, `hl-value-*`,
   * `hl-target`, the loading state), with `value` merged into the payload.
   */
  push(event: string, value?: Record<string, unknown>): JS {
    const args: CmdArgs = { e: str(event, "an event name") };
    if (value !== undefined) {
      if (typeof value !== "object" || value === null || Array.isArray(value)) bad("a push value is an object");
      args.v = json(value, "a push value");
    }
    return this.#and(Cmd.push, args);
  }

  /** The commands, as they travel. */
  toJSON(): readonly Command[] {
    return this.#ops;
  }
  /** The attribute value: compact JSON (escaped by the template, like any value). */
  toString(): string {
    return JSON.stringify(this.#ops);
  }

  static show(to?: string, options?: { display?: string }): JS {
    return new JS().show(to, options);
  }
  static hide(to?: string): JS {
    return new JS().hide(to);
  }
  static toggle(to?: string, options?: { display?: string }): JS {
    return new JS().toggle(to, options);
  }
  static addClass(names: string, to?: string): JS {
    return new JS().addClass(names, to);
  }
  static removeClass(names: string, to?: string): JS {
    return new JS().removeClass(names, to);
  }
  static transition(names: string, to?: string, options?: { time?: number }): JS {
    return new JS().transition(names, to, options);
  }
  static setAttribute(name: string, value: string, to?: string): JS {
    return new JS().setAttribute(name, value, to);
  }
  static removeAttribute(name: string, to?: string): JS {
    return new JS().removeAttribute(name, to);
  }
  static focus(to?: string): JS {
    return new JS().focus(to);
  }
  static dispatch(event: string, to?: string, options?: { detail?: unknown }): JS {
    return new JS().dispatch(event, to, options);
  }
  static push(event: string, value?: Record<string, unknown>): JS {
    return new JS().push(event, value);
  }
}

function display(d: string | undefined): CmdArgs {
  if (d === undefined) return {};
  if (!/^[a-z-]+$/.test(d)) bad(`"${d}" is not a display value`);
  return { d };
}

function attrName(name: string): string {
  if (typeof name !== "string" || !isAttrName(name)) bad(`"${String(name)}" is not an attribute a command may set (on* handlers never)`);
  return name;
}

/**
 * For `hotline/testing`: the events an event attribute's value sends. A command list (client-side
 * commands run in the browser; a test sees only what reaches the server) sends its `push`es, each
 * with the binding's payload and its own value merged in; any other value is one event name.
 */
export function eventsOf(value: string, payload: Record<string, unknown>): [string, Record<string, unknown>][] {
  if (!value.startsWith("[")) return [[value, payload]];
  let list: unknown;
  try {
    list = JSON.parse(value);
  } catch {
    bad(`the command list ${value.slice(0, 40)} is not JSON`);
  }
  if (!Array.isArray(list)) bad("a command list is a JSON array");
  return (list as Command[])
    .filter((c) => Array.isArray(c) && c[0] === Cmd.push)
    .map(([, a]) => [str(a?.e, "a push's event"), { ...payload, ...(a.v as Record<string, unknown> | undefined) }]);
}

/**
 * The `html` tagged template: what a component's `render()` returns.
 *
 * A TemplateResult keeps the template's literal parts (its statics, the same array object for every
 * call from one place in the source) apart from the interpolated values, so that a re-render is
 * compared value by value with the previous one and only the changed slots travel.
 */
export class TemplateResult {
  constructor(
    readonly strings: TemplateStringsArray,
    readonly values: unknown[],
  ) {}

  /** The HTML, every interpolated value escaped for its position. */
  toString(): string {
    return renderToString(this);
  }
}

/**
 * Tags an HTML template. Interpolated values are escaped for their position (text, attribute value,
 * URL attribute, inside a tag, inside `<script>`); nested templates, arrays and `repeat()` lists,
 * `null`/`undefined`/`false` (render nothing) and `raw()` (trusted HTML) are allowed in text.
 *
 * @example
 * html`<ul>${items.map((i) => html`<li class="${i.done ? "done" : ""}">${i.text}</li>`)}</ul>`
 */
export function html(strings: TemplateStringsArray, ...values: unknown[]): TemplateResult {
  return new TemplateResult(strings, values);
}

/** Trusted HTML that passes through unescaped. */
export class Raw {
  constructor(readonly html: string) {}
  toString(): string {
    return this.html;
  }
}

/**
 * Marks `html` as trusted: it is inserted as it is. Never pass it user input.
 *
 * @example
 * html`<div>${raw(markdownToHtml(doc))}</div>`
 */
export function raw(html: string): Raw {
  return new Raw(String(html));
}

/** A keyed list made by {@link repeat}. */
export class Repeat {
  constructor(
    readonly keys: unknown[],
    readonly items: unknown[],
  ) {}
}

/**
 * A keyed list: items are matched across renders by key, so that inserting, removing or moving one
 * sends only that item (and the client keeps the others' DOM: give each item's root an `id`
 * attribute too).
 *
 * @example
 * html`<ul>${repeat(todos, (t) => t.id, (t) => html`<li id="todo-${t.id}">${t.text}</li>`)}</ul>`
 */
export function repeat<T>(
  items: Iterable<T>,
  key: (item: T, index: number) => string | number,
  template: (item: T, index: number) => unknown,
): Repeat {
  const list = Array.isArray(items) ? (items as T[]) : [...items];
  const n = list.length;
  const keys: unknown[] = new Array(n);
  const out: unknown[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const item = list[i]!;
    keys[i] = key(item, i);
    out[i] = template(item, i);
  }
  return new Repeat(keys, out);
}

/** One item a {@link StreamPart} inserts or updates: its DOM id, its render, where it goes. */
export interface StreamInsert {
  /** The item's DOM id (`<stream name>-<key>`); its root element carries it. */
  readonly id: string;
  /** What the item renders to (an `html` template with one root element). */
  readonly node: unknown;
  /** Index to insert a new item at (0: the start); absent: the end. An existing id stays in place. */
  readonly at?: number;
}

/**
 * A stream container's content in one render (server/core/stream.ts makes them): not its items,
 * only what changed since the last render, so the server keeps no item. Applied in order: `reset`
 * (empty the container), `deletes` (DOM ids), then `inserts` (an id already present is replaced in
 * place). Its HTML (for a first render over HTTP) is the inserts in their resulting order.
 */
export class StreamPart {
  constructor(
    readonly name: string,
    readonly inserts: readonly StreamInsert[] = [],
    readonly deletes: readonly string[] = [],
    readonly reset = false,
    /** After the inserts, the client keeps at most this many children: > 0 the first n, < 0 the last -n. */
    readonly limit?: number,
  ) {}

  /** True when it changes nothing: an unchanged stream sends nothing. */
  get empty(): boolean {
    return !this.reset && this.deletes.length === 0 && this.inserts.length === 0 && !this.limit;
  }

  /** What a captured tree keeps once this part is sent: the container's name, no item. */
  settled(): StreamPart {
    return this.empty ? this : new StreamPart(this.name);
  }

  /** The inserts in the order they end up in an empty container (a repeated id replaces in place), within the limit. */
  ordered(): readonly StreamInsert[] {
    const lim = this.limit;
    const all = this.#ordered();
    return !lim || all.length <= Math.abs(lim) ? all : lim > 0 ? all.slice(0, lim) : all.slice(lim);
  }

  #ordered(): readonly StreamInsert[] {
    // server/core/stream.ts sends each id once per render: all at the end is the usual case.
    if (this.inserts.every((x) => x.at === undefined) && new Set(this.inserts.map((x) => x.id)).size === this.inserts.length) return this.inserts;
    const out: StreamInsert[] = [];
    for (const x of this.inserts) {
      const j = out.findIndex((y) => y.id === x.id);
      if (j >= 0) out[j] = x;
      else if (x.at === undefined || x.at >= out.length) out.push(x);
      else out.splice(Math.max(0, x.at), 0, x);
    }
    return out;
  }
}

// Imported last: render-string.ts needs the classes above.
import { renderToString } from "./render-string.js";

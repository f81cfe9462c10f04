import { escapeHtml } from "./escape.js";
import { HotlineError } from "../errors.js";
import { Ctx, staticsOf } from "./statics.js";
import { Raw, Repeat, StreamPart, TemplateResult } from "./template.js";
import { isPrimitive, scalarText } from "./values.js";
import { R } from "../../../protocol/wire.js";

/** A node of the rendered tree in its wire form (docs/protocol.md §1.1). */
export type WireNode = string | number | WireNode[] | WireList | StreamNode;

/** A full list: `{ l: [item, …] }`. */
export type WireList = { [R.list]: WireNode[] };

/**
 * A stream container's operations (docs/protocol.md §1.1): `reset`, then deletes `d` (DOM ids),
 * then inserts `i`, each `[id, node]` or `[id, node, at]`.
 */
export type StreamNode = {
  [R.stream]: string;
  [R.inserts]?: ([string, WireNode] | [string, WireNode, number])[];
  [R.deletes]?: string[];
  [R.reset]?: true;
  [R.limit]?: number;
};

/**
 * Encodes values into wire nodes (and, when asked, their HTML in the same pass), collecting the
 * statics ids it uses. It also settles the captured tree for the next diff: plain arrays are copied
 * (a handler may mutate the array the template pointed at) and object values outside text become
 * their escaped text, so that the next render compares against values that cannot change under it.
 */
export class Encoder {
  html = "";
  readonly ids = new Set<number>();
  readonly #withHtml: boolean;

  constructor(withHtml: boolean) {
    this.#withHtml = withHtml;
  }

  template(t: TemplateResult): WireNode[] {
    const s = staticsOf(t.strings);
    this.ids.add(s.id);
    const out: WireNode[] = [s.id];
    const vals = t.values;
    const html = this.#withHtml;
    if (html) this.html += s.parts[0];
    for (let i = 0; i < vals.length; i++) {
      const c = s.ctx[i]!;
      if (c === Ctx.Text) out.push(this.text(vals, i));
      else out.push(this.scalar(vals, i, c, s.names[i]));
      if (html) this.html += s.parts[i + 1];
    }
    return out;
  }

  /** A value outside text content: its escaped text (objects are settled as Raw). */
  scalar(container: unknown[], i: number, c: Ctx, name?: string): string {
    const v = container[i];
    const text = scalarText(c, v, name);
    if (!isPrimitive(v) && !(v instanceof Raw)) container[i] = new Raw(text);
    if (this.#withHtml) this.html += text;
    return text;
  }

  /** The value at `container[i]`, in text content, as a full wire node. */
  text(container: unknown[], i: number): WireNode {
    const v = container[i];
    if (typeof v === "string") return this.#emit(escapeHtml(v));
    if (typeof v === "number") {
      const s = String(v);
      if (this.#withHtml) this.html += s;
      return Number.isFinite(v) ? v : s;
    }
    if (v instanceof TemplateResult) return this.template(v);
    if (Array.isArray(v)) {
      const copy = v.slice();
      container[i] = copy;
      return { [R.list]: this.items(copy) };
    }
    if (v instanceof StreamPart) {
      // The captured tree keeps the container, never its items.
      container[i] = v.settled();
      return this.stream(v);
    }
    if (v instanceof Repeat) {
      assertUniqueKeys(v.keys);
      return { [R.list]: this.items(v.items) };
    }
    if (v instanceof Raw) return this.#emit(v.html);
    if (v == null || typeof v === "boolean") return "";
    const text = scalarText(Ctx.Text, v);
    container[i] = new Raw(text);
    return this.#emit(text);
  }

  /** A stream's operations; with HTML, the inserts' HTML in the order they end up in. */
  stream(v: StreamPart): StreamNode {
    const out: StreamNode = { [R.stream]: v.name };
    if (v.reset) out[R.reset] = true;
    if (v.deletes.length) out[R.deletes] = v.deletes.slice();
    if (v.limit) out[R.limit] = v.limit;
    if (!v.inserts.length) return out;
    const before = this.html;
    const nodes = v.inserts.map((x) => x.node);
    const pieces = new Map<string, string>();
    out[R.inserts] = v.inserts.map((x, j) => {
      if (this.#withHtml) this.html = "";
      const node = this.text(nodes, j);
      if (this.#withHtml) pieces.set(x.id, this.html);
      return x.at === undefined ? [x.id, node] : [x.id, node, x.at];
    });
    if (this.#withHtml) this.html = before + v.ordered().map((x) => pieces.get(x.id)).join("");
    return out;
  }

  items(items: unknown[]): WireNode[] {
    const out: WireNode[] = new Array(items.length);
    for (let j = 0; j < items.length; j++) out[j] = this.text(items, j);
    return out;
  }

  #emit(s: string): string {
    if (this.#withHtml) this.html += s;
    return s;
  }
}

export function assertUniqueKeys(keys: unknown[]): void {
  if (new Set(keys).size !== keys.length) {
    throw new HotlineError("handler_error", "repeat(): two items have the same key", { fault: "app" });
  }
}

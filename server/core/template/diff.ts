import { Encoder, type WireNode } from "./encoder.js";
import { HotlineError } from "../errors.js";
import { Ctx, staticsOf, type Statics } from "./statics.js";
import { Raw, Repeat, StreamPart, TemplateResult } from "./template.js";
import { isPrimitive, scalarText } from "./values.js";
import { R } from "../../../protocol/wire.js";

/** A partial diff of a template: slot index -> diff (docs/protocol.md §1.2). */
export type TemplateDiff = { [slot: string]: unknown };

/** A list's diff (docs/protocol.md §1.2): the new order, the new items, the changed items. */
type ListDiff = { [R.order]?: (number | [number, number])[]; [R.added]?: WireNode[]; [R.update]?: TemplateDiff };

/**
 * Diffs two renders of the same template call site (`a.strings === b.strings`): only the slots
 * whose value changed, each as a nested diff or a full node. `undefined` when nothing changed.
 * `b` becomes the captured tree for the next diff.
 */
export function diffTemplate(a: TemplateResult, b: TemplateResult, enc: Encoder): TemplateDiff | undefined {
  const av = a.values;
  const bv = b.values;
  let out: TemplateDiff | undefined;
  // Looked up only when a slot changed: most templates of a re-render change nothing.
  let s: Statics | undefined;
  for (let i = 0; i < bv.length; i++) {
    const x = av[i];
    const y = bv[i];
    if (x === y && (typeof y !== "object" || y === null)) continue;
    s ??= staticsOf(b.strings);
    const c = s.ctx[i]!;
    let d: unknown;
    if (c === Ctx.Text) d = diffValue(x, bv, i, enc);
    else if (isPrimitive(y)) d = scalarText(c, y, s.names[i]);
    else {
      const text = scalarText(c, y, s.names[i]);
      bv[i] = new Raw(text);
      if (x instanceof Raw && x.html === text) continue;
      d = text;
    }
    if (d !== undefined) (out ??= {})[i] = d;
  }
  return out;
}

/** Diff of the text-content value at `container[i]` against its previous value `x`. */
function diffValue(x: unknown, container: unknown[], i: number, enc: Encoder): unknown {
  const y = container[i];
  if (x === y && isPrimitive(y)) return undefined;
  if (y instanceof TemplateResult) {
    if (x instanceof TemplateResult && x.strings === y.strings) return diffTemplate(x, y, enc);
    return enc.text(container, i);
  }
  if (y instanceof StreamPart) {
    // The same container again: only its operations since the last render (none: nothing).
    if (!(x instanceof StreamPart) || x.name !== y.name) return enc.text(container, i);
    container[i] = y.settled();
    return y.empty ? undefined : enc.stream(y);
  }
  const yList = Array.isArray(y) || y instanceof Repeat;
  if (yList && (Array.isArray(x) || x instanceof Repeat)) {
    const next = Array.isArray(y) ? (container[i] = y.slice()) : y;
    return diffList(x, next as unknown[] | Repeat, enc);
  }
  const node = enc.text(container, i);
  // A Raw or an object whose text is what the client already holds: nothing to send.
  if (!isPrimitive(y) && x instanceof Raw && x.html === node) return undefined;
  return node;
}

/** Diff of a list (docs/protocol.md §1.2): moved, inserted, removed and changed items only. */
function diffList(x: unknown[] | Repeat, y: unknown[] | Repeat, enc: Encoder): unknown {
  const aItems = Array.isArray(x) ? x : x.items;
  const bItems = Array.isArray(y) ? y : y.items;
  const out: ListDiff = {};
  if (x instanceof Repeat && y instanceof Repeat && !sameKeys(x.keys, y.keys)) {
    keyedOrder(x, y, enc, out);
  } else {
    // By position: items that remain are diffed in place; the tail is appended or cut.
    const m = Math.min(aItems.length, bItems.length);
    for (let j = 0; j < m; j++) {
      const x = aItems[j];
      const y = bItems[j];
      // The common case, a row rendered by the same template: straight to its slots.
      const d = x instanceof TemplateResult && y instanceof TemplateResult && x.strings === y.strings
        ? diffTemplate(x, y, enc)
        : diffValue(x, bItems, j, enc);
      if (d !== undefined) (out[R.update] ??= {})[j] = d;
    }
    if (bItems.length > aItems.length) {
      const added: WireNode[] = (out[R.added] = []);
      for (let j = m; j < bItems.length; j++) added.push(enc.text(bItems, j));
    } else if (bItems.length < aItems.length) out[R.order] = bItems.length ? [[0, bItems.length]] : [];
  }
  return out[R.order] || out[R.added] || out[R.update] ? out : undefined;
}

function sameKeys(a: unknown[], b: unknown[]): boolean {
  if (a.length !== b.length) return false;
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

function keyedOrder(x: Repeat, y: Repeat, enc: Encoder, out: ListDiff): void {
  const index = new Map<unknown, number>();
  x.keys.forEach((k, j) => index.set(k, j));
  const seen = new Set<unknown>();
  const entries: number[] = [];
  for (let j = 0; j < y.keys.length; j++) {
    const k = y.keys[j];
    if (seen.has(k)) throw new HotlineError("handler_error", "repeat(): two items have the same key", { fault: "app" });
    seen.add(k);
    const ai = index.get(k);
    if (ai === undefined) {
      entries.push(-1);
      (out[R.added] ??= []).push(enc.text(y.items, j));
    } else {
      entries.push(ai);
      const d = diffValue(x.items[ai], y.items, j, enc);
      if (d !== undefined) (out[R.update] ??= {})[j] = d;
    }
  }
  // An append (all old items in order, then new ones) needs no order at all.
  const n = x.keys.length;
  let isAppend = entries.length >= n;
  for (let j = 0; isAppend && j < entries.length; j++) isAppend = j < n ? entries[j] === j : entries[j] === -1;
  if (!isAppend) out[R.order] = compress(entries);
}

/** Runs of consecutive old indexes become `[start, count]` pairs. */
function compress(entries: number[]): (number | [number, number])[] {
  const o: (number | [number, number])[] = [];
  for (let j = 0; j < entries.length; ) {
    const e = entries[j]!;
    let k = j + 1;
    if (e >= 0) while (k < entries.length && entries[k] === e + (k - j)) k++;
    o.push(e >= 0 && k - j > 1 ? [e, k - j] : e);
    j = e >= 0 ? k : j + 1;
  }
  return o;
}

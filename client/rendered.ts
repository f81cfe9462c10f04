/**
 * One joined instance's rendered tree and statics table, and the diff rules of docs/protocol.md §1.
 * DOM-free: the browser client, the Node client and tests all use it.
 */
import { M, R } from "../protocol/wire.js";
import { Attr, StreamOps } from "../protocol/attributes.js";

/** A node of the rendered tree (docs/protocol.md §1.1). */
export type RNode = string | number | RTemplate | RList | RStream;
/** `[sid, v0, …, vn-1]`: statics `sid` interleaved with n dynamic slots. */
export type RTemplate = [number, ...RNode[]];
/** `{ l: [item, …] }` */
export type RList = { [R.list]: RNode[] };
/**
 * A stream container (docs/protocol.md §1.1): only the operations of the last message that touched
 * it (the DOM holds the items). `reset` is set on a full node: a new container starts empty.
 */
export type RStream = { [R.stream]: string; [R.inserts]?: [string, RNode, number?][]; [R.deletes]?: string[]; [R.reset]?: true; [R.limit]?: number };
/** The statics table: id (decimal string) -> statics array. */
export type Statics = Record<string, string[]>;

/**
 * A diff or tree that breaks the rules of docs/protocol.md §1. The client answers it by rejoining,
 * which gives it the full tree again.
 */
export class DiffError extends Error {
  constructor(message: string) {
    super(`hotline: malformed diff: ${message}`);
    this.name = "DiffError";
  }
}

function fail(m: string): never {
  throw new DiffError(m);
}
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const SLOT = /^\d+$/;
/** Keys of a patch message that are not part of the root's partial diff. */
const MSG_KEYS = new Set<string>([M.type, M.id, M.ref, M.done, R.statics, R.root]);

/**
 * The tree a client holds for one instance.
 *
 * @example
 * const r = Rendered.fromJoin(ok);          // ok = {t:"ok", p:{"1":["<b>","</b>"]}, r:[1, 1], …}
 * r.apply({ t: "patch", id: "c1", "0": 2 }); // the counter goes to 2
 * r.toHTML();                               // "<b>2</b>"
 */
export class Rendered {
  #root: RNode;
  #statics: Statics = { "0": ["", ""] };
  /** Stream nodes whose operations the next message makes old (their items are not kept). */
  #streams: RStream[] = [];

  constructor(root: RNode, statics: Statics = {}) {
    this.#addStatics(statics);
    this.#root = this.#full(root, R.root);
  }

  /** Builds the tree from a join's `ok` (its `p` and `r`). */
  static fromJoin(ok: { [k: string]: unknown }): Rendered {
    const root = ok[R.root];
    const p = ok[R.statics];
    if (root === undefined) fail(`ok carries no root (${R.root})`);
    if (p !== undefined && !isObj(p)) fail(`${R.statics} is not an object`);
    return new Rendered(root as RNode, (p ?? {}) as Statics);
  }

  /** The current root node (read-only use). */
  get root(): RNode {
    return this.#root;
  }

  /**
   * Applies one `patch` message: its statics `p`, then either `r` (the root replaced) or the
   * root's partial diff from the message's top-level slot keys. All or nothing: on a DiffError
   * the tree is left as it was.
   */
  apply(msg: Record<string, unknown>): void {
    const old = this.#streams;
    this.#streams = [];
    try {
      this.#apply(msg);
    } catch (e) {
      this.#streams = old;
      throw e;
    }
    // the operations already rendered are dropped: the DOM holds the items
    for (const n of old) delete n[R.inserts], delete n[R.deletes], delete n[R.reset];
  }

  #apply(msg: Record<string, unknown>): void {
    const p = msg[R.statics];
    if (p !== undefined) {
      if (!isObj(p)) fail(`${R.statics} is not an object`);
      this.#addStatics(p as Statics);
    }
    if (msg[R.root] !== undefined) {
      this.#root = this.#full(msg[R.root], R.root);
      return;
    }
    let diff: Record<string, unknown> | undefined;
    for (const k in msg) {
      if (MSG_KEYS.has(k)) continue;
      if (!SLOT.test(k)) fail(`unexpected key "${k}" at the top level`);
      (diff ??= {})[k] = msg[k];
    }
    if (diff) this.#root = this.#diff(this.#root, diff, "root");
  }

  /** The HTML of the whole tree. */
  toHTML(): string {
    return this.#html(this.#root);
  }

  #addStatics(p: Statics): void {
    for (const id in p) {
      const s = p[id];
      if (!SLOT.test(id)) fail(`statics id "${id}" is not a non-negative integer`);
      if (!Array.isArray(s) || s.length === 0 || !s.every((x) => typeof x === "string")) fail(`statics ${id} is not a non-empty array of strings`);
      this.#statics[id] = s;
    }
  }

  /** Checks a full node (and everything under it) and returns it. */
  #full(n: unknown, at: string, cont?: RNode): RNode {
    if (isObj(n) && typeof n[R.stream] === "string") return this.#stream(n, at, cont);
    if (typeof n === "string") return n;
    if (typeof n === "number") return Number.isFinite(n) ? n : fail(`${at}: number is not finite`);
    if (Array.isArray(n)) {
      const sid = n[0];
      if (!Number.isInteger(sid)) fail(`${at}: template without an integer statics id`);
      const s = this.#statics[sid];
      if (!s) fail(`${at}: unknown statics id ${sid}`);
      if (s.length !== n.length) fail(`${at}: template ${sid} has ${n.length - 1} slots, its statics need ${s.length - 1}`);
      // written back only when it differs: a stream's node is the client's own object
      for (let i = 1; i < n.length; i++) {
        const x = this.#full(n[i], `${at}.${i - 1}`);
        if (x !== n[i]) n[i] = x;
      }
      return n as RTemplate;
    }
    if (isObj(n) && Array.isArray(n[R.list]) && Object.keys(n).length === 1) {
      const l = n[R.list] as unknown[];
      l.forEach((x, i) => {
        const y = this.#full(x, `${at}[${i}]`);
        if (y !== x) l[i] = y;
      });
      return n as RList;
    }
    return fail(`${at}: not a node: ${short(n)}`);
  }

  /** Applies `d` to `old`, copying only the path that changes. */
  #diff(old: RNode, d: unknown, at: string): RNode {
    if (!isObj(d) || R.list in d || R.stream in d) return this.#full(d, at, old);
    if (Array.isArray(old)) {
      const out = old.slice() as RTemplate;
      for (const k in d) {
        const i = SLOT.test(k) ? Number(k) + 1 : 0;
        if (i < 1 || i >= out.length) fail(`${at}: slot "${k}" is not a slot of template ${old[0]}`);
        out[i] = this.#diff(out[i] as RNode, d[k], `${at}.${k}`);
      }
      return out;
    }
    if (isObj(old) && R.list in old) return this.#list((old as RList)[R.list], d, at);
    return fail(`${at}: a partial diff for a text node`);
  }

  /**
   * A stream node: its operations applied to the container the client holds at this place when
   * `old` is the same stream; otherwise a new container (reset first).
   */
  #stream(n: Record<string, unknown>, at: string, old?: RNode): RStream {
    for (const k in n) if (k !== R.stream && k !== R.inserts && k !== R.deletes && k !== R.reset && k !== R.limit) fail(`${at}: unexpected stream key "${k}"`);
    const out: RStream = { [R.stream]: n[R.stream] as string };
    // a limit that is not an integer is left out (the container then keeps every child)
    if (Number.isSafeInteger(n[R.limit])) out[R.limit] = n[R.limit] as number;
    const d = n[R.deletes];
    if (d !== undefined) {
      if (!Array.isArray(d) || !d.every((k) => typeof k === "string")) fail(`${at}: ${R.deletes} is not an array of ids`);
      out[R.deletes] = d as string[];
    }
    const ins = n[R.inserts];
    if (ins !== undefined) {
      if (!Array.isArray(ins)) fail(`${at}: ${R.inserts} is not an array`);
      out[R.inserts] = (ins as unknown[]).map((e, j) => {
        const here = `${at}.${R.inserts}[${j}]`;
        if (!Array.isArray(e) || typeof e[0] !== "string" || e.length < 2 || e.length > 3 || (e.length === 3 && !(Number.isInteger(e[2]) && e[2] >= 0))) {
          fail(`${here}: not [id, node] or [id, node, at]`);
        }
        return [e[0], this.#full(e[1], here), ...(e.length === 3 ? [e[2] as number] : [])] as [string, RNode, number?];
      });
    }
    const same = isObj(old) && (old as RStream)[R.stream] === out[R.stream];
    if (n[R.reset] === true || !same) out[R.reset] = true;
    this.#streams.push(out);
    return out;
  }

  #list(items: RNode[], d: Record<string, unknown>, at: string): RList {
    for (const k in d) if (k !== R.order && k !== R.added && k !== R.update) fail(`${at}: unexpected list diff key "${k}"`);
    const n = d[R.added] ?? [];
    if (!Array.isArray(n)) fail(`${at}: ${R.added} is not an array`);
    const added = (n as unknown[]).map((x, i) => this.#full(x, `${at}.${R.added}[${i}]`));
    let out: RNode[];
    const o = d[R.order];
    if (o === undefined) out = items.concat(added);
    else {
      if (!Array.isArray(o)) fail(`${at}: ${R.order} is not an array`);
      out = [];
      let next = 0;
      const idx = (i: unknown, c = 1) => Number.isInteger(i) && (i as number) >= 0 && Number.isInteger(c) && c >= 0 && (i as number) + c <= items.length;
      for (const e of o as unknown[]) {
        if (e === -1) {
          if (next >= added.length) fail(`${at}: ${R.order} takes more new items than ${R.added} holds`);
          out.push(added[next++]!);
        } else if (Array.isArray(e) && e.length === 2 && idx(e[0], e[1])) {
          for (let i = e[0]; i < e[0] + e[1]; i++) out.push(items[i]!);
        } else if (idx(e)) out.push(items[e as number]!);
        else fail(`${at}: bad order entry ${short(e)} for a list of ${items.length}`);
      }
      if (next !== added.length) fail(`${at}: ${R.added} holds ${added.length} items, ${R.order} places ${next}`);
    }
    const u = d[R.update];
    if (u !== undefined) {
      if (!isObj(u)) fail(`${at}: ${R.update} is not an object`);
      for (const k in u) {
        const j = SLOT.test(k) ? Number(k) : -1;
        if (j < 0 || j >= out.length) fail(`${at}: ${R.update} index "${k}" outside a list of ${out.length}`);
        out[j] = this.#diff(out[j]!, u[k], `${at}[${k}]`);
      }
    }
    return { [R.list]: out };
  }

  #html(n: RNode): string {
    if (typeof n === "string") return n;
    if (typeof n === "number") return String(n);
    if (Array.isArray(n)) {
      const s = this.#statics[n[0]]!;
      let h = s[0]!;
      for (let i = 1; i < n.length; i++) h += this.#html(n[i] as RNode) + s[i];
      return h;
    }
    if (R.stream in n) return this.#streamHtml(n);
    let h = "";
    for (const x of n[R.list]) h += this.#html(x);
    return h;
  }

  /**
   * A stream's HTML is its pending operations as `<template>` elements (valid in any parent, even
   * a table), which client/dom-patch.ts applies to the container, keeping the children it has.
   */
  #streamHtml(n: RStream): string {
    let h = n[R.reset] ? RESET_OP : "";
    for (const id of n[R.deletes] ?? []) h += `${DELETE_OP}${attr(id)}"></template>`;
    for (const [id, node, to] of n[R.inserts] ?? []) h += `${INSERT_OP}${attr(id)}"${to === undefined ? "" : ` ${Attr.opAt}="${to}"`}>${this.#html(node)}</template>`;
    if (n[R.limit]) h += `<template ${Attr.op}="${StreamOps.limit}" ${Attr.opAt}="${n[R.limit]}"></template>`;
    return h;
  }
}

const RESET_OP = `<template ${Attr.op}="${StreamOps.reset}"></template>`;
const DELETE_OP = `<template ${Attr.op}="${StreamOps.delete}" ${Attr.opId}="`;
const INSERT_OP = `<template ${Attr.op}="${StreamOps.insert}" ${Attr.opId}="`;
const attr = (s: string) => s.replace(/&/g, "&amp;").replace(/"/g, "&quot;");

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? s.slice(0, 40) + "…" : s;
}

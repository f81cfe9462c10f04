/**
 * One joined instance's rendered tree and statics table, and the diff rules of docs/protocol.md §1.
 * DOM-free: the browser client, the Node client and tests all use it.
 */
import { R } from "../server/core/protocol.js";

/** A node of the rendered tree (docs/protocol.md §1.1). */
export type RNode = string | number | RTemplate | RList;
/** `[sid, v0, …, vn-1]`: statics `sid` interleaved with n dynamic slots. */
export type RTemplate = [number, ...RNode[]];
/** `{ l: [item, …] }` */
export type RList = { l: RNode[] };
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
const MSG_KEYS = new Set(["t", "id", "ref", "done", R.statics, R.root]);

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

  constructor(root: RNode, statics: Statics = {}) {
    this.#addStatics(statics);
    this.#root = this.#full(root, "r");
  }

  /** Builds the tree from a join's `ok` (its `p` and `r`). */
  static fromJoin(ok: { [k: string]: unknown }): Rendered {
    if (ok.r === undefined) fail("ok carries no root (r)");
    if (ok.p !== undefined && !isObj(ok.p)) fail("p is not an object");
    return new Rendered(ok.r as RNode, (ok.p ?? {}) as Statics);
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
    const p = msg[R.statics];
    if (p !== undefined) {
      if (!isObj(p)) fail("p is not an object");
      this.#addStatics(p as Statics);
    }
    if (msg[R.root] !== undefined) {
      this.#root = this.#full(msg[R.root], "r");
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
  #full(n: unknown, at: string): RNode {
    if (typeof n === "string") return n;
    if (typeof n === "number") return Number.isFinite(n) ? n : fail(`${at}: number is not finite`);
    if (Array.isArray(n)) {
      const sid = n[0];
      if (!Number.isInteger(sid)) fail(`${at}: template without an integer statics id`);
      const s = this.#statics[sid];
      if (!s) fail(`${at}: unknown statics id ${sid}`);
      if (s.length !== n.length) fail(`${at}: template ${sid} has ${n.length - 1} slots, its statics need ${s.length - 1}`);
      for (let i = 1; i < n.length; i++) this.#full(n[i], `${at}.${i - 1}`);
      return n as RTemplate;
    }
    if (isObj(n) && Array.isArray(n[R.list]) && Object.keys(n).length === 1) {
      (n[R.list] as unknown[]).forEach((x, i) => this.#full(x, `${at}[${i}]`));
      return n as RList;
    }
    return fail(`${at}: not a node: ${short(n)}`);
  }

  /** Applies `d` to `old`, copying only the path that changes. */
  #diff(old: RNode, d: unknown, at: string): RNode {
    if (!isObj(d) || R.list in d) return this.#full(d, at);
    if (Array.isArray(old)) {
      const out = old.slice() as RTemplate;
      for (const k in d) {
        const i = SLOT.test(k) ? Number(k) + 1 : 0;
        if (i < 1 || i >= out.length) fail(`${at}: slot "${k}" is not a slot of template ${old[0]}`);
        out[i] = this.#diff(out[i] as RNode, d[k], `${at}.${k}`);
      }
      return out;
    }
    if (isObj(old)) return this.#list((old as RList).l, d, at);
    return fail(`${at}: a partial diff for a text node`);
  }

  #list(items: RNode[], d: Record<string, unknown>, at: string): RList {
    for (const k in d) if (k !== R.order && k !== "n" && k !== R.update) fail(`${at}: unexpected list diff key "${k}"`);
    const n = d.n ?? [];
    if (!Array.isArray(n)) fail(`${at}: n is not an array`);
    const added = (n as unknown[]).map((x, i) => this.#full(x, `${at}.n[${i}]`));
    let out: RNode[];
    const o = d[R.order];
    if (o === undefined) out = items.concat(added);
    else {
      if (!Array.isArray(o)) fail(`${at}: o is not an array`);
      out = [];
      let next = 0;
      const idx = (i: unknown, c = 1) => Number.isInteger(i) && (i as number) >= 0 && Number.isInteger(c) && c >= 0 && (i as number) + c <= items.length;
      for (const e of o as unknown[]) {
        if (e === -1) {
          if (next >= added.length) fail(`${at}: o takes more new items than n holds`);
          out.push(added[next++]!);
        } else if (Array.isArray(e) && e.length === 2 && idx(e[0], e[1])) {
          for (let i = e[0]; i < e[0] + e[1]; i++) out.push(items[i]!);
        } else if (idx(e)) out.push(items[e as number]!);
        else fail(`${at}: bad order entry ${short(e)} for a list of ${items.length}`);
      }
      if (next !== added.length) fail(`${at}: n holds ${added.length} items, o places ${next}`);
    }
    const u = d[R.update];
    if (u !== undefined) {
      if (!isObj(u)) fail(`${at}: u is not an object`);
      for (const k in u) {
        const j = SLOT.test(k) ? Number(k) : -1;
        if (j < 0 || j >= out.length) fail(`${at}: u index "${k}" outside a list of ${out.length}`);
        out[j] = this.#diff(out[j]!, u[k], `${at}[${k}]`);
      }
    }
    return { l: out };
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
    let h = "";
    for (const x of n.l) h += this.#html(x);
    return h;
  }
}

function short(v: unknown): string {
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? s.slice(0, 40) + "…" : s;
}

/**
 * A test view's child components (`this.child()`, docs/components.md), held as the browser client
 * holds them: each child root that a render of the view adds is joined as a view of its own (from
 * its token, linked to the view's instance as a connection links a `parent` join), each root that
 * a render removes is left; the view's HTML shows every child's current HTML in its root; and an
 * element's event goes where the client would send it (the child it is in, or `hl-target`).
 */
import { Attr } from "../../protocol/attributes.js";
import type { LiveInstance } from "../live/instance.js";
import { linkChild } from "../live/children.js";

/** What the children need of a view (a `LiveView`, kept structural to avoid an import cycle). */
export interface ChildView {
  readonly id: string;
  html(): string;
  event(event: string, payload?: Record<string, unknown>): Promise<void>;
  close(): Promise<void>;
  /** @internal */
  readonly children: ChildViews;
  /** @internal */
  readonly instance: LiveInstance | undefined;
}

const ROOTS = `[${Attr.component}]`;

/** The child views of one view, by page id (`<view id>:<child id>`). */
export class ChildViews {
  readonly views = new Map<string, ChildView>();
  readonly #pending = new Set<Promise<unknown>>();
  /** what each child root of the view's current DOM was last given */
  #grafted = new Map<string, string>();
  #graftedInto: Element | undefined;

  constructor(
    readonly id: string,
    /** makes a child view and joins it from `token` */
    readonly open: (name: string, id: string, token: string) => { view: ChildView; joined: Promise<void> },
    /** the view's own instance, once it has one */
    readonly parent: () => LiveInstance | undefined,
  ) {}

  /** After a render of the view (`root` is its DOM, children's roots still as the server wrote them). */
  sync(root: Element): void {
    const present = new Set<string>();
    for (const el of root.querySelectorAll(ROOTS)) {
      const id = el.getAttribute(Attr.id);
      if (!id || !id.startsWith(`${this.id}:`) || el.parentElement?.closest(ROOTS) !== root) continue;
      present.add(id);
      const token = el.getAttribute(Attr.state);
      if (this.views.has(id) || !token) continue;
      const { view: kid, joined: started } = this.open(el.getAttribute(Attr.component)!, id, token);
      this.views.set(id, kid);
      const joined = started.then(() => {
        const up = this.parent();
        if (up && kid.instance) linkChild(up, kid.instance, id.slice(this.id.length + 1));
      });
      this.#track(joined.catch(() => this.views.get(id) === kid && this.views.delete(id)));
    }
    for (const [id, kid] of this.views) {
      if (present.has(id)) continue;
      this.views.delete(id);
      this.#track(kid.close());
    }
  }

  /** Puts each child's current HTML in its root inside `root` (only where it changed: typed values stay). */
  graft(root: Element): void {
    if (!this.views.size) return;
    if (this.#graftedInto !== root) {
      this.#graftedInto = root;
      this.#grafted = new Map();
    }
    for (const el of root.querySelectorAll(ROOTS)) {
      const id = el.getAttribute(Attr.id);
      const kid = id ? this.views.get(id) : undefined;
      if (!kid) continue;
      let html: string;
      try {
        html = kid.html();
      } catch {
        continue; // not rendered yet, or closed: the server's markup stays
      }
      if (this.#grafted.get(id!) === html) continue;
      this.#grafted.set(id!, html);
      el.innerHTML = html;
    }
  }

  /**
   * The view an event of `from` goes to, in the view's DOM `root`: the component root around it
   * (or `hl-target`'s: "parent", a selector). Undefined: the view itself.
   */
  route(root: Element, from: Element | undefined): ChildView | undefined {
    if (!from || !this.views.size) return undefined;
    const t = from.getAttribute(Attr.target);
    const own = from.closest(ROOTS);
    const at = t === "parent" ? own?.parentElement?.closest(ROOTS) : t ? root.querySelector(t)?.closest(ROOTS) : own;
    const id = at?.getAttribute(Attr.id);
    return id && id !== this.id ? this.find(id) : undefined;
  }

  /** The child view with page id `id`, at any depth. */
  find(id: string): ChildView | undefined {
    for (const [kidId, kid] of this.views) {
      if (kidId === id) return kid;
      if (id.startsWith(`${kidId}:`)) return kid.children.find(id);
    }
    return undefined;
  }

  /** Resolves once every join and leave under way (here and in the children's children) is done. */
  async ready(): Promise<void> {
    while (this.#pending.size) await Promise.all([...this.#pending]);
    for (const kid of this.views.values()) await kid.children.ready();
  }

  /** Leaves every child. */
  async close(): Promise<void> {
    const kids = [...this.views.values()];
    this.views.clear();
    await Promise.all(kids.map((k) => k.close()));
  }

  #track(p: Promise<unknown>): void {
    const done: Promise<unknown> = p.finally(() => this.#pending.delete(done));
    this.#pending.add(done);
  }
}

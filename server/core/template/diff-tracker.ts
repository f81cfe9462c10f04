import { diffTemplate, type TemplateDiff } from "./diff.js";
import { Encoder, type WireNode } from "./encoder.js";
import { HotlineError } from "../errors.js";
import { staticsById, WHOLE_STRINGS } from "./statics.js";
import { Raw, TemplateResult } from "./template.js";
import { holdsStream } from "./stream.js";
import { M, R } from "../../../protocol/wire.js";

/** What a client needs to start from: the HTML, the statics table and the root node. */
export interface FullRender {
  [M.html]: string;
  /** statics table: id -> parts */
  [R.statics]: Record<string, readonly string[]>;
  /** the root node, full form */
  [R.root]: WireNode;
}

/** A patch body: the root's slot diffs at the top level, `r` for a replaced root, `p` for new statics. */
export type PatchBody = TemplateDiff & { [R.statics]?: Record<string, readonly string[]>; [R.root]?: WireNode };

/** What `render()` may return: an `html` template, or a whole HTML string (from a `Renderer`). */
export type RenderOutput = TemplateResult | string;

/**
 * The server's copy of what one client (or one group of clients sharing a render) holds: the last
 * rendered tree and the statics ids already sent. Each update returns only what changed.
 *
 * @example
 * const view = new DiffTracker();
 * const { html } = view.full(component.render());
 * const patch = view.update(component.render()); // {} when nothing changed
 */
export class DiffTracker {
  #prev: TemplateResult | undefined;
  // Statics ids already sent: a handful per view, so a small array beats a Set's memory. It is
  // replaced (concat), never pushed to: a pushed array reserves 17 slots (bench/heap.ts).
  #known: readonly number[] = [];

  /** Renders everything: for a `join`, and for each client that joins a shared view later. */
  full(output?: RenderOutput): FullRender {
    if (output !== undefined) this.#prev = asTemplate(output);
    if (!this.#prev) throw new Error("DiffTracker.full() needs a render first");
    const enc = new Encoder(true);
    const r = enc.template(this.#prev);
    this.#learn(enc.ids);
    return { [M.html]: enc.html, [R.statics]: table(this.#known), [R.root]: r };
  }

  /** Diffs a new render against the previous one; `{}` when nothing changed. */
  update(output: RenderOutput): PatchBody {
    const next = asTemplate(output);
    const prev = this.#prev;
    if (!prev) throw new Error("DiffTracker.update() before DiffTracker.full()");
    const enc = new Encoder(false);
    const body: PatchBody = prev.strings === next.strings ? (diffTemplate(prev, next, enc) ?? {}) : { [R.root]: enc.template(next) };
    this.#prev = next;
    const fresh = this.#learn(enc.ids);
    if (fresh) body[R.statics] = table(fresh);
    return body;
  }

  /** Adds the ids not yet known; returns them (undefined when none). */
  #learn(ids: Iterable<number>): number[] | undefined {
    let fresh: number[] | undefined;
    for (const id of ids) if (!this.#known.includes(id)) (fresh ??= []).push(id);
    if (fresh) this.#known = this.#known.concat(fresh);
    return fresh;
  }

  /** Whether the last render holds a stream container (its items are the client's alone). */
  get holdsStream(): boolean {
    return this.#prev !== undefined && holdsStream(this.#prev);
  }

  /** True once a render has been taken. */
  get rendered(): boolean {
    return this.#prev !== undefined;
  }
}

/** Normalises a render's output to a template (a whole string stands in the reserved statics 0). */
export function asTemplate(output: RenderOutput): TemplateResult {
  if (output instanceof TemplateResult) return output;
  if (typeof output === "string") return new TemplateResult(WHOLE_STRINGS, [new Raw(output)]);
  throw new HotlineError("handler_error", "render() must return an html`` template or a string", { fault: "app" });
}

function table(ids: Iterable<number>): Record<string, readonly string[]> {
  const p: Record<string, readonly string[]> = {};
  for (const id of ids) p[id] = staticsById(id)!.parts;
  return p;
}

import type { Component, ComponentClass } from "../core/component.js";
import { HotlineError } from "../core/errors.js";
import { M } from "../../protocol/wire.js";
import { diffScreens, isDescribable, validateScreenSet, type ScreenSet } from "../sdui/screens.js";
import { flushStreams } from "../core/template/stream.js";
import { DiffTracker } from "../core/template/diff-tracker.js";

/**
 * What a live instance keeps of what its client (or its group of viewers) holds, in the join's
 * format: rendered HTML trees (`DiffTracker`), or server-driven UI screens.
 */
export interface Presenter {
  /** What it answers in (a second viewer of a session must ask for the same). */
  readonly format: "html" | "sdui";
  /** The fields of an `ok`: `html`, `p`, `r` (or `screens`). Renders on first use only. */
  full(component: Component): Record<string, unknown>;
  /** Renders and diffs: the fields of a patch, `{}` when nothing changed. */
  update(component: Component): Record<string, unknown>;
  /**
   * Whether its instance may hibernate as far as its client's copy goes: the client can be
   * brought back to any render by one full patch (HTML without stream containers; not sdui, whose
   * merge strategies need the previous screens).
   */
  hibernatable(): boolean;
}

/**
 * The presenter for a `format`, chosen before the component starts; `bad_message` for sdui on a
 * component class without `describe()`. Every transport chooses its output format here.
 */
export function presenterFor(format: "html" | "sdui", cls: ComponentClass, woken = false): Presenter {
  if (format === "html") return woken ? new WokenHtmlPresenter() : new HtmlPresenter();
  if (!isDescribable(cls.prototype)) {
    throw new HotlineError("bad_message", 'this component has no describe(), so it cannot answer in "sdui" format');
  }
  return new SduiPresenter();
}

class HtmlPresenter implements Presenter {
  // On the prototype, not a field: one presenter per live instance, so each field counts.
  get format(): "html" {
    return "html";
  }
  readonly #view = new DiffTracker();

  full(component: Component): Record<string, unknown> {
    if (this.#view.rendered) return { ...this.#view.full() };
    const full = this.#view.full(component.render());
    // The render carried the streams' operations: the server keeps none of their items.
    flushStreams(component);
    return { ...full };
  }

  update(component: Component): Record<string, unknown> {
    // A message that arrives between the start and the first join: the join's full render carries it.
    if (!this.#view.rendered) return {};
    const body = this.#view.update(component.render());
    flushStreams(component);
    return body;
  }

  hibernatable(): boolean {
    return this.#view.rendered && !this.#view.holdsStream;
  }

  /** A patch that replaces the client's whole root (`r`, with every statics entry in `p`): it fits whatever the client holds. */
  protected replaceRoot(component: Component): Record<string, unknown> {
    const { [M.html]: _html, ...body } = this.#view.full(component.render());
    flushStreams(component);
    return body;
  }
}

/**
 * The presenter of an instance woken from hibernation (server/live/hub.ts): its client holds the
 * render it had when the session went to sleep, which a new render need not repeat (a render may
 * read more than the state: the time, a service's data), so its first patch replaces the root.
 */
class WokenHtmlPresenter extends HtmlPresenter {
  #stale = true;

  update(component: Component): Record<string, unknown> {
    if (!this.#stale) return super.update(component);
    this.#stale = false;
    return this.replaceRoot(component);
  }
}

class SduiPresenter implements Presenter {
  // On the prototype, not a field: one presenter per live instance, so each field counts.
  get format(): "sdui" {
    return "sdui";
  }
  #prev: ScreenSet | undefined;

  #describe(component: Component): ScreenSet {
    // HTML stream operations have no use here: dropped, so they do not pile up.
    flushStreams(component);
    if (!isDescribable(component)) throw new HotlineError("bad_message", "this component has no describe()");
    return validateScreenSet(component.describe());
  }

  full(component: Component): Record<string, unknown> {
    this.#prev ??= this.#describe(component);
    return { [M.screens]: diffScreens(undefined, this.#prev)!.screens };
  }

  update(component: Component): Record<string, unknown> {
    const next = this.#describe(component);
    const d = diffScreens(this.#prev, next);
    this.#prev = next;
    return (d ?? {}) as Record<string, unknown>;
  }

  hibernatable(): boolean {
    return false;
  }
}

/**
 * What a test view receives, kept as the browser client keeps it: each render applied to a
 * rendered tree by the client's own code (client/rendered.ts) and parsed into the view's DOM
 * (./dom.ts), with its children synced (./children.ts); the pushes; the `nav` frames (./navigation.ts);
 * the error frames, and which of the view's messages each one answered.
 */
import type { LiveInstance } from "../live/instance.js";
import { Rendered } from "../../client/rendered.js";
import { M, T } from "../../protocol/wire.js";
import { buildRoot, type Typed } from "./dom.js";
import type { ChildViews } from "./children.js";
import type { PageRecord } from "./navigation.js";

/** An event the component pushed to this view (`this.pushEvent(event, payload)`). */
export interface PushedEvent {
  event: string;
  payload: unknown;
}

/** An error frame this view received: a refused event, a failed handler. */
export interface ViewError {
  code: string;
  message: string;
  details?: Record<string, unknown>;
}

type Frame = Record<string, unknown>;

/** The {@link ViewError} an `error` frame reports. */
export function viewError(f: Frame): ViewError {
  return { code: String(f[M.code]), message: String(f[M.message]), ...(f[M.details] !== undefined && { details: f[M.details] as Record<string, unknown> }) };
}
/** linkedom's `parseHTML` (./dom.ts loads it). */
export type ParseHTML = Parameters<typeof buildRoot>[0];

/** @internal One view's received frames (a `LiveView`'s). */
export class ViewFrames {
  /** Every error frame, oldest first. */
  readonly errors: ViewError[] = [];
  /** Every push, oldest first. */
  readonly pushed: PushedEvent[] = [];
  /** What the "user" typed, kept across renders (./dom.ts). */
  readonly typed: Typed = new Map();
  /** The view's DOM as the last render left it; undefined before the first. */
  root: Element | undefined;
  /** The session key of the join's answer. */
  session: string | undefined;
  /** Why a patch could not be applied to the tree (the view is unusable then). */
  broken: Error | undefined;
  readonly #answers = new Map<number, ViewError>();
  #tree: Rendered | undefined;

  constructor(
    readonly parse: ParseHTML,
    readonly name: string,
    readonly id: string,
    readonly page: PageRecord,
    readonly children: ChildViews,
    /** the view's instance, joined or being opened */
    readonly instance: () => LiveInstance | undefined,
  ) {}

  /** The error frame that answered the message `ref`, once (then forgotten); undefined when none did. */
  answer(ref: number): ViewError | undefined {
    const e = this.#answers.get(ref);
    this.#answers.delete(ref);
    return e;
  }

  /** A frame the server sent the view: applied as the client applies it. */
  receive(data: string | Buffer): void {
    const f = JSON.parse(typeof data === "string" ? data : data.toString("utf8")) as Frame;
    const ref = f[M.ref] as number | undefined;
    switch (f[M.type]) {
      case T.ok:
        this.session = f[M.session] as string;
        this.#tree = Rendered.fromJoin(f);
        break;
      case T.patch:
        if (!this.#tree) this.#tree = Rendered.fromJoin(f);
        else {
          try {
            this.#tree.apply(f);
          } catch (err) {
            this.broken = err as Error;
            return;
          }
        }
        break;
      case T.push:
        this.pushed.push({ event: f[M.event] as string, payload: f[M.payload] });
        return;
      case T.nav: {
        const live = this.instance();
        this.page.receive(f, live && (() => live.drained()));
        return;
      }
      case T.error: {
        const e = viewError(f);
        this.errors.push(e);
        if (ref !== undefined) this.#answers.set(ref, e);
        return;
      }
      default:
        return;
    }
    // Every render is applied at once: a stream's operations are only in the message that carries them.
    this.root = buildRoot(this.parse, this.name, this.id, this.#tree.toHTML(), this.root, this.typed);
    this.children.sync(this.root);
  }
}

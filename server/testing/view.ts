/**
 * One test view: a viewer of a live instance in the app's hub, joined and driven the way a
 * WebSocket connection does it (server/transports/websocket/connection.ts): the same message
 * checks, `hub.open()`, `LiveInstance.join()` and `.event()`, the same frames. The frames it gets
 * are kept as the browser client keeps them (./frames.ts).
 */
import type { Hotline } from "../hotline.js";
import type { HotlineUser } from "../core/context.js";
import { HotlineError } from "../core/errors.js";
import { eventsOf } from "../core/js.js";
import type { Component } from "../core/component.js";
import type { LiveInstance, Viewer } from "../live/instance.js";
import { parseMessage } from "../transports/websocket/messages.js";
import { M, T } from "../../protocol/wire.js";
import { query } from "./dom.js";
import { ViewElement, ViewForm, snippet, type ViewDriver } from "./element.js";
import { LiveTestError, misuse } from "./errors.js";
import { settle } from "./settle.js";
import { logOf } from "./logs.js";
import { ChildViews } from "./children.js";
import { asyncBusy, asyncRunning } from "../core/async.js";
import { afterJoin, openForJoin } from "../live/navigation.js";
import { PageRecord, patchPage, type ViewFlash, type ViewNavigation } from "./navigation.js";
import { ViewUploads, type UploadFile, type ViewUpload, type ViewUploadOptions } from "./uploads.js";
import type { UploadClientMessage } from "../live/uploads/messages.js";
import { ViewFrames, type ParseHTML, type PushedEvent, type ViewError } from "./frames.js";

export type { PushedEvent, ViewError };

type Frame = Record<string, unknown>;

/** How the view joins (made by `live()`). */
export interface JoinPlan {
  user: HotlineUser | null;
  userKey: string | undefined;
  address: string | undefined;
  /** the embed's signed token (the page path), or none (a join with client params) */
  state?: string;
  clientParams?: Record<string, unknown>;
  /** a session key to resume (a reconnecting tab) */
  session?: string;
  /** a live page's URL (path and query): the join a page's tab makes (./navigation.ts) */
  url?: string;
}

/**
 * A component mounted for a test, as one browser tab holds it. Made by {@link live}.
 *
 * @example
 * const view = await live(Counter);
 * await view.element("button", "Increment").click();
 * view.find(".counter-value")[0]?.textContent; // "Count: 1"
 * await view.close();
 */
export class LiveView<S extends Record<string, any> = Record<string, any>> {
  /** The app the view lives in (a private one unless `live()` was given `app`). */
  readonly app: Hotline;
  /** The component's registered name. */
  readonly name: string;
  /** The instance id the view joined under. */
  readonly id: string;
  /** Every error frame this view received, oldest first. */
  readonly errors: ViewError[];
  /** What it received, as the browser client keeps it (./frames.ts). */
  readonly #frames: ViewFrames;
  readonly #ownsApp: boolean;
  #ref = 0;
  #live: LiveInstance | undefined;
  #viewer: Viewer | undefined;
  #redirect: string | undefined;
  #closed = false;
  readonly #driver: ViewDriver;
  /** @internal The child components its renders hold (`this.child()`), each a view of its own (./children.ts). */
  readonly children: ChildViews;
  #plan: JoinPlan | undefined;
  #opening: LiveInstance | undefined;
  /** @internal Its live page: URL, title, flashes, navigations (./navigation.ts). */
  readonly page = new PageRecord();
  /** Its uploads (./uploads.ts): made on the first `upload()`, as a connection makes its manager. */
  #uploads: ViewUploads | undefined;

  /** @internal Made by `live()`. */
  constructor(app: Hotline, name: string, id: string, parse: ParseHTML, ownsApp: boolean) {
    this.app = app;
    this.name = name;
    this.id = id;
    this.#ownsApp = ownsApp;
    const view = this;
    const instance = () => view.#live ?? view.#opening;
    this.children = new ChildViews(id, (kidName, kidId, state) => {
      const kid = new LiveView(app, kidName, kidId, parse, false);
      const { user, userKey, address } = view.#plan!;
      const joined = kid.join({ user, userKey, address, state }).catch((err: unknown) => {
        const e = err as { code?: string; message?: string };
        view.errors.push({ code: String(e.code ?? "handler_error"), message: `child ${kidId}: ${e.message ?? String(err)}` });
        throw err;
      });
      return { view: kid, joined };
    }, instance);
    this.#frames = new ViewFrames(parse, name, id, this.page, this.children, instance);
    this.errors = this.#frames.errors;
    this.#driver = {
      label: `<${name}>`,
      typed: this.#frames.typed,
      root: () => view.#current(),
      send: async (event, payload, from) => {
        const kid = view.children.route(view.#frames.root!, from);
        // client-side commands (JS): only their pushes reach the server
        for (const [e, p] of eventsOf(event, payload)) await (kid ? kid.event(e, p) : view.#send(e, p));
      },
      // a live link, as client/nav.ts takes it: relative to the page's URL; a patch goes to the server
      follow: async (href, kind) => {
        const to = new URL(href, `http://page${view.page.url ?? "/"}`);
        if (to.host !== "page") throw misuse(`${view.#label}: a live link to another origin (${href}) is a full page load`);
        const url = to.pathname + to.search;
        if (kind === "patch") return view.patch(url);
        view.page.navigations.push({ kind: "navigate", url });
      },
    };
  }

  /** @internal A refused mount that names where to go. */
  redirected(to: string): void {
    this.#redirect = to;
  }

  /** @internal Joins as a connection does; a refusal rejects with the client-safe error. */
  async join(plan: JoinPlan): Promise<void> {
    const ref = ++this.#ref;
    const m = this.#check({
      [M.type]: T.join, [M.ref]: ref, [M.id]: this.id, [M.name]: this.name,
      ...(plan.state !== undefined && { [M.state]: plan.state }),
      ...(plan.clientParams && { [M.params]: plan.clientParams }),
      ...(plan.session !== undefined && { [M.session]: plan.session }),
      ...(plan.url !== undefined && { [M.url]: plan.url }),
    });
    if (m[M.type] !== T.join) throw misuse("not a join");
    this.#plan = plan;
    const hub = this.app.hub;
    try {
      const opened = await openForJoin(hub, m, plan.user, plan.userKey, plan.address);
      this.#opening = opened.live;
      if (opened.page) this.page.url = opened.page.match.url;
      const viewer: Viewer = { id: this.id, key: opened.key, user: plan.user, send: (f) => this.#frames.receive(f) };
      await opened.live.join(viewer, ref);
      this.#live = opened.live;
      this.#viewer = viewer;
      afterJoin(opened.live, viewer); // the page's title, what mount or handleParams asked of it
      await this.page.settled();
    } catch (err) {
      // What a connection tells its client (Connection#safe): client faults as they are; the
      // app's own failures logged, and told generically (the cause is kept for the test).
      if (err instanceof HotlineError && err.fault === "client") throw err;
      const cause = err instanceof HotlineError ? (err.cause ?? err) : err;
      hub.env.ctx.log(`component "${this.name}": join failed`, cause);
      const said = cause instanceof Error ? cause.message : String(cause);
      throw new LiveTestError("handler_error", `${this.#label}: handler_error: the component failed to start (what a client is told; the app's error: ${said})`, { cause });
    }
    await this.children.ready();
  }

  /** @internal The live instance the view joined. */
  get instance(): LiveInstance | undefined {
    return this.#live;
  }

  /**
   * The view of child `id` of this component (`this.child(name, params, id)`), joined as the
   * browser client joins it; undefined when the last render holds no such child.
   *
   * @example
   * await view.element(".tile button", "+").click(); // goes to the tile it is in
   * view.child("a")?.state.n; // 1
   */
  child<C extends Record<string, any> = Record<string, any>>(id: string): LiveView<C> | undefined {
    return this.children.views.get(`${this.id}:${id}`) as LiveView<C> | undefined;
  }

  get #label(): string {
    return `<${this.name}>`;
  }

  /** The session key the server gave the view (a reconnecting client resumes with it). */
  get session(): string | undefined {
    return this.#frames.session;
  }

  /** The live component (a shared component's one instance): its `state`, for assertions. */
  get component(): Component<S> {
    this.#joined();
    return this.#live!.component as Component<S>;
  }

  /** The component's state now (the live object: read it, do not change it), typed as the class's. */
  get state(): S {
    return this.component.state;
  }

  /** The component's HTML as the page shows it now (stream items kept, typed values in). */
  html(): string {
    return this.#current().innerHTML;
  }

  /** Elements of the view matching `selector` (and containing `text`, or matching it as a RegExp); `[]` when none. */
  find(selector: string, text?: string | RegExp): Element[] {
    return query(this.#current(), selector, text);
  }

  /** The element matching `selector` (and `text`) when an action runs: exactly one must. */
  element(selector: string, text?: string | RegExp): ViewElement {
    return new ViewElement(this.#driver, selector, text);
  }

  /** The form matching `selector`. */
  form(selector: string): ViewForm {
    return new ViewForm(this.#driver, selector);
  }

  /** Sends an event as a client hook's `pushEvent(event, payload)` does (no element involved). */
  async event(event: string, payload: Record<string, unknown> = {}): Promise<void> {
    return this.#send(event, payload);
  }

  /** Events the component pushed to this view (`this.pushEvent`), oldest first; only `event`'s when given. */
  pushed(event?: string): PushedEvent[] {
    const pushed = this.#frames.pushed;
    return event === undefined ? [...pushed] : pushed.filter((p) => p.event === event);
  }

  /**
   * Where the view was sent with a full page load: a mount hook's refusal (`{ redirect: "/signin" }`)
   * or a page request answered with a redirect (both leave nothing to read or click), else the
   * component's last `this.redirect(url)`; undefined when none did.
   */
  redirectedTo(): string | undefined {
    return this.#redirect ?? this.page.last("redirect");
  }

  /**
   * The live page's URL (path and query): the one it joined with, then each {@link patch} and
   * `pushPatch` to this page (not a `pushNavigate` or `redirect`); undefined for no page.
   */
  get url(): string | undefined {
    return this.page.url;
  }

  /** The page's `document.title` as the server last sent it (`pageTitle()`, else the route's `title`). */
  get title(): string | undefined {
    return this.page.title;
  }

  /** The flashes the component set (`this.flash(kind, text)`), oldest first, those of its page request included. */
  flashes(): ViewFlash[] {
    return this.page.flashes.map((f) => ({ ...f }));
  }

  /**
   * What the component asked of the page, oldest first: `pushPatch` (`kind: "patch"`; to another
   * page's URL: `"navigate"`), `pushNavigate` (`"navigate"`), `redirect` (`"redirect"`).
   * @example assert.equal(view.navigations(), [{ kind: "navigate", url: "/orders" }]);
   */
  navigations(): ViewNavigation[] {
    return this.page.navigations.map((n) => ({ ...n }));
  }

  /** The URL of the component's last `pushPatch` to this page (its handleParams has run); undefined when none. */
  patchedTo(): string | undefined {
    return this.page.last("patch");
  }

  /** The URL of the component's last `pushNavigate` (or `pushPatch` to another page); undefined when none. The view stays. */
  navigatedTo(): string | undefined {
    return this.page.last("navigate");
  }

  /**
   * Patches the page's URL as an `hl-patch` link or the back button does (the `url` message): the
   * params are checked by the class's schema, `handleParams` runs without a remount, the title
   * follows; then {@link url} is the new URL. Rejects with a {@link LiveTestError} with the server's
   * code (`bad_message`: another page's URL, a refused param, no page; or what `handleParams`
   * threw), and `url` stays.
   * @example
   * const view = await live(Orders, { url: "/orders", app });
   * await view.patch("/orders?status=paid");
   * assert.equal(view.state.status, "paid");
   */
  async patch(url: string): Promise<void> {
    this.#joined();
    const ref = ++this.#ref;
    const m = this.#check({ [M.type]: T.url, [M.ref]: ref, [M.id]: this.id, [M.url]: url });
    if (m[M.type] !== T.url) throw misuse("not a url message");
    const undo = await patchPage(this.app, this.page, this.#live!, this.#viewer!, ref, m[M.url], `${this.#label} patch("${url}")`);
    await this.children.ready();
    const refused = this.#frames.answer(ref);
    if (refused) {
      undo();
      throw new LiveTestError(refused.code, `${this.#label} patch("${url}"): ${refused.code}: ${refused.message}`, refused.details ? { details: refused.details } : {});
    }
  }

  /**
   * Resolves once the app is quiet: every live instance's queued work done and every pub/sub
   * message published so far delivered and handled (repeated until nothing new comes). Call it
   * before reading a view that another view's action reaches through pub/sub.
   */
  settled(): Promise<void> {
    return settle(this.app);
  }

  /**
   * Resolves once the component's async loads (`assignAsync`, `startAsync`, docs/async.md) have
   * all landed and their renders reached this view, including loads those outcomes started.
   * Rejects when they are still running after `timeoutMs` (a load that never ends).
   *
   * @example
   * const view = await live(Orders);
   * assert.match(view.html(), "Loading");
   * await view.loaded();
   * assert.ok(view.state.orders.ok);
   */
  async loaded(timeoutMs = 10_000): Promise<void> {
    this.#joined();
    const live = this.#live!;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(misuse(`${this.#label}: loaded(): async loads were still running after ${timeoutMs} ms`)), timeoutMs);
    });
    try {
      for (;;) {
        await Promise.race([live.drained(), late]);
        if (!asyncBusy(live.component)) return;
        await Promise.race([asyncRunning(live.component), late]);
      }
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Uploads `files` to upload `name` as a tab does when a person picks them (docs/testing.md#uploads):
   * the server's checks, chunks and temp files. Resolves with a {@link ViewUpload} once the bytes
   * (up to `options.progress` percent, default 100) are acknowledged and the view shows the render.
   * A refused file is no error (its messages are in the render and `entries[i].errors`); a refused
   * upload rejects with a {@link LiveTestError} with the server's code.
   * @example
   * const up = await view.upload("avatar", [{ name: "me.png", type: "image/png", content: bytes }], { progress: 50 });
   * assert.match(view.html(), "50%");
   * await up.finish();
   * await view.form("form").submit(); // consumeUploads gets the file
   */
  async upload(name: string, files: readonly UploadFile[], options: ViewUploadOptions = {}): Promise<ViewUpload> {
    this.#joined();
    const view = this;
    this.#uploads ??= new ViewUploads({
      label: this.#label, id: this.id, app: this.app,
      live: () => (view.#joined(), view.#live!),
      ref: () => ++view.#ref,
      check: (m) => view.#check(m) as UploadClientMessage, // ViewUploads makes upload messages only
      error: (e) => void view.errors.push(e),
      settled: () => view.#live!.drained().then(() => view.page.settled()).then(() => view.children.ready()),
    });
    return this.#uploads.start(name, files, options);
  }

  /** Leaves (as a closed tab's connection does); closes the view's private app. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.children.close();
    await this.#uploads?.close(); // as a closing connection does: the entries' temp files go
    if (this.#live && this.#viewer) {
      await this.#live.drained();
      this.#live.leave(this.#viewer);
    }
    if (this.#ownsApp) await this.app.close();
  }

  /** Whether {@link close} was called. */
  get closed(): boolean {
    return this.#closed;
  }

  #joined(): void {
    if (this.#redirect !== undefined) throw misuse(`${this.#label}: the mount was refused with a redirect to ${this.#redirect} (see redirectedTo()); there is nothing to read or click`);
    if (this.#closed) throw misuse(`${this.#label}: the view is closed`);
    const broken = this.#frames.broken;
    if (broken) throw misuse(`${this.#label}: a patch could not be applied to the view's tree: ${broken.message}`);
  }

  #current(): Element {
    this.#joined();
    const root = this.#frames.root!;
    this.children.graft(root);
    return root;
  }

  /** A client message through the WebSocket transport's own checks (shape, depth, sizes). */
  #check(m: Frame) {
    try {
      return parseMessage(Buffer.from(JSON.stringify(m)), false);
    } catch (err) {
      const e = err as HotlineError;
      throw new LiveTestError(e.code ?? "bad_message", `${this.#label}: the server would refuse this message: ${e.message}`);
    }
  }

  async #send(event: string, payload: Record<string, unknown>): Promise<void> {
    this.#joined();
    const ref = ++this.#ref;
    const m = this.#check({ [M.type]: T.event, [M.ref]: ref, [M.id]: this.id, [M.event]: event, [M.payload]: payload });
    if (m[M.type] !== T.event) throw misuse("not an event");
    const logged = logOf(this.app).length;
    await this.#live!.event(this.#viewer!, ref, m[M.event], m[M.payload]).then(() => this.#live!.sent());
    await this.page.settled(); // a pushPatch's handleParams, queued after the event
    await this.children.ready();
    const refused = this.#frames.answer(ref);
    if (refused) {
      // The client is told only handler_error; the test is told what the app's logger was.
      const log = refused.code === "handler_error" ? logOf(this.app).slice(logged).find((l) => l.includes(`"${this.name}"`)) : undefined;
      const said = `${this.#label} "${event}": ${refused.code}: ${refused.message}${log ? ` (the app's log: ${log})` : ""}`;
      throw new LiveTestError(refused.code, said, refused.details ? { details: refused.details } : {});
    }
  }

  /** For messages: the view's HTML, cut. */
  toString(): string {
    const root = this.#frames.root;
    return `${this.#label} ${root ? snippet(root.innerHTML) : "(not rendered)"}`;
  }
}

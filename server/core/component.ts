import type { ComponentContext, HotlineServices, HotlineUser, MountHook } from "./context.js";
import type { PresenceDiff, PresenceList, PresenceMeta } from "./presence.js";
import { HotlineError } from "./errors.js";
import type { Renderer } from "./renderer.js";
import type { StandardSchemaV1 } from "./standard-schema.js";
import { streamDelete, streamInsert, streamReset, type StreamInsertOptions } from "./template/stream.js";
import { registerAssign, registerStart, type AsyncFn, type AsyncOutcome, type AsyncResult, type AsyncValue } from "./async.js";
import { checkTopic, install, type ComponentHost } from "./host.js";
import { dispatchSteps, toHTML } from "./steps.js";
import type { RenderOutput } from "./template/diff-tracker.js";
import { renderChild } from "./children.js";
import type { Raw } from "./template/template.js";
import { allowUpload, cancelUpload, consumeUploads, uploadsOf, type ConsumedUpload, type UploadOptions, type UploadSlot } from "./uploads.js";
import { intend, type PushOptions } from "./navigation.js";
import { checkComponentState, handleEventSync, installEventSlots, isThenable, runEventSteps } from "./event-run.js";

/** What `dispatch()` and `asyncDispatch()` take: the seed's `event`, `payload` and `state`. */
export interface DispatchOptions<S = Record<string, unknown>> {
  event?: string;
  payload?: Record<string, unknown>;
  /** A dehydrated state to hydrate from; without it the component mounts. */
  state?: Partial<S>;
}

/** What `dispatch()` returns: the HTML and the dehydrated state. */
export interface DispatchResult<S> {
  html: string;
  state: S;
}

/** One step of a streaming handler: a render after each `yield`; the last has `done: true`. */
export interface Step<S> extends DispatchResult<S> {
  done: boolean;
}


/** A class that extends Component (what the registry holds). */
export type ComponentClass = (new (params?: any, context?: ComponentContext) => Component<any, any>) & {
  templateName?: string;
  renderer?: Renderer;
  payloads?: Record<string, StandardSchemaV1>;
  shared?: boolean;
  maxStateBytes?: number;
  authorize?(user: HotlineUser | null, params: Readonly<Record<string, unknown>>): boolean | Promise<boolean>;
  onMount?: MountHook | readonly MountHook[];
  clientParams?: StandardSchemaV1;
  catchUp?: "resync" | "remount";
  uploads?: Record<string, UploadOptions>;
  loaders?: Record<string, AsyncFn>;
  hibernate?: boolean;
};


/**
 * A server-side component: it owns its UI state, handles the client's events with `on<Event>`
 * methods, and renders. Lifecycle: `mount()` (first time) or `hydrate(state)`, `handleEvent()`,
 * `render()`, `dehydrate()`.
 *
 * @example
 * @register("counter")
 * export class Counter extends Component<{ count: number }> {
 *   mount() { this.state.count = 0; }
 *   onIncrement() { this.state.count += 1; }
 *   render() { return html`<button hl-click="increment">Count: ${this.state.count}</button>`; }
 * }
 * new Counter().dispatch({ event: "increment" }).state.count; // 1
 */
export class Component<S extends Record<string, any> = Record<string, any>, P extends Record<string, any> = Record<string, any>> {
  /** The template a `Renderer` renders when the component has no `render()` of its own. */
  static templateName?: string;
  /** The renderer for `templateName`; falls back to the app's (`createHotline({ renderer })`). */
  static renderer?: Renderer;
  /** Payload validators per event name, any Standard Schema (zod, valibot, arktype). */
  static payloads?: Record<string, StandardSchemaV1>;
  /** True when `render()` depends only on shared data: one render per change serves every viewer. */
  static shared?: boolean;
  /** Largest dehydrated state, in bytes of JSON (default 64 KiB). */
  static maxStateBytes?: number;
  /**
   * Who may start this component, on every transport (join, HTTP, htmx, SSE, CLI, `live()`), with
   * the server-given (signed) params. False refuses with `unauthorized`. For checks that need the
   * loaded data (the owner of a row), see `authorizeEvent`.
   *
   * @example
   * static authorize(user: HotlineUser | null) { return user !== null; }
   */
  static authorize?(user: HotlineUser | null, params: Readonly<Record<string, unknown>>): boolean | Promise<boolean>;
  /** Hooks run before this component mounts, hydrates or resumes, after the app's own (`createHotline({ onMount })`). */
  static onMount?: MountHook | readonly MountHook[];
  /**
   * The params a client may choose (a search query, a page number), as a Standard Schema. Params
   * from a client are validated with it; without it a client may send none. Server-given params
   * (`live()`, tokens, resumed sessions) are signed and always win.
   */
  static clientParams?: StandardSchemaV1;
  /**
   * What a component started from a token or the store (not freshly mounted) does about messages
   * it may have missed meanwhile: `"resync"` (default) runs `onResync(topic)` for each of its
   * topics before its first render; `"remount"` drops the old state and runs `mount()` again.
   */
  static catchUp?: "resync" | "remount";
  /**
   * Whether an idle session of this component may hibernate (docs/hibernation.md): after
   * `hibernateAfterMs` without activity, its instance is dropped and rebuilt from its state by the
   * next event. Default: yes, when nothing would be lost. Set it to false when the component keeps
   * something outside `state` that a public field does not show (a `#private` field, a closure).
   */
  static hibernate?: boolean;

  /** The parameters the component was created with (untrusted when they come from a client). */
  params: P;
  /** The UI state: plain JSON data, dehydrated between events. */
  state: S;
  /** Errors to show, by field (validation messages). */
  get errors(): Record<string, string> {
    // Made on first read: an idle instance whose errors nobody read holds no object (bench/heap.ts).
    return (this.#errors ??= {});
  }
  set errors(errors: Record<string, string>) {
    this.#errors = errors;
  }
  #errors: Record<string, string> | undefined;
  /** The instance id, when a transport or the caller gives one (`params.componentId`). */
  id: string | undefined;

  #changed: ReadonlySet<string> = NONE;
  // Made on first subscribe: most instances never listen to anything.
  #topics: Set<string> | undefined;
  #host: ComponentHost | undefined;
  readonly #context: ComponentContext;
  #user: HotlineUser | null;

  /**
   * @param params what the component is created with (`this.params`)
   * @param context the app's context: services, renderer (transports pass their app's; tests may pass their own)
   */
  constructor(params?: P, context: ComponentContext = NO_CONTEXT) {
    this.#context = context;
    this.#user = context.user ?? null;
    this.params = (params ?? {}) as P;
    this.state = {} as S;
    const id = (this.params as Record<string, unknown>).componentId;
    this.id = typeof id === "string" ? id : undefined;
  }

  // ---------- Lifecycle ----------

  /** First initialisation (not run again when the state is hydrated). May be async. */
  mount(): void | Promise<void> {}

  /** Restores a dehydrated state. */
  hydrate(state: Partial<S>): void {
    Object.assign(this.state, state);
  }

  /** The state to persist: by default `this.state` itself. */
  dehydrate(): S {
    return this.state;
  }

  /** Renders: by default `templateName` through the renderer, with `getContext()`. */
  render(): RenderOutput {
    const ctor = this.constructor as ComponentClass & typeof Component;
    const name = ctor.templateName;
    const renderer = ctor.renderer ?? this.#context.renderer;
    if (!name || !renderer) {
      throw new HotlineError("handler_error", `${ctor.name} has neither render() nor a templateName with a renderer`, { fault: "app" });
    }
    return renderer.render(name, this.getContext());
  }

  /**
   * The app's services (`createHotline({ services })`), typed by {@link HotlineServices}.
   * An app without services gives `{}`.
   */
  get services(): HotlineServices {
    return this.#context.services ?? NO_SERVICES;
  }

  /**
   * Who is connected: what the app's `authenticate(request)` resolved, or `null`. A shared
   * component (one render for every viewer) sees the user who sent the event it is handling, and
   * `null` otherwise: its render must not depend on the user.
   */
  get user(): HotlineUser | null {
    return this.#user;
  }

  /**
   * Whether the current user may run `event`: runs before every event's handler, on every
   * transport. False refuses it with `unauthorized` and changes nothing. May be an `async`
   * method (then events take the async path); a plain method must return a boolean.
   *
   * @example
   * authorizeEvent(event: string) { return event === "view" || this.state.owner === this.user?.id; }
   */
  authorizeEvent(_event: string, _payload: Record<string, unknown>): boolean | Promise<boolean> {
    return true;
  }

  /** What templates see. */
  getContext(): Record<string, unknown> {
    return { component: this, state: this.state, errors: this.errors, params: this.params, changedFields: this.changedFields };
  }

  /** The state keys that the last event changed. */
  get changedFields(): ReadonlySet<string> {
    return this.#changed;
  }

  // ---------- Events (server/core/event-run.ts) ----------

  /** Runs the handler for `event` synchronously; async and streaming handlers need `asyncHandleEvent`. */
  handleEvent(event: string, payload: Record<string, unknown> = {}): void {
    handleEventSync(this, event, payload);
  }

  /** Runs the handler for `event`, sync, async or streaming (all steps), and settles the state. */
  async asyncHandleEvent(event: string, payload: Record<string, unknown> = {}): Promise<void> {
    for await (const _ of runEventSteps(this, event, payload)) void _;
  }

  // ---------- Dispatch ----------

  /** Mounts or hydrates, runs one event, renders: the seed's synchronous dispatch. */
  dispatch(options: DispatchOptions<S> = {}): DispatchResult<S> {
    if (options.state) this.hydrate(options.state);
    else if (isThenable(this.mount())) {
      throw new HotlineError("handler_error", "mount() is async; use asyncDispatch", { fault: "app" });
    }
    if (options.event !== undefined) this.handleEvent(options.event, options.payload);
    else checkComponentState(this);
    return { html: toHTML(this), state: this.dehydrate() };
  }

  /** Like `dispatch()`, with async `mount()`, async handlers, and streaming handlers run to the end. */
  async asyncDispatch(options: DispatchOptions<S> = {}): Promise<DispatchResult<S>> {
    let last: DispatchResult<S> | undefined;
    for await (const step of dispatchSteps(this, options)) last = step;
    return { html: last!.html, state: last!.state };
  }

  static {
    // The plumbing transports need, kept off the component's own namespace (any user method name
    // but the documented ones works): server/core/host.ts reaches the private members through these.
    install({
      run: runEventSteps,
      check: checkComponentState,
      actAs: (c, user) => {
        c.#user = user;
      },
      attach: (c, host, topics) => {
        for (const t of topics) (c.#topics ??= new Set()).add(t);
        c.#host = host;
        if (host && c.#topics) for (const t of c.#topics) host.subscribe(t);
      },
      context: (c) => c.#context,
      host: (c) => c.#host,
    });
    installEventSlots({
      base: Component.prototype,
      errors: (c) => c.#errors,
      changed: (c, changed) => {
        c.#changed = changed;
      },
      undo: (c, errors) => {
        c.#errors = errors;
        c.#changed = NONE;
      },
    });
  }

  // ---------- Streams (server/core/stream.ts) ----------

  /** Sends `items` to the stream container `name` (inserted, or replacing the element with the same key); the server keeps none of them. */
  streamInsert<T>(name: string, items: readonly T[], options: StreamInsertOptions = {}): void {
    streamInsert(this, name, items, options);
  }

  /** Removes the item with `key` from the stream container `name`. */
  streamDelete(name: string, key: string | number): void {
    streamDelete(this, name, key);
  }

  /** Empties the stream container `name` on the client. */
  streamReset(name: string): void {
    streamReset(this, name);
  }

  // ---------- Realtime ----------

  /** Listens to a pub/sub topic; `onMessage(topic, message)` runs for each message, then the component re-renders. */
  subscribe(topic: string): void {
    if (typeof topic !== "string" || !topic) throw new HotlineError("handler_error", "a topic is a non-empty string", { fault: "app" });
    if (this.#topics?.has(topic)) return;
    checkTopic(this.#context, this.#user, topic);
    (this.#topics ??= new Set()).add(topic);
    this.#host?.subscribe(topic);
  }

  /** Stops listening to a topic. */
  unsubscribe(topic: string): void {
    if (this.#topics?.delete(topic)) this.#host?.unsubscribe(topic);
  }

  /** The topics this instance listens to (kept with its state, so a resumed instance listens again). */
  get topics(): ReadonlySet<string> {
    return this.#topics ?? NONE;
  }

  /** Publishes a message on a topic, to every subscriber in every process. */
  publish(topic: string, message: unknown): Promise<void> {
    if (!this.#host) throw new HotlineError("handler_error", "publish() needs a live transport with pub/sub", { fault: "framework" });
    return this.#host.publish(topic, message);
  }

  /** Runs for each message on a subscribed topic; the component re-renders afterwards. */
  onMessage(_topic: string, _message: unknown): void | Promise<void> {}

  /**
   * Runs when messages on `topic` may have been missed (pub/sub reconnected, a sequence gap):
   * re-read whatever the messages would have told. The component re-renders afterwards.
   */
  onResync(_topic: string): void | Promise<void> {}

  // ---------- Presence ----------

  /**
   * Says "I am here" on `topic`, with `meta` (a name, "typing"): everyone who follows the topic, in
   * every process, sees it until this viewer leaves (or `untrack`). Calling it again replaces the
   * meta. The presence belongs to the viewer who caused the call: the instance's one viewer, or,
   * in a shared component, the viewer being joined (`onJoin`) or the sender of the event being
   * handled. Its key is the user's `id` (or the user's key), else the viewer's session. Tracking
   * also follows the topic (`onPresence`, `presence()`). Call it in `onJoin()` (which runs for
   * every join: fresh, hydrated from a token, resumed) or an event handler: `mount()` runs before
   * any viewer is there (and not at all on a resume), and over HTTP there is no viewer, so there
   * it does nothing.
   *
   * @example
   * onJoin() { this.track("board", { name: this.user?.name ?? "guest" }); }
   * onTyping() { this.track("board", { name: this.user!.name, typing: true }); }
   */
  track(topic: string, meta: PresenceMeta = {}): void {
    if (typeof topic !== "string" || !topic) throw new HotlineError("handler_error", "a presence topic is a non-empty string", { fault: "app" });
    this.#host?.track?.(topic, meta);
  }

  /** Ends the current viewer's presence on `topic` (leaving does it by itself). */
  untrack(topic: string): void {
    this.#host?.untrack?.(topic);
  }

  /**
   * Follows the presences of `topic` without being present on it (`onPresence`, `presence()`).
   * Like `track`, call it in `onJoin()`: it needs a live viewer.
   */
  followPresence(topic: string): void {
    if (typeof topic !== "string" || !topic) throw new HotlineError("handler_error", "a presence topic is a non-empty string", { fault: "app" });
    this.#host?.followPresence?.(topic);
  }

  /**
   * Who is on `topic` now, for rendering: key -> `{ metas: [{ ref, meta }] }`, one meta per
   * connection. Empty for a topic this instance neither tracks nor follows.
   */
  presence(topic: string): PresenceList {
    return this.#host?.presence?.(topic) ?? NO_PRESENCE;
  }

  /** Runs when someone arrives on or leaves a topic this instance tracks or follows; it re-renders afterwards. */
  onPresence(_topic: string, _diff: PresenceDiff): void | Promise<void> {}

  /**
   * Runs for each viewer that joins (fresh, hydrated or resumed), before its first render, with
   * `this.user` the joining viewer's: the place to `track()` a viewer, also in a shared component.
   */
  onJoin(): void | Promise<void> {}

  /** Sends an event to the client's hooks (`hl-hook`). */
  pushEvent(event: string, payload: unknown = {}): void {
    this.#host?.push(event, payload);
  }

  // ---------- Async loading (server/core/async.ts, docs/async.md) ----------

  /**
   * Loaders for `assignAsync(key)` by state key, run with `this` the component: a load declared
   * here starts again when a component is resumed (or joined from a page's token) while it was
   * loading; an inline function cannot, and shows as failed ("loading was interrupted").
   *
   * @example
   * static loaders = { async orders(this: Orders, { signal }: AsyncContext) { return this.services.orders.list({ signal }); } };
   * mount() { this.assignAsync("orders"); }
   */
  static loaders?: Record<string, AsyncFn>;

  /**
   * Loads state keys without holding the component: each key becomes an {@link AsyncResult}
   * (`{ loading, ok, failed, result }`) that shows `loading` at once; `fn` runs outside the
   * instance's queue (events and pub/sub messages go on meanwhile) and its value lands as
   * `{ ok: true, result }`, or a throw as `{ failed: "<safe message>" }`, re-rendered and pushed.
   * Without `fn`, `static loaders[key]` loads it. With several keys, `fn` resolves to an object
   * holding each. `signal` aborts when the component leaves or the key is loaded again.
   *
   * @example
   * mount() { this.assignAsync("orders", ({ signal }) => fetchOrders(signal)); }
   * render() { const o = this.state.orders; return o.ok ? list(o.result) : o.failed ? html`<p>${o.failed}</p>` : html`<p>Loading…</p>`; }
   */
  assignAsync<K extends keyof S & string>(keys: K, fn?: AsyncFn<AsyncValue<S[K]>>): void;
  assignAsync<K extends keyof S & string>(keys: readonly K[], fn?: AsyncFn<{ [k in K]: AsyncValue<S[k]> }>): void;
  assignAsync(keys: string | readonly string[], fn?: AsyncFn): void {
    registerAssign(this, keys, fn);
  }

  /**
   * Runs `fn` outside the instance's queue, then `handleAsync(name, outcome)` in it (a normal
   * state change: re-rendered and pushed). Starting `name` again replaces the running one.
   *
   * @example
   * onImport() { this.state.importing = true; this.startAsync("import", ({ signal }) => importCsv(signal)); }
   * handleAsync(name: string, o: AsyncOutcome) { this.state.importing = false; this.state.note = o.ok ? "done" : o.failed; }
   */
  startAsync<T>(name: string, fn: AsyncFn<T>): void {
    registerStart(this, name, fn as AsyncFn);
  }

  /**
   * The outcome of `startAsync(name, fn)`: `{ ok: true, result }` or `{ ok: false, failed, error }`
   * (`failed` is safe to show, `error` is for the server's log). May be async.
   */
  handleAsync(_name: string, _outcome: AsyncOutcome): void | Promise<void> {}

  // ---------- Uploads (server/core/uploads.ts, docs/uploads.md) ----------

  /** Uploads every instance takes, also one resumed from its session (which skips `mount()`). */
  static uploads?: Record<string, UploadOptions>;

  /** What a render reads: `this.uploads.avatar.entries[i]` (`progress`, `done`, `errors`), `.errors`. */
  get uploads(): Record<string, UploadSlot> {
    return uploadsOf(this);
  }

  /**
   * Lets the client upload files as `name` (`<input type="file" hl-upload="avatar">`).
   * @example
   * mount() { this.allowUpload("avatar", { accept: [".png", ".jpg"], maxFileSize: 5_000_000 }); }
   */
  allowUpload(name: string, options?: UploadOptions): UploadSlot {
    return allowUpload(this, name, options);
  }

  /** Drops the entry `ref` of upload `name`: its transfer stops and its temp file is deleted. */
  cancelUpload(name: string, ref: string | number): void {
    cancelUpload(this, name, ref);
  }

  /**
   * Hands each completed file of upload `name` to `fn` (`{ path, name, size, type }`), awaits it,
   * then deletes the temp file.
   * @example
   * async onSave() { await this.consumeUploads("avatar", (f) => copyFile(f.path, `avatars/${this.state.id}`)); }
   */
  consumeUploads<R>(name: string, fn: (file: ConsumedUpload) => R | Promise<R>): Promise<R[]> {
    return consumeUploads(this, name, fn);
  }

  // ---------- Navigation (server/live/navigation.ts, docs/navigation.md) ----------

  /**
   * A route's page (`createHotline({ routes })`): runs after `mount()` and on every patch of the
   * page's URL (`hl-patch`, `pushPatch`, back/forward) with the URL's params, checked by
   * `clientParams`. Not run again when the page hydrates or resumes (its state already reflects its URL).
   *
   * @example
   * async handleParams(p: { status?: string }) { this.state.status = p.status ?? "all"; }
   */
  handleParams(_params: Record<string, unknown>, _url: URL): void | Promise<void> {}

  /** A route's page: its `document.title` (read after mount and each patch of the URL); default: the route's `title`. */
  pageTitle(): string | undefined {
    return undefined;
  }

  /** Changes the page's URL (and runs `handleParams` with its params) without a remount; a URL of another page navigates. */
  pushPatch(url: string, options: PushOptions = {}): void {
    intend(this, this.#host, { kind: "patch", url, ...(options.replace && { replace: true }) });
  }

  /** Goes to another live page over the same WebSocket (no reload); a URL that is no route loads in full. */
  pushNavigate(url: string, options: PushOptions = {}): void {
    intend(this, this.#host, { kind: "navigate", url, ...(options.replace && { replace: true }) });
  }

  /** Leaves the page: a full page load of `url`. */
  redirect(url: string): void {
    intend(this, this.#host, { kind: "redirect", url });
  }

  /**
   * Shows `text` once in the page's flash container (`[hl-flash]`), as `<p class="hl-flash-KIND">`;
   * it survives a `pushNavigate` and clears itself after a few seconds or on click.
   *
   * @example
   * onSave() { this.flash("info", "Saved"); this.pushNavigate("/orders"); }
   */
  flash(kind: string, text: string): void {
    intend(this, this.#host, { flash: [kind, text] });
  }

  // ---------- Children (server/core/children.ts, docs/components.md) ----------

  /**
   * Renders a child component inside this one's `render()`: a component of its own (its own
   * state, events and patches; on a live page its own instance on the same connection), mounted
   * the first time a render names it with `params` (server-given, signed) and kept while each
   * render names it again with the same `id` (unique among this component's children). Its
   * events go to it (`hl-target="parent"` sends one to this component instead).
   *
   * @example
   * render() {
   *   return html`<ul>${this.state.ids.map((id) => this.child("todo-item", { id }, `item-${id}`))}</ul>`;
   * }
   */
  child(name: string, params: Record<string, unknown> = {}, id: string = name): Raw {
    return renderChild(this, name, params, id);
  }

  /**
   * Sends `props` to this component's child `id` (live on the same page): its `update(props)`
   * runs, then it re-renders and patches its own root. A child that is not live (yet) or gone: a
   * log line, nothing else.
   *
   * @example
   * onReset() { this.sendUpdate("clock", { seconds: 0 }); }
   */
  sendUpdate(id: string, props: Record<string, unknown> = {}): void {
    this.#host?.sendUpdate?.(id, props);
  }

  /**
   * Sends `event` to the parent that rendered this component: its `on<Event>(payload)` handler
   * runs (like a client's event, without a ref), then the parent re-renders and patches. A parent
   * that is gone (or none): a log line, nothing else.
   *
   * @example
   * onPick(p: { value: string }) { this.emit("picked", { value: p.value }); } // the parent's onPicked
   */
  emit(event: string, payload: Record<string, unknown> = {}): void {
    this.#host?.emit?.(event, payload);
  }

  /**
   * What a parent's `sendUpdate(id, props)` does to this child before it re-renders: by default,
   * merges `props` into `this.state`. Override it to pick or validate (it may be async).
   */
  update(props: Record<string, unknown>): void | Promise<void> {
    Object.assign(this.state, props);
  }
}

/** The empty set every instance starts with (never mutated: a new set replaces it). */
const NONE: ReadonlySet<string> = new Set();
const NO_PRESENCE: PresenceList = Object.freeze({}) as PresenceList;
const NO_CONTEXT: ComponentContext = Object.freeze({});
const NO_SERVICES = Object.freeze({}) as HotlineServices;

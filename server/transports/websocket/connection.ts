import type { Duplex } from "node:stream";
import type { WebSocket } from "ws";
import type { HotlineUser } from "../../core/context.js";
import { HotlineError } from "../../core/errors.js";
import type { Hub } from "../../live/hub.js";
import type { LiveInstance, Viewer } from "../../live/instance.js";
import { errorFrame, pongFrame, withDevStack } from "../../live/frames.js";
import { M, T } from "../../../protocol/wire.js";
import { SpanKind } from "@opentelemetry/api";
import { Attr, clip, instanceId, SpanNames, type Op, type Telemetry } from "../../telemetry/telemetry.js";
import { BadMessage, DEFAULT_MESSAGE_LIMITS, depthExceeded, parseMessage, type EventMessage, type JoinMessage, type MessageLimits } from "./messages.js";
import { RateLimiter, type ResolvedRateLimit } from "./rate-limit.js";
import { UploadManager } from "../../live/uploads/manager.js";
import { DEFAULT_UPLOAD_LIMITS, type ResolvedUploadLimits } from "../../live/uploads/limits.js";
import type { UploadClientMessage } from "../../live/uploads/messages.js";
import { CloseCodes } from "../../../protocol/close-codes.js";
import { linkChild, parentFor } from "../../live/children.js";
import { afterJoin, openForJoin, patchUrl } from "../../live/navigation.js";
import { dropHeld, flushHeld, sendInTurn, type TurnSink } from "../../live/turn.js";
import { directSocket, writeFrame } from "./frame-writer.js";
import type { LiveSocket } from "./live-socket.js";
import { View } from "./view.js";

/**
 * What a connection needs from its transport: one object shared by every connection of the
 * transport (per-connection things are the constructor's other arguments).
 */
export interface ConnectionOptions {
  /** the per-connection message limit (`resolveRateLimit()`); default: its defaults */
  rateLimit?: ResolvedRateLimit;
  /** Close (1013) a connection whose unsent data passes this many bytes. */
  maxBufferedBytes: number;
  /** How long a closing connection may take before it is cut. */
  closeGraceMs: number;
  /** Nesting depth and params size of one message. Default {@link DEFAULT_MESSAGE_LIMITS}. */
  messageLimits?: Readonly<MessageLimits>;
  /** Instances joined (or joining) at once; a join past it is `too_large`. Default 100. */
  maxInstances?: number;
  /** Upload limits (docs/uploads.md). Default {@link DEFAULT_UPLOAD_LIMITS}. */
  uploads?: ResolvedUploadLimits;
  /** Called once the connection's socket has closed (the transport forgets it). */
  onClose?: (connection: Connection) => void;
}

const OPEN = 1;
/** How every error frame starts (frames.ts writes `t` first): telemetry reads an event's outcome from it. */
const ERROR_START = JSON.stringify({ [M.type]: T.error }).slice(0, -1);
const TRANSPORT = "websocket";

/**
 * One WebSocket connection: it checks and rate-limits the client's messages, keeps the instances
 * joined on it by their client-chosen id, and sends (closing a client that stops reading).
 */
export class Connection implements TurnSink {
  readonly ws: WebSocket;
  readonly #hub: Hub;
  readonly #opts: ConnectionOptions;
  readonly #limit: RateLimiter;
  // The views joined here, by the id their client chose: the lone one in a field, a Map from the
  // second on (most connections join one; a Map, or a map object of any kind, would cost an object more per connection).
  #view: View | undefined = undefined;
  #views: Map<string, View> | undefined = undefined;
  readonly #tel: Telemetry;
  /** Where data frames are written directly, when no extension was negotiated (frame-writer.ts). */
  readonly #direct: Duplex | undefined;
  /** Events being measured, by id and ref: an error frame sent for one of them is its outcome. */
  #watch: Map<string, Op> | undefined;
  /** Made on the first upload message: most connections never upload. */
  #uploads: UploadManager | undefined;
  #closed = false;
  /** @internal Frames sent after another in the same turn wait for its end here (live/turn.ts). */
  held: (string | Buffer)[] | undefined = undefined;
  /** Heartbeat: set by any sign of life, cleared by each ping round. */
  alive = true;

  /** Who is connected: what the app's `authenticate()` resolved from the upgrade request. */
  readonly user: HotlineUser | null;
  /** The user's key (sign-out finds the connection by it). */
  readonly userKey: string | undefined;

  /** The client's address (the proxy's, unless `trustProxy`): the owner of its anonymous sessions in the store. */
  readonly address: string | undefined;

  /**
   * `socket` is the one given to `handleUpgrade`: data frames go to it directly when no extension
   * was negotiated (frame-writer.ts).
   */
  constructor(ws: LiveSocket, hub: Hub, opts: ConnectionOptions, user: HotlineUser | null = null, userKey?: string, address?: string, socket?: Duplex) {
    this.ws = ws;
    this.address = address;
    this.user = user;
    this.userKey = userKey;
    this.#hub = hub;
    this.#opts = opts;
    this.#limit = new RateLimiter(opts.rateLimit);
    this.#tel = hub.telemetry;
    this.#direct = directSocket(ws, socket);
    // the socket hands its events to the connection (live-socket.ts)
    ws.connection = this;
  }

  /** Instances joined on this connection. */
  get joined(): number {
    return this.#views !== undefined ? this.#views.size : this.#view === undefined ? 0 : 1;
  }

  #viewOf(id: string): View | undefined {
    if (this.#views !== undefined) return this.#views.get(id);
    const v = this.#view;
    return v !== undefined && v.id === id ? v : undefined;
  }

  #addView(view: View): void {
    if (this.#views !== undefined) this.#views.set(view.id, view);
    else if (this.#view === undefined) this.#view = view;
    else {
      this.#views = new Map([[this.#view.id, this.#view], [view.id, view]]);
      this.#view = undefined;
    }
  }

  /** Removes `view` when it is the one joined under its id; false otherwise. */
  #dropView(view: View): boolean {
    if (this.#views !== undefined) return this.#views.get(view.id) === view && this.#views.delete(view.id);
    if (this.#view !== view) return false;
    this.#view = undefined;
    return true;
  }

  /** Sends a frame; a client too far behind is closed with 1013 and its buffers freed. */
  send(frame: string | Buffer): void {
    if (this.#watch?.size && typeof frame === "string" && frame.startsWith(ERROR_START)) this.#noteError(frame);
    if (!this.#closed) sendInTurn(this, frame);
  }

  /** @internal Puts a frame on the socket now (live/turn.ts decides when). */
  writeNow(frame: string | Buffer): void {
    const ws = this.ws;
    if (this.#closed || ws.readyState !== OPEN) return;
    writeFrame(ws, this.#direct, frame);
    if (ws.bufferedAmount > this.#opts.maxBufferedBytes) this.close(CloseCodes.tryAgainLater, "try again later");
  }

  /** Closes with `code`; the socket is cut if the close handshake does not finish in time. */
  close(code: number, reason: string): void {
    if (this.ws.readyState >= 2) return;
    // What was sent before the close (the error that explains it) leaves first.
    flushHeld(this);
    this.gone();
    this.ws.close(code, reason);
    const ws = this.ws;
    setTimeout(() => ws.terminate(), this.#opts.closeGraceMs).unref();
  }

  /** A frame from the client (the socket's "message" listener). */
  receive(data: Buffer, isBinary: boolean): void {
    if (this.#closed) return;
    this.alive = true;
    // Upload chunks are paced by their window (the manager), not the message rate: only refused ones count.
    let refusedChunk: HotlineError | undefined;
    if (isBinary && this.#uploads && !(refusedChunk = this.#uploads.chunk(data))) return;
    if (!this.#limit.take()) {
      this.#tel.refused("messages", TRANSPORT);
      const { ref, id } = peek(data, isBinary);
      this.send(errorFrame(new HotlineError("rate_limited", "too many messages; slow down"), ref, id));
      if (this.#limit.strike()) this.close(CloseCodes.policy, "too many messages");
      return;
    }
    if (refusedChunk) {
      this.#limit.penalize();
      return this.send(errorFrame(refusedChunk));
    }
    let m;
    try {
      m = parseMessage(data, isBinary, this.#opts.messageLimits ?? DEFAULT_MESSAGE_LIMITS);
    } catch (err) {
      const e = err instanceof BadMessage ? err : new BadMessage("not a valid message");
      this.#limit.penalize();
      this.send(errorFrame(e, e.ref, e.id));
      return;
    }
    switch (m.t) {
      case T.ping:
        this.send(pongFrame(m.ref));
        return;
      case T.join:
        return this.#join(m);
      case T.event:
        return this.#event(m);
      case T.leave: {
        const view = this.#viewOf(m.id);
        if (!view) return this.#notJoined(m);
        this.#dropView(view);
        view.left = true;
        void this.#uploads?.left(m.id);
        if (view.dormant) this.#hub.forget(view.dormant);
        if (view.live) {
          view.live.leave(view);
          if (this.#tel.on) this.#tel.left(view.live.name, view.live);
        }
        return;
      }
      case T.upload:
      case T.uploadCancel:
      case T.uploadProgress:
        return this.#upload(m as UploadClientMessage);
      case T.url: {
        const view = this.#joined(m);
        if (!view) return;
        const live = view.live;
        patchUrl(live, view, m.ref, m.url).catch((err: unknown) => this.#fail(this.#safe(err, live.name), m.ref, m.id));
        return;
      }
    }
  }

  /** The view `m` is for, joined on this connection; else `not_joined` is answered and undefined returned. */
  #joined(m: { ref?: number; id: string }): (View & { live: LiveInstance }) | undefined {
    const view = this.#viewOf(m.id);
    if (view?.dormant) this.#wake(view, m.ref);
    if (view?.live) return view as View & { live: LiveInstance };
    this.#notJoined(m);
    return undefined;
  }

  /** Wakes the view's hibernated session (docs/hibernation.md); a failure ends the view (its client is told). */
  #wake(view: View, ref: number | undefined): void {
    const dormant = view.dormant!;
    wakingRef = ref;
    try {
      this.#hub.wake(dormant);
    } catch (err) {
      this.#hub.env.ctx.log(`component "${dormant.name}": a hibernated session failed to wake`, err);
    } finally {
      wakingRef = undefined;
    }
  }

  /** @internal A view whose hibernated session could not be woken: it is gone, and its client is told to join again. */
  lost(view: View): void {
    if (!this.#dropView(view)) return;
    view.left = true;
    // the message that woke it gets this answer (its ref), so that its client clears its loading state
    this.#fail(new HotlineError("bad_state", "this session could not be resumed: join again"), wakingRef, view.id);
  }

  #notJoined(m: { ref?: number; id: string }): void {
    this.#fail(new HotlineError("not_joined", "no instance with this id is joined"), m.ref, m.id);
  }

  /** An upload message (docs/uploads.md) for an instance joined on this connection. */
  #upload(m: UploadClientMessage): void {
    const view = this.#joined(m);
    if (!view) return;
    this.#uploads ??= new UploadManager(
      { send: (f) => this.send(f), pause: () => this.ws.pause(), resume: () => this.ws.resume(), log: (msg, err) => this.#hub.env.ctx.log(msg, err) },
      this.#opts.uploads ?? DEFAULT_UPLOAD_LIMITS,
      this.#hub.env.ctx.options.maxPayload,
    );
    this.#uploads.message(m, view.live, m.id);
  }

  #join(m: JoinMessage): void {
    if (this.#viewOf(m.id)) {
      this.#limit.penalize();
      return this.#fail(new HotlineError("bad_message", "an instance with this id is already joined on this connection"), m.ref, m.id);
    }
    // Each instance holds its state, params and subscriptions for as long as it is joined.
    const maxInstances = this.#opts.maxInstances ?? 100;
    if (this.joined >= maxInstances) {
      this.#limit.penalize();
      return this.#fail(new HotlineError("too_large", `too many components on this connection (at most ${maxInstances})`), m.ref, m.id);
    }
    // A child (`this.child()`) joins under a parent of this connection, with an id in its scope.
    const parent = m[M.parent] === undefined ? undefined : this.#viewOf(m[M.parent]);
    if (m[M.parent] !== undefined && !m.id.startsWith(`${m[M.parent]}:`)) {
      this.#limit.penalize();
      return this.#fail(new HotlineError("unauthorized", "a child's id is its parent's id, a colon, then its own"), m.ref, m.id);
    }
    // A parent not joined here (yet, or any more: after a restart its session join failed and its
    // token join is on its way) is bad_state, the client's cue to join the child again after it.
    if (m[M.parent] !== undefined && !parent) {
      this.#limit.penalize();
      return this.#fail(new HotlineError("bad_state", "the parent is not joined on this connection: join it first"), m.ref, m.id);
    }
    // a route's page joined by URL names no component: "" until openForJoin has resolved it
    const view = new View(m.id, this, m.name ? undefined : "");
    this.#addView(view);
    if (!this.#tel.on) {
      view.ready = this.#open(m, view, undefined, parent);
      return;
    }
    const op = this.#tel.begin(SpanNames.join, { [Attr.component]: clip(m.name), [Attr.format]: m.format, [Attr.transport]: TRANSPORT }, SpanKind.SERVER);
    // Run in the join's context: the store loads, renders and saves it starts are its children.
    view.ready = this.#tel.run(op, () => this.#open(m, view, op, parent));
  }

  async #open(m: JoinMessage, view: View, op: Op | undefined, parent?: View): Promise<LiveInstance | undefined> {
    let live: LiveInstance | undefined;
    try {
      const local = parent && m.id.slice(m[M.parent]!.length + 1);
      const up = parent && (await parentFor(parent.ready ?? Promise.resolve(parent.live), local!, m.name));
      // a route's page (docs/navigation.md): its name and params may come from its URL (the view
      // was made `named` then: openForJoin sets m.name)
      const opened = await openForJoin(this.#hub, m, this.user, this.userKey, this.address);
      live = opened.live;
      view.key = opened.key;
      if (view.named !== undefined) view.named = m.name;
      await live.join(view, m.ref);
      if (op) this.#tel.joined(op, clip(m.name), live, TRANSPORT);
      if (view.left || this.#closed) {
        live.leave(view);
        return undefined;
      }
      view.live = live;
      view.ready = undefined;
      if (up) linkChild(up, live, local!);
      afterJoin(live, view);
      return live;
    } catch (err) {
      this.#dropView(view);
      const safe = this.#safe(err, m.name);
      if (op) {
        op.code = safe.code;
        this.#tel.joined(op, clip(m.name), live, TRANSPORT);
      }
      this.#fail(safe, m.ref, m.id);
      return undefined;
    }
  }

  #event(m: EventMessage): void {
    const view = this.#viewOf(m.id);
    if (!view) return this.#notJoined(m);
    if (view.dormant) {
      this.#wake(view, m.ref);
      if (!view.live) return;
    }
    if (view.live) {
      if (this.#tel.on) void this.#measured(view.live, view, m);
      else void view.live.event(view, m.ref, m.event, m.payload);
      return;
    }
    void view.ready!.then((live) => {
      if (live && !view.left && view.live) return this.#tel.on ? this.#measured(live, view, m) : live.event(view, m.ref, m.event, m.payload);
      this.#notJoined(m);
    });
  }

  /**
   * An event with its span active while the instance queues and runs it (its renders and saves
   * are the span's children); its outcome is the error frame, if any, sent for its ref.
   */
  #measured(live: LiveInstance, viewer: Viewer, m: EventMessage): Promise<void> {
    const tel = this.#tel;
    const event = clip(m.event);
    const op = tel.begin(SpanNames.event, { [Attr.component]: live.name, [Attr.instance]: instanceId(live), [Attr.event]: event, [Attr.transport]: TRANSPORT }, SpanKind.SERVER);
    const key = `${m.id}\n${m.ref ?? ""}`;
    const watch = (this.#watch ??= new Map());
    watch.set(key, op);
    return tel.run(op, () => live.event(viewer, m.ref, m.event, m.payload).then(() => live.sent())).finally(() => {
      if (watch.get(key) === op) watch.delete(key);
      tel.handled(op, live.name, event, live, TRANSPORT);
    });
  }

  /** An error frame sent while events are measured: the outcome of the event with its id and ref. */
  #noteError(frame: string): void {
    try {
      const e = JSON.parse(frame) as Record<string, unknown>;
      const op = this.#watch!.get(`${e[M.id]}\n${e[M.ref] ?? ""}`);
      const code = e[M.code];
      if (op && typeof code === "string") op.code = code;
    } catch {
      // not ours to judge: the frame is sent as it is
    }
  }

  #fail(err: HotlineError, ref?: number, id?: string): void {
    this.send(errorFrame(err, ref, id));
  }

  /** A client-safe error; the app's own failures are logged and told generically. */
  #safe(err: unknown, name: string): HotlineError {
    if (err instanceof HotlineError && err.fault === "client") return err;
    const cause = err instanceof HotlineError ? (err.cause ?? err) : err;
    this.#hub.env.ctx.log(`component "${name}": join failed`, cause);
    const safe = new HotlineError("handler_error", "the component failed to start", { fault: "app" });
    // development mode: the overlay shows why (a render that throws after an edit, say)
    return this.#hub.env.ctx.options.dev ? withDevStack(safe, cause) : safe;
  }

  /** @internal Its socket has closed (`ws` emits "close" once: live-socket.ts): the transport is told. */
  closed(): void {
    this.#opts.onClose?.(this);
  }

  /** The connection is gone (or going): every instance joined on it is left. */
  gone(): void {
    if (this.#closed) return;
    this.#closed = true;
    dropHeld(this);
    void this.#uploads?.close();
    const views = this.#views !== undefined ? [...this.#views.values()] : this.#view !== undefined ? [this.#view] : [];
    this.#view = this.#views = undefined;
    for (const view of views) {
      view.left = true;
      if (view.dormant) this.#hub.forget(view.dormant);
      if (view.live) {
        view.live.leave(view);
        if (this.#tel.on) this.#tel.left(view.live.name, view.live);
      }
    }
  }
}

/** The ref of the message whose view is being woken (a failed wake answers it). */
let wakingRef: number | undefined;

/** The ref and id of a message refused unread, when it has valid ones (so the client can clear its loading state). */
function peek(data: Buffer, isBinary: boolean): { ref?: number; id?: string } {
  if (isBinary || data.length > 4096 || depthExceeded(data, 16) >= 0) return {};
  try {
    const m = JSON.parse(data.toString("utf8")) as { ref?: unknown; id?: unknown };
    const ref = Number.isSafeInteger(m.ref) && (m.ref as number) > 0 ? (m.ref as number) : undefined;
    const id = typeof m.id === "string" && m.id.length > 0 && m.id.length <= 128 ? m.id : undefined;
    return { ref, id };
  } catch {
    return {};
  }
}

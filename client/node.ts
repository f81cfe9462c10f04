/**
 * The DOM-free client: speaks protocol v1 over any WebSocket constructor (the `ws` package in Node,
 * the global one in a browser) and keeps each instance's Rendered tree, for tests, the CLI and load
 * benchmarks. It does not reconnect; the browser client does (client/socket.ts).
 */
import { M, R, T, type Format } from "../protocol/wire.js";
import { CloseCodes } from "../protocol/close-codes.js";
import type { ErrorCode } from "../protocol/codes.js";
import { Rendered, DiffError } from "./rendered.js";

/** The part of a WebSocket this client uses (the browser's and `ws`'s both fit). */
export interface WSLike {
  readyState: number;
  send(data: string): void;
  close(code?: number): void;
  onopen: ((ev: any) => void) | null;
  onmessage: ((ev: any) => void) | null;
  onclose: ((ev: any) => void) | null;
  onerror: ((ev: any) => void) | null;
}
/** A WebSocket constructor, e.g. `import { WebSocket } from "ws"`. */
export type WSCtor = new (url: any, ...rest: any[]) => WSLike;

/** A server message, as parsed. */
export type Msg = { [M.type]: string; [M.ref]?: number; [M.id]?: string; [k: string]: unknown };

/** An `error` answer, thrown by the promise of the message that caused it. */
export class ClientError extends Error {
  constructor(
    readonly code: ErrorCode | "closed",
    message: string,
    readonly ref?: number,
    readonly id?: string,
  ) {
    super(message);
    this.name = "ClientError";
  }
}

/** Options of `join`, beside `params`; sent as they are, so each is named by its wire key. */
export interface JoinOptions {
  /** A signed state token issued by the server (hydrates instead of mounting). */
  [M.state]?: string;
  /** The `session` key of an earlier `ok` (resumes from the state store). */
  [M.session]?: string;
  /** The answer format: `"html"` (the default) or `"sdui"`. */
  [M.format]?: Format;
}

type Pending = { ok: (v: any) => void; no: (e: Error) => void; acc: Msg[] };

/**
 * A connected client.
 *
 * @example
 * import { WebSocket } from "ws";
 * const c = await connect("ws://localhost:3000/live", { WebSocket });
 * await c.join("c1", "counter", { start: 1 });
 * await c.event("c1", "increment", {});
 * c.html("c1"); // the counter's current HTML
 */
export class HotlineClient {
  #ws: WSLike;
  #ref = 0;
  #pending = new Map<number, Pending>();
  #views = new Map<string, { rendered: Rendered | null; html: string; session?: string; name: string }>();
  #onPatch: ((id: string, msg: Msg) => void)[] = [];
  #onMessage: ((msg: Msg) => void)[] = [];

  constructor(ws: WSLike) {
    this.#ws = ws;
    ws.onmessage = (ev) => this.#receive(String(ev.data));
    ws.onclose = () => {
      for (const [ref, p] of this.#pending) p.no(new ClientError("closed", "connection closed", ref));
      this.#pending.clear();
    };
  }

  /** Attaches an instance of component `name` under `id`; resolves with the `ok`. */
  join(id: string, name: string, params?: Record<string, unknown>, opts: JoinOptions = {}): Promise<Msg> {
    return this.#send({ [M.type]: T.join, [M.id]: id, [M.name]: name, ...(params && { [M.params]: params }), ...opts }).then(([ok]) => {
      let rendered: Rendered | null = null;
      if (ok![R.root] !== undefined) rendered = Rendered.fromJoin(ok!);
      this.#views.set(id, { rendered, html: String(ok![M.html] ?? ""), session: ok![M.session] as string, name });
      return ok!;
    });
  }

  /**
   * Sends an event; resolves with its answers: one `patch`, or every step of a streaming handler
   * (resolving on the one with `done: true`). An `error` answer rejects with a ClientError.
   */
  event(id: string, event: string, payload: Record<string, unknown> = {}): Promise<Msg[]> {
    return this.#send({ [M.type]: T.event, [M.id]: id, [M.event]: event, [M.payload]: payload });
  }

  /** Detaches an instance. The protocol defines no answer to `leave`, so this resolves once sent. */
  async leave(id: string): Promise<void> {
    this.#views.delete(id);
    this.#ws.send(JSON.stringify({ [M.type]: T.leave, [M.ref]: ++this.#ref, [M.id]: id }));
  }

  /** Resolves with the round trip in milliseconds. */
  async ping(): Promise<number> {
    const t0 = performance.now();
    await this.#send({ [M.type]: T.ping });
    return performance.now() - t0;
  }

  /** The instance's current HTML (from its tree, or the last full HTML when the server sent none). */
  html(id: string): string | undefined {
    const v = this.#views.get(id);
    return v && (v.rendered ? v.rendered.toHTML() : v.html);
  }

  /** The session key of the instance's last `ok`. */
  session(id: string): string | undefined {
    return this.#views.get(id)?.session;
  }

  /** Called after each patch has been applied (the tree already holds it). Returns an unsubscribe. */
  onPatch(fn: (id: string, msg: Msg) => void): () => void {
    return sub(this.#onPatch, fn);
  }

  /** Called with every message from the server before it is handled (push, error, pong, …). */
  onMessage(fn: (msg: Msg) => void): () => void {
    return sub(this.#onMessage, fn);
  }

  /** Closes the connection; pending promises reject with code "closed". */
  close(): void {
    this.#ws.close(CloseCodes.normal);
  }

  #send(m: Record<string, unknown>): Promise<Msg[]> {
    const ref = ++this.#ref;
    return new Promise((ok, no) => {
      this.#pending.set(ref, { ok, no, acc: [] });
      this.#ws.send(JSON.stringify({ ...m, [M.ref]: ref }));
    });
  }

  #receive(data: string): void {
    let m: Msg;
    try {
      m = JSON.parse(data);
    } catch {
      return;
    }
    for (const f of this.#onMessage) f(m);
    const ref = m[M.ref];
    const id = m[M.id];
    const p = ref === undefined ? undefined : this.#pending.get(ref);
    if (m[M.type] === T.patch && id !== undefined) {
      const v = this.#views.get(id);
      if (v && !v.rendered && m[R.root] !== undefined) v.rendered = Rendered.fromJoin(m);
      else if (v?.rendered) {
        try {
          v.rendered.apply(m);
        } catch (e) {
          if (!(e instanceof DiffError)) throw e;
          // the tree can no longer be trusted: take a fresh one from the server
          void this.#rejoin(id);
        }
      } else if (v && typeof m[M.html] === "string") v.html = m[M.html] as string;
      for (const f of this.#onPatch) f(id, m);
    }
    if (!p) return;
    if (m[M.type] === T.error) {
      this.#pending.delete(ref!);
      p.no(new ClientError(m[M.code] as ErrorCode, String(m[M.message] ?? ""), ref, id));
      return;
    }
    p.acc.push(m);
    if (m[M.done] === false) return; // a streaming step; more follow
    this.#pending.delete(ref!);
    p.ok(p.acc);
  }

  async #rejoin(id: string): Promise<void> {
    const v = this.#views.get(id);
    if (!v) return;
    await this.leave(id);
    await this.join(id, v.name, undefined, v.session ? { [M.session]: v.session } : {}).catch(() => {});
  }
}

function sub<F>(list: F[], fn: F): () => void {
  list.push(fn);
  return () => void list.splice(list.indexOf(fn) >>> 0, 1);
}

/**
 * Opens a connection; resolves once it is open.
 *
 * @example
 * const c = await connect("ws://localhost:3000/live", { WebSocket });
 */
export function connect(url: string, opts: { WebSocket: WSCtor; protocols?: string | string[]; wsOptions?: unknown }): Promise<HotlineClient> {
  const ws = new opts.WebSocket(url, opts.protocols, opts.wsOptions);
  return new Promise((ok, no) => {
    ws.onopen = () => ok(new HotlineClient(ws));
    ws.onerror = (e: any) => no(e?.error ?? new Error(`hotline: cannot connect to ${url}`));
  });
}

// A raw protocol client for the WebSocket transport's tests: sends exactly the frames a test writes
// and lets it wait for exactly the frames it expects.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { WebSocket, type ClientOptions } from "ws";
import { createHotline, type Hotline, type HotlineOptions } from "../../server/hotline.js";

export type Msg = { t: string; ref?: number; id?: string; [k: string]: any };

export class TestClient {
  readonly ws: WebSocket;
  /** every frame received, parsed, in order */
  readonly log: Msg[] = [];
  /** every frame received, raw */
  readonly raw: string[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #unread: Msg[] = [];
  #waiters: { pred: (m: Msg) => boolean; ok: (m: Msg) => void }[] = [];
  #ref = 0;

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on("message", (data) => {
      const s = String(data);
      this.raw.push(s);
      const m = JSON.parse(s) as Msg;
      this.log.push(m);
      const w = this.#waiters.findIndex((x) => x.pred(m));
      if (w >= 0) this.#waiters.splice(w, 1)[0]!.ok(m);
      else this.#unread.push(m);
    });
    this.closed = new Promise((resolve) => ws.on("close", (code, reason) => resolve({ code, reason: String(reason) })));
  }

  static open(url: string, options: ClientOptions = {}): Promise<TestClient> {
    const ws = new WebSocket(url, options);
    return new Promise((ok, no) => {
      ws.once("open", () => ok(new TestClient(ws)));
      ws.once("error", no);
      ws.once("unexpected-response", (_req, res) => no(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode })));
    });
  }

  /** Sends an object (or a raw string/Buffer) as is. */
  send(m: unknown, binary = false): void {
    this.ws.send(typeof m === "string" || Buffer.isBuffer(m) ? m : JSON.stringify(m), { binary });
  }

  /** The next frame matching `pred` (one already received, or one to come). */
  next(pred: (m: Msg) => boolean = () => true, ms = 3000): Promise<Msg> {
    const i = this.#unread.findIndex(pred);
    if (i >= 0) return Promise.resolve(this.#unread.splice(i, 1)[0]!);
    return new Promise((ok, no) => {
      const w = { pred, ok: (m: Msg) => (clearTimeout(t), ok(m)) };
      const t = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(w) >>> 0, 1);
        no(new Error(`no matching frame in ${ms} ms; got ${JSON.stringify(this.log.slice(-5))}`));
      }, ms);
      this.#waiters.push(w);
    });
  }

  /** Sends `m` with a fresh ref; resolves with its final answer (an error, or a frame whose done is not false). */
  async request(m: Record<string, unknown>): Promise<Msg> {
    const ref = ++this.#ref + 1000;
    this.send({ ...m, ref });
    return this.next((x) => x.ref === ref && (x.t === "error" || x.done !== false));
  }

  join(id: string, name: string, extra: Record<string, unknown> = {}): Promise<Msg> {
    return this.request({ t: "join", id, name, ...extra });
  }

  event(id: string, event: string, payload?: Record<string, unknown>): Promise<Msg> {
    return this.request({ t: "event", id, event, ...(payload && { payload }) });
  }

  /** Frames received so far that match `pred`. */
  all(pred: (m: Msg) => boolean): Msg[] {
    return this.log.filter(pred);
  }

  close(): void {
    this.ws.terminate();
  }
}

/** A real node:http server on 127.0.0.1, port 0, with a Hotline attached. */
export async function startServer(options: HotlineOptions = {}): Promise<{ hotline: Hotline; server: Server; url: string; http: string; stop(): Promise<void> }> {
  const hotline = createHotline({ secret: "test-secret-0123456789abcdef", logger: { error() {} }, ...options });
  const server = createServer((req, res) => void hotline.handler(req, res));
  hotline.attach(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  return {
    hotline, server,
    url: `ws://127.0.0.1:${port}/live`,
    http: `http://127.0.0.1:${port}`,
    async stop() {
      await hotline.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

import type { IncomingMessage, Server } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer, type Server as WsServer } from "ws";
import type { AppContext } from "../../live/context.js";
import type { Hub } from "../../live/hub.js";
import { clientAddress, originAllowed } from "../http/origin.js";
import { resolveRateLimit, type RateLimitOptions } from "./rate-limit.js";
import { DEFAULT_MESSAGE_LIMITS } from "./messages.js";
import { Connection, type ConnectionOptions } from "./connection.js";
import { LiveSocket } from "./live-socket.js";
import type { HotlineUser } from "../../core/context.js";
import { userKey } from "../../core/identity.js";
import { CloseCodes } from "../../../protocol/close-codes.js";
import { wsDeflateOptions, type PerMessageDeflateOptions } from "./deflate.js";
import { resolveUploadLimits, type ResolvedUploadLimits, type UploadLimits } from "../../live/uploads/limits.js";

/** Options of the WebSocket transport, beside the shared ones in the context. */
export interface WebSocketOptions {
  /** The per-connection rate limit. Default 50 messages/s, bursts of 100. */
  rateLimit?: RateLimitOptions;
  /** Interval of ws pings; a connection that has not answered the previous one is cut. Default 30 s; 0 turns it off. */
  heartbeatMs?: number;
  /** A connection with more unsent bytes than this is closed with 1013. Default 1 MiB. */
  maxBufferedBytes?: number;
  /** How long a close handshake may take before the socket is cut. Default 1 s. */
  closeGraceMs?: number;
  /** Deepest nesting of objects and arrays in a message's `params` or `payload`; deeper is `bad_message`. Default 8. */
  maxDepth?: number;
  /** Largest `params` of a join, in bytes of JSON; larger is `bad_message`. Default 4096. */
  maxParamsBytes?: number;
  /** Components joined at once on one connection; a join past it is `too_large`. Default 100. */
  maxInstancesPerConnection?: number;
  /**
   * Open WebSocket connections per client address; past it the upgrade is refused with 429.
   * Default 256; 0 turns it off. The address is the app's (`createHotline({ trustProxy })`):
   * behind a reverse proxy without it, every client has the proxy's address.
   */
  maxConnectionsPerAddress?: number;
  /**
   * New connections per client address: `burst` at once, then `perSecond`; past it the upgrade
   * gets 429. A client closed for abuse (1008, 1009) must not get a fresh rate limit by reconnecting
   * at once. Default 20/s with bursts of 100 (a NAT'd office reconnecting after a restart fits);
   * `perSecond: 0` turns it off.
   */
  connectRate?: { perSecond?: number; burst?: number };
  /**
   * permessage-deflate: `true` for the defaults (threshold 64 bytes, level 1, context takeover),
   * or its settings. Default off. Only clients that offer it (browsers do) get compressed frames.
   */
  perMessageDeflate?: boolean | PerMessageDeflateOptions;
  /** File uploads' limits: bytes in flight per connection, bytes per upload, temp files (docs/uploads.md). */
  uploads?: UploadLimits;
}

/** Per client address: open sockets, and the token bucket of new ones. */
type AddressEntry = {
  open: number;
  tokens: number;
  at: number;
  readonly address: string;
  /** the map it is in (its transport's), and whether it stays there when nothing is open (a rate limit) */
  readonly table: Map<string, AddressEntry>;
  readonly keep: boolean;
};
/** Each counted socket's address entry: one "close" listener for them all, not a closure per socket. */
const counted = new WeakMap<Duplex, AddressEntry>();
function uncount(this: Duplex): void {
  const e = counted.get(this);
  if (!e) return;
  counted.delete(this);
  e.open--;
  if (e.open <= 0 && !e.keep) e.table.delete(e.address);
}
/** Past this many addresses tracked, idle ones (nothing open, bucket full) are dropped. */
const PRUNE_AT = 4096;

/**
 * The WebSocket transport (protocol v1, docs/protocol.md §1): upgrades on its path only (after
 * the origin check), one {@link Connection} per WebSocket, instances in a process-wide {@link Hub}.
 *
 * @example
 * const ws = new WebSocketTransport(ctx);
 * ws.attach(httpServer);
 * await ws.close(); // 1012 to every client
 */
export class WebSocketTransport {
  readonly ctx: AppContext;
  readonly hub: Hub;
  readonly connections = new Set<Connection>();
  readonly #wss: WsServer<typeof LiveSocket>;
  readonly #opts: Required<Omit<WebSocketOptions, "rateLimit" | "perMessageDeflate" | "uploads">> & { rateLimit?: RateLimitOptions };
  readonly #uploads: ResolvedUploadLimits;
  /** Open sockets (upgrading or upgraded) per client address, for `maxConnectionsPerAddress`. */
  readonly #perAddress = new Map<string, AddressEntry>();
  /** What every connection is given (one object, not one per connection). */
  readonly #connectionOptions: ConnectionOptions;
  readonly #servers = new Map<Server, (req: IncomingMessage, socket: Duplex, head: Buffer) => void>();
  #heartbeat: NodeJS.Timeout | undefined;
  #closing = false;

  constructor(ctx: AppContext, hub: Hub, options: WebSocketOptions = {}) {
    this.ctx = ctx;
    this.hub = hub;
    this.#opts = {
      heartbeatMs: options.heartbeatMs ?? 30_000,
      maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024,
      closeGraceMs: options.closeGraceMs ?? 1000,
      maxDepth: options.maxDepth ?? DEFAULT_MESSAGE_LIMITS.maxDepth,
      maxParamsBytes: options.maxParamsBytes ?? DEFAULT_MESSAGE_LIMITS.maxParamsBytes,
      maxInstancesPerConnection: options.maxInstancesPerConnection ?? 100,
      maxConnectionsPerAddress: options.maxConnectionsPerAddress ?? 256,
      connectRate: { perSecond: options.connectRate?.perSecond ?? 20, burst: options.connectRate?.burst ?? 100 },
      ...(options.rateLimit && { rateLimit: options.rateLimit }),
    };
    this.#uploads = resolveUploadLimits(options.uploads);
    this.#connectionOptions = {
      maxBufferedBytes: this.#opts.maxBufferedBytes,
      closeGraceMs: this.#opts.closeGraceMs,
      messageLimits: Object.freeze({ maxDepth: this.#opts.maxDepth, maxParamsBytes: this.#opts.maxParamsBytes }),
      maxInstances: this.#opts.maxInstancesPerConnection,
      uploads: this.#uploads,
      onClose: (connection) => void this.connections.delete(connection),
      rateLimit: resolveRateLimit(this.#opts.rateLimit),
    };
    this.#wss = new WebSocketServer({ noServer: true, maxPayload: ctx.options.maxPayload, clientTracking: false, perMessageDeflate: wsDeflateOptions(options.perMessageDeflate), WebSocket: LiveSocket });
  }

  /** @internal The upload limits every connection keeps (hotline/testing's uploads keep them too). */
  get uploadLimits(): ResolvedUploadLimits {
    return this.#uploads;
  }

  /** Takes the `upgrade` requests for the transport's path on `server`; other paths are left to other listeners. */
  attach(server: Server): void {
    if (this.#servers.has(server)) return;
    const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => void this.handleUpgrade(req, socket, head);
    server.on("upgrade", onUpgrade);
    this.#servers.set(server, onUpgrade);
  }

  /** Handles one upgrade request; false when it is not for this transport's path (nothing done). */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    if (pathOf(req.url) !== this.ctx.options.path) return false;
    if (this.#closing) {
      refuse(socket, 503, "Service Unavailable", "the server is shutting down");
      return true;
    }
    // Read once: the per-address limits and the store's owner of anonymous sessions both use it.
    const address = clientAddress(req, this.ctx.options.trustProxy);
    if (!this.#admitAddress(address, socket)) {
      refuse(socket, 429, "Too Many Requests", "too many connections from this address");
      return true;
    }
    if (!originAllowed(req, this.ctx.options)) {
      refuse(socket, 403, "Forbidden", "origin not allowed");
      return true;
    }
    const authenticate = this.ctx.authenticate;
    if (!authenticate) {
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#connection(ws, socket, null, address));
      return true;
    }
    // The user is resolved once, from the upgrade request (its cookies), before the socket opens.
    void (async () => {
      let user: HotlineUser | null;
      try {
        user = (await authenticate(req)) ?? null;
      } catch (err) {
        this.ctx.log("authenticate() failed on a WebSocket upgrade", err);
        return refuse(socket, 500, "Internal Server Error", "authentication failed");
      }
      if (socket.destroyed) return;
      this.#wss.handleUpgrade(req, socket, head, (ws) => this.#connection(ws, socket, user, address));
    })();
    return true;
  }

  /**
   * Counts the socket against its address until it closes (whatever ends it: a refusal, a failed
   * handshake, the client, the server); false when the address has no place left.
   */
  #admitAddress(address: string, socket: Duplex): boolean {
    const max = this.#opts.maxConnectionsPerAddress;
    const rate = this.#opts.connectRate.perSecond ?? 0;
    const burst = this.#opts.connectRate.burst ?? 0;
    if ((max <= 0 && rate <= 0) || socket.destroyed) return true;
    const now = performance.now();
    let e = this.#perAddress.get(address);
    if (!e) {
      if (this.#perAddress.size >= PRUNE_AT) this.#prune(now);
      this.#perAddress.set(address, (e = { open: 0, tokens: burst, at: now, address, table: this.#perAddress, keep: rate > 0 }));
    }
    if (max > 0 && e.open >= max) return false;
    if (rate > 0) {
      e.tokens = Math.min(burst, e.tokens + ((now - e.at) / 1000) * rate);
      e.at = now;
      if (e.tokens < 1) return false;
      e.tokens -= 1;
    }
    e.open++;
    counted.set(socket, e);
    socket.on("close", uncount);
    return true;
  }

  /** Drops the addresses with nothing open whose bucket has refilled: they are as if new. */
  #prune(now: number): void {
    const { perSecond = 0, burst = 0 } = this.#opts.connectRate;
    for (const [address, e] of this.#perAddress) {
      if (e.open <= 0 && (perSecond <= 0 || e.tokens + ((now - e.at) / 1000) * perSecond >= burst)) this.#perAddress.delete(address);
    }
  }

  #connection(ws: LiveSocket, socket: Duplex, user: HotlineUser | null, address: string): void {
    if (this.#closing) {
      ws.close(CloseCodes.restart, "server restarting");
      return;
    }
    const connection = new Connection(
      ws,
      this.hub,
      this.#connectionOptions,
      user,
      userKey(user, this.ctx.userKeyOf),
      // The store's quotas go by owner: the user, else this address (so one client's joins evict its own sessions first).
      address,
      socket,
    );
    this.connections.add(connection);
    this.#startHeartbeat();
  }

  /** Closes every connection of the user with this key (`hotline.signOut()`, from any process). */
  endUser(key: string): void {
    for (const c of this.connections) if (c.userKey === key) c.close(CloseCodes.signedOut, "signed out");
  }

  #startHeartbeat(): void {
    if (this.#heartbeat || this.#opts.heartbeatMs <= 0) return;
    // One timer for every connection: a connection that did not answer the last ping is cut.
    this.#heartbeat = setInterval(() => {
      for (const s of this.connections) {
        if (!s.alive) {
          s.ws.terminate();
          continue;
        }
        s.alive = false;
        try {
          s.ws.ping();
        } catch {
          s.ws.terminate();
        }
      }
    }, this.#opts.heartbeatMs);
    this.#heartbeat.unref();
  }

  /**
   * Graceful shutdown: refuses new connections, lets queued work finish (up to `timeoutMs`), saves
   * every instance's state, then closes every connection with 1012 (service restart).
   */
  async close(timeoutMs = 5000): Promise<void> {
    if (this.#closing) return;
    this.#closing = true;
    clearInterval(this.#heartbeat);
    for (const [server, fn] of this.#servers) server.off("upgrade", fn);
    this.#servers.clear();
    const lives = [...this.hub.lives];
    await withTimeout(Promise.all(lives.map((l) => l.drained())), timeoutMs);
    await withTimeout(Promise.all(lives.map((l) => l.save())), timeoutMs);
    const closed = [...this.connections].map(
      (s) => new Promise<void>((resolve) => {
        if (s.ws.readyState === 3) return resolve();
        s.ws.once("close", () => resolve());
        s.close(CloseCodes.restart, "server restarting");
      }),
    );
    await withTimeout(Promise.all(closed), timeoutMs);
    this.#wss.close();
  }
}

function pathOf(url: string | undefined): string {
  if (!url) return "";
  const q = url.indexOf("?");
  return q < 0 ? url : url.slice(0, q);
}

function refuse(socket: Duplex, status: number, text: string, body: string): void {
  if (!socket.writable) return void socket.destroy();
  socket.once("finish", () => socket.destroy());
  socket.end(
    `HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );
}

function withTimeout(p: Promise<unknown>, ms: number): Promise<unknown> {
  let t: NodeJS.Timeout;
  return Promise.race([p, new Promise((r) => (t = setTimeout(r, ms)))]).finally(() => clearTimeout(t));
}

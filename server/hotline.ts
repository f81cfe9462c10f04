import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { MemoryPubSub } from "../pubsub/memory.js";
import { MemoryPresence } from "../pubsub/presence-memory.js";
import type { Presence } from "../pubsub/presence.js";
import type { PubSub } from "../pubsub/pubsub.js";
import type { HotlineServices, HotlineUser, MountHook } from "./core/context.js";
import { userKey } from "./core/identity.js";
import type { Renderer } from "./core/renderer.js";
import { MemoryStore } from "./core/memory-store.js";
import { DEFAULT_MAX_PAYLOAD, DEFAULT_PATH } from "../protocol/wire.js";
import { registry as defaultRegistry, type Registry } from "./core/registry.js";
import type { StateStore } from "./core/store.js";
import { Tokens } from "./core/tokens.js";
import { ActivityFeed } from "./live/activity.js";
import { Hub } from "./live/hub.js";
import { live, type LiveOptions } from "./live/embed-page.js";
import { serveVendor, VENDOR_PATHS } from "./adapters/vendor.js";
import { ClientBundle, UPLOADS_SOURCE, uploadsScriptPath } from "./adapters/client-bundle.js";
import type { ResolvedOptions, AppContext } from "./live/context.js";
import { createHttpTransport } from "./transports/http/routes.js";
import { WebSocketTransport, type WebSocketOptions } from "./transports/websocket/transport.js";
import { limitLog, type LogLimitOptions } from "./live/log-limit.js";
import { instrumentApp } from "./telemetry/app.js";
import type { TelemetryOptions } from "./telemetry/telemetry.js";
import { createDevtools, type Devtools } from "./devtools/devtools.js";
import type { DevtoolsOptions } from "./devtools/options.js";
import { DEV_STORE_ENV, isDevScriptRequest, resolveDev } from "./dev/mode.js";
import { FileStore } from "./dev/file-store.js";
import { OVERLAY_SOURCE } from "./dev/overlay-bundle.js";
import { Routes, type Layout, type Route } from "./live/routes.js";
import { setRoutes } from "./live/navigation.js";
import { createPageHandler } from "./transports/http/pages.js";

/** The WebSocket transport's options that `createHotline()` takes as its own (documented on `WebSocketOptions`). */
const WEBSOCKET_OPTIONS = [
  "rateLimit", "heartbeatMs", "maxBufferedBytes", "maxDepth", "maxParamsBytes", "maxInstancesPerConnection",
  "maxConnectionsPerAddress", "connectRate", "perMessageDeflate", "uploads",
] as const;

/**
 * Options of {@link createHotline}. The WebSocket's (`rateLimit`, `heartbeatMs`, `maxBufferedBytes`,
 * `maxDepth`, `maxParamsBytes`, `maxInstancesPerConnection`, `maxConnectionsPerAddress`,
 * `connectRate`, `perMessageDeflate`, `uploads`) are those of `WebSocketOptions`.
 */
export interface HotlineOptions extends Pick<WebSocketOptions, (typeof WEBSOCKET_OPTIONS)[number]> {
  /** Components by name. Default: the default `registry` (the one `@register` fills). */
  registry?: Registry;
  /** Where states live between events and across reconnects. Default: a new MemoryStore. */
  store?: StateStore;
  /** The bus that fans model changes out. Default: a new MemoryPubSub (one process). */
  pubsub?: PubSub;
  /** Who is on which topic (`this.track()`), across processes. Default: a new MemoryPresence (one process); `RedisPresence` from hotline/redis for several. */
  presence?: Presence;
  /** The signing key of state tokens (several to rotate). Default: `HOTLINE_SECRET` (resolveSecret()). */
  secret?: string | string[];
  /** Origins allowed to connect. Default: the page's own origin, from the Host header. */
  allowedOrigins?: ResolvedOptions["allowedOrigins"];
  /** Whether a client that sends no Origin (not a browser) may connect. Default true. */
  allowMissingOrigin?: boolean;
  /**
   * Without `allowedOrigins`, a browser request is accepted when its Origin is the Host header's
   * origin and that host is trusted: listed here (`"app.example.com"`, `"app.example.com:8443"`,
   * `".example.com"` for subdomains), or a localhost name reached from a loopback address. A
   * foreign name pointed at the server (DNS rebinding) is refused. Default: localhost only; set
   * your public host names (or `allowedOrigins`) in production.
   */
  allowedHosts?: string[];
  /**
   * How many reverse proxies in front of the app append to `X-Forwarded-For` (`true`: one). Only
   * then is the client address (the key of the invalid-token limiter, of the WebSocket per-address limits and of anonymous sessions' store quota) read from that header. Default 0.
   */
  trustProxy?: boolean | number;
  /** How long an HTTP request body may take to arrive, in ms; a slower one gets 408. Default 10 000. */
  bodyTimeoutMs?: number;
  /** Largest frame or body, in bytes; a larger frame closes the socket with 1009. Default 64 KiB. */
  maxPayload?: number;
  /** WebSocket path. Default "/live". */
  path?: string;
  /** Prefix of the HTTP transport's routes. Default "/components". */
  httpPrefix?: string;
  /** Where the browser client is served. Default "/hotline.js". */
  clientPath?: string;
  /** How long a state is kept in the store after its last change, in ms. Default 30 minutes. */
  stateTtlMs?: number;
  /**
   * Most shared groups (distinct params) of one component class open at once in this process; a
   * join that would open one more is refused `rate_limited`. Default 1,000.
   */
  maxGroupsPerComponent?: number;
  /**
   * The summariser in front of the logger: a message is written at most `perMessage` times per
   * `windowMs` (all messages at most `total` times), then once as "… and N more like it". A
   * client's own faults are never logged with a stack. Default 10 per message, 100 in all, per 10 s.
   */
  logLimit?: LogLimitOptions;
  /**
   * The app's services, read by its components as `this.services` (type them by augmenting
   * `HotlineServices`). Two apps in one process may give the same components different services.
   */
  services?: HotlineServices;
  /** The renderer of components that set `templateName` and no `static renderer` (Nunjucks, say). */
  renderer?: Renderer;
  /**
   * Resolves who sends a request: the WebSocket upgrade request (once per connection) or an HTTP
   * request (cookies, headers); any value, or `null` for anonymous. May be async. Components read
   * it as `this.user`. `createCookieSession()` (hotline/session) gives one ready-made.
   */
  authenticate?: (request: IncomingMessage) => HotlineUser | null | undefined | Promise<HotlineUser | null | undefined>;
  /**
   * Hooks run before any component of this app mounts, hydrates or resumes, on every transport;
   * each may refuse (`false`: `unauthorized`) or redirect (`{ redirect: "/signin" }`).
   */
  onMount?: MountHook | MountHook[];
  /** The rule for subscriptions: false refuses `subscribe(topic)` (and a restored one) with `unauthorized`. */
  authorizeTopic?: (user: HotlineUser | null, topic: string) => boolean;
  /**
   * What identifies a user where Hotline binds something to one (session keys, tokens,
   * `signOut`). Default: the whole user value; give `(u) => u.id` to survive a change of name.
   */
  userKey?: (user: HotlineUser) => string;
  /** Where server-side problems are logged (with their stacks). Default `console`. */
  logger?: { error(...args: unknown[]): void };
  /**
   * Write-behind (docs/durability.md): an event's state write is handed to the store before its
   * patch is sent, and the patch does not wait for the store's answer unless the store is failing
   * or backlogged. `false`: every patch waits for its write's answer (save-before-send), the
   * stricter guarantee at the cost of a store round trip per event. Default true.
   *
   * @example
   * createHotline({ store: new RedisStore({ client: redis }), writeBehind: false });
   */
  writeBehind?: boolean;
  /**
   * Hibernation (docs/hibernation.md): a private session idle this long (no event, no message)
   * drops its instance and keeps its state as JSON; its next message rebuilds it and patches the
   * client's whole root. Only sessions that lose nothing by it hibernate (`static hibernate = false`
   * keeps a class's awake). It happens between this and twice this. Default 15,000; 0 never.
   */
  hibernateAfterMs?: number;
  /**
   * OpenTelemetry spans and metrics (docs/telemetry.md). Default: the global providers an
   * OpenTelemetry SDK registered before `createHotline()` ran; none registered, nothing is
   * recorded and nothing is spent. `{ tracerProvider, meterProvider }` sends them elsewhere;
   * `false` turns them off even with global providers.
   *
   * @example
   * createHotline({ telemetry: { tracerProvider: new BasicTracerProvider(), meterProvider } });
   */
  telemetry?: false | TelemetryOptions;
  /**
   * The devtools inspector (docs/devtools.md): a live page at `/hotline/devtools` showing every
   * process, its connections, instances, topics, one instance's redacted state and a live
   * timeline. Off by default; when on, only requests from this machine may open it unless you
   * give `authorize`. Never turn it on in production without your own `authorize`.
   *
   * @example
   * createHotline({ devtools: { enabled: true, authorize: (user) => user?.role === "admin", redact: ["ssn"] } });
   */
  devtools?: DevtoolsOptions;
  /**
   * Development mode (docs/dev.md): a failed event handler's error reaches the page with its stack
   * and shows as an overlay (a separate script, `clientPath?dev`, that each `live()` embed loads);
   * with no `store`, states go to the file `hotline dev` names, so its restarts keep sessions.
   * Default: on when run by `hotline dev` (HOTLINE_DEV=1). Refused, with a warning, under
   * NODE_ENV=production.
   */
  dev?: boolean;
  /**
   * Live pages by path (docs/navigation.md): a GET of a route's path renders its component as a
   * full HTML document (the client then joins it without a second mount); `hl-patch` and
   * `hl-navigate` links, `pushPatch` and `pushNavigate` move between them over one WebSocket.
   * URL params (path and query) are checked by the component's `static clientParams`.
   *
   * @example
   * createHotline({ routes: [
   *   { path: "/orders", component: "orders", title: "Orders" },
   *   { path: "/orders/:id", component: "order", title: (p) => `Order ${p.id}` },
   * ] });
   */
  routes?: Route[];
  /** The document around every route's page (a route's own `layout` wins); default: a minimal document. */
  layout?: Layout;
}

/** The pub/sub topic that carries sign-outs between processes (a user key, never user data). */
const SIGN_OUT_TOPIC = "hotline:signout";

/** What a Hotline process holds at one moment (`hotline.stats()`). */
export interface HotlineStats {
  connections: number;
  /** live instances (hibernated sessions are not) */
  instances: number;
  /** hibernated sessions (docs/hibernation.md) */
  hibernated: number;
  sharedGroups: number;
  topics: number;
}

/** A Hotline server: mount its `handler` on your HTTP server and `attach()` the WebSocket transport. */
export interface Hotline {
  /** A node:http request listener: the client bundle, the HTTP transport, then `next()` or 404. */
  handler(req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): Promise<void>;
  /** Takes the server's WebSocket upgrades on `path` (others are left to other listeners). */
  attach(server: Server): void;
  /** A component's first render, wrapped in the markup the browser client joins from. */
  live(name: string, params?: Record<string, unknown>, options?: LiveOptions): Promise<string>;
  /** Graceful shutdown: no new connections, states saved, sockets closed with 1012; closes the store and pubsub it created. */
  close(): Promise<void>;
  /** On SIGTERM/SIGINT: `close()`, then exit. Returns a function that removes the handlers. */
  installSignalHandlers(): () => void;
  readonly context: AppContext;
  readonly registry: Registry;
  readonly store: StateStore;
  readonly pubsub: PubSub;
  readonly presence: Presence;
  readonly tokens: Tokens;
  /** The WebSocket transport (its connections). */
  readonly websocket: WebSocketTransport;
  /** The live runtime every transport shares: live instances, shared groups, the topic index. */
  readonly hub: Hub;
  /** Paths `handler` serves with GET besides the client bundle (the uploads chunk; the devtools inspector's page, when on): the adapters mount them. */
  readonly pagePaths: readonly string[];
  /** The live pages (`createHotline({ routes })`) `handler` serves with GET: the adapters mount them. */
  readonly routes: Routes;
  /** What this process holds now: open WebSocket connections, live instances, shared groups, topics listened to. */
  stats(): HotlineStats;
  /**
   * Ends every live connection of `user`, on every process (through the app's pub/sub): its
   * components close and its browser tabs reload (and so meet the app's sign-in). Its session
   * keys and tokens are bound to the user, so they resume for nobody else. Call it when the
   * user signs out, after clearing your own session.
   */
  signOut(user: HotlineUser): Promise<void>;
}

/**
 * Creates a Hotline server.
 *
 * @example
 * const hotline = createHotline({ registry });
 * const server = http.createServer((req, res) => hotline.handler(req, res));
 * hotline.attach(server);
 * server.listen(3000);
 * // in a page: await hotline.live("counter", { start: 1 })
 */
export function createHotline(options: HotlineOptions = {}): Hotline {
  const dev = resolveDev(options.dev, (m) => (options.logger ? options.logger.error(`[hotline] ${m}`) : console.warn(`[hotline] ${m}`)));
  const devStoreFile = dev && !options.store ? process.env[DEV_STORE_ENV] : undefined;
  const ownStore = !options.store;
  const ownPubsub = !options.pubsub;
  const store = options.store ?? (devStoreFile ? new FileStore(devStoreFile, { ttlMs: options.stateTtlMs ?? 30 * 60_000 }) : new MemoryStore({ ttlMs: options.stateTtlMs ?? 30 * 60_000 }));
  const pubsub = options.pubsub ?? new MemoryPubSub();
  const ownPresence = !options.presence;
  const presence = options.presence ?? new MemoryPresence();
  const tokens = new Tokens(options.secret === undefined ? {} : { secret: options.secret });
  const registry = options.registry ?? defaultRegistry;
  const logger = options.logger ?? console;
  const resolved: ResolvedOptions = {
    path: options.path ?? DEFAULT_PATH,
    httpPrefix: options.httpPrefix ?? "/components",
    clientPath: options.clientPath ?? "/hotline.js",
    allowedOrigins: options.allowedOrigins,
    allowMissingOrigin: options.allowMissingOrigin ?? true,
    allowedHosts: options.allowedHosts,
    trustProxy: options.trustProxy === true ? 1 : typeof options.trustProxy === "number" && options.trustProxy > 0 ? Math.floor(options.trustProxy) : 0,
    bodyTimeoutMs: options.bodyTimeoutMs ?? 10_000,
    maxPayload: options.maxPayload ?? DEFAULT_MAX_PAYLOAD,
    stateTtlMs: options.stateTtlMs ?? 30 * 60_000,
    ...(dev && { dev }),
  };
  const context: AppContext = {
    component: {
      ...(options.services && { services: options.services }),
      ...(options.renderer && { renderer: options.renderer }),
      ...(options.authorizeTopic && { authorizeTopic: options.authorizeTopic }),
    },
    ...(options.authenticate && { authenticate: options.authenticate }),
    hooks: options.onMount ? ([] as MountHook[]).concat(options.onMount) : [],
    ...(options.userKey && { userKeyOf: options.userKey as (user: NonNullable<unknown>) => string }),
    registry, tokens, store, pubsub, presence, options: resolved, activity: new ActivityFeed(),
    log: limitLog((message, err) => (err === undefined ? logger.error(`[hotline] ${message}`) : logger.error(`[hotline] ${message}`, err)), options.logLimit),
  };
  // Before the hub: it measures the context's store and pub/sub; the gauges read stats() later.
  const telemetry = instrumentApp(context, options.telemetry, () => hotline.stats());
  const hub = new Hub(context, {
    ...(options.maxGroupsPerComponent !== undefined && { maxGroupsPerComponent: options.maxGroupsPerComponent }),
    ...(options.writeBehind !== undefined && { writeBehind: options.writeBehind }),
    ...(options.hibernateAfterMs !== undefined && { hibernateAfterMs: options.hibernateAfterMs }),
  });
  const websocketOptions: Record<string, unknown> = {};
  for (const key of WEBSOCKET_OPTIONS) if (options[key] !== undefined) websocketOptions[key] = options[key];
  const websocket = new WebSocketTransport(context, hub, websocketOptions as WebSocketOptions);
  const http = createHttpTransport(context);
  const routes = new Routes(options.routes);
  setRoutes(context, routes);
  const pages = createPageHandler(context, options.layout);
  const devtools: Devtools | undefined = options.devtools?.enabled === true ? createDevtools(context, hub, () => websocket.connections, options.devtools) : undefined;
  const bundle = new ClientBundle();
  let overlay: ClientBundle | undefined;
  let uploadsChunk: ClientBundle | undefined;
  const uploadsPath = uploadsScriptPath(resolved.clientPath);
  // Sign-outs reach every process through the bus; each closes its own connections of that user.
  const signouts = pubsub.subscribe(SIGN_OUT_TOPIC, (message) => {
    const u = (message as { u?: unknown } | undefined)?.u;
    if (typeof u === "string") websocket.endUser(u);
  });
  signouts.catch((err: unknown) => context.log("cannot listen for sign-outs", err));
  let closing: Promise<void> | undefined;

  const hotline: Hotline = {
    context, registry, store, pubsub, presence, tokens, websocket, hub,
    // The adapters mount these GET paths on the app's router: the uploads chunk beside the client, the inspector's page.
    pagePaths: [uploadsPath, ...(devtools ? [devtools.options.path] : [])],
    routes,
    stats() {
      return { connections: websocket.connections.size, instances: hub.lives.size, hibernated: hub.hibernated, sharedGroups: hub.groupCount, topics: hub.index.size };
    },
    async handler(req, res, next) {
      try {
        const path = (req.url ?? "/").split("?")[0];
        if (dev && isDevScriptRequest(req.url, resolved.clientPath)) return await (overlay ??= new ClientBundle(OVERLAY_SOURCE)).serve(req, res);
        if (path === uploadsPath) return await (uploadsChunk ??= new ClientBundle(UPLOADS_SOURCE)).serve(req, res);
        if (path === resolved.clientPath) return await bundle.serve(req, res);
        if (VENDOR_PATHS.has(path!) && (await serveVendor(req, res, path!))) return;
        if (await http(req, res)) return;
        if (devtools && (await devtools.route(req, res))) return;
        if (await pages(req, res)) return;
      } catch (err) {
        context.log("an HTTP request failed", err);
        if (!res.headersSent) res.writeHead(500, { "Content-Type": "text/plain; charset=utf-8" }).end("internal error");
        else res.destroy();
        return;
      }
      if (next) return next();
      res.writeHead(404, { "Content-Type": "text/plain; charset=utf-8" }).end("not found");
    },
    attach(server) {
      websocket.attach(server);
    },
    live(name, params, opts) {
      return live(context, name, params, opts);
    },
    async signOut(user) {
      const u = userKey(user, context.userKeyOf);
      if (u === undefined) return;
      websocket.endUser(u);
      await pubsub.publish(SIGN_OUT_TOPIC, { u });
    },
    close() {
      return (closing ??= (async () => {
        await websocket.close();
        telemetry.close();
        await devtools?.close();
        await hub.close();
        await signouts.then((off) => off()).catch(() => {});
        if (ownPresence) await presence.close();
        if (ownPubsub) await pubsub.close();
        if (ownStore) await (store as StateStore).close?.();
      })());
    },
    installSignalHandlers() {
      const onSignal = (signal: NodeJS.Signals) => {
        void hotline.close().finally(() => process.exit(signal === "SIGINT" ? 130 : 0));
      };
      process.once("SIGTERM", onSignal);
      process.once("SIGINT", onSignal);
      return () => {
        process.off("SIGTERM", onSignal);
        process.off("SIGINT", onSignal);
      };
    },
  };
  return hotline;
}

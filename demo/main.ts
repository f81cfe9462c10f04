/**
 * The demo app (`npm start`): a node:http server with the demo pages, the Hotline client, the HTTP
 * transport and the WebSocket at /live. One live app: the pages with a component are routes of
 * Hotline (`createHotline({ routes, layout })`), reached by `hl-navigate` links over one WebSocket
 * (docs/demo.md); the sign-in page and the pages without the client are served here. Configured
 * from the environment:
 *
 * - `PORT` (default 3000), `HOST` (default 127.0.0.1)
 * - `REDIS_URL`: share state, pub/sub, presence and the board between processes through Redis
 * - `HOTLINE_PRESENCE_TIMEOUT_MS`: with Redis, how soon the users of a process that died leave
 *   every other process's lists (default 10000)
 * - `HOTLINE_REDIS_PREFIX`: prefix of every Redis key and channel (default "hotline:")
 * - `HOTLINE_REDIS_DRIVER=node-redis`: the state store on node-redis instead of ioredis
 * - `HOTLINE_ROLE=web`: leave the dashboard figures to a `worker` process (demo/worker.ts, over
 *   REDIS_URL). The orders feed runs on every process whatever the role: with Redis one of them is
 *   elected to publish each change, without it each process publishes its own (docs/models.md)
 * - `DATABASE_URL`: the orders page's table in PostgreSQL (else in memory)
 * - `HOTLINE_SECRET`: the key that signs state tokens (the same on every process and restart)
 * - `HOTLINE_ALLOWED_HOSTS`: the host names the demo is served under (comma-separated), when not localhost
 * - `HOTLINE_SESSION_SECRET`: the key that signs the sign-in cookie (the same on every process)
 * - `HOTLINE_STATE_FILE`: without Redis, where states are kept across a graceful restart
 *   (default: hotline-demo-PORT.json in the temp directory)
 * - `HOTLINE_OTEL=console|prometheus`: OpenTelemetry spans and metrics to stdout, or metrics for
 *   scraping on HOTLINE_OTEL_PORT (default 9464) at /metrics (demo/telemetry.ts, docs/telemetry.md)
 */
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath, pathToFileURL } from "node:url";
import { createHotline, FileStore, MemoryPresence, MemoryPubSub, type Hotline, type HotlineOptions, type Presence, type PubSub, type StateStore } from "hotline";
import "../components/index.js";
import { MemoryBoardRepo, RedisBoardRepo, type BoardRepo } from "../components/board-repo.js";
import { demoSession, handleAuth, sessionSecret, signedInOnly, SIGN_IN_PATH } from "./auth.js";
import { DEMO_SCRIPT } from "./browser.js";
import { layout } from "./layout.js";
import type { DemoPage } from "./page.js";
import { homePage } from "./pages/home.js";
import { pages } from "./pages/index.js";
import { setupModels } from "./models.js";
import { redisStatus } from "./redis-status.js";
import { startDashboardPublisher } from "./worker.js";
import { startTelemetry } from "./telemetry.js";

/** Options of {@link startDemo}; each defaults to its environment variable. */
export interface DemoOptions {
  /** 0 picks a free port. Default `PORT` or 3000. */
  port?: number;
  /** Default `HOST` or 127.0.0.1. */
  host?: string;
  /** Redis for state, pub/sub and the board. Default `REDIS_URL`; none means all in memory. */
  redisUrl?: string;
  /** Prefix of Redis keys and channels. Default `HOTLINE_REDIS_PREFIX` or "hotline:". */
  redisPrefix?: string;
  /**
   * With Redis: how soon (ms) the presences of a process that died leave every other process's
   * lists. Default `HOTLINE_PRESENCE_TIMEOUT_MS` or 10000.
   */
  presenceTimeoutMs?: number;
  /** "web" leaves the dashboard publisher to a worker process. Default `HOTLINE_ROLE`. */
  role?: string;
  /** The token secret. Default `HOTLINE_SECRET` (or Hotline's own default). */
  secret?: string;
  /** The sign-in cookie's secret (32 characters or more). Default `HOTLINE_SESSION_SECRET` (or a development one, with a warning). */
  sessionSecret?: string;
  /**
   * Without Redis: where states are written on a graceful stop and read back at start. Default
   * `HOTLINE_STATE_FILE`, else hotline-demo-PORT.json in the temp directory (none with port 0).
   */
  stateFile?: string;
  /** PostgreSQL for the orders page. Default `DATABASE_URL`; none (or "") means in memory. */
  databaseUrl?: string;
  /** No log lines. */
  quiet?: boolean;
}

/** A running demo. */
export interface RunningDemo {
  url: string;
  /** Stops the publisher, closes Hotline (sockets, pub/sub, store) and the HTTP server. */
  close(): Promise<void>;
  hotline: Hotline;
}

const CSS = loadCss();

/**
 * Starts the demo server. Used by `npm start` and by the end-to-end tests.
 *
 * @example
 * const demo = await startDemo({ port: 0 });
 * console.log(demo.url); // http://127.0.0.1:40123
 * await demo.close();
 */
export async function startDemo(options: DemoOptions = {}): Promise<RunningDemo> {
  const env = process.env;
  const port = options.port ?? Number(env.PORT ?? 3000);
  const host = options.host ?? env.HOST ?? "127.0.0.1";
  const redisUrl = options.redisUrl ?? (env.REDIS_URL || undefined);
  const prefix = options.redisPrefix ?? env.HOTLINE_REDIS_PREFIX ?? "hotline:";
  const role = options.role ?? env.HOTLINE_ROLE;
  const presenceTimeoutMs = presenceTimeout(options.presenceTimeoutMs ?? env.HOTLINE_PRESENCE_TIMEOUT_MS);
  const secret = options.secret ?? (env.HOTLINE_SECRET || undefined);
  const log = options.quiet ? () => {} : (line: string) => console.log(line);
  // who is signed in: a name in a signed cookie, read by every page, join and HTTP request
  const session = demoSession(sessionSecret(options.sessionSecret ?? (env.HOTLINE_SESSION_SECRET || undefined), options.quiet ? () => {} : (line) => console.warn(line)));

  let pubsub: PubSub;
  let presence: Presence;
  let store: StateStore | undefined;
  let board: BoardRepo;
  let redis: { quit(): Promise<unknown> } | undefined;
  if (redisUrl) {
    const { RedisPresence, RedisPubSub, RedisStore } = await import("hotline/redis");
    const { Redis } = await import("ioredis");
    // One line per outage for all four connections, not one per connection (or per retry).
    const status = redisStatus(redisUrl, (line) => console.warn(line));
    pubsub = new RedisPubSub({ url: redisUrl, prefix, log: status.log });
    const driver = env.HOTLINE_REDIS_DRIVER === "node-redis" ? "node-redis" : undefined;
    store = new RedisStore({ url: redisUrl, prefix: `${prefix}state:`, log: status.log, driver });
    // who is on the board and on each order, across every process; a dead process's users leave within the timeout
    presence = new RedisPresence({ url: redisUrl, prefix, processTimeoutMs: presenceTimeoutMs, log: status.log });
    const client = new Redis(redisUrl);
    // Without an `error` listener ioredis prints a stack trace on every failed retry while Redis
    // is down (found by test/cluster/redis-down-at-start.test.ts).
    status.watch(client, "board");
    redis = client;
    board = new RedisBoardRepo(client, `${prefix}demo:board`);
  } else {
    // made here rather than by createHotline(): the orders feed publishes on it before the app exists
    pubsub = new MemoryPubSub();
    presence = new MemoryPresence();
    board = new MemoryBoardRepo();
    const file = options.stateFile ?? env.HOTLINE_STATE_FILE ?? (port ? join(tmpdir(), `hotline-demo-${port}.json`) : undefined);
    // written on a graceful stop, read back once at the next start (a crash loses them: REDIS_URL is for that)
    if (file) store = new FileStore(file, { writeOn: "close" });
  }

  // the orders page's table: in memory, or PostgreSQL with DATABASE_URL (see demo/models.ts)
  // Every process runs the orders feed, web ones too: over Redis one of them publishes (docs/models.md);
  // without Redis no other process could publish on this process's bus
  const models = await setupModels({ pubsub, role, feed: true, ...(options.databaseUrl !== undefined && { databaseUrl: options.databaseUrl }) }).catch(async (err: unknown) => {
    // a database that cannot be reached fails the start: leave no connection behind
    await pubsub.close().catch(() => {});
    await presence.close().catch(() => {});
    await store?.close?.().catch(() => {});
    await redis?.quit().catch(() => {});
    throw err;
  });
  // what the components read as this.services (typed in components/services.ts), and this.user:
  // anonymous joins are refused with a redirect to the sign-in page, on every transport
  // before createHotline(): the app resolves its providers when it is created
  const otel = await startTelemetry(env.HOTLINE_OTEL);
  if (otel?.metricsUrl) log(`Prometheus metrics on ${otel.metricsUrl}`);
  // The demo is one live app: every page with a component is a route, rendered on the server for the
  // first request and reached by hl-navigate links over the same WebSocket afterwards.
  const all: DemoPage[] = [homePage, ...pages];
  const nav = pages.map((p) => ({ path: p.path, title: p.title, live: p.component !== undefined }));
  const routes = all.filter((p) => p.component).map((p) => ({ path: p.path, component: p.component!, title: `${p.title} · Hotline` }));
  // The layout gets the page and its user (what authenticate() resolved from the request).
  const pageLayout: NonNullable<HotlineOptions["layout"]> = (body, info) => {
    const path = new URL(info.url, "http://x").pathname;
    const page = all.find((p) => p.path === path) ?? { path, title: info.title };
    return layout({ ...page, title: info.title }, body, nav, info.user, { head: info.head, flash: info.flash, status: info.status });
  };
  const hotline = createHotline({
    pubsub, presence, store, secret, routes, layout: pageLayout,
    ...(otel && { telemetry: otel.options }),
    services: { board, orders: models.adapter },
    authenticate: session.authenticate,
    onMount: signedInOnly,
    // a user is their id: renaming "ada" to "Ada" keeps their sessions, and sign-out finds them by it
    userKey: (user) => user.id,
    // Served under a public name? List it: by default only localhost names from loopback are trusted (DNS rebinding).
    ...(env.HOTLINE_ALLOWED_HOSTS && { allowedHosts: env.HOTLINE_ALLOWED_HOSTS.split(",").map((h) => h.trim()).filter(Boolean) }),
    // HOTLINE_DEVTOOLS=1: the inspector at /hotline/devtools, for signed-in visitors from this machine only (loopback)
    ...(env.HOTLINE_DEVTOOLS === "1" && { devtools: { enabled: true, authorize: (user, req) => user !== null && isLoopback(req.socket.remoteAddress) } }),
  });
  const stopPublisher = role === "web" ? () => {} : startDashboardPublisher(hotline.pubsub, { sessions: () => hotline.stats().connections });

  const server = createServer((req, res) => {
    serve(req, res).catch((err) => {
      console.error("[demo] request failed", err);
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain; charset=utf-8" });
      res.end("Internal error");
    });
  });

  const signInPage = (title: string, body: string) => layout({ path: SIGN_IN_PATH, title }, body, []);

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://x");
    const path = url.pathname;
    if (await handleAuth(req, res, { session, hotline, page: signInPage })) return;
    if (req.method === "GET" || req.method === "HEAD") {
      if (path === "/style.css" || path === "/demo.js") {
        res.writeHead(200, { "content-type": path === "/demo.js" ? "text/javascript; charset=utf-8" : "text/css; charset=utf-8", "cache-control": "no-cache" });
        res.end(req.method === "HEAD" ? undefined : path === "/demo.js" ? DEMO_SCRIPT : CSS);
        return;
      }
      const page = all.find((p) => p.path === path);
      if (page?.component) {
        const user = session.read(req);
        if (!user) return signInFirst(res, path + url.search);
        // a route: Hotline renders it, in the demo's layout (pageLayout)
        await hotline.handler(req, res);
        return;
      }
      if (page) {
        const user = session.read(req);
        if (!user) {
          signInFirst(res, path + url.search);
          return;
        }
        const body = await page.body({ req, user, live: (name, params) => hotline.live(name, params, { user }) });
        res.writeHead(200, { "content-type": "text/html; charset=utf-8", "cache-control": "no-store" });
        res.end(req.method === "HEAD" ? undefined : layout(page, body, nav, user));
        return;
      }
    }
    // the client bundle, the HTTP transport (whose joins the onMount hook guards), else 404
    await hotline.handler(req, res);
  }

  // anonymous visitors see the sign-in page only, and come back here after it
  function signInFirst(res: ServerResponse, next: string): void {
    res.writeHead(303, { location: `${SIGN_IN_PATH}?next=${encodeURIComponent(next)}`, "cache-control": "no-store" }).end();
  }

  hotline.attach(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const url = `http://${addr.family === "IPv6" ? `[${addr.address}]` : addr.address}:${addr.port}`;
  log(`Hotline demo on ${url} (${redisUrl ? `Redis at ${redisUrl}` : "in memory"}${role === "web" ? ", dashboard from a worker" : ""})`);

  let closing: Promise<void> | undefined;
  const close = () =>
    (closing ??= (async () => {
      stopPublisher();
      await models.close();
      await hotline.close();
      await otel?.close().catch((err: unknown) => console.error("[demo] cannot stop telemetry", err));
      // what we made and handed in (hotline.close() closes only its own): Redis quits, the file store writes
      await pubsub.close().catch((err: unknown) => console.error("[demo] cannot close the pub/sub", err));
      // after hotline.close(): its viewers have left; close() untracks whatever is left, so no one waits for the timeout
      await presence.close().catch((err: unknown) => console.error("[demo] cannot close presence", err));
      await store?.close?.().catch((err: unknown) => console.error("[demo] cannot close the state store", err));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await redis?.quit().catch(() => {});
    })());
  return { url, close, hotline };
}

/** The presence timeout in ms (RedisPresence's `processTimeoutMs`): the default 10 s when not given. */
function presenceTimeout(given: number | string | undefined): number {
  const ms = Number(given);
  if (given === undefined || given === "") return 10_000;
  if (!Number.isFinite(ms) || ms < 300) throw new Error(`HOTLINE_PRESENCE_TIMEOUT_MS must be a number of milliseconds, 300 or more (got "${given}")`);
  return ms;
}

/** demo/style.css, found from demo/ (tsx) and from dist/demo/ (the build). */
function loadCss(): string {
  for (const rel of ["./style.css", "../../demo/style.css"]) {
    try {
      return readFileSync(fileURLToPath(new URL(rel, import.meta.url)), "utf8");
    } catch {
      // try the next place
    }
  }
  return "";
}

async function main(): Promise<void> {
  const demo = await startDemo();
  const stop = (signal: string) => {
    console.log(`[demo] ${signal}: closing`);
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    demo.close().then(
      () => process.exit(0),
      (err) => {
        console.error("[demo] close failed", err);
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => stop("SIGTERM"));
  process.once("SIGINT", () => stop("SIGINT"));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((err) => {
    console.error("[demo] could not start", err);
    process.exit(1);
  });
}

/** Whether an address is this machine's (the inspector's guard in the demo). */
function isLoopback(address: string | undefined): boolean {
  return address === "::1" || address === "127.0.0.1" || address?.startsWith("::ffff:127.") === true || address?.startsWith("127.") === true;
}

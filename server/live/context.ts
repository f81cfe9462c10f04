import type { IncomingMessage, ServerResponse } from "node:http";
import type { ComponentContext, HotlineUser, MountHook } from "../core/context.js";
import type { Registry } from "../core/registry.js";
import type { StateStore } from "../core/store.js";
import type { Tokens } from "../core/tokens.js";
import type { PubSub } from "../../pubsub/pubsub.js";
import type { Presence } from "../../pubsub/presence.js";
import type { ActivityFeed } from "./activity.js";

/** One app's context, built once by `createHotline()`: everything its transports share. */
export interface AppContext {
  /** What every component of this app is given: services, renderer, the rule for topics. */
  component: ComponentContext;
  /** Resolves who sends a request (the WebSocket upgrade, an HTTP request); none: everyone is anonymous. */
  authenticate?: (request: IncomingMessage) => HotlineUser | null | undefined | Promise<HotlineUser | null | undefined>;
  /** The app's mount hooks, run before every component's own. */
  hooks: readonly MountHook[];
  /** The app's key for a user (`createHotline({ userKey })`); default: the whole user value. */
  userKeyOf?: (user: NonNullable<unknown>) => string;
  registry: Registry;
  tokens: Tokens;
  store: StateStore;
  pubsub: PubSub;
  /** Who is on which topic, across processes. */
  presence: Presence;
  options: ResolvedOptions;
  /** What happens in this process, for the inspector and metrics (emitted only while someone listens). */
  activity: ActivityFeed;
  /** Logs a server-side problem (with its stack); never sent to clients. */
  log(message: string, err?: unknown): void;
}

/** Options of `createHotline()` with their defaults filled in. */
export interface ResolvedOptions {
  /** WebSocket path. Default "/live". */
  path: string;
  /** Prefix of the HTTP transport's routes. Default "/components". */
  httpPrefix: string;
  /** Where the browser client bundle is served. Default "/hotline.js". */
  clientPath: string;
  /** Origins allowed to open a WebSocket or post forms; `undefined` means the page's own origin (from Host). */
  allowedOrigins: string[] | ((origin: string, req: IncomingMessage) => boolean) | undefined;
  /** Whether a request without an Origin header (a non-browser client) is allowed. Default true. */
  allowMissingOrigin: boolean;
  /**
   * Host names (or `host:port`; `.example.com` for its subdomains) that the same-origin default
   * trusts in the Host header. `undefined`: only localhost names, and only from loopback addresses.
   */
  allowedHosts: string[] | undefined;
  /** Proxies in front of the app whose `X-Forwarded-For` is believed (0: the socket's address). Default 0. */
  trustProxy: number;
  /** How long an HTTP request body may take to arrive, in ms (then 408). Default 10 s. */
  bodyTimeoutMs: number;
  /** Largest WebSocket frame / HTTP body, in bytes. Default 64 KiB. */
  maxPayload: number;
  /** State TTL in the store, in ms. Default 30 minutes. */
  stateTtlMs: number;
  /** Development mode (`createHotline({ dev })`): a failed handler's error frame carries its stack (docs/dev.md). Never on under NODE_ENV=production. */
  dev?: boolean;
}

/** An HTTP route handler: resolves true when it answered the request, false to let others try. */
export type HttpHandler = (req: IncomingMessage, res: ServerResponse) => Promise<boolean>;

import type { IncomingMessage, ServerResponse } from "node:http";
import type { HotlineUser } from "../core/context.js";
import { HotlineError, toHotlineError } from "../core/errors.js";
import { escapeHtml } from "../core/template/escape.js";
import type { AppContext } from "../live/context.js";
import { live } from "../live/embed-page.js";
import type { Hub } from "../live/hub.js";
import { sendError } from "../transports/http/call.js";
import { resolveDevtools, type DevtoolsOptions, type ResolvedDevtools } from "./options.js";
import { DevtoolsPanel } from "./panel.js";
import { DevtoolsRelay } from "./relay.js";
import { addRuntime, DevtoolsRuntime, nextKey, type Grant } from "./runtime.js";
import { processInfo, RESERVED, type ConnectionLike } from "./snapshot.js";
import { DevtoolsTimeline } from "./timeline.js";
import { PAGE_CSS } from "./page-style.js";

/** An app's inspector: its page route, and this process's relay. */
export interface Devtools {
  readonly options: ResolvedDevtools;
  readonly relay: DevtoolsRelay;
  /** Answers the inspector's page (true), or leaves the request to others (false). */
  route(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  close(): Promise<void>;
}

/**
 * Sets up the inspector of one app (`createHotline({ devtools: { enabled: true } })` calls it):
 * registers its components under their reserved names in the app's registry, starts this
 * process's relay (it answers every inspector of the app, on any process), and serves the page.
 */
export function createDevtools(ctx: AppContext, hub: Hub, connections: () => Iterable<ConnectionLike>, options: DevtoolsOptions): Devtools {
  const resolved = resolveDevtools(options, ctx.options.trustProxy);
  for (const [name, cls] of [[RESERVED.panel, DevtoolsPanel], [RESERVED.timeline, DevtoolsTimeline]] as const) {
    const had = ctx.registry.get(name);
    if (had === undefined) ctx.registry.register(name, cls);
    else if (had !== cls) throw new Error(`the component name "${name}" is reserved for the devtools inspector: register your component under another name`);
  }
  const relay = new DevtoolsRelay(ctx, hub, connections, processInfo(), resolved.redact);
  void relay.start();
  const runtime = new DevtoolsRuntime(nextKey(), hub, ctx.pubsub, relay, ctx.log);
  addRuntime(runtime);

  return {
    options: resolved,
    relay,
    async route(req, res) {
      if ((req.url ?? "/").split("?")[0] !== resolved.path) return false;
      if (req.method !== "GET" && req.method !== "HEAD") {
        res.writeHead(405, { allow: "GET, HEAD", "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
        res.end(JSON.stringify({ error: { code: "bad_message", message: "use GET" } }));
        req.resume();
        return true;
      }
      await page(ctx, resolved, runtime, req, res);
      return true;
    },
    async close() {
      runtime.close();
      await relay.close();
    },
  };
}

async function page(ctx: AppContext, options: ResolvedDevtools, runtime: DevtoolsRuntime, req: IncomingMessage, res: ServerResponse): Promise<void> {
  let user: HotlineUser | null = null;
  let allowed = false;
  try {
    if (ctx.authenticate) user = (await ctx.authenticate(req)) ?? null;
    allowed = (await options.authorize(user, req)) === true;
  } catch (err) {
    ctx.log("devtools: authenticate() or authorize() failed", err);
  }
  if (!allowed) {
    ctx.log("devtools: refused to open the inspector");
    return sendError(res, new HotlineError("unauthorized", "you may not open the devtools inspector"), false);
  }
  const grant: Grant = { app: runtime.key, until: Date.now() + options.grantTtlMs };
  let panel: string;
  let timeline: string;
  try {
    panel = await live(ctx, RESERVED.panel, { ...grant }, { user, id: "devtools-panel" });
    timeline = await live(ctx, RESERVED.timeline, { ...grant }, { user, id: "devtools-timeline" });
  } catch (err) {
    // The app's mount hooks apply to the inspector too: one may refuse or redirect.
    const e = toHotlineError(err, "the devtools page");
    const redirect = (e.details as { redirect?: unknown } | undefined)?.redirect;
    if (typeof redirect === "string") return void res.writeHead(303, { location: redirect, "cache-control": "no-store" }).end();
    if (e.fault !== "client") ctx.log("devtools: cannot render the inspector", e.cause ?? e);
    return sendError(res, e, false);
  }
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Hotline devtools</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<meta name="hotline-url" content="${escapeHtml(ctx.options.path)}">
<style>${PAGE_CSS}</style></head>
<body><header class="hdt-header"><h1>Hotline devtools</h1><p class="hdt-muted">Every process of this app that shares its pub/sub, live.</p></header>
<main class="hdt-main">${panel}${timeline}</main>
<script src="${escapeHtml(ctx.options.clientPath)}" defer></script></body></html>`;
  res.writeHead(200, {
    "content-type": "text/html; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    "cache-control": "no-store",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "x-content-type-options": "nosniff",
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

import type { IncomingMessage, ServerResponse } from "node:http";
import { type ComponentClass } from "../../core/component.js";
import { attachHost, type ComponentHost } from "../../core/host.js";
import { startComponent, type Started } from "../../live/start.js";
import type { HotlineUser } from "../../core/context.js";
import { HttpStatus } from "../../../protocol/codes.js";
import { HotlineError, toHotlineError } from "../../core/errors.js";
import type { Snapshot } from "../../core/tokens.js";
import { bodyType, drainRequest, readBody } from "./body.js";
import type { AppContext } from "../../live/context.js";
import { clientAddress, originAllowed } from "./origin.js";
import type { FailureLimiter } from "./failure-limit.js";
import { htmxError, htmxFields } from "./htmx.js";
import { telemetryOf } from "../../telemetry/app.js";

/** One HTTP request to a component, read and checked: what the JSON, htmx and SSE answers share. */
export interface Call {
  name: string;
  cls: ComponentClass;
  htmx: boolean;
  params: Record<string, unknown>;
  event?: string;
  payload?: Record<string, unknown>;
  /** The verified token's contents, when the request carried one. */
  snapshot?: Snapshot;
  /** `"sdui"`: answer `{screens, state}` (docs/protocol.md §4). */
  format?: "sdui";
  /** Who sent it: what the app's `authenticate()` resolved from the request. */
  user: HotlineUser | null;
}

/** The media type that asks for (and labels) an sdui answer over HTTP. */
export const SDUI_MEDIA_TYPE = "application/vnd.hotline.sdui+json";

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === "object" && !Array.isArray(v);
const bad = (message: string) => new HotlineError("bad_message", message);

/**
 * Checks and reads a request to component `name`: CSRF origin, the component, the content type,
 * the body (size, time, JSON), the fields' types, then the state token (invalid ones rate-limited
 * per client address).
 * Throws a HotlineError for the first check that fails.
 */
export async function readCall(ctx: AppContext, req: IncomingMessage, name: string, limiter: FailureLimiter): Promise<Call> {
  const htmx = req.headers["hx-request"] === "true";
  const type = bodyType(req);
  // Form posts and htmx requests are what a foreign page can forge; JSON needs a CORS preflight,
  // but a stated foreign origin is refused there too.
  if (!originAllowed(req, ctx.options, true)) throw new HotlineError("unauthorized", "this origin may not post to components");
  const cls = ctx.registry.require(name);
  if (type === undefined) throw new HotlineError("bad_message", "unsupported content type", { details: { status: 415 } });
  const body = await readBody(req, type, ctx.options.maxPayload, ctx.options.bodyTimeoutMs);

  let fields: Record<string, unknown>;
  if (body.kind === "empty") fields = {};
  else if (body.kind === "form") fields = body.fields;
  else if (isObject(body.value)) fields = body.value;
  else throw bad("the body must be a JSON object");

  let { event, state, params, payload } = htmx || body.kind === "form" ? htmxFields(fields) : (fields as Record<string, unknown>);
  // In a form, params travel as one JSON-encoded field.
  if (typeof params === "string" && body.kind === "form") {
    try {
      params = JSON.parse(params);
    } catch {
      throw bad("params must be a JSON object");
    }
  }
  if (event === "") event = undefined;
  if (params !== undefined && !isObject(params)) throw bad("params must be an object");
  if (event !== undefined && typeof event !== "string") throw bad("event must be a string");
  if (payload !== undefined && !isObject(payload)) throw bad("payload must be an object");
  if (state !== undefined && typeof state !== "string") throw bad("state must be a string");

  const format = body.kind === "json" ? fields.format : undefined;
  if (format !== undefined && format !== "html" && format !== "sdui") throw bad('format must be "html" or "sdui"');
  const sdui = format === "sdui" || (format === undefined && (req.headers.accept ?? "").includes(SDUI_MEDIA_TYPE));
  if (sdui && htmx) throw bad("htmx requests get HTML, not sdui");

  const call: Call = { name, cls, htmx, params: (params as Record<string, unknown>) ?? {}, user: null };
  if (sdui) call.format = "sdui";
  if (event !== undefined) call.event = event as string;
  if (payload !== undefined) call.payload = payload as Record<string, unknown>;
  if (typeof state === "string" && state !== "") {
    // Only invalid tokens are limited: the address may be a proxy's or a NAT's shared by every
    // user, and a valid token is nothing an attacker guessing tokens has. Past the limit an
    // invalid token gets 429 instead of 400 (and no log, no further count).
    try {
      call.snapshot = ctx.tokens.verify(name, state);
    } catch (err) {
      const client = clientAddress(req, ctx.options.trustProxy);
      if (limiter.blocked(client)) {
        telemetryOf(ctx).refused("invalid_tokens", "http");
        throw new HotlineError("rate_limited", "too many invalid state tokens; try again later");
      }
      limiter.fail(client);
      throw err;
    }
  }
  if (ctx.authenticate) {
    try {
      call.user = (await ctx.authenticate(req)) ?? null;
    } catch (err) {
      throw new HotlineError("handler_error", "authentication failed", { fault: "app", cause: err });
    }
  }
  return call;
}


/**
 * The component for `call`, through the start step (mounted, or hydrated from the call's token),
 * with its topics restored and pub/sub publishing through the app.
 */
export async function startCall(ctx: AppContext, call: Call): Promise<Started> {
  const snap = call.snapshot;
  const started = await startComponent(ctx, {
    name: call.name,
    user: call.user,
    ...(Object.keys(call.params).length && { clientParams: call.params }),
    ...(snap && { restore: { state: snap.state, topics: snap.topics, params: snap.params, user: snap.user, from: "token" } }),
  });
  const { component, topics } = started;
  // Over HTTP nothing stays connected: topics only travel in the token; publish reaches every process.
  const host: ComponentHost = {
    subscribe() {},
    unsubscribe() {},
    publish: (topic, message) => ctx.pubsub.publish(topic, message),
    push() {},
  };
  attachHost(component, host, topics);
  return started;
}

/** The signed token for a started component's (dehydrated) state, topics, params and user. */
export function signState(ctx: AppContext, started: Started, state: Record<string, unknown>): string {
  const snapshot: Snapshot = { state, topics: [...started.component.topics], params: started.params };
  if (started.userKey !== undefined) snapshot.user = started.userKey;
  return ctx.tokens.sign(started.name, snapshot);
}

/** Whatever was thrown, as a client-safe HotlineError; the app's and the framework's faults are logged. */
export function settleError(ctx: AppContext, err: unknown, where: string): HotlineError {
  const e = toHotlineError(err, where);
  if (e.fault !== "client") ctx.log(`[hotline] ${where}: ${e.message}`, e.cause ?? e);
  return e;
}

/** The HTTP status of an error (415 rides on bad_message's details). */
export function statusOf(err: HotlineError): number {
  const d = err.details as { status?: unknown } | undefined;
  return typeof d?.status === "number" ? d.status : HttpStatus[err.code];
}

/** Sends an error: `{"error": {code, message}}`, or the escaped HTML snippet in htmx mode. */
export function sendError(res: ServerResponse, err: HotlineError, htmx: boolean): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const status = statusOf(err);
  const headers: Record<string, string> = { "cache-control": "no-store", "x-content-type-options": "nosniff" };
  // The client may still be sending the rest of the body: the connection cannot be reused.
  if (status === 413 || status === 408) headers.connection = "close";
  const { details, ...wire } = err.toJSON();
  const error = details !== undefined && status !== 415 && status !== 408 ? { ...wire, details } : wire;
  const send = (type: string, body: string) => {
    res.writeHead(status, { ...headers, "content-type": type, "content-length": String(Buffer.byteLength(body)) });
    const req = res.req as IncomingMessage | undefined;
    if (status !== 413 || !req || req.readableEnded) return void res.end(body);
    // Closing with the body unread resets the connection, and the client, still writing, sees
    // EPIPE or ECONNRESET instead of this answer: send it, read (and drop) a bounded rest, then close.
    res.write(body);
    void drainRequest(req).then(() => res.end());
  };
  if (htmx) {
    // A mount hook's redirect: htmx follows HX-Redirect with a full page load.
    const redirect = (details as { redirect?: unknown } | undefined)?.redirect;
    if (typeof redirect === "string") headers["hx-redirect"] = redirect;
    send("text/html; charset=utf-8", htmxError(err));
  } else {
    send("application/json; charset=utf-8", JSON.stringify({ error }));
  }
}

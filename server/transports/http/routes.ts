import type { IncomingMessage, ServerResponse } from "node:http";
import { HotlineError } from "../../core/errors.js";
import { eventSteps } from "../../core/steps.js";
import { readCall, sendError, settleError, signState, startCall } from "./call.js";
import type { HttpHandler, AppContext } from "../../live/context.js";
import { FailureLimiter } from "./failure-limit.js";
import { htmxWrap } from "./htmx.js";
import { answerSdui } from "./sdui.js";
import { streamCall } from "./sse.js";
import { SpanKind } from "@opentelemetry/api";
import { telemetryOf } from "../../telemetry/app.js";
import { Attr, clip, SpanNames, type Op } from "../../telemetry/telemetry.js";

/** A route of this transport, parsed from the URL. */
interface Route {
  name: string;
  stream: boolean;
}

/**
 * The HTTP transport (fetch, htmx) and the SSE transport: `POST {prefix}/{name}` answers
 * `{html, state}` (or HTML in htmx mode), `POST {prefix}/{name}/stream` answers Server-Sent Events,
 * one frame per step of a streaming handler.
 * Resolves false for requests that are not its own, so a host can try its other routes.
 *
 * Limits: bodies over `maxPayload` get 413 (`too_large`; up to 1 MiB of the rest is read and
 * dropped so that the client sees the answer, not a reset); a body not fully arrived within
 * `bodyTimeoutMs` (10 s) gets 408 (`bad_message`); past 20 invalid state tokens a minute from one
 * address (`trustProxy` decides which), further invalid ones get 429 (`rate_limited`), valid ones
 * never. The rest is the node:http server's, which the operator sets: `headersTimeout` (60 s),
 * `requestTimeout` (300 s: lower it, e.g. 30 s), `keepAliveTimeout` (5 s), and `maxConnections`
 * (no cap by default: set one, e.g. a few thousand per process, or cap at the proxy).
 *
 * @example
 * const http = createHttpTransport(hotline.context);
 * createServer(async (req, res) => { if (!(await http(req, res))) res.writeHead(404).end(); });
 */
export function createHttpTransport(ctx: AppContext): HttpHandler {
  const limiter = new FailureLimiter();
  const prefix = ctx.options.httpPrefix.replace(/\/+$/, "");
  const tel = telemetryOf(ctx);
  return async (req, res) => {
    const path = (req.url ?? "/").split("?")[0]!;
    const route = parseRoute(path, prefix);
    if (!route) return false;
    if (req.method !== "POST") {
      res.writeHead(405, { allow: "POST", "content-type": "application/json; charset=utf-8", "cache-control": "no-store" });
      res.end(JSON.stringify({ error: { code: "bad_message", message: "use POST" } }));
      req.resume();
      return true;
    }
    if (!tel.on) {
      if (route.stream) await streamCall(ctx, req, res, route.name, limiter);
      else await answer(ctx, req, res, route.name, limiter);
      return true;
    }
    const transport = route.stream ? "sse" : "http";
    const name = clip(route.name);
    const op = tel.begin(route.stream ? SpanNames.sseStream : SpanNames.httpCall, { [Attr.component]: name, [Attr.transport]: transport }, SpanKind.SERVER);
    // In the call's context: the store and publish spans of its handler are its children.
    await tel.run(op, () => (route.stream ? streamCall(ctx, req, res, route.name, limiter, op) : answer(ctx, req, res, route.name, limiter, op)));
    op.span?.setAttribute(Attr.status, res.statusCode);
    tel.handled(op, name, op.event, undefined, transport);
    return true;
  };
}

function parseRoute(path: string, prefix: string): Route | undefined {
  if (!path.startsWith(prefix + "/")) return undefined;
  const parts = path.slice(prefix.length + 1).split("/");
  if (parts.length > 2 || (parts.length === 2 && parts[1] !== "stream") || !parts[0]) return undefined;
  let name: string;
  try {
    name = decodeURIComponent(parts[0]);
  } catch {
    return undefined;
  }
  return { name, stream: parts.length === 2 };
}

/** One request, one answer: mount or hydrate, run the event (all steps of a streaming handler), render. */
async function answer(ctx: AppContext, req: IncomingMessage, res: ServerResponse, name: string, limiter: FailureLimiter, op?: Op): Promise<void> {
  const htmx = req.headers["hx-request"] === "true";
  try {
    const call = await readCall(ctx, req, name, limiter);
    if (op && call.event !== undefined) {
      op.event = clip(call.event);
      op.span?.setAttribute(Attr.event, op.event);
    }
    if (call.format === "sdui") return await answerSdui(ctx, call, res);
    let last: { html: string; state: Record<string, unknown> } | undefined;
    let started;
    try {
      started = await startCall(ctx, call);
      for await (const step of eventSteps(started.component, call.event, call.payload)) last = step;
    } catch (err) {
      throw settleError(ctx, err, `component "${name}"`);
    }
    if (!last) throw new HotlineError("handler_error", "the component rendered nothing", { fault: "framework" });
    const token = signState(ctx, started, last.state);
    const headers = { "cache-control": "no-store", "x-content-type-options": "nosniff" };
    if (call.htmx) {
      res.writeHead(200, { ...headers, "content-type": "text/html; charset=utf-8" });
      res.end(htmxWrap(name, `${ctx.options.httpPrefix.replace(/\/+$/, "")}/${encodeURIComponent(name)}`, last.html, token));
    } else {
      res.writeHead(200, { ...headers, "content-type": "application/json; charset=utf-8" });
      res.end(JSON.stringify({ html: last.html, state: token }));
    }
  } catch (err) {
    const e = settleError(ctx, err, `component "${name}"`);
    if (op) op.code = e.code;
    sendError(res, e, htmx);
  }
}

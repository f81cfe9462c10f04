import type { IncomingMessage, ServerResponse } from "node:http";
import { type Step } from "../../core/component.js";
import { eventSteps } from "../../core/steps.js";
import type { Started } from "../../live/start.js";
import { readCall, sendError, settleError, signState, startCall } from "./call.js";
import type { AppContext } from "../../live/context.js";
import type { FailureLimiter } from "./failure-limit.js";
import { Attr, clip, type Op } from "../../telemetry/telemetry.js";

/** One SSE frame: `data: <json>` (JSON has no raw newlines, so one data line is enough). */
export function sseFrame(data: unknown, event?: string): string {
  return (event ? `event: ${event}\n` : "") + `data: ${JSON.stringify(data)}\n\n`;
}

/**
 * `POST {prefix}/{name}/stream`: one `data: {"html","state"}` frame per step of the handler, the
 * last with `"stream_done": true`. Errors before the first step answer with the JSON error and
 * its status; an error later ends the stream with an `event: error` frame `{code, message}`.
 * Each frame is written as soon as it is rendered; a client that goes away stops the handler.
 */
export async function streamCall(ctx: AppContext, req: IncomingMessage, res: ServerResponse, name: string, limiter: FailureLimiter, op?: Op): Promise<void> {
  let it: AsyncGenerator<Step<Record<string, unknown>>> | undefined;
  let closed = false;
  res.on("close", () => {
    closed = true;
    // Stops a streaming handler that is waiting at a yield; one that is mid-step stops at the next.
    void it?.return(undefined).catch(() => {});
  });
  let first: IteratorResult<Step<Record<string, unknown>>>;
  let started: Started;
  try {
    const call = await readCall(ctx, req, name, limiter);
    if (op && call.event !== undefined) {
      op.event = clip(call.event);
      op.span?.setAttribute(Attr.event, op.event);
    }
    try {
      started = await startCall(ctx, call);
      it = eventSteps(started.component, call.event, call.payload);
      first = await it.next();
    } catch (err) {
      throw settleError(ctx, err, `component "${name}"`);
    }
    if (closed) return;
    res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store, no-transform",
      connection: "keep-alive",
      "x-accel-buffering": "no", // tells nginx-like proxies not to buffer the frames
      "x-content-type-options": "nosniff",
    });
    res.flushHeaders();
  } catch (err) {
    const e = settleError(ctx, err, `component "${name}"`);
    if (op) op.code = e.code;
    sendError(res, e, false);
    return;
  }
  let step = first;
  let steps = 0;
  try {
    while (!step.done && !closed) {
      const s = step.value;
      const frame: Record<string, unknown> = { html: s.html, state: signState(ctx, started, s.state) };
      if (s.done) frame.stream_done = true;
      res.write(sseFrame(frame));
      steps++;
      if (s.done) break;
      step = await it.next();
    }
  } catch (err) {
    const e = settleError(ctx, err, `component "${name}"`);
    if (op) op.code = e.code;
    if (!closed) res.write(sseFrame({ code: e.code, message: e.message }, "error"));
  }
  op?.span?.setAttribute(Attr.steps, steps);
  res.end();
}

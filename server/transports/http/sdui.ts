import type { ServerResponse } from "node:http";
import { runEvent } from "../../core/host.js";
import { presenterFor } from "../../live/presenter.js";
import { SDUI_MEDIA_TYPE, signState, startCall, type Call } from "./call.js";
import type { AppContext } from "../../live/context.js";

/**
 * The HTTP answer in sdui format (docs/protocol.md §4): mount or hydrate, run the event (every
 * step of a streaming handler), then `{screens, state}` with every component whole, since an HTTP
 * client holds nothing the server knows of. Errors are thrown: the caller settles and answers them.
 *
 * @example
 * // POST /components/cart  {"format": "sdui", "event": "add", "payload": {"sku": "tea"}, "state": "v1.…"}
 * // -> {"screens": {"cart": {"components": {...}}}, "state": "v1.…"}
 */
export async function answerSdui(ctx: AppContext, call: Call, res: ServerResponse): Promise<void> {
  const presenter = presenterFor("sdui", call.cls);
  const started = await startCall(ctx, call);
  const instance = started.component;
  if (call.event !== undefined) for await (const _ of runEvent(instance, call.event, call.payload)) void _;
  const { screens } = presenter.full(instance);
  const token = signState(ctx, started, instance.dehydrate());
  res.writeHead(200, { "cache-control": "no-store", "x-content-type-options": "nosniff", "content-type": `${SDUI_MEDIA_TYPE}; charset=utf-8` });
  res.end(JSON.stringify({ screens, state: token }));
}

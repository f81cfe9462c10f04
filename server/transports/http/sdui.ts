import type { ServerResponse } from "node:http";
import { HotlineError } from "../../core/errors.js";
import { diffScreens, validateSession } from "../../sdui/screens.js";
import { instantiate, SDUI_MEDIA_TYPE, signState, type Call } from "./call.js";
import type { TransportContext } from "../../live/context.js";

/**
 * The HTTP answer in sdui format (docs/protocol.md §4): mount or hydrate, run the event (every
 * step of a streaming handler), then `{screens, state}` with every component whole, since an HTTP
 * client holds nothing the server knows of. Errors are thrown: the caller settles and answers them.
 *
 * @example
 * // POST /components/cart  {"format": "sdui", "event": "add", "payload": {"sku": "tea"}, "state": "v1.…"}
 * // -> {"screens": {"cart": {"components": {...}}}, "state": "v1.…"}
 */
export async function answerSdui(ctx: TransportContext, call: Call, res: ServerResponse): Promise<void> {
  const { instance, options } = instantiate(ctx, call);
  const describe = (instance as unknown as { describe?: () => unknown }).describe;
  if (typeof describe !== "function") {
    throw new HotlineError("bad_message", 'this component has no describe(), so it cannot answer in "sdui" format');
  }
  if (options.state) instance.hydrate(options.state);
  else await instance.mount();
  if (options.event !== undefined) for await (const _ of instance.run(options.event, options.payload)) void _;
  else instance.checkState();
  const session = validateSession(describe.call(instance));
  const token = signState(ctx, call.name, instance, instance.dehydrate());
  res.writeHead(200, { "cache-control": "no-store", "x-content-type-options": "nosniff", "content-type": `${SDUI_MEDIA_TYPE}; charset=utf-8` });
  res.end(JSON.stringify({ screens: diffScreens(undefined, session)!.screens, state: token }));
}

import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { HotlineUser } from "../core/context.js";
import { embedMarkup } from "../core/embed.js";
import { setChildScope } from "../core/children.js";
import type { AppContext } from "./context.js";
import { startComponent } from "./start.js";
import { settleAsync } from "../core/async.js";
import { devScriptTag } from "../dev/mode.js";

/** Options of `live()`. */
export interface LiveOptions {
  /** The instance id the client joins under (unique on the page). Default: the name and a random suffix. */
  id?: string;
  /** Who the page is for; the embed's token then hydrates for that user only. */
  user?: HotlineUser | null;
  /** Or the page's request: the app's `authenticate()` resolves the user from it. */
  request?: IncomingMessage;
}

/**
 * Renders a component for a page and wraps it in the markup the browser client joins from:
 * `<div hl-component="NAME" hl-id="ID" hl-state="TOKEN">HTML</div>`. The token
 * is signed and carries the state and the topics, so the client's `join` hydrates the instance
 * without running `mount()` again. In development mode the dev overlay's script tag follows it.
 *
 * @example
 * const embed = await live(ctx, "counter", { start: 5 });
 * res.end(`<main>${embed}</main><script src="/hotline.js"></script>`);
 */
export async function live(ctx: AppContext, name: string, params: Record<string, unknown> = {}, options: LiveOptions = {}): Promise<string> {
  let user = options.user ?? null;
  if (options.user === undefined && options.request && ctx.authenticate) user = (await ctx.authenticate(options.request)) ?? null;
  const started = await startComponent(ctx, { name, params, user });
  // A load from `static loaders` travels in the token as loading and starts again at the join;
  // an inline one cannot travel, so the page waits for it (docs/async.md).
  await settleAsync(started.component, (task) => !task.restartable);
  // The page id is known before the render: the component's children are scoped by it.
  const id = options.id ?? `${name}-${randomBytes(4).toString("hex")}`;
  setChildScope(started.component, id);
  const markup = embedMarkup(ctx.tokens, name, started.component, {
    params: started.params,
    ...(started.userKey !== undefined && { user: started.userKey }),
    id,
  });
  return ctx.options.dev ? markup + devScriptTag(ctx.options.clientPath) : markup;
}

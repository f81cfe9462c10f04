import { randomBytes } from "node:crypto";
import type { IncomingMessage } from "node:http";
import type { Component } from "../core/component.js";
import type { HotlineUser } from "../core/context.js";
import { embedMarkup } from "../core/embed.js";
import { setChildScope } from "../core/children.js";
import type { AppContext } from "./context.js";
import { startComponent, type Started } from "./start.js";
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
  await settleInline(started.component);
  const markup = embedStarted(ctx, started, options.id);
  return ctx.options.dev ? markup + devScriptTag(ctx.options.clientPath) : markup;
}

/**
 * Waits for a component's inline async loads before its page render: a load from `static loaders`
 * travels in the token as loading and starts again at the join; an inline one cannot travel, so
 * the page waits for it (docs/async.md). `live()` and a route's page request both do.
 */
export function settleInline(component: Component): Promise<void> {
  return settleAsync(component, (task) => !task.restartable);
}

/**
 * A started component's first render embedded with its signed token (params and user) under `id`,
 * which is known before the render: the component's children are scoped by it.
 */
export function embedStarted(ctx: AppContext, started: Started, id = `${started.name}-${randomBytes(4).toString("hex")}`): string {
  setChildScope(started.component, id);
  return embedMarkup(ctx.tokens, started.name, started.component, {
    params: started.params,
    ...(started.userKey !== undefined && { user: started.userKey }),
    id,
  });
}

import { type Component, type ComponentClass } from "../core/component.js";
import { actAs, checkState, checkTopic, contextOf } from "../core/host.js";
import type { ComponentContext, HotlineUser, MountDecision, MountHook, StartMode } from "../core/context.js";
import { HotlineError } from "../core/errors.js";
import { canonicalJson, userKey } from "../core/identity.js";
import { validateParams } from "../core/validate.js";
import { resumeAsync, setAsyncLog } from "../core/async.js";
import type { AppContext } from "./context.js";
import { provideChildren, type ChildEnv } from "../core/children.js";

export type { StartMode } from "../core/context.js";

/** A state to start from: a verified token's, or a stored record's. */
export interface Restore {
  state?: Record<string, unknown>;
  topics?: readonly string[];
  /** the params it was started with (server-given, so trusted) */
  params?: Record<string, unknown>;
  /** the key of the user it belongs to (`userKey()`), absent for anonymous */
  user?: string;
  from: "token" | "store";
}

/** What to start: a registered component, who asks, and where its state and params come from. */
export interface StartRequest {
  name: string;
  /** Who asks (what `authenticate()` resolved), `null` for anonymous. */
  user?: HotlineUser | null;
  /** The user's key when the caller has it already (a connection computes it once). */
  userKey?: string;
  /** Params the server gives (`live()`, the CLI): trusted. */
  params?: Record<string, unknown>;
  /** Params a client sent: checked against the class's `clientParams`; never override server-given ones. */
  clientParams?: Record<string, unknown>;
  /** A signed state token (verified here): hydrate from it instead of mounting. */
  token?: string;
  /** A state already verified or loaded (a token read earlier, a stored record): hydrate from it. */
  restore?: Restore;
}

/** A start that passed every check: who, what, with which params, from which state. */
export interface Admitted {
  cls: ComponentClass;
  name: string;
  user: HotlineUser | null;
  /** the user's key, bound into tokens and session records */
  userKey: string | undefined;
  params: Record<string, unknown>;
  mode: StartMode;
  restore: Restore | undefined;
}

/** A started component and how it was started. */
export interface Started extends Admitted {
  component: Component;
  topics: readonly string[];
}

/** What the start step needs of an app (the CLI has no more than this). */
export type StartContext = Pick<AppContext, "registry" | "tokens" | "component"> & Partial<Pick<AppContext, "hooks" | "userKeyOf" | "log">>;

const NO_TOPICS: readonly string[] = [];
const NO_PARAMS: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/**
 * Every check before a component starts, the same for every transport: the component exists;
 * a token verifies and was made for this user; a stored session belongs to this user; params are
 * the server's (signed) ones plus what the class lets a client choose; then the app's and the
 * class's mount hooks and `static authorize`. Throws a HotlineError: `unknown_component`,
 * `bad_state`, `bad_message`, `unauthorized` (with `details.redirect` when a hook redirects).
 */
export async function admit(ctx: StartContext, request: StartRequest): Promise<Admitted> {
  const { name } = request;
  const cls = ctx.registry.require(name);
  const user = request.user ?? null;
  const key = "userKey" in request ? request.userKey : userKey(user, ctx.userKeyOf);
  let restore = request.restore;
  if (!restore && request.token !== undefined) {
    const snap = ctx.tokens.verify(name, request.token);
    restore = { state: snap.state, topics: snap.topics, params: snap.params, user: snap.user, from: "token" };
  }
  if (restore && restore.user !== key) {
    throw new HotlineError("bad_state", restore.from === "store" ? "unknown or expired session" : "the state token was made for another user");
  }
  const trusted = restore ? (restore.params ?? NO_PARAMS) : (request.params ?? NO_PARAMS);
  const params = await withClientParams(cls, trusted, request.clientParams);
  const mode: StartMode = !restore ? "mount" : restore.from === "store" ? "resume" : "hydrate";
  const info = { user, name, params, mode };
  for (const hook of hooksOf(ctx.hooks, cls.onMount)) decide(await hook(info), ctx, name);
  if (cls.authorize && !(await cls.authorize(user, params))) decide(false, ctx, name);
  return { cls, name, user, userKey: key, params, mode, restore };
}

/**
 * The one start step of every transport (WebSocket, HTTP, htmx, SSE, sdui over HTTP, the CLI,
 * `live()`): {@link admit}, then {@link construct}.
 *
 * @example
 * const { component } = await startComponent(ctx, { name: "counter", user, params: { start: 5 } });
 */
export async function startComponent(ctx: StartContext, request: StartRequest): Promise<Started> {
  return construct(ctx, await admit(ctx, request));
}

/**
 * Creates an admitted component with the app's context and its user (none for a shared one, whose
 * render serves every viewer), then mounts it, or hydrates it and catches up on what it may have
 * missed (`onResync` per topic, or `mount()` again with `static catchUp = "remount"`), and checks
 * the state and its restored subscriptions. `hosted`: a live instance hosts it next, whose async
 * runner gives its loads the app's log (server/live/async.ts), so none is recorded per component.
 */
export async function construct(ctx: StartContext, a: Admitted, hosted = false): Promise<Started> {
  const component = create(ctx, a.cls, a.params, a.user, a.userKey);
  let topics = NO_TOPICS;
  if (a.restore && a.cls.catchUp !== "remount") {
    component.hydrate(a.restore.state ?? {});
    topics = a.restore.topics ?? NO_TOPICS;
    // Restored subscriptions are checked again: the user may have lost the right since.
    for (const t of topics) checkTopic(contextOf(component), a.user, t);
    // Whatever it listens to may have changed since the token was signed or the state saved.
    for (const t of topics) await component.onResync(t);
    if (a.cls.shared) actAs(component, null);
    // Loads that were running when the state was saved or signed start again (docs/async.md).
    resumeAsync(component);
  } else await component.mount();
  if (ctx.log && !hosted) setAsyncLog(component, ctx.log);
  checkState(component);
  return { ...a, component, topics };
}

/** A new component with the app's context and its user (none for a shared one), able to render children. */
function create(ctx: StartContext, cls: ComponentClass, params: Record<string, unknown>, user: HotlineUser | null, key: string | undefined): Component {
  const context = cls.shared || user === null ? ctx.component : { ...ctx.component, user };
  const component = new cls({ ...params }, context);
  provideChildren(component, childEnv(ctx, context, key));
  return component;
}

/**
 * A hibernated session's component, rebuilt from its state (docs/hibernation.md): no checks, hooks
 * or catching up, as it is the same session in the same process, and it had no topics.
 */
export function rebuild(ctx: StartContext, cls: ComponentClass, params: Record<string, unknown> | undefined, user: HotlineUser | null, key: string | undefined, state: Record<string, unknown>): Component {
  const component = create(ctx, cls, params ?? NO_PARAMS, user, key);
  component.hydrate(state);
  checkState(component);
  return component;
}

/** The children's env of the app's components with no user of their own: one per app, not one per instance. */
const sharedChildEnvs = new WeakMap<ComponentContext, ChildEnv>();

function childEnv(ctx: StartContext, context: ComponentContext, userKey: string | undefined): ChildEnv {
  if (context !== ctx.component || userKey !== undefined) return { registry: ctx.registry, tokens: ctx.tokens, context, ...(userKey !== undefined && { user: userKey }) };
  let env = sharedChildEnvs.get(context);
  if (!env || env.registry !== ctx.registry || env.tokens !== ctx.tokens) sharedChildEnvs.set(context, (env = { registry: ctx.registry, tokens: ctx.tokens, context }));
  return env;
}

function hooksOf(app: readonly MountHook[] | undefined, own: MountHook | readonly MountHook[] | undefined): readonly MountHook[] {
  if (!own) return app ?? NO_HOOKS;
  const mine = typeof own === "function" ? [own] : own;
  return app?.length ? [...app, ...mine] : mine;
}
const NO_HOOKS: readonly MountHook[] = [];

function decide(d: MountDecision, ctx: StartContext, name: string): void {
  if (d === undefined || d === true) return;
  const redirect = typeof d === "object" && d && typeof d.redirect === "string" ? d.redirect : undefined;
  if (d !== false && redirect === undefined) {
    throw new HotlineError("handler_error", `a mount hook of "${name}" returned something other than true, false or { redirect }`, { fault: "app" });
  }
  // One line, no stack: refusals are expected (signed-out visitors, probing clients).
  ctx.log?.(`refused to start "${name}"${redirect ? ` (redirect to ${redirect})` : ""}`);
  throw new HotlineError("unauthorized", "you may not open this component", redirect ? { details: { redirect } } : {});
}

/**
 * The server's params plus those a client may choose: the class's `clientParams` schema checks
 * what the client sent (a key the schema refuses is `bad_message`); where the server set a param
 * (a signed token, a stored session), its value wins over the client's.
 */
async function withClientParams(cls: ComponentClass, trusted: Record<string, unknown>, sent: Record<string, unknown> | undefined): Promise<Record<string, unknown>> {
  if (!sent) return trusted;
  let rest: Record<string, unknown> | undefined;
  for (const k of Object.keys(sent)) {
    if (k in trusted && canonicalJson(sent[k]) === canonicalJson(trusted[k])) continue;
    (rest ??= {})[k] = sent[k];
  }
  if (!rest) return trusted;
  if (!cls.clientParams) throw new HotlineError("bad_message", "this component takes no params from clients");
  const chosen = await validateParams(cls.clientParams, rest);
  return trusted === NO_PARAMS ? chosen : { ...chosen, ...trusted };
}

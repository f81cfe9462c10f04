import { eventSteps } from "../core/steps.js";
import type { HotlineUser } from "../core/context.js";
import type { Snapshot, Tokens } from "../core/tokens.js";
import { HotlineError, toHotlineError } from "../core/errors.js";
import { startComponent, type StartContext } from "../live/start.js";

/** What the CLI transport needs: an app's registry, tokens and component context, and where to print. */
export interface CliContext extends Omit<StartContext, "tokens"> {
  /**
   * The tokens that sign and check states, or a function that makes them when a command first
   * needs them (`list`, `help` and a bad command never do: no secret is resolved, nor warned about).
   */
  tokens: Tokens | (() => Tokens);
  out(text: string): void;
  err(text: string): void;
  /** How this CLI loads components, said when a name is unknown (bin/cli.ts: the HOTLINE_COMPONENTS variable). */
  loadHint?: string;
}

const USAGE = `usage:
  hotline dispatch <component> [--event NAME] [--payload JSON] [--params JSON] [--state TOKEN] [--user JSON]
  hotline list
  hotline dev <entry> [--watch PATH]... [-- APP ARGS]   (runs the app, restarting it on changes: docs/dev.md)
Prints {"html": ..., "state": TOKEN} as JSON; pass the state back with --state to continue.
--user is who runs it, as the app's authenticate() would resolve it (a token made for one user
only continues for the same --user).`;

/**
 * The seed's CLI transport: mounts or hydrates a component, runs one event, prints `{ html, state }`.
 * The state is a signed token (HOTLINE_SECRET), so a later call can continue from it.
 * Returns the exit code: 0, 1 (the component failed), 2 (bad input).
 *
 * @example
 * // npx hotline dispatch counter --event increment
 * // {"html":"<div>…Count: 1…</div>","state":"v1.eyJj…"}
 */
export async function runCli(argv: string[], ctx: CliContext): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === "--help" || command === "-h" || command === "help") {
    ctx.out(USAGE);
    return command ? 0 : 2;
  }
  if (command === "list") {
    ctx.out(JSON.stringify(ctx.registry.names()));
    if (!ctx.registry.names().length && ctx.loadHint) ctx.err(`no components are registered: ${ctx.loadHint}`);
    return 0;
  }
  if (command !== "dispatch") return fail(ctx, new HotlineError("bad_message", `unknown command; ${USAGE}`));
  try {
    const { name, flags } = parseArgs(rest);
    if (!ctx.registry.has(name)) throw unknownComponent(ctx, name);
    const params = flags.params === undefined ? {} : jsonObject(flags.params, "--params");
    const payload = flags.payload === undefined ? {} : jsonObject(flags.payload, "--payload");
    const user = flags.user === undefined ? null : jsonValue(flags.user, "--user");
    // The operator's params are trusted; with --state the token's are, and --params only add what a client may choose.
    const tokens = typeof ctx.tokens === "function" ? ctx.tokens() : ctx.tokens;
    const started = await startComponent({ ...ctx, tokens }, {
      name,
      user: user as HotlineUser | null,
      ...(flags.state !== undefined ? { token: flags.state, clientParams: params } : { params }),
    });
    const instance = started.component;
    let result: { html: string; state: Record<string, unknown> } | undefined;
    for await (const step of eventSteps(instance, flags.event, payload)) result = step;
    const snapshot: Snapshot = { state: result!.state, topics: [...instance.topics], params: started.params };
    if (started.userKey !== undefined) snapshot.user = started.userKey;
    const token = tokens.sign(name, snapshot);
    ctx.out(JSON.stringify({ html: result!.html, state: token }));
    return 0;
  } catch (e) {
    return fail(ctx, e);
  }
}

/** `unknown_component`, naming the component, what is registered, and how to register it. */
function unknownComponent(ctx: CliContext, name: string): HotlineError {
  const names = ctx.registry.names();
  const known = names.length ? `registered: ${names.join(", ")}` : "no component is registered";
  return new HotlineError(
    "unknown_component",
    `no component is registered under that name: ${JSON.stringify(name)} (${known}). ` +
      `A component registers itself with @register(${JSON.stringify(name)}) on its class, in a module the CLI loads` +
      (ctx.loadHint ? `: ${ctx.loadHint}` : ""),
  );
}

function fail(ctx: CliContext, e: unknown): number {
  const err = toHotlineError(e);
  ctx.err(JSON.stringify({ error: err.toJSON() }));
  if (err.fault === "app" && err.cause) ctx.err(String((err.cause as Error).stack ?? err.cause));
  return err.fault === "client" ? 2 : 1;
}

function parseArgs(args: string[]): { name: string; flags: Record<string, string> } {
  const flags: Record<string, string> = {};
  let name: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a.startsWith("--")) {
      const [key, inline] = a.slice(2).split(/=(.*)/s, 2);
      if (!["event", "payload", "params", "state", "user"].includes(key!)) throw new HotlineError("bad_message", `unknown option --${key}`);
      const value = inline ?? args[++i];
      if (value === undefined) throw new HotlineError("bad_message", `--${key} needs a value`);
      flags[key!] = value;
    } else if (name === undefined) name = a;
    else throw new HotlineError("bad_message", "only one component name is allowed");
  }
  if (!name) throw new HotlineError("bad_message", "name the component to dispatch");
  return { name, flags };
}

function jsonValue(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new HotlineError("bad_message", `${what} is not valid JSON`);
  }
}

function jsonObject(text: string, what: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new HotlineError("bad_message", `${what} is not valid JSON`);
  }
  if (!v || typeof v !== "object" || Array.isArray(v)) throw new HotlineError("bad_message", `${what} must be a JSON object`);
  return v as Record<string, unknown>;
}

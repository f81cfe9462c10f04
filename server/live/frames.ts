import type { HotlineError } from "../core/errors.js";
import { M, T } from "../../protocol/wire.js";

/**
 * Server frames, built by hand where it pays: a patch's body is JSON-encoded once and spliced into
 * each frame (per client-chosen id and ref), which keeps key order `t, id, ref, done, …` and lets a
 * shared render encode its diff once for every viewer.
 */

// The frames' fixed pieces, built from the protocol's keys once: a frame costs no more than
// when they were written out.
const key = (k: string) => JSON.stringify(k) + ":";
const PATCH_START = "{" + key(M.type) + JSON.stringify(T.patch) + "," + key(M.id);
const REF = "," + key(M.ref);
const DONE = "," + key(M.done);
const DONE_TRUE = DONE + "true";
const DONE_FALSE = DONE + "false";

/** A body object's JSON without its braces ("" when empty), ready to splice into a frame. */
export function bodyInner(body: Record<string, unknown>): string {
  const json = JSON.stringify(body);
  return json.length <= 2 ? "" : json.slice(1, -1);
}

/** `{"t":"patch","id":…,"ref"?:…,"done"?:…, …body}`. */
export function patchFrame(id: string, ref: number | undefined, done: boolean | undefined, inner: string): string {
  let s = PATCH_START + JSON.stringify(id);
  if (ref !== undefined) s += REF + ref;
  if (done !== undefined) s += done ? DONE_TRUE : DONE_FALSE;
  return (inner ? s + "," + inner : s) + "}";
}

/** The answer to a join: `{t:"ok", ref, id, html, session, p, r}` (or `screens` in sdui format). */
export function okFrame(ref: number | undefined, id: string, session: string, fields: Record<string, unknown>): string {
  const { [M.html]: html, ...rest } = fields;
  return JSON.stringify({ [M.type]: T.ok, [M.ref]: ref, [M.id]: id, ...(html !== undefined && { [M.html]: html }), [M.session]: session, ...rest });
}

/** The stack a client-safe error carries for the dev overlay (set only in development mode). */
const devStacks = new WeakMap<HotlineError, string>();

/**
 * Development mode only: `err` (the client-safe error of a failed handler) carries the stack of
 * `cause`, and its {@link errorFrame} sends it as `stack` for the dev overlay. The caller decides
 * (the app's `dev`, never on under NODE_ENV=production); an error not given one never sends a stack.
 */
export function withDevStack(err: HotlineError, cause: unknown): HotlineError {
  const stack = cause instanceof Error ? cause.stack ?? `${cause.name}: ${cause.message}` : String(cause);
  devStacks.set(err, stack);
  return err;
}

/**
 * An error answer; the message is the HotlineError's, which never carries a stack or raw input.
 * Only an error marked by {@link withDevStack} (development mode) adds `stack`.
 */
export function errorFrame(err: HotlineError, ref?: number, id?: string): string {
  const stack = devStacks.get(err);
  return JSON.stringify({ [M.type]: T.error, [M.ref]: ref, [M.id]: id, ...err.toJSON(), ...(stack !== undefined && { [M.stack]: stack }) });
}

/** An event for the client's hooks: `{t:"push", id, event, payload}`. */
export function pushFrame(id: string, event: string, payload: unknown): string {
  return JSON.stringify({ [M.type]: T.push, [M.id]: id, [M.event]: event, [M.payload]: payload ?? {} });
}

const PONG = "{" + key(M.type) + JSON.stringify(T.pong);
const PONG_ALONE = PONG + "}";

/** The answer to a ping: `{t:"pong", ref?}`. */
export function pongFrame(ref: number | undefined): string {
  return ref === undefined ? PONG_ALONE : PONG + REF + ref + "}";
}

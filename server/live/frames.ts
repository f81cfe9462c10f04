import type { HotlineError } from "../core/errors.js";

/**
 * Server frames, built by hand where it pays: a patch's body is JSON-encoded once and spliced into
 * each frame (per client-chosen id and ref), which keeps key order `t, id, ref, done, …` and lets a
 * shared render encode its diff once for every viewer.
 */

/** A body object's JSON without its braces ("" when empty), ready to splice into a frame. */
export function bodyInner(body: Record<string, unknown>): string {
  const json = JSON.stringify(body);
  return json.length <= 2 ? "" : json.slice(1, -1);
}

/** `{"t":"patch","id":…,"ref"?:…,"done"?:…, …body}`. */
export function patchFrame(id: string, ref: number | undefined, done: boolean | undefined, inner: string): string {
  let s = '{"t":"patch","id":' + JSON.stringify(id);
  if (ref !== undefined) s += ',"ref":' + ref;
  if (done !== undefined) s += done ? ',"done":true' : ',"done":false';
  return (inner ? s + "," + inner : s) + "}";
}

/** The answer to a join: `{t:"ok", ref, id, html, session, p, r}` (or `screens` in sdui format). */
export function okFrame(ref: number | undefined, id: string, session: string, fields: Record<string, unknown>): string {
  const { html, ...rest } = fields;
  return JSON.stringify({ t: "ok", ref, id, ...(html !== undefined && { html }), session, ...rest });
}

/** An error answer; the message is the HotlineError's, which never carries a stack or raw input. */
export function errorFrame(err: HotlineError, ref?: number, id?: string): string {
  return JSON.stringify({ t: "error", ref, id, ...err.toJSON() });
}

/** An event for the client's hooks: `{t:"push", id, event, payload}`. */
export function pushFrame(id: string, event: string, payload: unknown): string {
  return JSON.stringify({ t: "push", id, event, payload: payload ?? {} });
}

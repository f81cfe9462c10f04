/**
 * The live side of nested components (`this.child()`, server/core/children.ts): which instance is
 * whose child on a page, and the messages between them, `sendUpdate` (parent to child) and `emit`
 * (child to parent). Both only reach instances joined on the same connection: a connection links
 * a child to its parent when the child's `join` names the parent (docs/protocol.md, `parent`).
 */
import { Component } from "../core/component.js";
import { childName, rendersChild } from "../core/children.js";
import { findHandler } from "../core/events.js";
import { HotlineError } from "../core/errors.js";
import type { LiveInstance } from "./instance.js";

interface Kin {
  parent?: LiveInstance;
  /** live children by local id (the part of their page id after the parent's and a colon) */
  children?: Map<string, LiveInstance>;
  /** props sent to children that the parent renders but that have not joined yet, merged */
  pending?: Map<string, Record<string, unknown>>;
}

const kin = new WeakMap<LiveInstance, Kin>();

/** Whether the instance is a child or a parent on its page (or was sent props for a child): it stays live. */
export function hasKin(live: LiveInstance): boolean {
  return kin.has(live);
}

/**
 * The parent a child's join names, once the parent's own join is done: it must be live
 * (`bad_state` when its join failed or it left: after a server restart a parent's session is
 * unknown, and the client joins it again from its token, then the child, as it does for a
 * `bad_state`), and its last render must hold a child with this local id and component name
 * (`unauthorized`).
 */
export async function parentFor(ready: Promise<LiveInstance | undefined>, localId: string, name: string): Promise<LiveInstance> {
  const parent = await ready;
  if (!parent || parent.closed) throw new HotlineError("bad_state", "the parent is not joined: join it again first");
  if (!rendersChild(parent.component, localId, name)) throw new HotlineError("unauthorized", "this parent does not render this child");
  return parent;
}

/** Links a child's instance to its parent's (after the child's join). */
export function linkChild(parent: LiveInstance, child: LiveInstance, localId: string): void {
  let k = kin.get(parent);
  if (!k) kin.set(parent, (k = {}));
  const children = (k.children ??= new Map());
  // Children removed since (their instances closed) are forgotten here, so that a parent whose
  // children come and go does not keep them all.
  for (const [id, c] of children) if (c.closed) children.delete(id);
  children.set(localId, child);
  const own = kin.get(child);
  if (own) own.parent = parent;
  else kin.set(child, { parent });
  const props = k.pending?.get(localId);
  if (props) {
    k.pending!.delete(localId);
    child.act(() => child.component.update(props), `update() from its parent "${parent.name}"`);
  }
}

/**
 * A parent's `sendUpdate(id, props)`: the child's `update(props)` in its own queue, then its render
 * and patch. A child that the parent renders but that has not joined yet gets the props (merged)
 * when it joins; one that the parent does not render: a log line.
 */
export function sendUpdateTo(parent: LiveInstance, id: string, props: Record<string, unknown>): void {
  let k = kin.get(parent);
  const child = k?.children?.get(id);
  if (!child || child.closed) {
    if (childName(parent.component, id) === undefined) {
      parent.env.ctx.log(`component "${parent.name}": sendUpdate("${id}"): its last render has no child with this id`);
      return;
    }
    if (!k) kin.set(parent, (k = {}));
    const pending = (k.pending ??= new Map());
    for (const old of pending.keys()) if (childName(parent.component, old) === undefined) pending.delete(old);
    pending.set(id, { ...pending.get(id), ...props });
    return;
  }
  child.act(() => child.component.update(props), `update() from its parent "${parent.name}"`);
}

/** A child's `emit(event, payload)`: the parent's `on<Event>(payload)` in its queue, then its render and patch. */
export function emitToParent(child: LiveInstance, event: string, payload: Record<string, unknown>): void {
  const parent = kin.get(child)?.parent;
  if (!parent || parent.closed) {
    child.env.ctx.log(`component "${child.name}": emit("${event}"): no live parent on the page`);
    return;
  }
  try {
    findHandler(parent.component, Component.prototype, event);
  } catch {
    parent.env.ctx.log(`component "${parent.name}": emit("${event}") from "${child.name}": the parent has no handler for it`);
    return;
  }
  parent.act(() => parent.component.asyncHandleEvent(event, payload), `emit("${event}") from "${child.name}"`);
}

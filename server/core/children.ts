/**
 * Children a component renders (`this.child(name, params, id)`): each is a component of its own,
 * with its own state and, on a live page, its own instance on the page's connection.
 *
 * The first render that names a child mounts it here, synchronously, and writes its first render
 * inside the parent's HTML as an embedded component root with a signed state token (the markup of
 * `hotline.live()`): the page works without JavaScript, and the browser client joins the child
 * from the token (`join` with `parent`, docs/protocol.md), which hydrates it without a second mount.
 * Later renders of the parent write only an empty root for a child the client already holds: the
 * client's morph never enters a child's root, so a parent's re-render never clobbers a child, and
 * a child's change travels as the child's own patch.
 */
import type { Component, ComponentClass } from "./component.js";
import type { ComponentContext } from "./context.js";
import { embedMarkup } from "./embed.js";
import { HotlineError } from "./errors.js";
import { contextOf } from "./host.js";
import { registry as defaultRegistry, type Registry } from "./registry.js";
import { escapeHtml } from "./template/escape.js";
import { Raw } from "./template/template.js";
import { toHTML } from "./steps.js";
import type { Tokens } from "./tokens.js";
import { Attr } from "../../protocol/attributes.js";

/** What a component needs to start its children: the app's registry and tokens, its own context and user. */
export interface ChildEnv {
  registry: Registry;
  tokens: Tokens;
  /** the parent's context (services, renderer, user): its children get the same */
  context: ComponentContext;
  /** the parent's user key: the children's tokens hydrate for that user only */
  user?: string;
}

/** A child's local id: letters, digits, `-` and `_` (no `:`, which joins it to its parent's id). */
const CHILD_ID = /^[A-Za-z0-9_-]{1,64}$/;

interface Family {
  /** children of the last completed render, by local id: their names (the client holds them) */
  seen: Map<string, string>;
  /** children of the render under way */
  next: Map<string, string> | undefined;
}

const envs = new WeakMap<Component, ChildEnv>();
const scopes = new WeakMap<Component, string>();
const families = new WeakMap<Component, Family>();

/** Gives a started component what it needs to render children (the start step calls it). */
export function provideChildren(component: Component, env: ChildEnv): void {
  envs.set(component, env);
}

/**
 * The id of the component's root on the page (its view id): its children's ids are `<scope>:<id>`.
 * `live()` sets it to the embed's id, a connection to the id the client joined under.
 */
export function setChildScope(component: Component, id: string): void {
  if (!scopes.has(component)) scopes.set(component, id);
}

/** The scope {@link setChildScope} gave the component, if any. */
export function childScopeOf(component: Component): string | undefined {
  return scopes.get(component);
}

/** Whether the component's current or last render holds children. */
export function holdsChildren(component: Component): boolean {
  const f = families.get(component);
  return !!f && (f.seen.size > 0 || (f.next !== undefined && f.next.size > 0));
}

/** The page id of a component's child `id`. */
export function childPageId(component: Component, id: string): string {
  return `${scopes.get(component) ?? component.id ?? (component.constructor as ComponentClass).name}:${id}`;
}

/** Whether the component's current or last render holds a child `id` of component `name` (a child's join is checked with it). */
export function rendersChild(component: Component, id: string, name: string): boolean {
  const f = families.get(component);
  return !!f && (f.seen.get(id) === name || f.next?.get(id) === name);
}

/** The component name of child `id` in the component's current or last render, if it holds one. */
export function childName(component: Component, id: string): string | undefined {
  const f = families.get(component);
  return f?.next?.get(id) ?? f?.seen.get(id);
}

/**
 * What `this.child(name, params, id)` inserts: the child's embedded root (first time), or its
 * empty root (the client has it). See the module comment.
 */
export function renderChild(parent: Component, name: string, params: Record<string, unknown>, id: string): Raw {
  if (typeof name !== "string" || typeof id !== "string" || !CHILD_ID.test(id)) {
    throw new HotlineError("handler_error", `child(${JSON.stringify(name)}, …, ${JSON.stringify(id)}): a child id is 1-64 letters, digits, - or _`, { fault: "app" });
  }
  if (!params || typeof params !== "object" || Array.isArray(params)) {
    throw new HotlineError("handler_error", `child("${name}"): params must be an object`, { fault: "app" });
  }
  if ((parent.constructor as ComponentClass).shared) {
    throw new HotlineError("handler_error", `child("${name}"): a shared component (one render for every viewer) cannot have live children`, { fault: "app" });
  }
  const f = familyOf(parent);
  if (f.next!.has(id)) throw new HotlineError("handler_error", `child("${name}", …, "${id}"): two children with the id "${id}" in one render`, { fault: "app" });
  f.next!.set(id, name);
  const pageId = escapeHtml(childPageId(parent, id));
  if (f.seen.get(id) === name) return new Raw(`<div ${Attr.component}="${escapeHtml(name)}" ${Attr.id}="${pageId}"></div>`);
  const env = envs.get(parent);
  // A name the app got wrong is the app's error (logged), not the client's unknown_component.
  const cls = (env?.registry ?? defaultRegistry).get(name);
  if (!cls) throw new HotlineError("handler_error", `child("${name}"): no component is registered under this name`, { fault: "app" });
  if (cls.shared) throw new HotlineError("handler_error", `child("${name}"): a shared component cannot be a child`, { fault: "app" });
  // Its parent's context (services, renderer, user), in a live app or a plain dispatch alike.
  const child = new cls({ ...params }, env?.context ?? contextOf(parent));
  const mounted = child.mount() as unknown;
  if (mounted && typeof (mounted as Promise<void>).then === "function") {
    (mounted as Promise<void>).catch(() => {}); // reported by the throw below
    throw new HotlineError("handler_error", `child("${name}"): mount() is async; a child mounts inside its parent's render (load data in the parent and pass it as params)`, { fault: "app" });
  }
  // Outside a live app (a plain dispatch in a test): the child's HTML, not live.
  if (!env) return new Raw(`<div>${toHTML(child)}</div>`);
  provideChildren(child, env);
  scopes.set(child, childPageId(parent, id));
  const options = { id: childPageId(parent, id), ...(Object.keys(params).length > 0 && { params }), ...(env.user !== undefined && { user: env.user }) };
  return new Raw(embedMarkup(env.tokens, name, child, options));
}

/**
 * The component's bookkeeping, made on its first child: from then on each render records the
 * children it names, and a render that completes makes them the ones the client holds (a failed
 * render leaves the last good one's). The first render is already under way when it is made: its
 * children count as completed at the start of the next render.
 */
function familyOf(c: Component): Family {
  let f = families.get(c);
  if (f) return f;
  f = { seen: new Map(), next: new Map() };
  families.set(c, f);
  const fam = f;
  const render = c.render;
  c.render = function (this: Component) {
    if (fam.next) fam.seen = fam.next; // the first render's (it ran unwrapped)
    fam.next = new Map();
    try {
      const out = render.call(this);
      fam.seen = fam.next;
      return out;
    } finally {
      fam.next = undefined;
    }
  };
  return f;
}

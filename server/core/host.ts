/**
 * What transports use to drive a component, kept off the component's own namespace: run an
 * event, check the state, connect (or disconnect) its host, act as a viewer. `Component` installs
 * the implementations from its static block (they reach its private members); nothing else can.
 */
import type { Component } from "./component.js";
import type { ComponentContext, HotlineUser } from "./context.js";
import { HotlineError } from "./errors.js";
import type { PresenceList, PresenceMeta } from "./presence.js";
import type { NavIntent } from "./navigation.js";

/**
 * What a transport gives a live component: subscriptions, publishing, events pushed to the
 * client's hooks, and presence (a transport without a connection, like HTTP, has none).
 */
export interface ComponentHost {
  subscribe(topic: string): void;
  unsubscribe(topic: string): void;
  publish(topic: string, message: unknown): Promise<void>;
  push(event: string, payload: unknown): void;
  track?(topic: string, meta: PresenceMeta): void;
  untrack?(topic: string): void;
  followPresence?(topic: string): void;
  presence?(topic: string): PresenceList;
  /** `this.sendUpdate(id, props)`: to the child `id` on the same page (server/live/children.ts). */
  sendUpdate?(id: string, props: Record<string, unknown>): void;
  /** `this.emit(event, payload)`: to the parent on the same page. */
  emit?(event: string, payload: Record<string, unknown>): void;
  /** `pushPatch`, `pushNavigate`, `redirect`, `flash`: to the page (server/live/navigation.ts). */
  navigate?(intent: NavIntent): void;
  /** The component registered its first async load (`assignAsync`, `startAsync`): a live host starts running them. */
  asyncRegistered?(): void;
}

/** The private-member plumbing, installed once by `Component`. */
interface Plumbing {
  run(c: Component, event: string, payload: Record<string, unknown>): AsyncGenerator<boolean>;
  check(c: Component, keys?: Map<string, string>): void;
  actAs(c: Component, user: HotlineUser | null): void;
  attach(c: Component, host: ComponentHost | undefined, topics: Iterable<string>): void;
  context(c: Component): ComponentContext;
  host(c: Component): ComponentHost | undefined;
}

let impl: Plumbing;

/** The context (services, renderer, user) a component was made with: its children get the same. */
export function contextOf(component: Component): ComponentContext {
  return impl.context(component);
}

/** The host a component is attached to (a live instance), if any. */
export function hostOf(component: Component): ComponentHost | undefined {
  return impl.host(component);
}

/** Called once, by `Component`'s static block. */
export function install(plumbing: Plumbing): void {
  impl = plumbing;
}

/**
 * Runs an event for a transport: yields `false` after each step of a streaming handler (render
 * and send a patch then) and `true` once, at the end, when the state is settled. On error the
 * state is restored to what it was before the event and a HotlineError is thrown.
 */
export function runEvent(component: Component, event: string, payload: Record<string, unknown> = {}): AsyncGenerator<boolean> {
  return impl.run(component, event, payload);
}

/** Checks the dehydrated state: JSON only, within the class's size limit. Throws `too_large` or `bad_state`. */
export function checkState(component: Component, keys?: Map<string, string>): void {
  impl.check(component, keys);
}

/** Sets who `this.user` is: a shared instance sees the sender of the event it handles, `null` otherwise. */
export function actAs(component: Component, user: HotlineUser | null): void {
  impl.actAs(component, user);
}

/** `unauthorized` unless the app's rule lets `user` listen to `topic`. */
export function checkTopic(context: ComponentContext, user: HotlineUser | null, topic: string): void {
  if (context.authorizeTopic && !context.authorizeTopic(user, topic)) {
    throw new HotlineError("unauthorized", "this subscription is not allowed");
  }
}

/** Connects an instance to its host (or disconnects it with `undefined`); the host then hears every topic. */
export function attachHost(component: Component, host: ComponentHost | undefined, topics: Iterable<string> = []): void {
  impl.attach(component, host, topics);
}

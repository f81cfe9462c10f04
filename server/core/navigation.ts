/**
 * What a component asks of the page it is on (`pushPatch`, `pushNavigate`, `redirect`, `flash`,
 * docs/navigation.md): intents handed to its live host, or kept until one is there (asked during
 * `mount()` or `handleParams()`, before the first render: the page request turns them into a
 * redirect and the page's flashes; a WebSocket join sends them after its answer).
 */
import type { Component } from "./component.js";
import type { ComponentHost } from "./host.js";
import { HotlineError } from "./errors.js";

/** What a navigation intent does: a new URL for the same page, another live page, or a full page load. */
export type NavKind = "patch" | "navigate" | "redirect";

/** One intent: a URL to go to (with its kind), and/or a flash to show. */
export interface NavIntent {
  kind?: NavKind;
  url?: string;
  /** replace the current history entry instead of adding one */
  replace?: boolean;
  /** `[kind, text]` */
  flash?: [string, string];
}

/** Options of `pushPatch` and `pushNavigate`. */
export interface PushOptions {
  /** Replace the current history entry instead of adding one. Default false. */
  replace?: boolean;
}

const pending = new WeakMap<Component, NavIntent[]>();

/** Hands `intent` to the component's host, or keeps it until one takes it ({@link takeIntents}). */
export function intend(component: Component, host: ComponentHost | undefined, intent: NavIntent): void {
  if (intent.url !== undefined && (typeof intent.url !== "string" || !intent.url || intent.url.length > 2048)) {
    throw new HotlineError("handler_error", "a navigation URL is a non-empty string of at most 2048 characters", { fault: "app" });
  }
  if (intent.flash && intent.flash.some((s) => typeof s !== "string")) {
    throw new HotlineError("handler_error", "flash(kind, text) takes two strings", { fault: "app" });
  }
  if (host?.navigate) return host.navigate(intent);
  keepIntent(component, intent);
}

/** Keeps `intent` until {@link takeIntents} (a host with no viewer yet keeps it here too). */
export function keepIntent(component: Component, intent: NavIntent): void {
  let list = pending.get(component);
  if (!list) pending.set(component, (list = []));
  list.push(intent);
}

/** The intents kept for the component (and forgets them). */
export function takeIntents(component: Component): NavIntent[] {
  const list = pending.get(component);
  pending.delete(component);
  return list ?? [];
}

/**
 * Server-driven UI wire types (`format: "sdui"`, docs/sdui.md): what `ok` and `patch` carry in
 * sdui format, shared by the server (server/sdui/screens.ts checks and diffs them) and every
 * client cache (client/sdui-cache.ts is the reference a native client follows).
 */

/** How a client merges a component into its cache. `REPLACE` is the default when absent. */
export type MergeStrategyType = "REPLACE" | "APPEND" | "MATCH";

/** The merge strategies, in the order the protocol lists them. */
export const MergeStrategyTypes: readonly MergeStrategyType[] = ["REPLACE", "APPEND", "MATCH"];

/**
 * One part of a screen. Its lists are the array-valued keys of `payload` (the "list rule").
 *
 * @example
 * const list: SduiComponent = {
 *   rel: "order_list", behavior: "VISIBLE", locale: { title: "Your orders" },
 *   payload: { items: [{ id: 7, total: 12 }] }, mergeStrategy: { type: "MATCH" },
 * };
 */
export interface SduiComponent {
  /** Stable identity within the screen; equals the component's key in `Screen.components`. */
  rel: string;
  /** The rendering variant: `VISIBLE`, `HIDDEN`, `LOADING`, `LINK`, `ACTION`, or the component's own. */
  behavior: string;
  /** Final, server-resolved strings. */
  locale: Record<string, string>;
  /** Component-specific JSON. */
  payload: unknown;
  /** Only on components whose payload holds a list. */
  mergeStrategy?: { type: MergeStrategyType };
}

/** A screen: its components keyed by `rel`. */
export interface Screen {
  components: Record<string, SduiComponent>;
}

/**
 * A screen set: what `describe()` returns, and what `ok` and `patch` carry in sdui format
 * (screens keyed by name; a patch holds only the changed components).
 *
 * @example
 * const set: ScreenSet = { screens: { cart: { components: { order_list: list } } } };
 */
export interface ScreenSet {
  screens: Record<string, Screen>;
}

/** A list item's identity for `MATCH`: its `id` field, a string or a finite number (compared with `===`). */
export type ItemId = string | number;

/**
 * Client-side commands (in the manner of Phoenix.LiveView.JS): a JSON list written as the value of
 * an event attribute (`hl-click='[["toggle",{"to":"#menu"}]]'`), which the browser client runs
 * itself, with no round trip (only `push` sends an event). The server's `JS` builder writes them;
 * docs/client.md describes each, docs/protocol.md §1.6 the form. String enums: the client's
 * bundle inlines their values.
 */

/** The command names (short: they travel in every attribute): the first element of each `[op, args]`. */
export enum Cmd {
  /** `{ to?, d? }`: shows the targets (`style.display = d`, default "block") */
  show = "show",
  /** `{ to? }`: hides the targets (`style.display = "none"`) */
  hide = "hide",
  /** `{ to?, d? }`: shows the hidden targets, hides the visible ones */
  toggle = "toggle",
  /** `{ to?, c }`: adds the space-separated classes `c` */
  addClass = "add",
  /** `{ to?, c }`: removes the space-separated classes `c` */
  removeClass = "remove",
  /** `{ to?, c, ms? }`: adds the classes `c` for `ms` milliseconds (default 200), then removes them */
  transition = "transition",
  /** `{ to?, n, v }`: sets attribute `n` to the string `v` */
  setAttribute = "set",
  /** `{ to?, n }`: removes attribute `n` */
  removeAttribute = "unset",
  /** `{ to? }`: focuses the target (of several, the last keeps the focus) */
  focus = "focus",
  /** `{ to?, e, v? }`: dispatches a bubbling `CustomEvent` `e` with `detail: v` on the targets */
  dispatch = "dispatch",
  /** `{ e, v? }`: sends event `e` to the component, as the attribute's plain binding would, with the object `v` merged into its payload */
  push = "push",
}

/**
 * The arguments of a command. `to`: a CSS selector, every match in the document (absent: the
 * element whose attribute runs the command).
 */
export interface CmdArgs {
  to?: string;
  /** classes, space-separated */
  c?: string;
  /** an attribute name */
  n?: string;
  /** an attribute value, a CustomEvent's detail, or a payload object to merge */
  v?: unknown;
  /** a display value */
  d?: string;
  /** an event name */
  e?: string;
  /** a duration, in milliseconds */
  ms?: number;
}

/** One command: `[op, args]`. */
export type Command = [op: Cmd, args: CmdArgs];

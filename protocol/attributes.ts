/**
 * The `hl-*` names the browser client and the server understand: attributes that an app writes in
 * its templates, attributes the server writes around a component, and the classes the client sets.
 * docs/client.md describes each binding. String enums, as in ./wire.ts: the client's bundle
 * inlines their values.
 */

/** The prefix of every Hotline attribute and class name. */
export const HL_PREFIX = "hl-";

/** Every `hl-*` attribute, by what it does. */
export enum Attr {
  /** On a component's root: its registered name. The client joins every element that has it. */
  component = "hl-component",
  /** On a component's root: the instance id the client joins under (unique on the page). */
  id = "hl-id",
  /** On a component's root: the signed state token of its first render (the join hydrates from it). */
  state = "hl-state",
  /** On a component's root: the mount parameters, as JSON. */
  params = "hl-params",
  /**
   * On an input of a form (a row's version, say): the render it was written by is what the form's
   * edits are based on. While the user keeps typing in a field of that form whose server value
   * changed meanwhile (the client keeps what they typed), this input keeps its old value too, so
   * a submit says which render the person saw and the server can tell a conflict.
   */
  basis = "hl-basis",

  /** `hl-click="event"`: a click sends `event` (on a link, the navigation is prevented). */
  click = "hl-click",
  /** `hl-submit="event"` on a form: a submit sends `event` with the form's fields. */
  submit = "hl-submit",
  /** `hl-change="event"`: a change sends `event` with `{ name, value }` (a form: all its fields). */
  change = "hl-change",
  /** `hl-input="event"`: each input sends `event` (see {@link Attr.debounce}). */
  input = "hl-input",
  /** `hl-keydown="event"`: a key press sends `event` with `{ key, value? }` (see {@link Attr.key}). */
  keydown = "hl-keydown",
  /** `hl-keyup="event"`: as {@link Attr.keydown}, on key release. */
  keyup = "hl-keyup",
  /** `hl-focus="event"`: the element getting the focus sends `event`. */
  focus = "hl-focus",
  /** `hl-blur="event"`: the element losing the focus sends `event`. */
  blur = "hl-blur",
  /**
   * `hl-target="parent"` or `hl-target="<css selector>"`: where the element's events go. Default:
   * the closest component root (a child's own); "parent": the component around that one; a
   * selector: the component whose root matches it (or contains the first match).
   */
  target = "hl-target",
  /** `hl-key="Enter"`: beside a key binding, only that key sends the event. */
  key = "hl-key",
  /** `hl-debounce="ms"`: sends the element's event once it has been quiet this long. */
  debounce = "hl-debounce",
  /** `hl-throttle="ms"`: sends the element's event at most once per this long. */
  throttle = "hl-throttle",
  /** `hl-value-<name>="v"`: adds `name = "v"` to the payload of the element's event. The prefix. */
  valuePrefix = "hl-value-",
  /** `hl-window-<event>="handler"`: listens for `<event>` on window (e.g. `hl-window-keydown`). The prefix. */
  windowPrefix = "hl-window-",
  /** `hl-disable-with="Saving…"`: while the element's form awaits its answer, disabled and showing this text. */
  disableWith = "hl-disable-with",
  /**
   * `hl-recover="event"` on a form: after a rejoin onto a fresh state (the server lost the
   * session), the event that re-sends the form's fields (default: the form's `hl-change`);
   * `"ignore"`: never.
   */
  recover = "hl-recover",

  /**
   * `hl-ignore` (on an element with an `id`): the client owns its contents (a third-party widget,
   * an editor): patches update its attributes but never its children (LiveView's phx-update="ignore").
   */
  ignore = "hl-ignore",
  /** `hl-hook="Name"`: runs the client hook `Hotline.hooks.Name` for the element's lifetime. */
  hook = "hl-hook",
  /** `hl-stream="name"`: the element is the container of stream `name`; the DOM keeps its items. */
  stream = "hl-stream",
  /** On a `<template>` in a stream container (client-made): the operation, one of {@link StreamOps}. */
  op = "hl-op",
  /** On a stream operation's `<template>`: the item's DOM id. (Same name as {@link Attr.key}; never on the same element.) */
  opId = "hl-key",
  /** On an insert's `<template>`: the index to insert the item at; on a limit's: the limit. */
  opAt = "hl-at",
  /**
   * `hl-viewport-top="event"` on a container (a stream's): sends `event` with `{ id }` of its first
   * child when that child comes into the viewport (infinite scroll upwards).
   */
  viewportTop = "hl-viewport-top",
  /** `hl-viewport-bottom="event"`: as {@link Attr.viewportTop}, for the container's last child. */
  viewportBottom = "hl-viewport-bottom",

  /** htmx mode: on the wrapper around a component's HTML, the component's name. */
  htmx = "hl-htmx",

  /** `hl-upload="avatar"` on `<input type="file">`: chosen files upload as `avatar` (docs/uploads.md). */
  upload = "hl-upload",
  /** `hl-upload-cancel="<entry ref>"`: a click drops that upload entry. */
  uploadCancel = "hl-upload-cancel",
  /** `hl-drop-target="avatar"`: files dropped on the element upload as `avatar`. */
  dropTarget = "hl-drop-target",
  /** `hl-upload-preview="<entry ref>"` on an `<img>`: the client shows the chosen file (an object URL). */
  uploadPreview = "hl-upload-preview",
  /** The page slot of a route's page (`<div hl-page>`): a live navigate swaps the component root inside it (docs/navigation.md). */
  page = "hl-page",
  /** On a link: change the page's URL without a remount (`handleParams` runs; docs/navigation.md). */
  patch = "hl-patch",
  /** On a link: go to another live page over the same WebSocket. */
  navigate = "hl-navigate",
  /** The flash container of a page's layout: flashes land in it as `<p class="hl-flash-KIND">`. */
  flash = "hl-flash",
}

/** The DOM events the client binds, each with its attribute: `hl-<event>`. */
export enum EventAttrs {
  click = Attr.click,
  submit = Attr.submit,
  change = Attr.change,
  input = Attr.input,
  keydown = Attr.keydown,
  keyup = Attr.keyup,
  focus = Attr.focus,
  blur = Attr.blur,
}

/** Values of {@link Attr.op}: what a stream operation's `<template>` does to its container. */
export enum StreamOps {
  /** remove every child (those the same batch inserts again keep their DOM node) */
  reset = "reset",
  /** remove the child with the `hl-key` id */
  delete = "d",
  /** insert the template's item, or update the child with its id in place */
  insert = "i",
  /** keep at most `hl-at` children: n > 0 the first n, n < 0 the last -n (the others are removed) */
  limit = "l",
}

/** The `hl-*` classes the client and the server set, for styling. */
export enum Classes {
  /** On a component root and the element whose event awaits its answer. */
  loading = "hl-loading",
  /** On a component root joined over a live connection. */
  connected = "hl-connected",
  /** On a component root whose connection is down (it rejoins by itself). */
  disconnected = "hl-disconnected",
  /** htmx mode: on the error snippet sent instead of the component. */
  error = "hl-error",
  /** On an `hl-drop-target` while files are dragged over it. */
  dragOver = "hl-drag-over",
  /** A flash in `[hl-flash]`: `hl-flash-<kind>` (`this.flash(kind, text)`, docs/navigation.md). */
  flashPrefix = "hl-flash-",
  /** The body of a route's error page (a 400 for a refused URL param, a 404, a 500). */
  errorPage = "hl-error-page",
}

/**
 * DOM bindings by event delegation on the document: `hl-click`, `hl-submit`, `hl-change`,
 * `hl-input`, `hl-keydown`/`hl-keyup` (`hl-key` filter), `hl-focus`/`hl-blur`, `hl-window-<event>`,
 * with `hl-value-<name>` payload values and `hl-debounce`/`hl-throttle` rate limits.
 */
import { releaseBasis } from "./dom-patch.js";
import { Attr, EventAttrs } from "../protocol/attributes.js";
import { views, pushEvent } from "./view.js";
import { exec } from "./commands.js";
import { observe } from "./viewport.js";

type Field = HTMLInputElement;
type Payload = Record<string, unknown>;

/** `hl-value-<name>` attributes as payload fields. */
const values = (el: Element): Payload => {
  const o: Payload = {};
  for (const a of el.attributes) if (a.name.startsWith(Attr.valuePrefix)) o[a.name.slice(Attr.valuePrefix.length)] = a.value;
  return o;
};

/** A form's fields; a repeated name gives an array. */
export function serialize(form: HTMLFormElement, submitter?: HTMLElement | null): Payload {
  const o: Payload = {};
  new FormData(form, submitter).forEach((v, k) => {
    if (typeof v === "string") o[k] = k in o ? ([] as unknown[]).concat(o[k], v) : v;
  });
  return o;
}

const fieldValue = (f: Field) => (f.type === "checkbox" ? f.checked : f.value);

const COMPONENTS = `[${Attr.component}]`;
const timers = new WeakMap<Element, any>();
const throttles = new WeakMap<Element, { l: number; t?: any; f?: (() => void) | null }>();

/** Runs `fn` now, or as `hl-debounce` / `hl-throttle` on `el` say; the payload is read when it runs. */
function rate(el: Element, fn: () => void): void {
  const d = el.getAttribute(Attr.debounce);
  const t = el.getAttribute(Attr.throttle);
  if (d) {
    clearTimeout(timers.get(el));
    timers.set(el, setTimeout(fn, +d));
  } else if (t) {
    let s = throttles.get(el);
    if (!s) throttles.set(el, (s = { l: 0 }));
    s.f = fn;
    const wait = s.l + +t - Date.now();
    const run = () => {
      s!.t = 0;
      s!.l = Date.now();
      s!.f?.();
      s!.f = null;
    };
    if (wait <= 0) run();
    else s.t ||= setTimeout(run, wait);
  } else fn();
}

/** Sends `el`'s event `name` for the component around it, with `hl-value-*` merged in. */
function fire(el: Element, name: string | null, payload: () => Payload): void {
  // hl-target: "parent" (the component around el's own), a selector, or by default el's own
  const t = el.getAttribute(Attr.target);
  const root = t == "parent" ? el.closest(COMPONENTS)?.parentElement!.closest(COMPONENTS) : (t ? document.querySelector(t) : el)?.closest(COMPONENTS);
  const v = root && views.get(root);
  const send = (e: string, p?: object) => v && pushEvent(v, e, { ...payload(), ...values(el), ...p }, el);
  // a value that starts with "[" is a list of client-side commands (client/commands.ts)
  if (name) rate(el, () => (name[0] == "[" ? exec(el, name, send) : send(name)));
}

const keyOk = (el: Element, e: Event) => {
  const k = el.getAttribute(Attr.key);
  return !k || k.toLowerCase() === (e as KeyboardEvent).key?.toLowerCase();
};

const keyPayload = (el: Element, e: Event): Payload => {
  const p: Payload = { key: (e as KeyboardEvent).key };
  if (/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName)) p.value = (el as Field).value;
  return p;
};

/** Installs the document listeners (once). */
export function bind(): void {
  const on = (type: keyof typeof EventAttrs, capture = false) => {
    const attr = EventAttrs[type];
    const selector = `[${attr}]`;
    document.addEventListener(
      type,
      (e) => {
        const t = e.target as Element;
        // focus and blur do not bubble: they belong to their own element only
        const el = capture ? (t.hasAttribute?.(attr) ? t : null) : t.closest?.(selector);
        if (!el) return;
        const name = el.getAttribute(attr);
        if (type === "submit") {
          e.preventDefault();
          return fire(el, name, () => {
            const fields = serialize(el as HTMLFormElement, (e as SubmitEvent).submitter);
            releaseBasis(el as HTMLFormElement); // sent with the basis it was held at
            return fields;
          });
        }
        if (type === "click" && el.tagName === "A") e.preventDefault();
        if (type.startsWith("key")) {
          if (keyOk(el, e)) fire(el, name, () => keyPayload(el, e));
        } else if (type === "change" || type === "input") {
          const f = t as Field;
          fire(el, name, () => (el.tagName === "FORM" ? { ...serialize(el as HTMLFormElement), _target: f.name } : { value: fieldValue(f), name: f.name }));
        } else fire(el, name, () => (/^(INPUT|TEXTAREA|SELECT)$/.test(el.tagName) ? { value: (el as Field).value } : {}));
      },
      capture,
    );
  };
  for (const t of ["click", "submit", "change", "input", "keydown", "keyup"] as const) on(t);
  on("focus", true);
  on("blur", true);
}

const onWindow = new Set<string>();

/** Listens on window for every `hl-window-<event>` found under `root` (each event name once). */
export function bindWindow(root: Element): void {
  observe(root); // hl-viewport-*: after each render too
  for (const el of root.querySelectorAll("*"))
    for (const a of el.attributes) {
      const type = a.name.startsWith(Attr.windowPrefix) && a.name.slice(Attr.windowPrefix.length);
      if (!type || onWindow.has(type)) continue;
      onWindow.add(type);
      const attr = Attr.windowPrefix + type;
      window.addEventListener(type, (e) => {
        for (const x of document.querySelectorAll(`[${attr}]`))
          if (keyOk(x, e)) fire(x, x.getAttribute(attr), () => ((e as KeyboardEvent).key ? { key: (e as KeyboardEvent).key } : {}));
      });
    }
}

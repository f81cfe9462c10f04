/**
 * The development overlay (served as `/hotline.js?dev` only when the app runs in dev mode, never
 * part of the main bundle): when a component's handler fails, the server's error frame carries the
 * handler's stack, and this shows it over the page. It listens for the `hotline:error` event the
 * client dispatches for every error frame; an error without a stack (a client's own fault, or any
 * error in production, whose frames never carry one) is left alone.
 */
import { M } from "../protocol/wire.js";
import { Attr } from "../protocol/attributes.js";

const ID = "hotline-dev-overlay";
const w = window as unknown as { __hotlineDevOverlay?: boolean };

function show(m: Record<string, any>, source: EventTarget | null): void {
  document.getElementById(ID)?.remove();
  const box = document.createElement("div");
  box.id = ID;
  box.setAttribute("role", "alertdialog");
  box.setAttribute("aria-label", "Hotline: a handler failed");
  box.style.cssText =
    "position:fixed;inset:0;z-index:2147483647;background:rgba(20,20,24,.92);color:#f4f4f5;" +
    "font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:32px;overflow:auto;box-sizing:border-box";
  const root = (source as Element | null)?.closest?.(`[${Attr.component}]`);
  const title = document.createElement("h2");
  title.style.cssText = "margin:0 0 8px;color:#fca5a5;font-size:18px";
  title.textContent = `${m[M.code]}${root ? ` in ${root.getAttribute(Attr.component)}` : ""}: ${m[M.message]}`;
  const stack = document.createElement("pre");
  stack.className = "hotline-dev-stack";
  stack.style.cssText = "white-space:pre-wrap;margin:16px 0;color:#e4e4e7";
  stack.textContent = String(m[M.stack]);
  const note = document.createElement("p");
  note.style.cssText = "color:#a1a1aa";
  note.textContent = "Development mode only (hotline dev). Fix the handler and save: the page updates by itself. Esc or click to close.";
  const close = document.createElement("button");
  close.type = "button";
  close.textContent = "Close";
  close.style.cssText = "font:inherit;padding:4px 12px;cursor:pointer";
  box.append(title, stack, note, close);
  const off = () => {
    box.remove();
    document.removeEventListener("keydown", onKey);
  };
  const onKey = (e: KeyboardEvent) => e.key === "Escape" && off();
  close.onclick = off;
  document.addEventListener("keydown", onKey);
  document.body.append(box);
}

// Each embed is followed by this script in dev mode: only its first copy listens.
if (!w.__hotlineDevOverlay) {
  w.__hotlineDevOverlay = true;
  document.addEventListener("hotline:error", (e) => {
    const m = (e as CustomEvent).detail;
    if (m && typeof m[M.stack] === "string") show(m, e.target);
  });
}

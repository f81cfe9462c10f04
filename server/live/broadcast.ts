import { bodyInner, patchFrame } from "./frames.js";
import type { Viewer } from "./instance.js";
import type { Persister } from "./persister.js";
import type { ViewerSet } from "./viewers.js";

/**
 * Sends one patch body of an instance: to the sender with its ref, to every other viewer without
 * (and only when not empty). The body is encoded once; the frame once per distinct client id, as
 * one Buffer (a shared instance's thousand viewers get the same bytes).
 */
export function broadcast(out: Persister<Viewer>, viewers: ViewerSet<Viewer>, body: Record<string, unknown>, sender: Viewer | undefined, ref: number | undefined, done: boolean | undefined): void {
  const inner = bodyInner(body);
  if (sender && viewers.has(sender)) out.send(sender, patchFrame(sender.id, ref, done, inner));
  if (!inner) return;
  const others = viewers.size - (sender && viewers.has(sender) ? 1 : 0);
  if (others === 0) return;
  if (others === 1) {
    for (const v of viewers) if (v !== sender) out.send(v, patchFrame(v.id, undefined, undefined, inner));
    return;
  }
  const frames = new Map<string, Buffer>();
  for (const v of viewers) {
    if (v === sender) continue;
    let buf = frames.get(v.id);
    if (!buf) frames.set(v.id, (buf = Buffer.from(patchFrame(v.id, undefined, undefined, inner))));
    out.send(v, buf);
  }
}

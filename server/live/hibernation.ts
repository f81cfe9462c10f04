import type { LiveInstance, Viewer } from "./instance.js";
import { mayHibernate } from "../core/hibernate.js";
import { hasKin } from "./children.js";

/**
 * Hibernates `live` (docs/hibernation.md) when nothing would be lost: it is {@link LiveInstance.quiet},
 * has no kin on its page, its client can be brought back by one full patch, and its component
 * {@link mayHibernate}. Then its one viewer, its state's JSON (what the store holds) and its
 * topics go to `sleep`, which takes its place (in the topic index too), and the instance is left.
 * A state the store may not have yet is handed to it first, and a later sweep tries again, unless
 * the store applies writes within the call. True when it slept.
 */
export function hibernate(live: LiveInstance, sleep: (viewer: Viewer, json: string, topics: readonly string[]) => void): boolean {
  if (!live.quiet || !live.presenter.hibernatable() || hasKin(live) || !mayHibernate(live.component)) return false;
  const json = JSON.stringify(live.component.dehydrate());
  const topics = [...live.component.topics];
  if (!live.saved(json, topics)) return false;
  const [viewer] = live.viewers;
  sleep(viewer!, json, topics);
  live.leave(viewer!);
  return true;
}

import type { PresenceMeta } from "../core/presence.js";
import { userKey } from "../core/identity.js";
import type { LiveInstance, Viewer } from "./instance.js";

/**
 * The presences of one live instance: its trackings, by owner (a viewer, or the instance when no
 * viewer is at hand) and topic, and the topics whose presences it follows. The instance makes it
 * on its first `followPresence` or `track` (most instances never track anyone) and says whose a
 * call is; this keeps the seam's refs and gives them back when an owner goes.
 */
export class InstancePresence {
  readonly #live: LiveInstance;
  /** by owner, then topic: the seam's ref for the presence (undefined when tracking failed) */
  // Made on first track: an instance may follow without being present.
  #tracks: Map<object, Map<string, Promise<string | undefined>>> | undefined;
  /** topics whose presences the instance follows */
  readonly followed = new Set<string>();

  constructor(live: LiveInstance) {
    this.#live = live;
  }

  follow(topic: string): void {
    if (this.followed.has(topic)) return;
    this.followed.add(topic);
    this.#live.env.presence.follow(topic, this.#live);
  }

  /** Resolves once the lists of the followed topics are loaded. */
  ready(): Promise<void> {
    return this.#live.env.presence.ready(this.followed);
  }

  /** `owner` is present on `topic` with `meta` (the same owner again: its meta changes, its presence stays). */
  track(owner: object, topic: string, meta: PresenceMeta): void {
    const live = this.#live;
    const tracks = (this.#tracks ??= new Map<object, Map<string, Promise<string | undefined>>>());
    let mine = tracks.get(owner);
    if (!mine) tracks.set(owner, (mine = new Map<string, Promise<string | undefined>>()));
    const seam = live.env.presence.presence;
    const had = mine.get(topic);
    const log = (err: unknown) => live.env.ctx.log(`component "${live.name}": presence on a topic failed`, err);
    if (had) {
      mine.set(topic, had.then((ref) => (ref === undefined ? undefined : seam.update(topic, ref, meta).then(() => ref, (err) => (log(err), ref)))));
      return;
    }
    const key = presenceKey(owner === live ? live.component.user : (owner as Viewer).user, owner === live ? live.storeKey : (owner as Viewer).key, live.env.ctx.userKeyOf);
    mine.set(topic, seam.track(topic, key, meta).catch((err: unknown) => (log(err), undefined)));
  }

  untrack(owner: object, topic: string): void {
    const mine = this.#tracks?.get(owner);
    const ref = mine?.get(topic);
    if (!ref) return;
    mine!.delete(topic);
    if (!mine!.size) this.#tracks!.delete(owner);
    this.#drop(topic, ref);
  }

  /** Ends every presence of `owner` (a viewer that leaves, a join that failed). */
  untrackAll(owner: object): void {
    const mine = this.#tracks?.get(owner);
    if (!mine) return;
    this.#tracks!.delete(owner);
    for (const [topic, ref] of mine) this.#drop(topic, ref);
  }

  /** The instance closes: every presence ends, every followed topic is let go. */
  close(): void {
    if (this.#tracks) for (const owner of [...this.#tracks.keys()]) this.untrackAll(owner);
    for (const t of this.followed) this.#live.env.presence.unfollow(t, this.#live);
  }

  #drop(topic: string, ref: Promise<string | undefined>): void {
    const live = this.#live;
    void ref
      .then((r) => (r === undefined ? undefined : live.env.presence.presence.untrack(topic, r)))
      .catch((err: unknown) => live.env.ctx.log(`component "${live.name}": cannot untrack a presence`, err));
  }
}

/** A presence's key: the user's `id`, else the user's key, else the viewer's session (anonymous). */
function presenceKey(user: unknown, session: string, keyOf: ((user: NonNullable<unknown>) => string) | undefined): string {
  const id = (user as { id?: unknown } | null)?.id;
  if (typeof id === "string" || typeof id === "number") return String(id);
  return userKey(user, keyOf) ?? session;
}

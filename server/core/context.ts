import type { Renderer } from "./renderer.js";

/**
 * The services an app gives its components (`createHotline({ services })`), read as
 * `this.services`. Empty here: augment it in your app so that `this.services` is typed.
 *
 * @example
 * declare module "hotline" {
 *   interface HotlineServices { board: BoardRepo; orders: ModelAdapter }
 * }
 * const hotline = createHotline({ services: { board: new MemoryBoardRepo(), orders } });
 * // in a component: await this.services.board.list()
 */
// biome-ignore lint: an interface meant to be augmented
export interface HotlineServices {}

/**
 * The user an app's `authenticate(request)` resolves (`this.user`). Empty here: augment it so
 * that `this.user` is typed.
 *
 * @example
 * declare module "hotline" {
 *   interface HotlineUser { id: string; name: string }
 * }
 */
// biome-ignore lint: an interface meant to be augmented
export interface HotlineUser {}

/** Which way a component is being started. */
export type StartMode = "mount" | "hydrate" | "resume";

/** What a mount hook is told: who, which component, with which (trusted) params, and how it starts. */
export interface MountInfo {
  user: HotlineUser | null;
  name: string;
  params: Readonly<Record<string, unknown>>;
  mode: StartMode;
}

/**
 * What a mount hook decides: `undefined` or `true` lets the start go on; `false` refuses it
 * (`unauthorized`, HTTP 403); `{ redirect }` refuses it and tells the client where to go.
 */
export type MountDecision = void | boolean | { redirect: string };

/**
 * A hook that runs before a component mounts, is hydrated from a token or resumes from the store,
 * on every transport: the place for "only signed-in users" (Phoenix LiveView's `on_mount`).
 *
 * @example
 * const signedIn: MountHook = ({ user }) => (user ? true : { redirect: "/signin" });
 * createHotline({ onMount: signedIn });
 */
export type MountHook = (info: MountInfo) => MountDecision | Promise<MountDecision>;

/**
 * What an app gives each component it starts: its services, its default renderer, its rule for
 * topics, and the user. Two apps in one process give the same class different contexts.
 * In tests: `new Board({}, { services: { board }, user: { id: "u1", name: "Ada" } })`.
 */
export interface ComponentContext {
  /** The app's services (`this.services`). */
  services?: HotlineServices;
  /** The renderer for components that set `templateName` and no `static renderer`. */
  renderer?: Renderer;
  /** The user (`this.user`); `null` or absent for anonymous. */
  user?: HotlineUser | null;
  /**
   * The app's rule for subscriptions (`createHotline({ authorizeTopic })`): false refuses
   * `subscribe(topic)` with `unauthorized`.
   */
  authorizeTopic?: (user: HotlineUser | null, topic: string) => boolean;
}

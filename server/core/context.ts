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
 * What an app gives each component it starts: its services, its default renderer and, once a
 * transport knows it, the user. Two apps in one process give the same class different contexts.
 * In tests: `new Board({}, { services: { board } })`.
 */
export interface ComponentContext {
  /** The app's services (`this.services`). */
  services?: HotlineServices;
  /** The renderer for components that set `templateName` and no `static renderer`. */
  renderer?: Renderer;
}

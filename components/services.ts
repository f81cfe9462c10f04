/**
 * What the demo's components read from their app (`this.services`), declared once for the whole
 * app; the demo gives both: `createHotline({ services: { board, orders } })`. Optional, so that a
 * test (or another app) may start a component with only the service it reads; a component whose
 * service is missing says which one (a `handler_error`).
 */
import type { ModelAdapter } from "hotline";
import type { BoardRepo } from "./board-repo.js";

declare module "hotline" {
  interface HotlineServices {
    /** The shared board's items: `MemoryBoardRepo` in one process, `RedisBoardRepo` across several. */
    board?: BoardRepo;
    /** The orders table behind `orders` and `order_editor` (in memory, or PostgreSQL). */
    orders?: ModelAdapter;
  }
}

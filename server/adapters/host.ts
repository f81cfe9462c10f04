import type { IncomingMessage, ServerResponse } from "node:http";
import type { AppContext } from "../live/context.js";
import type { Routes } from "../live/routes.js";

/**
 * What an adapter needs of a Hotline (what `createHotline()` returns): its app context, and
 * its node handler for the routes the adapter does not mount itself (the client bundle).
 */
export interface HotlineApp {
  context: AppContext;
  handler(req: IncomingMessage, res: ServerResponse, next?: (err?: unknown) => void): unknown;
  /** Pages its handler serves with GET besides the client bundle (the devtools inspector's, when on). */
  readonly pagePaths?: readonly string[];
  /** Its live pages (`createHotline({ routes })`): a GET of a route's path goes to its handler. */
  readonly routes?: Routes;
}

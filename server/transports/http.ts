// Placeholder until the HTTP transport lands (issue 5): answers nothing, so createHotline falls through.
import type { HttpHandler, TransportContext } from "./context.js";

/** The HTTP (fetch, htmx) and SSE transport's request handler. */
export function createHttpTransport(_ctx: TransportContext): HttpHandler {
  return async () => false;
}

import express, { type NextFunction, type Request, type Response, type Router } from "express";
import { createHttpTransport } from "../transports/http/routes.js";
import type { HotlineApp } from "./host.js";
import { VENDOR_PATHS } from "./vendor.js";

/**
 * An Express router for Hotline's HTTP routes: `POST {prefix}/{name}` (JSON and htmx),
 * `POST {prefix}/{name}/stream` (SSE), the client bundle, `/vendor/htmx.min.js` and the devtools
 * inspector's page when it is on. The WebSocket
 * is added to the server with `hotline.attach(server)`. Mount it at the root, before body parsers
 * or after them (a body that express.json() or express.urlencoded() parsed is used as it is).
 *
 * @example
 * const app = express();
 * app.use(hotlineExpress(hotline));
 * const server = app.listen(3000);
 * hotline.attach(server);
 */
export function hotlineExpress(hotline: HotlineApp): Router {
  const http = createHttpTransport(hotline.context);
  const clientPath = hotline.context.options.clientPath;
  const router = express.Router();
  router.use((req: Request, res: Response, next: NextFunction) => {
    http(req, res).then(
      (answered) => {
        if (answered) return;
        if (req.path !== clientPath && !VENDOR_PATHS.has(req.path) && !hotline.pagePaths?.includes(req.path) && !isRoute(hotline, req)) return next();
        return Promise.resolve(hotline.handler(req, res, next)).then(() => {
          if (!res.headersSent && !res.writableEnded) next();
        });
      },
    ).catch(next);
  });
  return router;
}

/** A GET of one of the app's live pages (a URL that does not parse goes to the handler too: it answers 400). */
function isRoute(hotline: HotlineApp, req: Request): boolean {
  if ((req.method !== "GET" && req.method !== "HEAD") || !hotline.routes?.list.length) return false;
  try {
    return hotline.routes.match(req.originalUrl ?? req.url) !== undefined;
  } catch {
    return true;
  }
}

// A bare app for end-to-end suites that test the framework, not the demo: createHotline and
// node:http, one page per component embed, the browser client bundled fresh from the sources.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createHotline, type Hotline, type HotlineOptions } from "../../server/hotline.js";
import { clientBundle } from "../sdui/page-server.js";

export interface OwnApp {
  url: string;
  hotline: Hotline;
  server: Server;
  stop(): Promise<void>;
}

/** Serves `/<name>` as a page embedding the registered component `name`, with /hotline.js and Hotline's routes. */
export async function startOwnApp(options: HotlineOptions): Promise<OwnApp> {
  const js = await clientBundle();
  const hotline = createHotline({ secret: "own-app-e2e-secret-0123456789abcdef", logger: { error() {} }, ...options });
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (req.method === "GET" && path === "/hotline.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(js);
      return;
    }
    const name = path.slice(1);
    if (req.method === "GET" && name && hotline.registry.has(name)) {
      void hotline.live(name).then(
        (embed) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(`<!doctype html><html><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>${name}</title></head><body>${embed}<script src="/hotline.js"></script></body></html>`),
        (err) => res.writeHead(500).end(String(err)),
      );
      return;
    }
    void hotline.handler(req, res);
  });
  hotline.attach(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hotline,
    server,
    async stop() {
      await hotline.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

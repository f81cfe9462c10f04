// A small app for the Chromium suites that need no demo: createHotline and node:http serving bare
// pages, each embedding components of the test's own registry, and the browser client bundled
// fresh from client/browser.ts.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Test } from "uvu";
import type { Browser } from "playwright-core";
import { createHotline, type Hotline, type HotlineOptions } from "../../server/hotline.js";
import type { Registry } from "../../server/core/registry.js";
import { clientBundle } from "../sdui/page-server.js";
import { launch } from "./support.js";

export interface SmallApp {
  url: string;
  hotline: Hotline;
  stop(): Promise<void>;
}

/**
 * Serves `pages` (path -> body HTML, made with `live(name, params)`) with `<style>` `css`, and
 * /hotline.js and /live, on 127.0.0.1 at a free port; `options` go to `createHotline()`.
 */
export async function smallApp(
  registry: Registry,
  pages: Record<string, (live: Hotline["live"]) => Promise<string>>,
  css = "",
  options: HotlineOptions = {},
): Promise<SmallApp> {
  const js = await clientBundle();
  const hotline = createHotline({ registry, secret: "small-app-secret-0123456789abcdef", logger: { error() {} }, ...options });
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (path === "/hotline.js") return void res.writeHead(200, { "content-type": "text/javascript" }).end(js);
    if (path === "/favicon.ico") return void res.writeHead(204).end();
    const page = pages[path];
    if (!page) return void hotline.handler(req, res);
    page((name, params, options) => hotline.live(name, params, options)).then(
      (body) =>
        res
          .writeHead(200, { "content-type": "text/html; charset=utf-8" })
          .end(`<!doctype html><html><head><meta charset="utf-8"><style>${css}</style></head><body>${body}<script src="/hotline.js"></script></body></html>`),
      (err) => res.writeHead(500).end(String(err)),
    );
  });
  hotline.attach(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hotline,
    async stop() {
      await hotline.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * {@link smallApp} and a Chromium, started before the suite's tests and closed after them (as
 * demoInChromium does for the demo).
 */
export function smallAppInChromium(
  test: Test,
  registry: Registry,
  pages: Record<string, (live: Hotline["live"]) => Promise<string>>,
  css = "",
  options: HotlineOptions = {},
): { readonly app: SmallApp; readonly browser: Browser } {
  let app: SmallApp | undefined;
  let browser: Browser | undefined;
  test.before(async () => {
    browser = await launch();
    app = await smallApp(registry, pages, css, options);
  });
  test.after(async () => {
    await browser?.close();
    await app?.stop();
  });
  return {
    get app() { return app!; },
    get browser() { return browser!; },
  };
}

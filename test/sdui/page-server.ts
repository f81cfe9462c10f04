// A small page server for the Chromium suites of this folder: demo pages in the demo's layout, the
// Hotline client bundled fresh from client/browser.ts (not a possibly stale dist/), and Hotline.
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as esbuild from "esbuild";
import { createHotline, type Hotline, type HotlineOptions } from "../../server/hotline.js";
import { layout } from "../../demo/layout.js";
import type { DemoPage } from "../../demo/page.js";

const ROOT = new URL("../../", import.meta.url).pathname;

/** The browser client as `npm run build` makes it, from the current sources. */
export async function clientBundle(): Promise<string> {
  const out = await esbuild.build({
    entryPoints: [`${ROOT}client/browser.ts`], bundle: true, minify: true, format: "iife", globalName: "Hotline",
    target: ["es2020"], write: false, legalComments: "none", logLevel: "silent",
  });
  return out.outputFiles[0]!.text;
}

export interface PageServer {
  url: string;
  hotline: Hotline;
  server: Server;
  stop(): Promise<void>;
}

/** Serves `pages` (and /hotline.js, /live, /components/*) on 127.0.0.1, a free port. */
export async function startPageServer(pages: DemoPage[], options: HotlineOptions = {}): Promise<PageServer> {
  const js = await clientBundle();
  const css = readFileSync(`${ROOT}demo/style.css`);
  const hotline = createHotline({ secret: "sdui-e2e-secret-0123456789abcdef", logger: { error() {} }, ...options });
  const nav = pages.map((p) => ({ path: p.path, title: p.title }));
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    if (req.method === "GET" && path === "/hotline.js") {
      res.writeHead(200, { "content-type": "text/javascript; charset=utf-8" }).end(js);
      return;
    }
    if (req.method === "GET" && path === "/style.css") {
      res.writeHead(200, { "content-type": "text/css; charset=utf-8" }).end(css);
      return;
    }
    const page = req.method === "GET" && pages.find((p) => p.path === path);
    if (page) {
      void Promise.resolve(page.body({ req, live: (name, params) => hotline.live(name, params) })).then(
        (body) => res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(layout(page, body, nav)),
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

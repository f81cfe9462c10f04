import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { createHttpTransport } from "../transports/http/routes.js";
import { VENDOR_PATHS } from "./vendor.js";
import type { HotlineApp } from "./host.js";

/** Options of {@link fastifyHotline}. */
export interface FastifyHotlineOptions {
  hotline: HotlineApp;
}

/**
 * A Fastify plugin for Hotline's HTTP routes: `POST {prefix}/:name` (JSON and htmx),
 * `POST {prefix}/:name/stream` (SSE), the client bundle and `/vendor/htmx.min.js`. Each route
 * takes the raw request in its `onRequest` hook (before Fastify parses the body) and answers it
 * with the node transport, so limits, content types and streaming behave as on node:http.
 * The WebSocket is added with `hotline.attach(fastify.server)`.
 *
 * @example
 * const app = Fastify();
 * await app.register(fastifyHotline, { hotline });
 * hotline.attach(app.server);
 * await app.listen({ port: 3000 });
 */
export const fastifyHotline = fp<FastifyHotlineOptions>(
  async (fastify: FastifyInstance, options: FastifyHotlineOptions) => {
    const { hotline } = options;
    const http = createHttpTransport(hotline.context);
    const prefix = hotline.context.options.httpPrefix.replace(/\/+$/, "");

    const viaTransport = async (req: FastifyRequest, reply: FastifyReply) => {
      reply.hijack();
      try {
        if (!(await http(req.raw, reply.raw))) notFound(reply);
      } catch (err) {
        hotline.context.log("[hotline] fastify route failed", err);
        if (!reply.raw.headersSent) reply.raw.writeHead(500);
        reply.raw.end();
      }
    };
    const viaHandler = async (req: FastifyRequest, reply: FastifyReply) => {
      reply.hijack();
      await hotline.handler(req.raw, reply.raw, () => notFound(reply));
      if (!reply.raw.headersSent && !reply.raw.writableEnded) notFound(reply);
    };
    const noop = async () => {};
    const methods = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;
    for (const url of [`${prefix}/:name`, `${prefix}/:name/stream`]) {
      fastify.route({ method: [...methods], url, onRequest: viaTransport, handler: noop });
    }
    for (const url of VENDOR_PATHS.keys()) fastify.route({ method: "GET", url, onRequest: viaHandler, handler: noop });
    fastify.route({ method: "GET", url: hotline.context.options.clientPath, onRequest: viaHandler, handler: noop });
    for (const url of hotline.pagePaths ?? []) fastify.route({ method: "GET", url, onRequest: viaHandler, handler: noop });
    // live pages: Fastify's ":name" segments are the routes' own syntax
    for (const { path } of hotline.routes?.list ?? []) fastify.route({ method: "GET", url: path, onRequest: viaHandler, handler: noop });
  },
  { name: "hotline", fastify: ">=4" },
);

function notFound(reply: FastifyReply): void {
  if (reply.raw.headersSent) return;
  reply.raw.writeHead(404, { "content-type": "application/json; charset=utf-8" });
  reply.raw.end(JSON.stringify({ error: { code: "unknown_component", message: "not found" } }));
}

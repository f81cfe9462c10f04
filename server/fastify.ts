/** `hotline/fastify`: Hotline's HTTP routes as a Fastify plugin. */
export { fastifyHotline, type FastifyHotlineOptions } from "./adapters/fastify.js";
export type { HotlineApp } from "./adapters/host.js";

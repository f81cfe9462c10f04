// The conformance suite on Fastify, through the fastifyHotline plugin.
import Fastify from "fastify";
import { fastifyHotline } from "../../server/fastify.js";
import { createHotline } from "../../server/hotline.js";
import { conformance } from "./conformance.js";

conformance("fastify", async ({ registry, secret }) => {
  const hotline = createHotline({ registry, secret, logger: { error() {} } });
  const app = Fastify();
  await app.register(fastifyHotline, { hotline });
  app.get("/after", async () => "the app's own route");
  hotline.attach(app.server);
  const base = await app.listen({ port: 0, host: "127.0.0.1" });
  return {
    base,
    async close() {
      await hotline.close();
      await app.close();
    },
  };
});

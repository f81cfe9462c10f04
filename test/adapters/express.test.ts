// The conformance suite on Express, through hotlineExpress(hotline), mounted before the app's
// own routes (which must still answer).
import type { AddressInfo } from "node:net";
import express from "express";
import { hotlineExpress } from "../../server/express.js";
import { createHotline } from "../../server/hotline.js";
import { conformance } from "./conformance.js";

conformance("express", async ({ registry, secret }) => {
  const hotline = createHotline({ registry, secret, logger: { error() {} } });
  const app = express();
  app.use(hotlineExpress(hotline));
  app.get("/after", (_req, res) => void res.send("the app's own route"));
  const server = app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  hotline.attach(server);
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await hotline.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
});

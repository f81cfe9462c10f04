// The conformance suite on plain node:http, with hotline.handler and hotline.attach.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createHotline } from "../../server/hotline.js";
import { conformance } from "./conformance.js";

conformance("node:http", async ({ registry, secret }) => {
  const hotline = createHotline({ registry, secret, logger: { error() {} } });
  const server = createServer((req, res) => {
    if (req.url === "/after") res.end("the app's own route");
    else void hotline.handler(req, res);
  });
  hotline.attach(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      await hotline.close();
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
});

// The SSE transport on its own: frames leave as soon as they are rendered, and a client that goes
// away stops the streaming handler.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { createHotline } from "../../../server/hotline.js";
import { sseFrame } from "../../../server/transports/http/sse.js";
import { sseEvents } from "../../support/sse.js";
import { Steps, testRegistry } from "../../support/http-components.js";

const hotline = createHotline({ registry: testRegistry(), secret: "sse-test-secret-0123456789", logger: { error() {} } });
const server = createServer((req, res) => void hotline.handler(req, res));
let base = "";

test.before(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
test.after(async () => {
  Steps.delayMs = 0;
  await hotline.close();
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});

const stream = (body: unknown, signal?: AbortSignal) =>
  fetch(`${base}/components/steps/stream`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body), ...(signal && { signal }) });

test("sseFrame: one data line of JSON, an optional event line, a blank line", () => {
  assert.is(sseFrame({ a: "x\ny" }), 'data: {"a":"x\\ny"}\n\n');
  assert.is(sseFrame({ code: "c" }, "error"), 'event: error\ndata: {"code":"c"}\n\n');
});

test("each frame is flushed as soon as its step is rendered", async () => {
  Steps.delayMs = 150;
  const t0 = Date.now();
  const r = await stream({ event: "run", payload: { n: 3 } });
  const times: number[] = [];
  for await (const e of sseEvents(r.body!)) {
    times.push(Date.now() - t0);
    if (JSON.parse(e.data).stream_done) break;
  }
  assert.is(times.length, 4);
  // the first frame arrives after one step's delay, long before the three steps are over
  assert.ok(times[0]! < 400, `first frame after ${times[0]} ms`);
  assert.ok(times[2]! - times[0]! >= 250, `frames spread over the steps: ${times.join(", ")}`);
});

test("a client that disconnects stops the streaming handler", async () => {
  Steps.delayMs = 30;
  Steps.ran = 0;
  const ac = new AbortController();
  const r = await stream({ event: "run", payload: { n: 200 } }, ac.signal);
  let frames = 0;
  try {
    for await (const _ of sseEvents(r.body!)) if (++frames === 2) ac.abort();
  } catch {
    // the abort ends the read
  }
  await new Promise((res) => setTimeout(res, 300));
  const after = Steps.ran;
  await new Promise((res) => setTimeout(res, 300));
  assert.ok(after < 20, `the handler ran ${after} steps`);
  assert.is(Steps.ran, after, "no step runs after the client left");
});

test.run();

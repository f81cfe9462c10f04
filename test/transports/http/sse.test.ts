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
  // Each step after the first waits until the client has read the previous frame: were frames
  // held back (buffered until the handler ends), the client would wait forever, and time out here.
  Steps.delayMs = 0;
  let open: (() => void) | undefined;
  let steps = 0;
  Steps.gate = () => (steps++ === 0 ? Promise.resolve() : new Promise<void>((r) => (open = r)));
  try {
    const r = await stream({ event: "run", payload: { n: 3 } });
    const seen: number[] = [];
    const read = (async () => {
      for await (const e of sseEvents(r.body!)) {
        const data = JSON.parse(e.data);
        seen.push(data.stream_done ? -1 : Number(/data-step="(\d)"/.exec(data.html)?.[1]));
        if (data.stream_done) break;
        open?.();
      }
    })();
    const timeout = new Promise((_, no) => setTimeout(() => no(new Error(`frames held back; read ${JSON.stringify(seen)}`)), 5000).unref());
    await Promise.race([read, timeout]);
    assert.equal(seen, [1, 2, 3, -1]);
  } finally {
    Steps.gate = undefined;
  }
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

// Frames written straight to the socket (frame-writer.ts): every payload length class of RFC 6455
// §5.2 (7-bit, 16-bit, 64-bit lengths) and UTF-8 whose byte length differs from its string length,
// checked against ws's own frame reader; a shared payload is framed once; and end to end, a real
// ws client gets big, multi-byte and many small frames intact from a Hotline server, and a client
// that negotiated permessage-deflate still gets compressed frames. (A client that stops reading is
// closed with 1013 whichever way frames are written: limits.test.ts.)
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { Socket } from "node:net";
import * as wsModule from "ws";
import { Component } from "../../../server/core/component.js";
import { Registry } from "../../../server/core/registry.js";
import { html } from "../../../server/core/template/template.js";
import { textFrame } from "../../../server/transports/websocket/frame-writer.js";
import { startServer, TestClient } from "../../support/ws-client.js";

/** ws's frame reader (exported by ws, left out of its type definitions). */
const { Receiver } = wsModule as unknown as {
  Receiver: new (options: { isServer: boolean }) => import("node:stream").Writable;
};

/** What ws's client-side reader makes of `bytes`: the messages, or the error it reports. */
function read(bytes: Buffer): { messages: { text: string; binary: boolean }[]; error?: Error } {
  const receiver = new Receiver({ isServer: false });
  const messages: { text: string; binary: boolean }[] = [];
  let error: Error | undefined;
  receiver.on("message", (data: Buffer, binary: boolean) => messages.push({ text: String(data), binary }));
  receiver.on("error", (e: Error) => (error = e));
  // in pieces, as a socket delivers them
  for (let i = 0; i < bytes.length; i += 1000) receiver.write(bytes.subarray(i, i + 1000));
  return { messages, error };
}

const unit = suite("textFrame");

const cases: [string, string, number][] = [
  ["empty", "", 2],
  ["7-bit length, largest", "x".repeat(125), 2],
  ["16-bit length, smallest", "x".repeat(126), 4],
  ["16-bit length, largest", "x".repeat(65_535), 4],
  ["64-bit length, smallest", "x".repeat(65_536), 10],
  ["64-bit length", "y".repeat(300_000), 10],
  // 63 characters, 126 bytes: the header follows the byte length, not the string's
  ["two-byte characters across the 7-bit limit", "é".repeat(63), 4],
  ["four-byte characters across the 16-bit limit", "😀".repeat(16_384), 10],
];
for (const [name, text, head] of cases) {
  unit(`${name}: a final, unmasked text frame ws reads back exactly`, () => {
    const frame = textFrame(text);
    const bytes = Buffer.byteLength(text);
    assert.is(frame.length, head + bytes);
    assert.is(frame[0], 0x81, "FIN and opcode 1 (text), no RSV bits");
    assert.is(frame[1]! & 0x80, 0, "a server's frames are not masked");
    assert.is(frame[1]! & 0x7f, head === 2 ? bytes : head === 4 ? 126 : 127);
    const { messages, error } = read(frame);
    assert.is(error, undefined);
    assert.equal(messages, [{ text, binary: false }]);
  });
}

unit("a Buffer payload is framed once, and frames of one stream are read back in order", () => {
  const payload = Buffer.from(JSON.stringify({ t: "patch", id: "c1", 0: "ü".repeat(100) }));
  const a = textFrame(payload);
  assert.is(textFrame(payload), a, "the second viewer of a broadcast gets the same framed bytes");
  assert.ok(a.subarray(4).equals(payload));
  const other = textFrame(Buffer.from(payload));
  assert.is.not(other, a, "an equal but distinct payload is framed on its own");
  const { messages, error } = read(Buffer.concat([a, textFrame("one"), other, textFrame("")]));
  assert.is(error, undefined);
  assert.equal(messages.map((m) => m.text), [String(payload), "one", String(payload), ""]);
});

unit.run();

const e2e = suite("frames from a Hotline server");

/** Renders `size` times a 2-, 3- and 4-byte character (the state keeps only the count: it has a size limit of its own). */
class Big extends Component<{ n: number; size: number }> {
  mount() {
    this.state.n = 0;
    this.state.size = 0;
  }
  onGrow({ size }: { size: number }) {
    this.state.n += 1;
    this.state.size = size;
  }
  onBurst({ count }: { count: number }) {
    for (let i = 0; i < count; i++) this.pushEvent("tick", { i });
  }
  render() {
    return html`<p data-n="${this.state.n}">${this.state.size ? `Grüße ${"ü€😀".repeat(this.state.size)}` : ""}</p>`;
  }
}

/** One board shared by every viewer: a change is one payload framed once for all of them. */
class Board extends Component<{ score: number }> {
  static shared = true;
  mount() {
    this.state.score = 0;
    this.subscribe("board");
  }
  onMessage(_topic: string, m: unknown) {
    this.state.score = (m as { score: number }).score;
  }
  render() {
    return html`<h1>Score: ${this.state.score}</h1>`;
  }
}

const registry = new Registry();
registry.register("big", Big);
registry.register("board", Board);

e2e("big and multi-byte patches arrive intact, in order, over all three length encodings", async () => {
  const s = await startServer({ registry });
  const c = await TestClient.open(s.url, { perMessageDeflate: false });
  try {
    await c.join("b", "big");
    // 7-bit, 16-bit and 64-bit payload lengths; each character is 2 to 4 bytes
    for (const size of [3, 2_000, 30_000]) {
      const patch = await c.event("b", "grow", { size });
      assert.is(patch["1"], `Grüße ${"ü€😀".repeat(size)}`, "the text survives");
    }
    const big = c.raw[c.raw.length - 1]!;
    assert.ok(Buffer.byteLength(big) > 65_535, `the last patch is ${Buffer.byteLength(big)} bytes`);
    // a burst of small frames from one event keeps its order
    await c.event("b", "burst", { count: 200 });
    const ticks = c.log.filter((m) => m.t === "push" && m.event === "tick").map((m) => m.payload?.i);
    assert.equal(ticks, Array.from({ length: 200 }, (_, i) => i));
  } finally {
    c.ws.terminate();
    await s.stop();
  }
});

e2e("a client that negotiated permessage-deflate still gets compressed frames (they go through ws)", async () => {
  const s = await startServer({ registry, perMessageDeflate: { threshold: 0 } });
  const sockets: Socket[] = [];
  s.server.on("connection", (sock: Socket) => sockets.push(sock));
  const c = await TestClient.open(s.url);
  try {
    assert.match(c.ws.extensions, /permessage-deflate/);
    await c.join("b", "big");
    const before = sockets.reduce((n, x) => n + x.bytesWritten, 0);
    await c.event("b", "grow", { size: 5_000 });
    const written = sockets.reduce((n, x) => n + x.bytesWritten, 0) - before;
    const json = Buffer.byteLength(c.raw[c.raw.length - 1]!);
    assert.ok(written < json / 4, `${written} bytes written for a ${json}-byte patch of one repeated phrase`);
  } finally {
    c.ws.terminate();
    await s.stop();
  }
});

e2e("viewers whose sockets are reset in the middle of a broadcast: no crash, nothing logged, the others get every change", async () => {
  const errors: unknown[] = [];
  const s = await startServer({ registry, logger: { error: (...a: unknown[]) => void errors.push(a) } });
  const clients = await Promise.all(Array.from({ length: 20 }, () => TestClient.open(s.url, { perMessageDeflate: false })));
  try {
    await Promise.all(clients.map((c) => c.join("b", "board")));
    const [kept, gone] = [clients.slice(0, 10), clients.slice(10)];
    for (let score = 1; score <= 200; score++) {
      await s.hotline.pubsub.publish("board", { score });
      // half way, half the viewers vanish with a TCP reset while frames are still being written to them
      if (score === 100) for (const c of gone) (c.ws as unknown as { _socket: Socket })._socket.resetAndDestroy();
    }
    for (const c of kept) {
      const last = await c.next((m) => m.t === "patch" && m["0"] === 200);
      assert.is(last["0"], 200);
      const scores = c.log.filter((m) => m.t === "patch").map((m) => m["0"] as number);
      assert.equal(scores, Array.from({ length: 200 }, (_, i) => i + 1), "every change, in order");
    }
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(errors, [], "nothing logged");
    assert.is(s.hotline.websocket.connections.size, 10, "the reset connections are gone");
  } finally {
    for (const c of clients) c.ws.terminate();
    await s.stop();
  }
});

e2e.run();

// permessage-deflate (createHotline({ perMessageDeflate })): a real `ws` client that negotiates it
// gets working, compressed patches; one that does not gets plain frames from the same server; the
// default stays off; a compressed frame that inflates past the size limit closes with 1009 and
// leaves the other connections alone; bad settings fail at startup with a clear message.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { Socket } from "node:net";
import { WebSocket } from "ws";
import { Cart } from "../../../components/cart.js";
import { SduiCache } from "../../../client/sdui-cache.js";
import { Component } from "../../../server/core/component.js";
import { Registry } from "../../../server/core/registry.js";
import { html, repeat } from "../../../server/core/template/template.js";
import { createHotline, type HotlineOptions } from "../../../server/hotline.js";
import { wsDeflateOptions } from "../../../server/transports/websocket/deflate.js";
import { startServer, TestClient } from "../../support/ws-client.js";

/** A list whose every patch is a longer line of text, like a feed: compresses well with context takeover. */
class Feed extends Component<{ lines: string[] }> {
  mount() {
    this.state.lines = [];
  }
  onAdd({ n }: { n: number }) {
    this.state.lines.push(`Order ${n} of the Sencha green tea, loose leaf, 100 g tin, shipped to the warehouse in Shizuoka`);
  }
  render() {
    return html`<ul class="feed">${repeat(this.state.lines, (_l, i) => i, (l) => html`<li class="feed-line"><span class="text">${l}</span></li>`)}</ul>`;
  }
}

const registry = new Registry();
registry.register("feed", Feed);
registry.register("cart", Cart);
Cart.checkoutDelayMs = 10;

/** A server with deflate on, counting the bytes it writes per socket. */
async function deflateServer(perMessageDeflate: HotlineOptions["perMessageDeflate"]) {
  const s = await startServer({ registry, perMessageDeflate });
  const sockets: Socket[] = [];
  s.server.on("connection", (sock: Socket) => sockets.push(sock));
  return { ...s, written: () => sockets.reduce((n, x) => n + x.bytesWritten, 0) };
}

/** The server's answer to a ws client's default offer (`Sec-WebSocket-Extensions` of the 101). */
function acceptedExtensions(url: string): Promise<string> {
  const ws = new WebSocket(url);
  return new Promise((ok, no) => {
    ws.once("upgrade", (res) => ok(String(res.headers["sec-websocket-extensions"] ?? "")));
    ws.once("open", () => ws.terminate());
    ws.once("error", no);
  });
}

/** Sends `rounds` adds; returns the patches, their JSON bytes, and the bytes the server wrote meanwhile. */
async function drive(c: TestClient, written: () => number, rounds: number) {
  await c.join("f", "feed");
  const before = written();
  let json = 0;
  const patches = [];
  for (let n = 1; n <= rounds; n++) {
    const p = await c.event("f", "add", { n });
    assert.is(p.t, "patch", `round ${n}: ${JSON.stringify(p)}`);
    json += Buffer.byteLength(c.raw.at(-1)!);
    patches.push(p);
  }
  return { patches, json, wire: written() - before };
}

const on = suite("permessage-deflate on");

on("a ws client that negotiates it gets compressed patches that apply", async () => {
  const s = await deflateServer(true);
  try {
    const c = await TestClient.open(s.url); // ws clients offer permessage-deflate by default
    assert.match(c.ws.extensions, /permessage-deflate/, "negotiated");
    const { patches, json, wire } = await drive(c, s.written, 20);
    assert.ok(patches.every((p) => p.ref !== undefined), "each event answered with its ref");
    assert.match(JSON.stringify(patches.at(-1)), /Order 20 of the Sencha/, "the last patch carries the new line");
    // With context takeover, each line repeats the previous one's text: far fewer bytes than the JSON.
    assert.ok(wire < json / 2, `compressed on the wire: ${wire} bytes for ${json} bytes of JSON`);
    c.close();
  } finally {
    await s.stop();
  }
});

on("a client that does not offer it gets plain frames from the same server", async () => {
  const s = await deflateServer(true);
  try {
    const c = await TestClient.open(s.url, { perMessageDeflate: false });
    assert.is(c.ws.extensions, "", "nothing negotiated");
    const { patches, json, wire } = await drive(c, s.written, 10);
    assert.is(patches.length, 10);
    assert.ok(wire >= json, `plain frames: ${wire} bytes on the wire for ${json} bytes of JSON`);
    c.close();
  } finally {
    await s.stop();
  }
});

on("sdui: the cart's APPEND and MATCH patches arrive compressed and the cache follows", async () => {
  const s = await deflateServer({ threshold: 0, level: 6, memLevel: 4, serverMaxWindowBits: 11 });
  try {
    assert.match(await acceptedExtensions(s.url), /permessage-deflate; server_max_window_bits=11/, "the smaller window is announced");
    const c = await TestClient.open(s.url);
    const cache = new SduiCache();
    const ok = await c.join("c", "cart", { format: "sdui" });
    cache.apply({ screens: ok.screens });
    for (const [event, payload] of [["add", { sku: "tea" }], ["add", { sku: "mug" }], ["more", { id: 1 }]] as const) {
      const p = await c.event("c", event, payload);
      assert.is(p.t, "patch");
      cache.apply({ screens: p.screens });
    }
    const list = cache.component("cart", "order_list")!.payload as { items: { id: number; quantity: number }[] };
    assert.equal(list.items.map((i) => [i.id, i.quantity]), [[1, 2], [2, 1]]);
    c.close();
  } finally {
    await s.stop();
  }
});

on("a compressed frame that inflates past maxPayload closes with 1009; others go on", async () => {
  const s = await deflateServer(true);
  try {
    const bystander = await TestClient.open(s.url);
    await bystander.join("f", "feed");
    const c = await TestClient.open(s.url);
    // 1 MiB of spaces is about 1 KiB compressed: under the limit on the wire, far over it inflated.
    c.send(`{"t":"ping","ref":1,"pad":"${" ".repeat(1 << 20)}"}`);
    const closed = await c.closed;
    assert.is(closed.code, 1009);
    const p = await bystander.event("f", "add", { n: 1 });
    assert.is(p.t, "patch", "the other connection still works");
    bystander.close();
  } finally {
    await s.stop();
  }
});

const off = suite("permessage-deflate off (the default)");

off("a client that offers it gets plain frames", async () => {
  const s = await startServer({ registry });
  try {
    const c = await TestClient.open(s.url);
    assert.is(c.ws.extensions, "");
    await c.join("f", "feed");
    assert.is((await c.event("f", "add", { n: 1 })).t, "patch");
    c.close();
  } finally {
    await s.stop();
  }
});

const opts = suite("perMessageDeflate settings");

opts("true gives the documented defaults; false and absent give off", () => {
  assert.equal(wsDeflateOptions(true), { threshold: 64, zlibDeflateOptions: { level: 1, memLevel: 8 } });
  assert.is(wsDeflateOptions(false), false);
  assert.is(wsDeflateOptions(undefined), false);
  assert.equal(wsDeflateOptions({ serverNoContextTakeover: true, serverMaxWindowBits: 10, concurrencyLimit: 4 }), {
    threshold: 64, zlibDeflateOptions: { level: 1, memLevel: 8 }, serverNoContextTakeover: true, serverMaxWindowBits: 10, concurrencyLimit: 4,
  });
});

opts("an out-of-range setting fails createHotline with a message naming it", () => {
  assert.throws(() => createHotline({ registry, secret: "test-secret-0123456789abcdef", perMessageDeflate: { level: 12 } }), /perMessageDeflate\.level must be an integer from 0 to 9, got 12/);
  assert.throws(() => createHotline({ registry, secret: "test-secret-0123456789abcdef", perMessageDeflate: { serverMaxWindowBits: 8 } }), /serverMaxWindowBits/);
  assert.throws(() => createHotline({ registry, secret: "test-secret-0123456789abcdef", perMessageDeflate: { threshold: -1 } }), /threshold/);
});

on.run();
off.run();
opts.run();

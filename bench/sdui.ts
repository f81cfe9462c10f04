// What adding one order to a 1,000-order list costs on the wire, in both formats, as a ratio to the
// order's own JSON (goal <= 1.2): the sdui patch (APPEND of one item) and the HTML stream container
// patch (one insert). Baselines from the same run: the keyed repeat() list (the DiffTracker keeps all
// 1,000 rows and diffs them) and the whole list. Frames are built by the transport's own code
// (presenters + frames.ts), so the bytes are those a client receives. Fails nothing.
//   node --import tsx bench/sdui.ts
import { constants, createDeflateRaw } from "node:zlib";
import { Component } from "../server/core/component.js";
import { stream, streamInsert } from "../server/core/template/stream.js";
import { html, repeat } from "../server/core/template/template.js";
import { bodyInner, okFrame, patchFrame } from "../server/live/frames.js";
import { presenterFor, type Presenter } from "../server/live/presenter.js";
import { figure, fmt, median } from "./measure.js";
import { DEFAULT_DEFLATE } from "../server/transports/websocket/deflate.js";
import { round, summary } from "./summary.js";

type Order = { id: number; sku: string; product: string; quantity: number; price: string; currency: string; description: string };

const N = 1000;
const PRODUCTS = ["Sencha green tea, loose leaf", "Stoneware mug, 350 ml", "Gooseneck kettle, 0.8 l", "Cast-iron teapot, 600 ml", "Bamboo whisk", "Glass tumbler set", "Oolong, roasted, 50 g", "Ceramic dripper"];
const WORDS = "bright grassy sweet finish steamed rolled hand glazed matte black dishwasher safe first flush Shizuoka temperature control pour spout gift boxed recycled paper roasted floral honey notes double walled insulated heat resistant borosilicate slow cone ribbed kiln fired".split(" ");
/** A deterministic but varied order (text that compresses like real text, not like a copy). */
const order = (id: number): Order => {
  let x = id * 2654435761 >>> 0;
  const word = () => WORDS[((x = (x * 1103515245 + 12345) >>> 0) >>> 16) % WORDS.length];
  return {
    id,
    sku: `SKU-${String(id).padStart(5, "0")}`,
    product: PRODUCTS[id % PRODUCTS.length]!,
    quantity: 1 + (id % 4),
    price: (4.5 + ((id * 37) % 5500) / 100).toFixed(2),
    currency: "USD",
    description: Array.from({ length: 16 }, word).join(" ") + ".",
  };
};

const row = (o: Order, id: string) => html`<li id="${id}" class="order"><span class="sku">${o.sku}</span> <strong>${o.product}</strong> × ${o.quantity} <span class="price">${o.price} ${o.currency}</span><p class="muted">${o.description}</p></li>`;

/** The orders in a stream container: the server keeps none of them. */
class StreamOrders extends Component<{ title: string }> {
  mount() {
    this.state.title = "Orders";
    streamInsert(this, "orders", Array.from({ length: N }, (_, i) => order(i + 1)));
  }
  onAdd({ id }: { id: number }) {
    streamInsert(this, "orders", [order(id)]);
  }
  render() {
    return html`<section><h2>${this.state.title}</h2><ul hl-stream="orders">${stream(this, "orders", { key: (o: Order) => o.id, render: row })}</ul></section>`;
  }
}

/** The orders in state, as a keyed repeat() (HTML) and an order_list (sdui). */
class StateOrders extends Component<{ orders: Order[] }> {
  // 1,000 orders are ~240 KB of state, over the 64 KiB default: a stream keeps none of it
  static maxStateBytes = 1 << 20;
  mount() {
    this.state.orders = Array.from({ length: N }, (_, i) => order(i + 1));
  }
  onAdd({ id }: { id: number }) {
    this.state.orders.push(order(id));
  }
  render() {
    return html`<section><h2>Orders</h2><ul>${repeat(this.state.orders, (o) => o.id, (o) => row(o, `orders-${o.id}`))}</ul></section>`;
  }
  describe() {
    return { screens: { orders: { components: { order_list: { rel: "order_list", behavior: "VISIBLE", locale: { title: "Your orders" }, payload: { items: this.state.orders } } } } } };
  }
}

/** Joins (the ok frame), then adds one order per round; returns the ok's bytes, the patch frames' bytes and median times. */
function run(cls: new () => Component, format: "html" | "sdui", rounds = 25) {
  const c = new cls();
  void c.mount();
  const p: Presenter = presenterFor(format, cls);
  const ok = okFrame(1, "orders", "k".repeat(24), p.full(c));
  const bytes: number[] = [];
  const ms: number[] = [];
  const frames = [ok];
  let last = "";
  for (let r = 0; r < rounds; r++) {
    const id = N + 1 + r;
    const t0 = process.hrtime.bigint();
    c.handleEvent("add", { id });
    const body = p.update(c);
    last = patchFrame("orders", 100 + r, undefined, bodyInner(body));
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    bytes.push(Buffer.byteLength(last));
    frames.push(last);
  }
  return { ok: Buffer.byteLength(ok), patch: median(bytes), ms: median(ms), last, frames };
}

/**
 * The median compressed size of the patch frames (all but the first frame) under permessage-deflate
 * with context takeover and Hotline's defaults (`perMessageDeflate: true`): each frame is
 * compressed in one shared stream and sync-flushed, as ws does.
 */
async function deflated(frames: string[]): Promise<number> {
  const z = createDeflateRaw({ windowBits: 15, level: DEFAULT_DEFLATE.level, memLevel: DEFAULT_DEFLATE.memLevel });
  const sizes: number[] = [];
  let got = 0;
  z.on("data", (d: Buffer) => (got += d.length));
  for (const f of frames) {
    got = 0;
    z.write(f);
    await new Promise<void>((r) => z.flush(constants.Z_SYNC_FLUSH, () => r()));
    sizes.push(got - 4); // ws drops the trailing 00 00 ff ff of each message
  }
  z.close();
  return median(sizes.slice(1));
}

const item = Buffer.byteLength(JSON.stringify(order(N + 1)));
const sdui = run(StateOrders, "sdui");
const streamed = run(StreamOrders, "html");
const repeated = run(StateOrders, "html");

console.log(`Adding one order to a ${fmt(N)}-order list (an order's own JSON: ${item} bytes)\n`);
console.log(`${"".padEnd(34)} ${"join (ok)".padStart(12)} ${"patch frame".padStart(12)} ${"ratio".padStart(7)} ${"update ms".padStart(10)}`);
for (const [name, r] of [["sdui (APPEND of one item)", sdui], ["HTML stream container", streamed], ["HTML repeat() (baseline)", repeated]] as const) {
  console.log(`${name.padEnd(34)} ${fmt(r.ok).padStart(12)} ${fmt(r.patch).padStart(12)} ${fmt(r.patch / item, 2).padStart(7)} ${fmt(r.ms, 3).padStart(10)}`);
}
console.log("");
figure("sdui patch frame / the order's JSON", fmt(sdui.patch / item, 2), "<= 1.2", sdui.patch / item <= 1.2);
figure("HTML stream patch frame / the order's JSON", fmt(streamed.patch / item, 2), "<= 1.2", streamed.patch / item <= 1.2);
figure("stream update time / repeat() update time (1,000 rows)", fmt(streamed.ms / repeated.ms, 2), "< 1", streamed.ms < repeated.ms);
const envelope = sdui.patch - item;
console.log(`\nThe sdui envelope (rel, behavior, locale, mergeStrategy, screen and frame keys) is a constant ${envelope} bytes: the ratio`);
console.log(`reaches 1.2 for an item of ${fmt(envelope / 0.2)} bytes or more, or ${Math.ceil(envelope / (0.2 * item))} items of this size per patch.`);
// What leaving out unchanged keys would save (docs/sdui.md §8 says why the wire keeps them): the
// same frame without `behavior` and `locale`, and without `rel` too.
const frame = JSON.parse(sdui.last) as { screens: Record<string, { components: Record<string, Record<string, unknown>> }> };
const part = frame.screens.orders!.components.order_list!;
delete part.behavior;
delete part.locale;
const noBehaviorLocale = Buffer.byteLength(JSON.stringify(frame));
delete part.rel;
const noRel = Buffer.byteLength(JSON.stringify(frame));
console.log(`\nThe same frame without behavior and locale: ${noBehaviorLocale} bytes (ratio ${fmt(noBehaviorLocale / item, 2)}); without rel too: ${noRel} bytes (ratio ${fmt(noRel / item, 2)}).`);
console.log(`\nWith permessage-deflate (createHotline({ perMessageDeflate: true }): context takeover), the patch frame on the wire:`);
const z: Record<string, number> = {};
for (const [name, r] of [["sdui", sdui], ["HTML stream", streamed]] as const) {
  z[name] = await deflated(r.frames);
  console.log(`  ${name.padEnd(12)} ${fmt(z[name]!).padStart(5)} bytes, ratio ${fmt(z[name]! / item, 2)}`);
}
console.log(`\nthe sdui frame:   ${sdui.last}`);
console.log(`the stream frame: ${streamed.last}`);
summary("sdui", {
  item_bytes: item, sdui_patch_bytes: sdui.patch, sdui_ratio: round(sdui.patch / item, 3), sdui_envelope_bytes: envelope, sdui_update_ms: round(sdui.ms),
  stream_patch_bytes: streamed.patch, stream_ratio: round(streamed.patch / item, 3), stream_update_ms: round(streamed.ms), repeat_update_ms: round(repeated.ms),
  sdui_without_behavior_locale_ratio: round(noBehaviorLocale / item, 3), sdui_without_rel_behavior_locale_ratio: round(noRel / item, 3),
  sdui_deflated_bytes: z.sdui!, sdui_deflated_ratio: round(z.sdui! / item, 3), stream_deflated_bytes: z["HTML stream"]!,
});

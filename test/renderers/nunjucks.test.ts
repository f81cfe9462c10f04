// The Nunjucks renderer: components rendered from .njk templates with autoescape, the
// live_component global, and such a component over the WebSocket (whole-HTML patches).
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import nunjucks from "nunjucks";
import { test } from "uvu";
import * as assert from "uvu/assert";
import WebSocket from "ws";
import { z } from "zod";
import { Component, Registry, Tokens } from "../../server/core/index.js";
import { createHotline } from "../../server/hotline.js";
import { NunjucksRenderer, liveEmbed } from "../../server/nunjucks.js";

const dir = fileURLToPath(new URL("./templates", import.meta.url));
const registry = new Registry();
const tokens = new Tokens({ secret: "nunjucks-test-secret-0123456789" });
const renderer = new NunjucksRenderer(dir, { live: { registry, tokens } });

class Note extends Component<{ title: string; count: number }> {
  static clientParams = z.object({ title: z.string().max(200).optional() }).strict();
  static templateName = "note.njk";
  static renderer = renderer;
  mount(): void {
    this.state.title = String((this.params as Record<string, unknown>).title ?? "untitled");
    this.state.count = 0;
  }
  onEdit(): void {
    this.state.count += 1;
  }
}
class SlowMount extends Component<{ ok: boolean }> {
  static templateName = "note.njk";
  static renderer = renderer;
  async mount(): Promise<void> {
    this.state.ok = true;
  }
}
registry.register("note", Note);
registry.register("slow", SlowMount);

const XSS = `<img src=x onerror="alert(1)">'&`;

test("a component renders its .njk template with autoescape on", () => {
  const r = new Note({ title: XSS }).dispatch({ event: "edit" });
  assert.match(r.html, /<h2>&lt;img src=x onerror=&quot;alert\(1\)&quot;&gt;&#39;&amp;<\/h2>/);
  assert.not.match(r.html, /<img/);
  assert.match(r.html, /<p>1 edits<\/p>/);
});

test("an Environment without autoescape is refused", () => {
  assert.throws(() => new NunjucksRenderer(new nunjucks.Environment(null, { autoescape: false })), /autoescape/);
  assert.ok(new NunjucksRenderer(new nunjucks.Environment(null, { autoescape: true })));
});

test("live_component embeds a component with a verifiable token that carries its params", () => {
  const html = renderer.env.render("page.njk", { title: XSS });
  const embeds = [...html.matchAll(/<div hl-component="note" hl-id="(note-[0-9a-f]{8})" hl-state="([^"]+)">([\s\S]*?)<\/div>\s*<\/div>/g)];
  assert.is(embeds.length, 2);
  const [first, second] = embeds;
  assert.equal(tokens.verify("note", first![2]).state, { title: XSS, count: 0 });
  assert.not.match(html, /<img/);
  assert.match(first![3]!, /&lt;img/);
  assert.equal(tokens.verify("note", second![2]).state.title, "kw", "keyword arguments are params");
  assert.equal(tokens.verify("note", second![2]).params, { title: "kw" }, "signed into the token, not written in the page");
});

test("live_component never starts a component past checks it cannot wait for: authorize, class or app mount hooks", () => {
  class Guarded extends Note {
    static authorize() { return false; }
  }
  class Hooked extends Note {
    static onMount = () => false;
  }
  registry.register("guarded", Guarded);
  registry.register("hooked", Hooked);
  assert.throws(() => liveEmbed({ registry, tokens }, "guarded"), /hotline\.live/);
  assert.throws(() => liveEmbed({ registry, tokens }, "hooked"), /hotline\.live/);
  assert.throws(() => liveEmbed({ registry, tokens, hooks: [() => false] }, "note"), /hotline\.live/);
  assert.match(liveEmbed({ registry, tokens }, "note"), /hl-component="note"/);
});

test("live_component refuses an async mount() and an unknown name", () => {
  assert.throws(() => liveEmbed({ registry, tokens }, "slow"), /mount\(\) is async/);
  assert.throws(() => renderer.env.renderString(`{{ live_component("nope") }}`, {}), /no component is registered/);
});

test("over the WebSocket a Nunjucks render travels whole (statics id 0)", async () => {
  const hotline = createHotline({ registry, secret: "nunjucks-test-secret-0123456789", logger: { error() {} } });
  const server = createServer((req, res) => void hotline.handler(req, res));
  hotline.attach(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const ws = new WebSocket(`ws://127.0.0.1:${(server.address() as AddressInfo).port}/live`);
  const inbox: any[] = [];
  ws.on("message", (d) => inbox.push(JSON.parse(String(d))));
  const wait = async (ref: number) => {
    for (let i = 0; i < 200; i++) {
      const m = inbox.find((x) => x.ref === ref);
      if (m) return m;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`no answer to ref ${ref}`);
  };
  try {
    await new Promise((r, j) => (ws.once("open", r), ws.once("error", j)));
    ws.send(JSON.stringify({ t: "join", ref: 1, id: "n1", name: "note", params: { title: "<b>t</b>" } }));
    const ok = await wait(1);
    assert.is(ok.t, "ok");
    assert.match(ok.html, /&lt;b&gt;t&lt;\/b&gt;/);
    assert.is(ok.r[0], 0, "the root is a statics-0 template: one slot, the whole HTML");
    ws.send(JSON.stringify({ t: "event", ref: 2, id: "n1", event: "edit" }));
    const patch = await wait(2);
    assert.is(patch.t, "patch");
    assert.match(JSON.stringify(patch), /1 edits/);
  } finally {
    ws.close();
    await hotline.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});

test.run();

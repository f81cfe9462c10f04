// Nested components outside the WebSocket: children in a plain dispatch (static HTML), a child in a
// Nunjucks template (the `child` global), children over the HTTP transport (embedded roots with
// tokens, so a page without JavaScript shows them), and the app errors child() gives.
import nunjucks from "nunjucks";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Component } from "../../server/core/component.js";
import { Registry, registry as defaultRegistry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import { NunjucksRenderer } from "../../server/nunjucks.js";
import { startServer } from "../support/ws-client.js";

const registry = new Registry();

class Leaf extends Component<{ label: string; n: number }, { label: string }> {
  mount() {
    this.state.label = this.params.label;
    this.state.n = 7;
  }
  render() {
    return html`<i>${this.state.label}=${this.state.n}</i>`;
  }
}
registry.register("leaf", Leaf);

class SlowLeaf extends Component {
  async mount() {}
  render() {
    return html`<i>slow</i>`;
  }
}
registry.register("slow-leaf", SlowLeaf);
// A plain dispatch (no app) finds its children in the default registry, as @register puts them there.
defaultRegistry.register("leaf", Leaf);
defaultRegistry.register("slow-leaf", SlowLeaf);

class Tree extends Component<{ ids: string[] }> {
  mount() {
    this.state.ids = ["x", "y"];
  }
  render() {
    return html`<ul>${this.state.ids.map((id) => html`<li>${this.child("leaf", { label: id }, id)}</li>`)}</ul>`;
  }
}
registry.register("tree", Tree);

const loader = {
  getSource: (name: string) => ({ src: name === "tree.njk" ? '<ol>{% for id in state.ids %}<li>{{ child("leaf", { label: id }, id) }}</li>{% endfor %}</ol>' : "", path: name, noCache: true }),
};
const renderer = new NunjucksRenderer(new nunjucks.Environment(loader as unknown as nunjucks.ILoader, { autoescape: true }));
class NjkTree extends Component<{ ids: string[] }> {
  static templateName = "tree.njk";
  static renderer = renderer;
  mount() {
    this.state.ids = ["x", "y"];
  }
}
registry.register("njk-tree", NjkTree);

const Render = suite("children rendered outside the WebSocket");

Render("a plain dispatch renders each child's HTML, not live", () => {
  const out = new Tree().dispatch().html;
  assert.is(out, "<ul><li><div><i>x=7</i></div></li><li><div><i>y=7</i></div></li></ul>");
});

Render("a plain dispatch hands the parent's context (services, user) to its children", () => {
  class Greeter extends Component {
    render() {
      const s = this.services as { greeting?: string };
      return html`<b>${s.greeting ?? "no services"} ${this.user?.name ?? "nobody"}</b>`;
    }
  }
  class Host extends Component {
    render() {
      return html`<p>${this.child("greeter", {}, "g")}</p>`;
    }
  }
  defaultRegistry.register("greeter", Greeter);
  const context = { services: { greeting: "hello" }, user: { id: "u1", name: "Ada" } } as never;
  assert.is(new Host({}, context).dispatch().html, "<p><div><b>hello Ada</b></div></p>");
});

Render("hotline.live() embeds the children with their own tokens, scoped by the embed id; the Nunjucks child global too", async () => {
  const app = await startServer({ registry });
  try {
    const page = await app.hotline.live("tree", {}, { id: "t1" });
    assert.match(page, /<li><div hl-component="leaf" hl-id="t1:x" hl-state="v1\.[^"]+"><i>x=7<\/i><\/div><\/li>/);
    const njk = await app.hotline.live("njk-tree", {}, { id: "n1" });
    assert.match(njk, /<ol><li><div hl-component="leaf" hl-id="n1:x" hl-state="v1\.[^"]+"><i>x=7<\/i><\/div><\/li>/, njk);
    assert.not.match(njk, /&lt;/, "the child's markup is not escaped");
  } finally {
    await app.stop();
  }
});

Render("the HTTP transport renders the children as embedded roots (a page without JavaScript shows them)", async () => {
  const app = await startServer({ registry });
  try {
    const res = await fetch(`${app.http}/components/tree`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
    assert.is(res.status, 200);
    const body = (await res.json()) as { html: string };
    assert.match(body.html, /hl-component="leaf" hl-id="[^"]*:y" hl-state="v1\./);
    assert.match(body.html, /<i>y=7<\/i>/);
  } finally {
    await app.stop();
  }
});

Render("app errors: a bad id, two children with one id, an async mount, an unknown child", () => {
  const bad = (render: (c: Component) => unknown, pattern: RegExp) => {
    class T extends Component {
      render() {
        return render(this) as ReturnType<Component["render"]>;
      }
    }
    try {
      new T().dispatch();
      assert.unreachable("child() should throw");
    } catch (err) {
      assert.match(String((err as Error).message), pattern);
    }
  };
  bad((c) => html`${c.child("leaf", {}, "a:b")}`, /a child id is 1-64 letters/);
  bad((c) => html`${c.child("leaf", {}, "a")}${c.child("leaf", {}, "a")}`, /two children with the id "a"/);
  bad((c) => html`${c.child("slow-leaf", {}, "s")}`, /mount\(\) is async/);
  bad((c) => html`${c.child("nope", {}, "s")}`, /child\("nope"\): no component is registered/);
});

Render.run();

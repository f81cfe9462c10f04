// hotline/testing and client-side commands: clicking or submitting an element whose binding is a
// JS command list sends its pushes (with the binding's payload and the push's value), and nothing
// for commands that only change the page in a browser.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Component, html, JS } from "hotline";
import { live, type LiveView } from "hotline/testing";

class Menu extends Component<{ got: string[] }> {
  mount() {
    this.state.got = [];
  }
  onSave(p: Record<string, unknown>) {
    this.state.got = [...this.state.got, `save ${JSON.stringify(p)}`];
  }
  onOpened(p: Record<string, unknown>) {
    this.state.got = [...this.state.got, `opened ${JSON.stringify(p)}`];
  }
  render() {
    return html`<div>
  <button id="toggle" hl-click="${JS.toggle("#menu")}">Menu</button>
  <button id="both" hl-value-x="1" hl-click="${JS.push("opened", { via: "js" }).addClass("open").push("save")}">Both</button>
  <form id="f" hl-submit="${JS.push("save").hide()}"><input name="title" value="t1"><button>Save</button></form>
  <button id="bad" hl-click='[["push",{}]]'>Bad</button>
  <ul>${this.state.got.map((g) => html`<li>${g}</li>`)}</ul>
</div>`;
  }
}

const s = suite("hotline/testing: client-side commands");
let view: LiveView<{ got: string[] }>;
s.before.each(async () => {
  view = await live(Menu);
});
s.after.each(async () => {
  await view.close();
});

s("a command list sends its pushes in order, each with the binding's payload and its value; DOM-only commands send nothing", async () => {
  await view.element("#toggle").click();
  assert.equal(view.state.got, []);
  await view.element("#both").click();
  assert.equal(view.state.got, ['opened {"x":"1","via":"js"}', 'save {"x":"1"}']);
  await view.form("#f").submit();
  assert.equal(view.state.got.at(-1), 'save {"title":"t1"}');
});

s("a push without an event name is a clear error", async () => {
  try {
    await view.element("#bad").click();
    assert.unreachable("no error");
  } catch (e) {
    assert.match((e as Error).message, /push's event/);
  }
});

s.run();

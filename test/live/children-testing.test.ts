// Nested components in hotline/testing's live(): the view's HTML shows its children's current
// HTML, an element's event goes to the child it is in (or hl-target's), children that a render adds
// are joined and those it removes are left, sendUpdate and emit work as on a page.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Component } from "../../server/core/component.js";
import { html } from "../../server/core/template/template.js";
import { createTestApp, live } from "../../server/testing.js";

class Tile extends Component<{ label: string; n: number }, { label: string }> {
  mount() {
    this.state.label = this.params.label;
    this.state.n = 0;
  }
  onBump() {
    this.state.n++;
  }
  onTell() {
    this.emit("told", { n: this.state.n });
  }
  render() {
    return html`<span class="n">${this.state.label}:${this.state.n}</span> <button class="bump" hl-click="bump">+</button> <button class="tell" hl-click="tell">tell</button> <button class="up" hl-click="poke" hl-target="parent">poke</button>`;
  }
}

class Board extends Component<{ ids: string[]; pokes: number; told: number; next: number }> {
  mount() {
    this.state.ids = ["a", "b"];
    this.state.pokes = 0;
    this.state.told = -1;
    this.state.next = 0;
  }
  onPoke() {
    this.state.pokes++;
  }
  onBump() {
    this.state.pokes += 1000; // never: hl-target sends the bump to tile b
  }
  onTold(p: { n: number }) {
    this.state.told = p.n;
  }
  onClear() {
    for (const id of this.state.ids) this.sendUpdate(id, { n: 0 });
  }
  onAdd() {
    this.state.ids = [...this.state.ids, `t${this.state.next++}`];
  }
  onRemove() {
    this.state.ids = this.state.ids.slice(1);
  }
  render() {
    return html`<p class="pokes">pokes ${this.state.pokes} told ${this.state.told}</p>
<button class="add" hl-click="add">Add</button> <button class="remove" hl-click="remove">Remove</button> <button class="clear" hl-click="clear">Clear</button>
<button class="bump-b" hl-click="bump" hl-target="[hl-id='board:b']">bump b</button>
<div class="tiles">${this.state.ids.map((id) => this.child("tile", { label: id }, id))}</div>`;
  }
}

const text = (view: { find(s: string): Element[] }, sel: string) => view.find(sel).map((e) => e.textContent).join("|");

test("events reach the child they are in, the board with hl-target, a tile by selector; sendUpdate and emit", async () => {
  const app = createTestApp({ components: { tile: Tile, board: Board } });
  const view = await live<Board["state"]>("board", { app, id: "board" });
  try {
    assert.is(text(view, ".n"), "a:0|b:0");
    await view.element('[hl-id="board:a"] .bump').click();
    assert.is(text(view, ".n"), "a:1|b:0", "the tile's own patch shows in the board's view");
    assert.is(view.child<Tile["state"]>("a")?.state.n, 1);
    assert.is(view.state.pokes, 0);

    await view.element('[hl-id="board:a"] .up').click();
    assert.is(view.state.pokes, 1, "hl-target=parent");
    assert.is(view.child<Tile["state"]>("a")?.state.n, 1);

    await view.element(".bump-b").click();
    assert.is(text(view, ".n"), "a:1|b:1", "hl-target=selector");
    assert.is(view.state.pokes, 1);

    await view.element('[hl-id="board:a"] .tell').click();
    await view.settled();
    assert.is(view.state.told, 1, "emit ran the board's onTold");
    await view.element(".clear").click();
    await view.settled();
    assert.is(text(view, ".n"), "a:0|b:0", "sendUpdate reset each tile");
  } finally {
    await view.close();
    await app.close();
  }
});

test("a child added by a render is joined, a removed one left", async () => {
  const app = createTestApp({ components: { tile: Tile, board: Board } });
  const view = await live("board", { app, id: "board" });
  try {
    assert.is(app.stats().instances, 3);
    await view.element(".add").click();
    assert.ok(view.child("t0"), "joined");
    assert.is(app.stats().instances, 4);
    await view.element('[hl-id="board:t0"] .bump').click();
    assert.is(text(view, ".n"), "a:0|b:0|t0:1");
    await view.element(".remove").click();
    assert.is(view.child("a"), undefined);
    assert.is(text(view, ".n"), "b:0|t0:1");
    await view.settled();
    assert.is(app.stats().instances, 3);
  } finally {
    await view.close();
    await app.close();
  }
  assert.is(app.stats().instances, 0);
});

test.run();

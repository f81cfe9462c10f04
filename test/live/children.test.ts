// Nested components over a real WebSocket: a parent renders children (this.child), each child is its
// own instance on the same connection (join with `parent`), a child's change patches that child only,
// sendUpdate and emit between them, and the joins a hostile client may try.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Component } from "../../server/core/component.js";
import { Registry } from "../../server/core/registry.js";
import { html } from "../../server/core/template/template.js";
import { startServer, TestClient, type Msg } from "../support/ws-client.js";

const registry = new Registry();

class Item extends Component<{ label: string; n: number }, { label: string }> {
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
    return html`<p>${this.state.label}: ${this.state.n}</p><button hl-click="bump">+</button>`;
  }
}
registry.register("item", Item);

class List extends Component<{ ids: string[]; told: number; title: string }> {
  mount() {
    this.state.ids = ["a", "b"];
    this.state.told = -1;
    this.state.title = "list";
  }
  onAdd(p: { id: string }) {
    this.state.ids = [...this.state.ids, p.id];
  }
  onRemove(p: { id: string }) {
    this.state.ids = this.state.ids.filter((x) => x !== p.id);
  }
  onRename(p: { title: string }) {
    this.state.title = p.title;
  }
  onReset() {
    this.sendUpdate("a", { n: 100 });
  }
  onStray() {
    this.sendUpdate("zz", { n: 1 });
  }
  onTold(p: { n: number }) {
    this.state.told = p.n;
  }
  render() {
    return html`<h1>${this.state.title} ${this.state.told}</h1><ul>${this.state.ids.map((id) => html`<li>${this.child("item", { label: id }, id)}</li>`)}</ul>`;
  }
}
registry.register("list", List);

/** The signed token of the child root `id` in some markup (an embed, or a frame's JSON). */
function tokenOf(markup: string, id: string): string {
  const m = new RegExp(`hl-id=\\\\?"${id}\\\\?" hl-state=\\\\?"([^"\\\\]+)`).exec(markup);
  if (!m) throw new Error(`no child root ${id} in ${markup.slice(0, 300)}`);
  return m[1]!;
}

const parentToken = (markup: string) => /hl-state="([^"]+)"/.exec(markup)![1]!;

async function setup() {
  const logs: string[] = [];
  const app = await startServer({ registry, logger: { error: (m: string) => void logs.push(String(m)) } });
  const page = await app.hotline.live("list", {}, { id: "p" });
  const c = await TestClient.open(app.url);
  const ok = await c.join("p", "list", { state: parentToken(page) });
  assert.is(ok.t, "ok", JSON.stringify(ok));
  return { app, page, c, logs };
}

/** Every frame sent after a ping round trip has come back: what the server had sent by then. */
async function settled(c: TestClient): Promise<void> {
  const ref = 900_000 + Math.floor(Math.random() * 1000);
  c.send({ t: "ping", ref });
  await c.next((m) => m.t === "pong" && m.ref === ref);
}

const Children = suite("children over a WebSocket");

Children("the first render embeds each child's own render and token; the child joins under its parent", async () => {
  const { app, page, c } = await setup();
  try {
    assert.match(page, /hl-component="item" hl-id="p:a" hl-state="/);
    assert.match(page, /<p>a: 0<\/p>/);
    assert.match(page, /hl-id="p:b"/);
    const a = await c.join("p:a", "item", { state: tokenOf(page, "p:a"), parent: "p" });
    assert.is(a.t, "ok", JSON.stringify(a));
    assert.match(JSON.stringify(a), /a: /);
    assert.is(app.hotline.stats().instances, 2);
  } finally {
    c.close();
    await app.stop();
  }
});

Children("a child's event patches the child only; a parent's re-render sends no child markup", async () => {
  const { app, page, c } = await setup();
  try {
    await c.join("p:a", "item", { state: tokenOf(page, "p:a"), parent: "p" });
    await c.join("p:b", "item", { state: tokenOf(page, "p:b"), parent: "p" });
    const seen = c.log.length;
    const patch = await c.event("p:a", "bump");
    assert.is(patch.t, "patch");
    assert.is(patch.id, "p:a");
    assert.match(JSON.stringify(patch), /1/);
    await settled(c);
    const after = c.log.slice(seen);
    assert.equal(after.filter((m) => m.t === "patch").map((m) => m.id), ["p:a"], "only the child's patch");

    // The parent's own change: its patch carries its title and, for its children, empty roots only.
    const renamed = await c.event("p", "rename", { title: "renamed" });
    assert.is(renamed.id, "p");
    const body = JSON.stringify(renamed);
    assert.match(body, /renamed/);
    assert.not.match(body, /hl-state/, "no token: the client holds the children");
    assert.not.match(body, /a: /, "no child render in the parent's patch");
    const again = await c.event("p", "rename", { title: "twice" });
    assert.not.match(JSON.stringify(again), /hl-id/, "a stable empty root: nothing about the children changes");
  } finally {
    c.close();
    await app.stop();
  }
});

Children("sendUpdate runs the child's update() and patches the child; emit runs the parent's handler and patches the parent", async () => {
  const { app, page, c } = await setup();
  try {
    await c.join("p:a", "item", { state: tokenOf(page, "p:a"), parent: "p" });
    const waitChild = c.next((m) => m.t === "patch" && m.id === "p:a" && m.ref === undefined);
    const reset = await c.event("p", "reset");
    assert.is(reset.t, "patch");
    const childPatch: Msg = await waitChild;
    assert.match(JSON.stringify(childPatch), /100/);

    const waitParent = c.next((m) => m.t === "patch" && m.id === "p" && m.ref === undefined);
    const told = await c.event("p:a", "tell");
    assert.is(told.t, "patch");
    assert.match(JSON.stringify(await waitParent), /100/, "the parent's on<Event> ran with the child's payload");
  } finally {
    c.close();
    await app.stop();
  }
});

Children("sendUpdate to a child rendered but not joined yet reaches it when it joins; to an id the parent does not render, a log line", async () => {
  const { app, page, c, logs } = await setup();
  try {
    assert.is((await c.event("p", "reset")).t, "patch");
    assert.is((await c.event("p", "stray")).t, "patch", "the parent's event still succeeds");
    assert.ok(logs.some((l) => /sendUpdate\("zz"\): its last render has no child/.test(l)), logs.join("\n"));
    const late = c.next((m) => m.t === "patch" && m.id === "p:a" && m.ref === undefined);
    assert.is((await c.join("p:a", "item", { state: tokenOf(page, "p:a"), parent: "p" })).t, "ok");
    assert.match(JSON.stringify(await late), /100/);
  } finally {
    c.close();
    await app.stop();
  }
});

Children("emit to a parent that is gone, sendUpdate to a child that is not live: a log line, no crash", async () => {
  const { app, page, c, logs } = await setup();
  try {
    await c.join("p:a", "item", { state: tokenOf(page, "p:a"), parent: "p" });
    const reset = await c.event("p", "reset"); // p:a is live
    assert.is(reset.t, "patch");
    c.send({ t: "leave", id: "p" });
    await settled(c);
    const told = await c.event("p:a", "tell");
    assert.is(told.t, "patch", "the child's own event still succeeds");
    assert.ok(logs.some((l) => /emit\("told"\): no live parent/.test(l)), logs.join("\n"));
    assert.is(app.hotline.stats().instances, 1);
  } finally {
    c.close();
    await app.stop();
  }
});

Children("a hostile join: an unknown parent, an id outside its scope, another connection's parent, a child the parent does not render", async () => {
  const { app, page, c } = await setup();
  const other = await TestClient.open(app.url);
  try {
    const token = tokenOf(page, "p:a");
    const unknown = await c.join("q:a", "item", { state: token, parent: "q" });
    assert.is(unknown.code, "bad_state", "a parent not joined here: join it first");
    const outside = await c.join("x:a", "item", { state: token, parent: "p" });
    assert.is(outside.code, "unauthorized");
    const foreign = await other.join("p:a", "item", { state: token, parent: "p" });
    assert.is(foreign.code, "bad_state", "a parent of another connection is not joined on this one");
    const notRendered = await c.join("p:z", "item", { state: token, parent: "p" });
    assert.is(notRendered.code, "unauthorized");
    const wrongName = await c.join("p:b", "list", { parent: "p" });
    assert.is(wrongName.code, "unauthorized");
    const bad = await c.join("p:a", "item", { state: token, parent: 7 });
    assert.is(bad.code, "bad_message");
    assert.is(app.hotline.stats().instances, 1, "none of them started");
    // and the connection still works
    const ok = await c.join("p:a", "item", { state: token, parent: "p" });
    assert.is(ok.t, "ok", JSON.stringify(ok));
  } finally {
    c.close();
    other.close();
    await app.stop();
  }
});

Children("a child removed from the parent's render cannot join again; one added by a patch arrives with its token and joins", async () => {
  const { app, page, c } = await setup();
  try {
    await c.join("p:a", "item", { state: tokenOf(page, "p:a"), parent: "p" });
    await c.event("p", "remove", { id: "a" });
    c.send({ t: "leave", id: "p:a" }); // what the browser client does once the root left the page
    await settled(c);
    assert.is(app.hotline.stats().instances, 1);
    const stale = await c.join("p:a2", "item", { state: tokenOf(page, "p:a"), parent: "p" });
    assert.is(stale.code, "unauthorized");

    const added = await c.event("p", "add", { id: "c" });
    const frame = JSON.stringify(added);
    const joined = await c.join("p:c", "item", { state: tokenOf(frame, "p:c"), parent: "p" });
    assert.is(joined.t, "ok", JSON.stringify(joined));
    assert.match(JSON.stringify(joined), /c: 0/);
    assert.is(app.hotline.stats().instances, 2);
    const bump = await c.event("p:c", "bump");
    assert.is(bump.id, "p:c");
  } finally {
    c.close();
    await app.stop();
  }
});

Children("sessions lost (a restarted server): the parent's and the child's rejoins fail with bad_state, then both join again from their tokens", async () => {
  const { app, page, c } = await setup();
  try {
    const gone = "A".repeat(24);
    // as a reconnecting client does: the child's join leaves before the parent's answer is back
    c.send({ t: "join", ref: 71, id: "p2", name: "list", session: gone });
    c.send({ t: "join", ref: 72, id: "p2:a", name: "item", session: gone, parent: "p2" });
    assert.is((await c.next((m) => m.ref === 71)).code, "bad_state");
    assert.is((await c.next((m) => m.ref === 72)).code, "bad_state", "the client's cue to join from its token, after the parent");
    // the child's join may also come after the parent's failed join was dropped: still bad_state
    c.send({ t: "join", ref: 73, id: "p2:a", name: "item", session: gone, parent: "p2" });
    assert.is((await c.next((m) => m.ref === 73)).code, "bad_state");
    const page2 = await app.hotline.live("list", {}, { id: "p2" });
    assert.is((await c.join("p2", "list", { state: parentToken(page2) })).t, "ok");
    assert.is((await c.join("p2:a", "item", { state: tokenOf(page2, "p2:a"), parent: "p2" })).t, "ok");
    void page;
  } finally {
    c.close();
    await app.stop();
  }
});

Children("two parents may both have a child \"a\": their ids are scoped", async () => {
  const { app, page, c } = await setup();
  try {
    const page2 = await app.hotline.live("list", {}, { id: "q" });
    assert.is((await c.join("q", "list", { state: parentToken(page2) })).t, "ok");
    assert.is((await c.join("p:a", "item", { state: tokenOf(page, "p:a"), parent: "p" })).t, "ok");
    assert.is((await c.join("q:a", "item", { state: tokenOf(page2, "q:a"), parent: "q" })).t, "ok");
    await c.event("p:a", "bump");
    await c.event("p:a", "bump");
    const seen = c.log.length;
    const waitP = c.next((m) => m.t === "patch" && m.id === "p" && m.ref === undefined);
    await c.event("p:a", "tell");
    assert.match(JSON.stringify(await waitP), /\b2\b/, "p's child a told p its count");
    await settled(c);
    assert.equal(c.log.slice(seen).filter((m) => m.id === "q"), [], "q heard nothing");
  } finally {
    c.close();
    await app.stop();
  }
});

Children.run();

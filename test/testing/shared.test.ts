// hotline/testing with several views of one app: a shared component's viewers see one instance's
// renders; private components on one topic see each other through the app's pub/sub once
// settled() has let the deliveries through; other apps see nothing.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Component, html } from "hotline";
import { live, createTestApp, settle, type LiveView } from "hotline/testing";
import { Board } from "../../components/board.js";
import { MemoryBoardRepo } from "../../components/board-repo.js";

/** A private component: each view has its own, and they talk over the "room" topic. */
export class Room extends Component<{ lines: string[] }> {
  mount(): void {
    this.state.lines = [];
    this.subscribe("room");
  }
  async onSay(p: { text: string }): Promise<void> {
    await this.publish("room", { text: p.text });
  }
  /** A message relayed once, to show settled() waits for chains of deliveries. */
  async onMessage(_topic: string, m: unknown): Promise<void> {
    const text = String((m as { text?: unknown }).text);
    this.state.lines = [...this.state.lines, text];
    if (text.startsWith("ping") && this.state.lines.length === 1) await this.publish("room", { text: `echo of ${text}` });
  }
  render() {
    return html`<ul>${this.state.lines.map((l) => html`<li>${l}</li>`)}</ul><button hl-click="say" hl-value-text="hello">Say hello</button>`;
  }
}

const lines = (v: LiveView) => v.find("li").map((li) => li.textContent);

const s = suite("hotline/testing: views of one app");

s("two views of a shared board: a submit on one shows on the other", async () => {
  const app = createTestApp({ services: { board: new MemoryBoardRepo() } });
  try {
    const ada = await live(Board, { app, user: { id: "ada", name: "Ada" } });
    const bob = await live(Board, { app, user: { id: "bob", name: "Bob" } });
    assert.is(ada.component, bob.component, "one instance serves both");
    await ada.form("form.board-form").submit({ text: "Buy milk", client: "tab-a" });
    await bob.settled();
    assert.equal(bob.find(".board-item .text").map((e) => e.textContent), ["Buy milk"]);
    assert.match(bob.find(".board-author")[0]!.textContent!, "added by Ada");
    // the push reaches every viewer of a shared board; its client tag says whose form it was
    assert.equal(bob.pushed("board:added"), [{ event: "board:added", payload: { id: "i1", client: "tab-a" } }]);
    // both are on the board (presence), each once
    assert.equal(bob.find(".online-name").map((e) => e.textContent).sort(), ["Ada", "Bob"]);
    await bob.element("#board-i1 input[type=checkbox]").change(true);
    await ada.settled();
    assert.equal(ada.find(".board-item.done").length, 1);
    assert.match(ada.html(), "0 of 1 left");
    await ada.close();
    await bob.settled();
    assert.equal(bob.find(".online-name").map((e) => e.textContent), ["Bob"], "a closed view leaves the board");
    await bob.close();
  } finally {
    await app.close();
  }
});

s("private components on one topic see each other's messages after settled(); other apps do not", async () => {
  const app = createTestApp({ components: [Room] });
  const elsewhere = await live(Room); // its own private app
  try {
    const a = await live(Room, { app });
    const b = await live(Room, { app });
    assert.is.not(a.component, b.component);
    await a.element("button", "Say hello").click();
    await b.settled();
    assert.equal(lines(b), ["hello"]);
    assert.equal(lines(a), ["hello"], "the sender hears its own message too");
    await elsewhere.settled();
    assert.equal(lines(elsewhere), [], "another app's bus is another bus");
    await a.close();
    await b.close();
  } finally {
    await elsewhere.close();
    await app.close();
  }
});

s("settled() waits for chains: a delivery that publishes again is handled too", async () => {
  const app = createTestApp({ components: { room: Room } });
  try {
    const a = await live(Room, { app });
    const b = await live(Room, { app });
    assert.is(a.name, "room");
    await a.event("say", { text: "ping 1" });
    await settle(app);
    // each view got "ping 1", and each relayed one echo that both then got
    assert.equal(lines(a).sort(), ["echo of ping 1", "echo of ping 1", "ping 1"]);
    assert.equal(lines(b).sort(), ["echo of ping 1", "echo of ping 1", "ping 1"]);
  } finally {
    await app.close();
  }
});

s("settled() on a closed app's bus is an error, not a hang", async () => {
  const v = await live(Room);
  await v.app.pubsub.close();
  try {
    await v.settled();
    assert.unreachable("should have thrown");
  } catch (err) {
    assert.match(String(err), "closed");
  }
  await v.close();
});

s.run();

// hotline/testing with several views of one app: a shared component's viewers see one instance's
// renders; private components on one topic see each other through the app's pub/sub once
// settled() has let the deliveries through; other apps see nothing.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { MemoryPubSub, type Listener } from "hotline";
import { live, createTestApp, settle, type LiveView } from "hotline/testing";
import { Board } from "../../components/board.js";
import { MemoryBoardRepo } from "../../components/board-repo.js";
import { Room } from "./room.js";

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

/** A bus with latency, as a network has: each delivery comes 20 ms after its publish, in order. */
class LaggyPubSub extends MemoryPubSub {
  override async subscribe(topic: string, listener: Listener) {
    return super.subscribe(topic, (m, info) => void setTimeout(() => listener(m, info), 20));
  }
}

s("settled() waits for a bus with latency: it returns once the late deliveries are handled", async () => {
  const app = createTestApp({ pubsub: new LaggyPubSub(), components: [Room] });
  try {
    const a = await live(Room, { app });
    const b = await live(Room, { app });
    for (let i = 1; i <= 3; i++) {
      await a.element("button", "Say hello").click();
      await b.settled();
      assert.is(b.find("li").length, i, `message ${i} was not waited for`);
    }
    await a.event("say", { text: "ping" });
    await a.settled();
    assert.equal(lines(a).slice(3), ["ping", "echo of ping", "echo of ping"]);
    assert.equal(lines(b).slice(3), ["ping", "echo of ping", "echo of ping"]);
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

// The shared board over the memory repo, tested as its viewers use it (hotline/testing): add,
// toggle, remove, validation, and the announcement on the "board" topic that makes every other
// board (another process's, or one resumed from an old state) re-read the list.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Board, BOARD_TOPIC } from "../../components/board.js";
import { MemoryBoardRepo, MAX_ITEMS, type BoardItem } from "../../components/board-repo.js";
import { MemoryPubSub, registry, type Hotline } from "hotline";
import { live, createTestApp, LiveTestError, type LiveView } from "hotline/testing";

// The app's services, as createHotline({ services }) gives them: a fresh repo and app per test.
let repo: MemoryBoardRepo;
let app: Hotline;
/** What was published on the board topic. */
let announced: unknown[];

const test = suite("board");

test.before.each(async () => {
  repo = new MemoryBoardRepo();
  app = createTestApp({ services: { board: repo } });
  announced = [];
  await app.pubsub.subscribe(BOARD_TOPIC, (m) => void announced.push(m));
});
test.after.each(async () => {
  await app.close();
});

const items = (v: LiveView) => v.state.items as BoardItem[];
const texts = (v: LiveView) => v.find(".board-item .text").map((e) => e.textContent);

async function refused(p: Promise<unknown>): Promise<LiveTestError> {
  try {
    await p;
  } catch (err) {
    assert.instance(err, LiveTestError);
    return err as LiveTestError;
  }
  return assert.unreachable("should have been refused") as never;
}

test("registers as a shared component", () => {
  assert.is(registry.get("board"), Board);
  assert.is(Board.shared, true);
});

test("mount subscribes to the board topic and renders the form", async () => {
  const view = await live(Board, { app });
  assert.is(app.hub.index.listeners(BOARD_TOPIC), 1);
  assert.is(view.element("form").attribute("hl-submit"), "add");
  assert.ok(view.element('input[placeholder="New item"]').exists());
  assert.ok(view.element("button", "Add").exists());
  assert.match(view.element(".board-summary").text(), "Nothing yet");
});

test("add trims the text, renders a keyed item, publishes and tells the adder", async () => {
  const view = await live(Board, { app });
  await view.form("form.board-form").submit({ text: "  Buy milk  ", client: "tab7" });
  assert.equal(items(view), [{ id: "i1", text: "Buy milk", done: false }]);
  assert.is(view.element("li#board-i1").attribute("class"), "board-item");
  assert.equal(texts(view), ["Buy milk"]);
  await view.settled();
  assert.is(announced.length, 1);
  assert.equal(view.pushed(), [{ event: "board:added", payload: { id: "i1", client: "tab7" } }]);
});

test("typing says so to everyone on the board; clicking Add submits what was typed", async () => {
  const ada = await live(Board, { app, user: { id: "ada", name: "Ada" } });
  const bob = await live(Board, { app, user: { id: "bob", name: "Bob" } });
  await ada.element("input[name=text]").input("Buy mi");
  await bob.settled();
  assert.is(bob.element(".board-typing").text(), "Ada is typing…");
  await ada.element("button", "Add").click();
  await bob.settled();
  assert.equal(texts(bob), ["Buy mi"]);
  assert.is(bob.element(".board-typing").text(), "", "adding stops the typing");
});

test("an item shows who added it: the sender's name is stored with it, the same for every viewer", async () => {
  const ada = await live(Board, { app, user: { id: "ada", name: "Ada <3" } });
  const anonymous = await live(Board, { app });
  await ada.form("form.board-form").submit({ text: "Tea" });
  assert.equal(items(ada), [{ id: "i1", text: "Tea", done: false, author: "Ada <3" }]);
  assert.is(ada.element(".board-author").text(), "added by Ada <3");
  assert.match(ada.html(), "added by Ada &lt;3", "escaped in the HTML");
  assert.is(anonymous.element(".board-author").text(), "added by Ada <3");
  await anonymous.form("form.board-form").submit({ text: "anonymous" });
  assert.not.ok(anonymous.element("#board-i2 .board-author").exists(), "no author without a user");
});

test("a board resumed from a state older than the list shows the list as it is now", async () => {
  const first = await live(Board, { app });
  await first.form("form.board-form").submit({ text: "gone since" });
  const key = first.session!;
  await first.close();
  await repo.remove("i1"); // meanwhile, elsewhere (or the process restarted with an empty repo)
  const again = await live(Board, { app, session: key });
  await again.settled();
  assert.equal(texts(again), []);
  assert.match(again.element(".board-summary").text(), "Nothing yet");
});

test("toggle and remove change the shared list", async () => {
  const view = await live(Board, { app });
  await view.form("form.board-form").submit({ text: "one" });
  await view.form("form.board-form").submit({ text: "two" });
  await view.element("#board-i1 input[type=checkbox]").change(true);
  assert.equal(items(view).map((i) => i.done), [true, false]);
  assert.is(view.element("#board-i1").attribute("class"), "board-item done");
  assert.match(view.element(".board-summary").text(), "1 of 2 left");
  await view.element("#board-i1 button", "Remove").click();
  assert.equal(texts(view), ["two"]);
  assert.not.ok(view.element("#board-i1").exists());
});

test("a board in another process (another app on the same bus and repo) re-reads the list when the topic announces a change", async () => {
  const bus = new MemoryPubSub();
  const one = createTestApp({ services: { board: repo }, pubsub: bus });
  const two = createTestApp({ services: { board: repo }, pubsub: bus });
  try {
    const a = await live(Board, { app: one });
    const b = await live(Board, { app: two });
    await a.form("form.board-form").submit({ text: "from A" });
    await b.settled();
    assert.equal(texts(b), ["from A"]);
  } finally {
    await one.close();
    await two.close();
  }
});

test("text is escaped", async () => {
  const view = await live(Board, { app });
  await view.form("form.board-form").submit({ text: "<img src=x onerror=alert(1)>" });
  assert.equal(view.find(".board-item img"), []);
  assert.is(view.element(".board-item .text").text(), "<img src=x onerror=alert(1)>");
  assert.match(view.html(), "&lt;img src=x onerror=alert(1)&gt;");
});

for (const [why, payload] of [
  ["empty", { text: "" }],
  ["blank", { text: "   " }],
  ["too long", { text: "x".repeat(201) }],
  ["not a string", { text: 42 }],
  ["missing", {}],
] as const) {
  test(`add rejects ${why} text with bad_message and changes nothing`, async () => {
    const view = await live(Board, { app });
    const e = await refused(view.event("add", payload as Record<string, unknown>));
    assert.is(e.code, "bad_message");
    assert.ok((e.details?.issues as unknown[] | undefined)?.length);
    assert.equal(items(view), []);
    await view.settled();
    assert.equal(announced, []);
  });
}

test("200 characters are accepted", async () => {
  const view = await live(Board, { app });
  await view.form("form.board-form").submit({ text: "y".repeat(200) });
  assert.is(items(view)[0]!.text.length, 200);
});

test("toggle and remove reject ids that are not item ids", async () => {
  const view = await live(Board, { app });
  for (const ev of ["toggle", "remove"]) assert.is((await refused(view.event(ev, { id: "../etc" }))).code, "bad_message");
});

test("a full board refuses more items and says so to the adder", async () => {
  for (let i = 0; i < MAX_ITEMS; i++) await repo.add(`n${i}`);
  const view = await live(Board, { app });
  assert.is(view.find(".board-item").length, MAX_ITEMS);
  await view.form("form.board-form").submit({ text: "one too many" });
  assert.is(items(view).length, MAX_ITEMS);
  assert.equal(view.pushed().map((p) => p.event), ["board:full"]);
});

test.run();

// The shared board component over the memory repo: add, toggle, remove, validation, and the
// announcement on the "board" topic that makes every other viewer re-read the list.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Board, BOARD_TOPIC } from "../../components/board.js";
import { MemoryBoardRepo, MAX_ITEMS } from "../../components/board-repo.js";
import { registry, type ComponentHost } from "../../server/core/index.js";
import { attachHost } from "../../server/core/host.js";
import { toHTML } from "../../server/core/steps.js";

function host() {
  const h = {
    topics: new Set<string>(),
    published: [] as { topic: string; message: unknown }[],
    pushed: [] as { event: string; payload: unknown }[],
    subscribe(t: string) { h.topics.add(t); },
    unsubscribe(t: string) { h.topics.delete(t); },
    async publish(topic: string, message: unknown) { h.published.push({ topic, message }); },
    push(event: string, payload: unknown) { h.pushed.push({ event, payload }); },
  } satisfies ComponentHost & Record<string, unknown>;
  return h;
}

// The app's services, as createHotline({ services }) gives them: a fresh repo per test.
let services = { board: new MemoryBoardRepo() };

async function live() {
  const h = host();
  const b = new Board({}, { services });
  attachHost(b, h);
  await b.asyncDispatch();
  return { b, h };
}

test.before.each(() => {
  services = { board: new MemoryBoardRepo() };
});

test("registers as a shared component", () => {
  assert.is(registry.get("board"), Board);
  assert.is(Board.shared, true);
});

test("mount subscribes to the board topic and renders the form", async () => {
  const { b, h } = await live();
  assert.ok(h.topics.has(BOARD_TOPIC));
  const html = toHTML(b);
  assert.match(html, /<form[^>]*hl-submit="add"/);
  assert.match(html, /placeholder="New item"/);
  assert.match(html, />Add<\/button>/);
  assert.match(html, "Nothing yet");
});

test("add trims the text, renders a keyed item, publishes and tells the adder", async () => {
  const { b, h } = await live();
  await b.asyncHandleEvent("add", { text: "  Buy milk  ", client: "tab7" });
  assert.equal(b.state.items, [{ id: "i1", text: "Buy milk", done: false }]);
  const html = toHTML(b);
  assert.match(html, /<li id="board-i1" class="board-item">/);
  assert.match(html, ">Buy milk</span>");
  assert.equal(h.published.map((p) => p.topic), [BOARD_TOPIC]);
  assert.equal(h.pushed, [{ event: "board:added", payload: { id: "i1", client: "tab7" } }]);
});

test("an item shows who added it: the sender's name is stored with it, and the render reads only the list", async () => {
  const h = host();
  const b = new Board({}, { services, user: { id: "ada", name: "Ada <3" } });
  attachHost(b, h);
  await b.asyncDispatch();
  await b.asyncHandleEvent("add", { text: "Tea" });
  assert.equal(b.state.items, [{ id: "i1", text: "Tea", done: false, author: "Ada <3" }]);
  assert.match(toHTML(b), /<span class="board-author muted">added by Ada &lt;3<\/span>/);
  // another viewer (another user, or none: a shared render) shows the same author
  const other = await live();
  assert.match(toHTML(other.b), "added by Ada &lt;3");
  await other.b.asyncHandleEvent("add", { text: "anonymous" });
  assert.not.match(toHTML(other.b).split("anonymous")[1] ?? "", "added by", "no author without a user");
});

test("a board hydrated from an outdated state announces the change, so that it is re-read", async () => {
  const h = host();
  const b = new Board({}, { services });
  b.hydrate({ items: [{ id: "i9", text: "gone since", done: false }] });
  attachHost(b, h);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(h.published.map((p) => p.topic), [BOARD_TOPIC]);
  await b.onMessage();
  assert.equal(b.state.items, []);
  const fresh = host();
  const c = new Board({}, { services });
  c.hydrate({ items: [] });
  attachHost(c, fresh);
  await new Promise((r) => setTimeout(r, 10));
  assert.equal(fresh.published, [], "an up-to-date state announces nothing");
});

test("toggle and remove change the shared list", async () => {
  const { b } = await live();
  await b.asyncHandleEvent("add", { text: "one" });
  await b.asyncHandleEvent("add", { text: "two" });
  await b.asyncHandleEvent("toggle", { id: "i1", value: true });
  assert.equal(b.state.items.map((i) => i.done), [true, false]);
  assert.match(toHTML(b), /<li id="board-i1" class="board-item done">/);
  assert.match(toHTML(b), "1 of 2 left");
  await b.asyncHandleEvent("remove", { id: "i1" });
  assert.equal(b.state.items.map((i) => i.text), ["two"]);
  assert.not.match(toHTML(b), "board-i1");
});

test("another viewer re-reads the list when the topic announces a change", async () => {
  const a = await live();
  const other = await live();
  await a.b.asyncHandleEvent("add", { text: "from A" });
  assert.equal(other.b.state.items, []);
  await other.b.onMessage();
  assert.equal(other.b.state.items.map((i) => i.text), ["from A"]);
});

test("text is escaped", async () => {
  const { b } = await live();
  await b.asyncHandleEvent("add", { text: "<img src=x onerror=alert(1)>" });
  assert.not.match(toHTML(b), "<img");
  assert.match(toHTML(b), "&lt;img src=x onerror=alert(1)&gt;");
});

for (const [why, payload] of [
  ["empty", { text: "" }],
  ["blank", { text: "   " }],
  ["too long", { text: "x".repeat(201) }],
  ["not a string", { text: 42 }],
  ["missing", {}],
] as const) {
  test(`add rejects ${why} text with bad_message and changes nothing`, async () => {
    const { b, h } = await live();
    try {
      await b.asyncHandleEvent("add", payload as Record<string, unknown>);
      assert.unreachable("should have thrown");
    } catch (err) {
      const e = err as { code?: string; details?: { issues?: unknown[] } };
      assert.is(e.code, "bad_message");
      assert.ok(e.details?.issues?.length);
    }
    assert.equal(b.state.items, []);
    assert.equal(h.published, []);
  });
}

test("200 characters are accepted", async () => {
  const { b } = await live();
  await b.asyncHandleEvent("add", { text: "y".repeat(200) });
  assert.is(b.state.items[0]!.text.length, 200);
});

test("toggle and remove reject ids that are not item ids", async () => {
  const { b } = await live();
  for (const ev of ["toggle", "remove"]) {
    try {
      await b.asyncHandleEvent(ev, { id: "../etc" });
      assert.unreachable("should have thrown");
    } catch (err) {
      assert.is((err as { code?: string }).code, "bad_message");
    }
  }
});

test("a full board refuses more items and says so to the adder", async () => {
  const { b, h } = await live();
  for (let i = 0; i < MAX_ITEMS; i++) await b.asyncHandleEvent("add", { text: `n${i}` });
  h.pushed.length = 0;
  await b.asyncHandleEvent("add", { text: "one too many" });
  assert.is(b.state.items.length, MAX_ITEMS);
  assert.equal(h.pushed.map((p) => p.event), ["board:full"]);
});

test.run();

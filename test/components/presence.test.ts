// The demo's presence over real WebSockets: the board lists who is on it (a dot per tab) and who is
// typing (set by "typing", cleared by "stopped", by adding an item, and by leaving); the order
// editor says who else has the same order open, never counting the viewer's own key.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Board, BOARD_PRESENCE } from "../../components/board.js";
import { MemoryBoardRepo } from "../../components/board-repo.js";
import { OrderEditor, orderPresenceTopic } from "../../components/order-editor.js";
import { names, peopleOn } from "../../components/people.js";
import { createMemoryOrders } from "../../demo/orders-model.js";
import { Rendered } from "../../client/rendered.js";
import { Registry } from "../../server/core/registry.js";
import type { HotlineOptions } from "../../server/hotline.js";
import { startServer, TestClient, sleep } from "../support/ws-client.js";

type U = { id: string; name: string };
const ADA: U = { id: "ada", name: "Ada" };
const GRACE: U = { id: "grace", name: "Grace" };
const LINUS: U = { id: "linus", name: "Linus" };

const registry = new Registry();
registry.register("board", Board);
registry.register("order_editor", OrderEditor);
const authenticate = (req: { headers: Record<string, unknown> }) => {
  const h = req.headers["x-user"];
  return typeof h === "string" ? (JSON.parse(h) as U) : null;
};

let srv: Awaited<ReturnType<typeof startServer>>;
const open: TestClient[] = [];
async function as(u?: U): Promise<TestClient> {
  const c = await TestClient.open(srv.url, u ? { headers: { "x-user": JSON.stringify(u) } } : {});
  open.push(c);
  return c;
}

/** Waits until what `c` shows for `id` satisfies `pred`. */
async function until(c: TestClient, id: string, what: string, pred: (html: string) => boolean): Promise<string> {
  let last = "";
  for (let i = 0; i < 150; i++) {
    last = shown(c, id);
    if (pred(last)) return last;
    await sleep(20);
  }
  throw new Error(`${id} never showed ${what}; it shows:\n${last}`);
}

/** What a client shows, from its frames: the `ok`'s tree with the patches applied (client/rendered.ts). */
function shown(c: TestClient, id: string): string {
  const frames = c.log.filter((m) => m.id === id && (m.t === "ok" || m.t === "patch"));
  const okAt = frames.findLastIndex((m) => m.t === "ok");
  if (okAt < 0) return "";
  const tree = Rendered.fromJoin(frames[okAt]!);
  for (const p of frames.slice(okAt + 1)) tree.apply(p);
  return tree.toHTML();
}

/** The board's online list as "Name:dots[:typing]" entries, and its typing line. */
function online(html: string): { people: string[]; typing: string } {
  const people = [...html.matchAll(/<li class="online-user( typing)?" data-user="[^"]*"><span class="online-name">([^<]*)<\/span>\s*<span class="tabs"[^>]*>(●*)<\/span>/g)]
    .map((m) => `${m[2]}:${m[3]!.length}${m[1] ? ":typing" : ""}`);
  const typing = /<p class="board-typing[^"]*"[^>]*>([^<]*)<\/p>/.exec(html)?.[1] ?? "";
  return { people, typing };
}
const shows = (people: string[], typing = "") => (h: string) => JSON.stringify(online(h)) === JSON.stringify({ people, typing });

const board = suite("board presence");
board.before(async () => {
  srv = await startServer({ registry, authenticate, services: { board: new MemoryBoardRepo(), orders: createMemoryOrders() } } as HotlineOptions);
});
board.after.each(() => {
  for (const c of open.splice(0)) c.close();
});
board.after(() => srv.stop());

board("each signed-in viewer is listed once by name, with a dot per open tab; closing a tab takes its dot away", async () => {
  const a = await as(ADA);
  await a.join("b", "board");
  await until(a, "b", "Ada", shows(["Ada:1"]));
  const g = await as(GRACE);
  await g.join("b", "board");
  await until(g, "b", "Ada and Grace", shows(["Ada:1", "Grace:1"]));
  await until(a, "b", "Grace's arrival", shows(["Ada:1", "Grace:1"]));
  const a2 = await as(ADA);
  await a2.join("b", "board");
  await until(g, "b", "Ada's second tab", shows(["Ada:2", "Grace:1"]));
  a2.close();
  await until(g, "b", "Ada's tab closed", shows(["Ada:1", "Grace:1"]));
  a.close();
  await until(g, "b", "Ada gone", shows(["Grace:1"]));
  assert.equal(Object.keys(await srv.hotline.presence.list(BOARD_PRESENCE)), ["grace"]);
});

board("typing shows for everyone; 'stopped' (blur, or no key for a while) and adding an item clear it", async () => {
  const a = await as(ADA);
  const g = await as(GRACE);
  await a.join("b", "board");
  await g.join("b", "board");
  await until(g, "b", "both", shows(["Ada:1", "Grace:1"]));
  assert.is((await a.event("b", "typing", { value: "Mil", name: "text" })).t, "patch");
  await until(g, "b", "Ada typing", shows(["Ada:1:typing", "Grace:1"], "Ada is typing…"));
  await g.event("b", "typing", { value: "E" });
  await until(a, "b", "both typing", shows(["Ada:1:typing", "Grace:1:typing"], "Ada and Grace are typing…"));
  await g.event("b", "stopped", { key: "Shift" });
  await until(a, "b", "Grace stopped", shows(["Ada:1:typing", "Grace:1"], "Ada is typing…"));
  // an emptied box is not typing
  await g.event("b", "typing", { value: "E" });
  await until(a, "b", "Grace typing again", shows(["Ada:1:typing", "Grace:1:typing"], "Ada and Grace are typing…"));
  await g.event("b", "typing", { value: "  " });
  await until(a, "b", "Grace's box emptied", shows(["Ada:1:typing", "Grace:1"], "Ada is typing…"));
  await a.event("b", "add", { text: "Milk" });
  const after = await until(g, "b", "Ada's item added, her typing over", shows(["Ada:1", "Grace:1"]));
  assert.match(after, "added by Ada");
});

board("typing is per tab: one tab typing marks the user, the other tab's events do not clear it", async () => {
  const a1 = await as(ADA);
  const a2 = await as(ADA);
  const g = await as(GRACE);
  for (const c of [a1, a2, g]) await c.join("b", "board");
  await until(g, "b", "Ada twice", shows(["Ada:2", "Grace:1"]));
  await a1.event("b", "typing", { value: "x" });
  await until(g, "b", "Ada typing", shows(["Ada:2:typing", "Grace:1"], "Ada is typing…"));
  await a2.event("b", "stopped");
  await sleep(100);
  assert.ok(shows(["Ada:2:typing", "Grace:1"], "Ada is typing…")(shown(g, "b")), "the other tab's 'stopped' is its own");
  a1.close();
  await until(g, "b", "the typing tab closed", shows(["Ada:1", "Grace:1"]));
});

board("an anonymous viewer (an app without sign-in) sees the list but is not on it", async () => {
  const g = await as(GRACE);
  await g.join("b", "board");
  const anon = await as();
  await anon.join("b", "board");
  await until(anon, "b", "Grace", shows(["Grace:1"]));
  await anon.event("b", "typing", { value: "x" });
  await sleep(100);
  assert.ok(shows(["Grace:1"])(shown(g, "b")), "still Grace alone");
});

board("a typing payload is checked: a value that is not a string is bad_message", async () => {
  const a = await as(ADA);
  await a.join("b", "board");
  const r = await a.event("b", "typing", { value: 42 });
  assert.is(r.t, "error");
  assert.is(r.code, "bad_message");
});

const editor = suite("order editor presence");
editor.before(async () => {
  srv = await startServer({ registry, authenticate, services: { board: new MemoryBoardRepo(), orders: createMemoryOrders() } } as HotlineOptions);
});
editor.after.each(() => {
  for (const c of open.splice(0)) c.close();
});
editor.after(() => srv.stop());

const note = (html: string) => /<p class="order-presence"[^>]*>([^<]*)<\/p>/.exec(html)?.[1] ?? "";
async function order(u: U, pk: number): Promise<TestClient> {
  const c = await as(u);
  const token = /hl-state="([^"]+)"/.exec(await srv.hotline.live("order_editor", { pk }, { user: u }))![1]!;
  const ok = await c.join("o", "order_editor", { state: token });
  assert.is(ok.t, "ok", JSON.stringify(ok));
  return c;
}

editor("each sees who else has the order open: the owner is editing, anyone else viewing; never yourself", async () => {
  // order 1 belongs to ada (the demo's seed)
  const a = await order(ADA, 1);
  await sleep(50);
  assert.is(note(shown(a, "o")), "", "alone: nothing to say");
  const g = await order(GRACE, 1);
  await until(g, "o", "Ada editing", (h) => note(h) === "Ada is editing this order.");
  await until(a, "o", "Grace viewing", (h) => note(h) === "Grace is viewing this order.");
  const l = await order(LINUS, 1);
  await until(a, "o", "two viewers", (h) => note(h) === "Grace and Linus are viewing this order.");
  await until(l, "o", "Ada editing, Grace viewing", (h) => note(h) === "Ada is editing this order. Grace is viewing this order.");
  // the owner's second tab: not someone else, but worth knowing (that is where save conflicts come from)
  const a2 = await order(ADA, 1);
  await until(a, "o", "own second tab", (h) => note(h) === "Grace and Linus are viewing this order. You have it open in another tab too.");
  await until(g, "o", "Ada once", (h) => note(h) === "Ada is editing this order. Linus is viewing this order.");
  a2.close();
  g.close();
  l.close();
  await until(a, "o", "everyone else gone", (h) => note(h) === "");
});

editor("presence is per order: another order's viewers are not counted", async () => {
  const a = await order(ADA, 1);
  const g = await order(GRACE, 2);
  await sleep(100);
  assert.is(note(shown(a, "o")), "");
  assert.is(note(shown(g, "o")), "");
  assert.equal(Object.keys(await srv.hotline.presence.list(orderPresenceTopic(2))), ["grace"]);
});

const helpers = suite("people helpers");
helpers("peopleOn: one person per key, by name, tabs counted, flags from any tab", () => {
  const people = peopleOn({
    grace: { metas: [{ ref: "3", meta: { name: "Grace" } }] },
    ada: { metas: [{ ref: "1", meta: { name: "Ada", typing: false } }, { ref: "2", meta: { name: "Ada", typing: true } }] },
    x: { metas: [{ ref: "4", meta: {} }] },
  });
  assert.equal(people, [
    { key: "ada", name: "Ada", tabs: 2, typing: true, editing: false },
    { key: "grace", name: "Grace", tabs: 1, typing: false, editing: false },
    { key: "x", name: "x", tabs: 1, typing: false, editing: false },
  ]);
  assert.is(names([]), "");
  assert.is(names(["Ada"]), "Ada");
  assert.is(names(["Ada", "Grace"]), "Ada and Grace");
  assert.is(names(["Ada", "Grace", "Linus"]), "Ada, Grace and Linus");
});

board.run();
editor.run();
helpers.run();

// Three real demo processes behind one Redis, no sticky sessions: a board change made through any
// process reaches the board's viewers on every process as patches, and every viewer ends up
// showing exactly what a fresh join shows.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { needRedis } from "../support/services.js";
import { boardIds, boardItems, dropKeys, freshHtml, killAll, runPrefix, startNode, Viewer, withoutOnline, type Node } from "./support.js";

const url = await needRedis();
const prefix = runPrefix("fanout");
let nodes: Node[] = [];
const viewers: Viewer[] = [];

test.before(async () => {
  nodes = await Promise.all(["P1", "P2", "P3"].map((n) => startNode(n, { REDIS_URL: url, HOTLINE_REDIS_PREFIX: prefix })));
});

test.after(async () => {
  for (const v of viewers) v.close();
  await killAll();
  await dropKeys(url, prefix);
});

async function viewer(node: Node): Promise<Viewer> {
  const v = await Viewer.open(node);
  viewers.push(v);
  const ok = await v.join("b", "board");
  assert.is(ok.t, "ok", JSON.stringify(ok));
  return v;
}

const has = (text: string) => (h: string) => boardItems(h).includes(text);

test("an add, a toggle and a removal made on P1 reach viewers on P1, P2 and P3", async () => {
  // two viewers per process: the shared group renders once per process and sends to both
  const [a, a2, b, b2, c, c2] = [
    await viewer(nodes[0]!), await viewer(nodes[0]!), await viewer(nodes[1]!),
    await viewer(nodes[1]!), await viewer(nodes[2]!), await viewer(nodes[2]!),
  ];
  const all = [a, a2, b, b2, c, c2];
  for (const v of all) assert.equal(boardItems(v.html("b")), [], `${v.node.name} starts empty`);

  const added = await a.event("b", "add", { text: "Milk" });
  assert.is(added.t, "patch", JSON.stringify(added));
  await Promise.all(all.map((v) => v.until("b", has("Milk"), 5000, "Milk")));
  // (presence sends ref-less patches too: who joined the board; this one carries the item)
  for (const v of [b, b2, c, c2]) assert.ok(v.pushed("b").some((p) => JSON.stringify(p).includes("Milk")), `${v.node.name} got the item as a ref-less patch`);

  const id = boardIds(a.html("b")).get("Milk")!;
  assert.ok(id, "the item has an id");
  await a.event("b", "toggle", { id });
  await Promise.all(all.map((v) => v.until("b", (h) => /board-item done/.test(h), 5000, "Milk ticked")));

  await a.event("b", "add", { text: "Eggs" });
  await Promise.all(all.map((v) => v.until("b", has("Eggs"), 5000, "Eggs")));
  await a.event("b", "remove", { id });
  await Promise.all(all.map((v) => v.until("b", (h) => !has("Milk")(h), 5000, "Milk removed")));

  for (const v of all) assert.equal(boardItems(v.html("b")), ["Eggs"], `${v.node.name} shows the list`);
  for (const n of nodes) {
    const fresh = await freshHtml(n, "board");
    for (const v of all) assert.is(withoutOnline(v.html("b")), withoutOnline(fresh), `${v.node.name}'s view equals a fresh join on ${n.name}`);
  }
});

test("a change made on P3 reaches P1 and P2 too: no process is special", async () => {
  const [a, b, c] = [await viewer(nodes[0]!), await viewer(nodes[1]!), await viewer(nodes[2]!)];
  const before = a.pushed("b").length;
  await c.event("b", "add", { text: "from P3" });
  await Promise.all([a, b, c].map((v) => v.until("b", has("from P3"), 5000, "P3's item")));
  assert.ok(a.pushed("b").slice(before).some((p) => JSON.stringify(p).includes("from P3")), "P1's viewer got it as a ref-less patch");
  for (const v of [a, b, c]) assert.equal(boardItems(v.html("b")), ["Eggs", "from P3"]);
  for (const n of nodes) assert.ok(n.alive(), `${n.name} still runs`);
});

test.run();

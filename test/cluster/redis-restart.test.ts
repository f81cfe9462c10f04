// Redis dies and comes back (empty: no persistence) under two running demo processes. Nothing
// crashes, each process says so in one line each way, the subscriptions come back, and a change
// made while Redis was down ends up on every viewer: delivered late, or followed by a resync, so
// that no view stays stale. Uses its own redis-server on a free port; the shared one is untouched.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Redis } from "ioredis";
import { startRedisServer, type PrivateRedis } from "../support/redis-server.js";
import { boardItems, crashLines, freshHtml, killAll, needRedisServer, runPrefix, sleep, startNode, Viewer, withoutOnline, type Node } from "./support.js";

await needRedisServer();
const prefix = runPrefix("restart");
let redis: PrivateRedis;
let p1: Node;
let p2: Node;
const viewers: Viewer[] = [];

test.before(async () => {
  redis = await startRedisServer();
  const env = { REDIS_URL: redis.url, HOTLINE_REDIS_PREFIX: prefix };
  [p1, p2] = await Promise.all([startNode("P1", env), startNode("P2", env)]);
});

test.after(async () => {
  for (const v of viewers) v.close();
  await killAll();
  await redis?.stop();
});

async function board(node: Node): Promise<Viewer> {
  const v = await Viewer.open(node);
  viewers.push(v);
  const ok = await v.join("b", "board");
  assert.is(ok.t, "ok", JSON.stringify(ok));
  return v;
}

/** The board's items as Redis holds them now. */
async function itemsInRedis(): Promise<string[]> {
  const r = new Redis(redis.url);
  try {
    const all = await r.hgetall(`${prefix}demo:board`);
    return Object.entries(all).sort(([a], [b]) => Number(a.slice(1)) - Number(b.slice(1))).map(([, v]) => (JSON.parse(v) as { text: string }).text);
  } finally {
    await r.quit();
  }
}

const items = (list: string[]) => (h: string) => JSON.stringify(boardItems(h)) === JSON.stringify(list);

test("Redis restarts: a change made while it was down reaches every viewer, and changes flow again", async () => {
  const a = await board(p1);
  const b = await board(p2);
  const b2 = await board(p2);
  await a.event("b", "add", { text: "before" });
  await Promise.all([b, b2].map((v) => v.until("b", items(["before"]), 5000, "the first item")));

  await redis.kill();
  await sleep(300);
  // made while Redis is down: the handler's Redis commands wait in the client's offline queue
  const during = a.event("b", "add", { text: "during" }, 20_000);
  await sleep(1000);
  await redis.start();
  const answer = await during;
  assert.is(answer.t, "patch", `the event is answered once Redis is back: ${JSON.stringify(answer)}`);

  // Redis came back empty, so the current list is what was added since: every view must show it
  const now = await itemsInRedis();
  assert.equal(now, ["during"]);
  await Promise.all([a, b, b2].map((v) => v.until("b", items(now), 10_000, "the list as Redis holds it")));

  // the subscriptions are back: a change on P1 reaches P2, and one on P2 reaches P1
  await a.event("b", "add", { text: "after" });
  await Promise.all([a, b, b2].map((v) => v.until("b", items(["during", "after"]), 5000, "P1's change after the restart")));
  await b.event("b", "add", { text: "from P2" });
  await Promise.all([a, b, b2].map((v) => v.until("b", items(["during", "after", "from P2"]), 5000, "P2's change after the restart")));

  const expected = await itemsInRedis();
  for (const n of [p1, p2]) {
    const fresh = await freshHtml(n, "board");
    assert.equal(boardItems(fresh), expected, `a fresh join on ${n.name} shows Redis's list`);
    for (const v of [a, b, b2]) assert.is(withoutOnline(v.html("b")), withoutOnline(fresh), `${v.node.name}'s view equals a fresh join on ${n.name}`);
  }

  for (const n of [p1, p2]) {
    assert.ok(n.alive(), `${n.name} still runs:\n${n.output()}`);
    const out = n.output();
    assert.equal(crashLines(out), [], `${n.name} printed no stack trace or unhandled error`);
    assert.is(out.match(/cannot reach Redis/g)?.length ?? 0, 1, `${n.name}: one line for the outage:\n${out}`);
    assert.is(out.match(/Redis at \S+ is back/g)?.length ?? 0, 1, `${n.name}: one line when it is back:\n${out}`);
  }
});

test("subscriber connections cut: a change published while no process listens is made good by a resync", async () => {
  const a = await board(p1);
  const b = await board(p2);
  const start = await itemsInRedis();
  const r = new Redis(redis.url);
  try {
    // Cut every pub/sub connection, then change the board behind the processes' backs, as a writer
    // outside the app would, before they are back (ioredis waits at least 50 ms to reconnect).
    const cut = await r.call("CLIENT", "KILL", "TYPE", "pubsub");
    assert.ok(Number(cut) >= 2, `cut both subscribers (${cut})`);
    const id = `i${await r.incr(`${prefix}demo:board:seq`)}`;
    await r.hset(`${prefix}demo:board`, id, JSON.stringify({ text: "behind their backs", done: false }));
    const heard = await r.publish(`${prefix}board`, JSON.stringify({ at: Date.now() }));
    assert.is(heard, 0, "nobody was subscribed: the message itself is lost");
  } finally {
    await r.quit();
  }
  const expected = [...start, "behind their backs"];
  await Promise.all([a, b].map((v) => v.until("b", items(expected), 10_000, "the change made while no one listened")));
  for (const n of [p1, p2]) assert.ok(n.alive(), `${n.name} still runs`);
});

test.run();

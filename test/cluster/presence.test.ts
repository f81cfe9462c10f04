// Presence across three real demo processes over one Redis (RedisPresence, a short
// HOTLINE_PRESENCE_TIMEOUT_MS): signed-in users on each process see every other user in the
// board's online list (a dot per tab, wherever the tab is); a SIGKILLed process's users leave the
// other processes' lists within the timeout (measured and printed), with nothing of it left in
// Redis; and after Redis restarts empty, the lists recover from the live processes (what they
// hold is tracked again, a tab closed during the outage is gone, arrivals flow again). Uses its own
// redis-server on a free port; the shared one is untouched.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Redis } from "ioredis";
import { startRedisServer, type PrivateRedis } from "../support/redis-server.js";
import { boardOnline, crashLines, killAll, needRedisServer, runPrefix, sleep, startNode, Viewer, type Node } from "./support.js";

await needRedisServer();
/** The presence timeout given to every process (ms): a dead process's users leave within it. */
const TIMEOUT_MS = 2000;
/** After the sweep: one PUBLISH, a render and a WebSocket frame to the viewer. */
const MARGIN_MS = 500;
const prefix = runPrefix("presence");
let redis: PrivateRedis;
let nodes: Node[] = [];
const viewers: Viewer[] = [];

test.before(async () => {
  redis = await startRedisServer();
  const env = { REDIS_URL: redis.url, HOTLINE_REDIS_PREFIX: prefix, HOTLINE_PRESENCE_TIMEOUT_MS: String(TIMEOUT_MS) };
  nodes = await Promise.all(["P1", "P2", "P3"].map((n) => startNode(n, env)));
});

test.after(async () => {
  for (const v of viewers) v.close();
  await killAll();
  await redis?.stop();
});

/** A board viewer signed in as `name` on `node`. */
async function board(node: Node, name: string): Promise<Viewer> {
  const v = await Viewer.open(node, name);
  viewers.push(v);
  const ok = await v.join("b", "board");
  assert.is(ok.t, "ok", JSON.stringify(ok));
  return v;
}

const lists = (expected: string[]) => (h: string) => JSON.stringify(boardOnline(h)) === JSON.stringify(expected);

/** Who Redis holds on the board: each tracking's key, sorted (one per tab). */
async function keysInRedis(): Promise<string[]> {
  const r = new Redis(redis.url);
  try {
    const all = await r.hgetall(`${prefix}presence:topic:board`);
    return Object.values(all).map((v) => (JSON.parse(v) as { key: string }).key).sort();
  } finally {
    await r.quit();
  }
}

let ada: Viewer, grace: Viewer, linus: Viewer, ada3: Viewer;

test("users joined on each process see every other user; a user's tabs count wherever they are", async () => {
  const [p1, p2, p3] = nodes as [Node, Node, Node];
  ada = await board(p1, "Ada");
  grace = await board(p2, "Grace");
  linus = await board(p3, "Linus");
  ada3 = await board(p3, "Ada"); // Ada's second tab, on another process
  const everyone = ["Ada:2", "Grace:1", "Linus:1"];
  await Promise.all([ada, grace, linus, ada3].map((v) => v.until("b", lists(everyone), 5000, `the online list ${everyone.join(", ")}`)));
  assert.equal(await keysInRedis(), ["ada", "ada", "grace", "linus"], "one field per tab in Redis");
});

test(`SIGKILL one process: its users leave the other lists within the timeout (${TIMEOUT_MS} ms)`, async () => {
  const [p1, p2, p3] = nodes as [Node, Node, Node];
  const left = ["Ada:1", "Grace:1"];
  const killedAt = Date.now();
  await p3.kill("SIGKILL");
  const seen = await Promise.all([ada, grace].map(async (v) => {
    await v.until("b", lists(left), TIMEOUT_MS + 5000, "P3's users gone");
    return Date.now() - killedAt;
  }));
  const worst = Math.max(...seen);
  console.log(`SIGKILL to gone from the other processes' lists: P1 ${seen[0]} ms, P2 ${seen[1]} ms (timeout ${TIMEOUT_MS} ms; ${(worst / TIMEOUT_MS).toFixed(2)}x)`);
  assert.ok(worst <= TIMEOUT_MS + MARGIN_MS, `gone within ${TIMEOUT_MS} + ${MARGIN_MS} ms: took ${worst} ms`);
  // nothing of P3 stays in Redis: no field, no process set, no heartbeat
  assert.equal(await keysInRedis(), ["ada", "grace"]);
  const r = new Redis(redis.url);
  try {
    assert.is(await r.zcard(`${prefix}presence:procs`), 2, "the two live processes' heartbeats only");
    assert.is((await r.keys(`${prefix}presence:proc:*`)).length, 2, "the two live processes' topic sets only");
  } finally {
    await r.quit();
  }
  for (const n of [p1, p2]) assert.ok(n.alive(), `${n.name} still runs`);
});

test("Redis restarts empty: the lists recover from the live processes", async () => {
  const [p1, p2] = nodes as [Node, Node];
  const grace2 = await board(p1, "Grace"); // a second tab, closed while Redis is down
  await Promise.all([ada, grace].map((v) => v.until("b", lists(["Ada:1", "Grace:2"]), 5000, "Grace's second tab")));

  await redis.kill();
  await sleep(300);
  grace2.close();
  await sleep(700);
  const restartedAt = Date.now();
  await redis.start(); // empty: no persistence

  // Each live process finds itself gone, tracks what it holds again and reloads its lists.
  const deadline = Date.now() + 10_000;
  while (JSON.stringify(await keysInRedis()) !== JSON.stringify(["ada", "grace"])) {
    if (Date.now() > deadline) assert.unreachable(`the live processes did not track their users again: Redis holds ${JSON.stringify(await keysInRedis())}`);
    await sleep(50);
  }
  await Promise.all([ada, grace].map((v) => v.until("b", lists(["Ada:1", "Grace:1"]), 10_000, "the list as the live processes hold it")));
  console.log(`Redis restart to the lists recovered in Redis: ${Date.now() - restartedAt} ms`);

  // presence flows again both ways: an arrival on P2 reaches P1, and its leave too
  const hopper = await board(p2, "Hopper");
  await Promise.all([ada, grace, hopper].map((v) => v.until("b", lists(["Ada:1", "Grace:1", "Hopper:1"]), 5000, "Hopper's arrival")));
  hopper.close();
  await ada.until("b", lists(["Ada:1", "Grace:1"]), 5000, "Hopper's leave");
  assert.equal(await keysInRedis(), ["ada", "grace"]);

  for (const n of [p1, p2]) {
    if (process.env.SHOW_OUTPUT) console.log(n.name, n.output());
    assert.ok(n.alive(), `${n.name} still runs:\n${n.output()}`);
    assert.equal(crashLines(n.output()), [], `${n.name} printed no stack trace or unhandled error`);
    // presence's heartbeat fails with the connections: still one line for the outage
    assert.is(n.output().match(/cannot reach Redis|presence heartbeat failed/g)?.length ?? 0, 1, `${n.name}: one line for the outage:\n${n.output()}`);
  }
});

test.run();

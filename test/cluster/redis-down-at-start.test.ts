// Two demo processes started while their Redis is down: each listens anyway, prints one clear
// line (no stack trace per retry), keeps retrying without crashing, and once Redis answers,
// fan-out and resume across the processes work without a restart. Uses its own redis-server on
// a free port, started late; the shared one is untouched.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { freePort, startRedisServer, type PrivateRedis } from "../support/redis-server.js";
import { boardItems, crashLines, killAll, needRedisServer, runPrefix, sleep, startNode, Viewer, type Node } from "./support.js";

await needRedisServer();
const prefix = runPrefix("down-at-start");
let redis: PrivateRedis | undefined;
let p1: Node;
let p2: Node;
const viewers: Viewer[] = [];
const port = await freePort();

test.after(async () => {
  for (const v of viewers) v.close();
  await killAll();
  await redis?.stop();
});

async function open(node: Node): Promise<Viewer> {
  const v = await Viewer.open(node);
  viewers.push(v);
  return v;
}

test("Redis down at start-up: one clear line, retries, no crash; works once Redis is up", async () => {
  const env = { REDIS_URL: `redis://127.0.0.1:${port}`, HOTLINE_REDIS_PREFIX: prefix };
  [p1, p2] = await Promise.all([startNode("P1", env), startNode("P2", env)]);
  // long enough for several retries of every connection (ioredis backs off 50, 100, 150 ms, ...)
  await sleep(2500);
  for (const n of [p1, p2]) {
    const out = n.output();
    assert.ok(n.alive(), `${n.name} keeps running:\n${out}`);
    const lines = out.split("\n").filter((l) => l && !/^Hotline demo on/.test(l));
    assert.equal(lines, [`[demo] cannot reach Redis at redis://127.0.0.1:${port} (ECONNREFUSED); retrying in the background`],
      `${n.name} prints exactly one clear line while Redis is down`);
  }

  redis = await startRedisServer(port);
  const a = await open(p1);
  const b = await open(p2);
  // the first join may wait for the connections' next retry (backoff up to 2 s)
  const [okA, okB] = await Promise.all([a.join("b", "board", {}, 10_000), b.join("b", "board", {}, 10_000)]);
  assert.is(okA.t, "ok", JSON.stringify(okA));
  assert.is(okB.t, "ok", JSON.stringify(okB));
  assert.is((await a.event("b", "add", { text: "first" })).t, "patch");
  await b.until("b", (h) => boardItems(h).includes("first"), 5000, "P1's item on P2");

  // and the state store: a counter counted on P1 resumes on P2
  const ok = await a.join("c", "counter");
  await a.event("c", "increment");
  await a.event("c", "increment");
  const resumed = await b.join("c", "counter", { session: ok.session });
  assert.is(resumed.t, "ok", JSON.stringify(resumed));
  assert.match(resumed.html, "Count: 2");

  for (const n of [p1, p2]) {
    const out = n.output();
    assert.ok(n.alive(), `${n.name} still runs`);
    assert.equal(crashLines(out), [], `${n.name}: no stack trace or unhandled error:\n${out}`);
    assert.is(out.match(/cannot reach Redis/g)?.length, 1, `${n.name}: one line for the whole outage:\n${out}`);
  }
});

test.run();

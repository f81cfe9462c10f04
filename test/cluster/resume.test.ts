// A session resumed on another process after its own process was SIGKILLed: nothing is saved at
// exit, so what the client saw must already be in Redis (saved before each patch is sent).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { needRedis } from "../support/services.js";
import { boardItems, dropKeys, killAll, runPrefix, startNode, Viewer, type Node } from "./support.js";

const url = await needRedis();
const prefix = runPrefix("resume");
let p1: Node;
let p2: Node;
const viewers: Viewer[] = [];

test.before(async () => {
  [p1, p2] = await Promise.all([startNode("P1", { REDIS_URL: url, HOTLINE_REDIS_PREFIX: prefix }), startNode("P2", { REDIS_URL: url, HOTLINE_REDIS_PREFIX: prefix })]);
});

test.after(async () => {
  for (const v of viewers) v.close();
  await killAll();
  await dropKeys(url, prefix);
});

async function open(node: Node): Promise<Viewer> {
  const v = await Viewer.open(node);
  viewers.push(v);
  return v;
}

test("counter at 5 on P1, P1 SIGKILLed: the session resumes on P2 at 5 and counts on to 6", async () => {
  const a = await open(p1);
  const ok = await a.join("c", "counter");
  assert.is(ok.t, "ok", JSON.stringify(ok));
  const session = ok.session as string;
  for (let i = 0; i < 5; i++) assert.is((await a.event("c", "increment")).t, "patch");
  assert.match(a.html("c"), "Count: 5");
  // a board joined on the same connection resumes too (a shared group, found again by its record)
  assert.is((await a.join("b", "board")).t, "ok");
  assert.is((await a.event("b", "add", { text: "kept" })).t, "patch");
  const boardSession = a.client.all((m) => m.t === "ok" && m.id === "b")[0]!.session as string;

  await p1.kill("SIGKILL");
  await a.client.closed;

  const b = await open(p2);
  const resumed = await b.join("c", "counter", { session });
  assert.is(resumed.t, "ok", JSON.stringify(resumed));
  assert.match(resumed.html, "Count: 5", "the ok shows the count P1's client saw");
  assert.is(resumed.session, session, "the same session key");
  const next = await b.event("c", "increment");
  assert.is(next.t, "patch");
  assert.match(b.html("c"), "Count: 6");

  const board = await b.join("b", "board", { session: boardSession });
  assert.is(board.t, "ok", JSON.stringify(board));
  assert.equal(boardItems(b.html("b")), ["kept"]);
});

test("an unknown session key on another process is bad_state, not a fresh mount", async () => {
  const b = await open(p2);
  const answer = await b.join("c", "counter", { session: "x".repeat(24) });
  assert.is(answer.t, "error");
  assert.is(answer.code, "bad_state");
  assert.ok(p2.alive());
});

test.run();

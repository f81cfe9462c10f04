// Frames of one event loop turn (server/live/turn.ts): the first goes at once, the rest at the
// turn's end, each connection's in order; and, over real WebSockets, many clients' bursts are all
// answered, in order, with nothing lost when a connection closes with frames held.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { dropHeld, endTurn, flushHeld, sendInTurn, type TurnSink } from "../../server/live/turn.js";
import { startServer, TestClient } from "../support/ws-client.js";
import { counterRegistry } from "../support/counter.js";

const immediate = () => new Promise<void>((r) => setImmediate(r));

/** A connection as the turn sees it, logging what it writes as `name:frame`. */
function sink(log: string[], name: string) {
  const s: TurnSink = { held: undefined, writeNow: (f) => void log.push(`${name}:${String(f)}`) };
  return { send: (f: string | Buffer) => sendInTurn(s, f), flush: () => flushHeld(s), discard: () => dropHeld(s) };
}

test("the turn's first frame is written at once; later ones wait for the turn's end, each connection's in order", async () => {
  await immediate(); // a fresh turn
  const log: string[] = [];
  const a = sink(log, "a");
  const b = sink(log, "b");
  a.send("1");
  assert.equal(log, ["a:1"]);
  b.send("1");
  a.send("2");
  b.send(Buffer.from("2"));
  assert.equal(log, ["a:1"], "held until the turn ends");
  await immediate();
  // by connection, in the order they began holding; each one's frames in order
  assert.equal(log, ["a:1", "b:1", "b:2", "a:2"]);
  // the next turn: its first frame goes at once again
  b.send("3");
  assert.equal(log.at(-1), "b:3");
  await immediate();
});

test("a lone frame per turn never waits", async () => {
  const log: string[] = [];
  const a = sink(log, "a");
  for (let i = 0; i < 5; i++) {
    await immediate();
    await immediate();
    a.send(String(i));
    assert.is(log.length, i + 1, `frame ${i} went at once`);
  }
  await immediate();
});

test("flushHeld() writes a connection's held frames now, dropHeld() drops them; neither touches another connection", async () => {
  await immediate();
  const log: string[] = [];
  const a = sink(log, "a");
  const b = sink(log, "b");
  const c = sink(log, "c");
  a.send("1");
  b.send("1");
  c.send("1");
  b.flush();
  assert.equal(log, ["a:1", "b:1"]);
  c.discard();
  await immediate();
  assert.equal(log, ["a:1", "b:1"], "c's frame was dropped");
});

test("endTurn() inside a setImmediate writes what its burst held, without waiting for the next turn", async () => {
  const log: string[] = [];
  const outs = [0, 1, 2].map((i) => sink(log, String(i)));
  await new Promise<void>((resolve) =>
    setImmediate(() => {
      for (const o of outs) o.send("x");
      assert.is(log.length, 1);
      endTurn();
      assert.equal(log, ["0:x", "1:x", "2:x"]);
      resolve();
    }),
  );
  await immediate();
});

test("a connection whose write throws at the turn's end loses its frames, not the others' (and nothing crashes)", async () => {
  await immediate();
  const log: string[] = [];
  const a = sink(log, "a");
  const bad: TurnSink = { held: undefined, writeNow: () => { throw new Error("socket gone"); } };
  const c = sink(log, "c");
  a.send("1");
  sendInTurn(bad, "x");
  c.send("1");
  await immediate();
  assert.equal(log, ["a:1", "c:1"]);
  assert.is(bad.held, undefined);
});

test("real sockets: 40 clients sending 6 events each in one write all get every answer, in order", async () => {
  const s = await startServer({ registry: counterRegistry(), rateLimit: { perSecond: 1e6, burst: 1e6 }, maxConnectionsPerAddress: 0 });
  const clients = await Promise.all(Array.from({ length: 40 }, () => TestClient.open(s.url)));
  await Promise.all(clients.map((c) => c.join("c", "counter")));
  for (const c of clients) {
    // one socket write carrying six frames: the server reads them in one turn
    const frames = Array.from({ length: 6 }, (_, i) => JSON.stringify({ t: "event", ref: 100 + i, id: "c", event: "increment" }));
    (c.ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket.cork();
    for (const f of frames) c.ws.send(f);
    (c.ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket.uncork();
  }
  await Promise.all(clients.map((c) => c.next((m) => m.ref === 105)));
  for (const c of clients) {
    const refs = c.all((m) => m.t === "patch").map((m) => m.ref);
    assert.equal(refs, [100, 101, 102, 103, 104, 105]);
  }
  // each answer carries the count after its event
  for (const c of clients) {
    const counts = c.all((m) => m.t === "patch").map((m) => Object.entries(m).filter(([k]) => !["t", "id", "ref"].includes(k)).map(([, v]) => v).join());
    assert.equal(counts, ["1", "2", "3", "4", "5", "6"]);
  }
  for (const c of clients) c.close();
  await s.stop();
});

test.run();

// Write-behind under SIGKILL (issue 16): a burst of clicks, answered by patches that do not wait for
// Redis, then the process is SIGKILLed the moment the last patch arrives (its writes may still be
// unanswered). A resume on another process shows every acknowledged click: each write was on the
// Redis connection before its patch left. Real demo processes, real Redis.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { needRedis } from "../support/services.js";
import { dropKeys, killAll, runPrefix, startNode, Viewer, type Node } from "../cluster/support.js";

const url = await needRedis();

// The state store on ioredis (the demo's default), and on node-redis, which writes in a setImmediate of its own.
for (const driver of ["ioredis", "node-redis"]) {
  const test = suite(`write-behind under SIGKILL (${driver})`);
  const prefix = runPrefix(`write-behind-kill-${driver}`);
  const env = { REDIS_URL: url, HOTLINE_REDIS_PREFIX: prefix, ...(driver === "node-redis" && { HOTLINE_REDIS_DRIVER: driver }) };
  let p1: Node;
  let p2: Node;
  const viewers: Viewer[] = [];

  test.before(async () => {
    [p1, p2] = await Promise.all([startNode("P1", env), startNode("P2", env)]);
  });

  test.after(async () => {
    for (const v of viewers) v.close();
    await killAll();
    await dropKeys(url, prefix);
  });

  test("60 clicks sent at once, SIGKILL on the last patch: the session resumes on P2 at 60", async () => {
    const a = await Viewer.open(p1);
    viewers.push(a);
    const ok = await a.join("c", "counter");
    assert.is(ok.t, "ok", JSON.stringify(ok));
    const session = ok.session as string;
    const N = 60;
    const last = a.client.next((m) => m.t === "patch" && m.ref === 500 + N - 1, 10_000);
    const socket = (a.client.ws as unknown as { _socket: { cork(): void; uncork(): void } })._socket;
    socket.cork();
    for (let i = 0; i < N; i++) a.client.send({ t: "event", ref: 500 + i, id: "c", event: "increment" });
    socket.uncork();
    await last;
    await p1.kill("SIGKILL");
    assert.match(a.html("c"), `Count: ${N}`, "P1's client saw every click");

    const b = await Viewer.open(p2);
    viewers.push(b);
    const resumed = await b.join("c", "counter", { session });
    assert.is(resumed.t, "ok", JSON.stringify(resumed));
    assert.match(resumed.html, `Count: ${N}`, "every acknowledged click is in Redis");
    assert.is((await b.event("c", "increment")).t, "patch");
    assert.match(b.html("c"), `Count: ${N + 1}`);
  });

  test.run();
}

// The dashboard publisher: it publishes this process's figures on the "dashboard" topic, and stops.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { MemoryPubSub } from "../../pubsub/memory.js";
import { DASHBOARD_TOPIC, type Figures } from "../../components/dashboard.js";
import { startDashboardPublisher } from "../../demo/worker.js";

test("publishes sane figures every interval, with a growing history, until stopped", async () => {
  const pubsub = new MemoryPubSub();
  const got: Figures[] = [];
  await pubsub.subscribe(DASHBOARD_TOPIC, (m) => got.push(m as Figures));
  const stop = startDashboardPublisher(pubsub, { intervalMs: 40, sessions: () => 3 });
  const busyUntil = Date.now() + 30;
  while (Date.now() < busyUntil); // some CPU and a blocked loop to measure
  await new Promise((r) => setTimeout(r, 150));
  stop();
  const n = got.length;
  assert.ok(n >= 2, `expected at least 2 ticks, got ${n}`);
  const f = got[n - 1]!;
  assert.is(f.pid, process.pid);
  assert.is(f.sessions, 3);
  assert.ok(f.rss > 1e6 && f.heapUsed > 0 && f.heapTotal >= f.heapUsed);
  assert.ok(f.cpu >= 0 && f.loopP50 >= 0 && f.loopP99 >= f.loopP50);
  assert.ok(got[0]!.cpu > 0, "the busy loop shows as CPU");
  assert.is(f.history!.cpu.length, n);
  await new Promise((r) => setTimeout(r, 100));
  assert.is(got.length, n, "no tick after stop()");
  await pubsub.close();
});

test.run();

// The relay's bounds: activity is sent in bounded batches (the rest counted, not queued), and a
// process stops listening to its activity feed once no inspector has asked for a lease's length.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Registry } from "../../server/core/registry.js";
import { LEASE_MS } from "../../server/devtools/relay.js";
import { startServer } from "../support/ws-client.js";
import { Inspector } from "./support.js";

test("a burst is cut to one bounded batch; the rest is counted and the timeline keeps its last 150", async () => {
  const s = await startServer({ registry: new Registry(), devtools: { enabled: true } });
  const inspector = await Inspector.open(s.http, s.url);
  try {
    await inspector.until("devtools-panel", (h) => /class="hdt-process"/.test(h));
    const at = Date.now();
    for (let n = 0; n < 1000; n++) s.hotline.context.activity.emit({ kind: "event", at, component: "burst", name: `e${n}` });
    const tl = await inspector.until("devtools-timeline", (h) => /800 not shown/.test(h), 8000, "the dropped count");
    const rows = [...tl.matchAll(/data-name="(e\d+)"/g)].map((m) => m[1]);
    assert.is(rows.length, 150);
    assert.is(rows[0], "e199", "newest first: the batch held the first 200");
    assert.not.ok(rows.includes("e200"));
  } finally {
    inspector.close();
    await s.stop();
  }
});

test("a flood of requests is answered by a bounded number of snapshots, not one each", async () => {
  const s = await startServer({ registry: new Registry(), devtools: { enabled: true } });
  const snapshots: unknown[] = [];
  const batches: unknown[] = [];
  const offs = [
    await s.hotline.pubsub.subscribe("hotline:devtools:snapshots", (m) => void snapshots.push(m)),
    await s.hotline.pubsub.subscribe("hotline:devtools:activity", (m) => void batches.push(m)),
  ];
  try {
    for (let n = 0; n < 500; n++) await s.hotline.pubsub.publish("hotline:devtools", { t: "hello" });
    // a later tick has run once the marker's batch arrives
    s.hotline.context.activity.emit({ kind: "event", at: Date.now(), component: "marker", name: "after-flood" });
    const deadline = Date.now() + 8000;
    while (!batches.length && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(batches.length > 0, "the marker's batch never came");
    assert.ok(snapshots.length >= 1, "the requests were not answered");
    assert.ok(snapshots.length < 20, `${snapshots.length} snapshots for 500 requests`);
  } finally {
    for (const off of offs) await off();
    await s.stop();
  }
});

test(`with no inspector left, the process stops listening to its activity within the lease (${LEASE_MS / 1000} s)`, async () => {
  const s = await startServer({ registry: new Registry(), devtools: { enabled: true } });
  try {
    const inspector = await Inspector.open(s.http, s.url);
    await inspector.until("devtools-panel", (h) => /class="hdt-process"/.test(h));
    assert.ok(s.hotline.context.activity.active);
    inspector.close();
    const deadline = Date.now() + LEASE_MS + 8000;
    while (s.hotline.context.activity.active && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.is(s.hotline.context.activity.active, false, "still listening after the lease");
  } finally {
    await s.stop();
  }
});

test.run();

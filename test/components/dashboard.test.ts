// The dashboard component: it renders the figures of the last message on its topic.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Dashboard, DASHBOARD_TOPIC, type Figures } from "../../components/dashboard.js";
import { registry } from "../../server/core/index.js";
import { toHTML } from "../../server/core/steps.js";

const figures: Figures = {
  at: Date.UTC(2025, 0, 2, 3, 4, 5), pid: 4242, uptime: 3725, cpu: 12.345, rss: 52428800,
  heapUsed: 10485760, heapTotal: 20971520, loopP50: 0.51, loopP99: 2.75, sessions: 7,
  history: { cpu: [1, 5, 12], loopP99: [1, 2, 2.75] },
};

test("registers as a shared component subscribed to the dashboard topic", () => {
  assert.is(registry.get("dashboard"), Dashboard);
  assert.is(Dashboard.shared, true);
  const d = new Dashboard();
  d.dispatch();
  assert.ok(d.topics.has(DASHBOARD_TOPIC));
  assert.is(d.state.figures, null);
  assert.match(toHTML(d), "Waiting for the first figures");
});

test("renders the figures of a message", () => {
  const d = new Dashboard();
  d.dispatch();
  d.onMessage(DASHBOARD_TOPIC, figures);
  assert.equal(d.state.figures, figures);
  const html = toHTML(d);
  assert.match(html, "12.3 %");
  assert.match(html, "50.0 MB");
  assert.match(html, "10.0 MB / 20.0 MB");
  assert.match(html, "0.51 ms");
  assert.match(html, "2.75 ms");
  assert.match(html, /Connected sessions<\/div><div class="stat-value">7</);
  assert.match(html, "Process 4242, up 1h 2m");
  assert.match(html, "03:04:05");
  assert.match(html, "<polyline");
});

test("no sessions figure when the publisher has none", () => {
  const d = new Dashboard();
  d.dispatch();
  const { sessions: _, ...rest } = figures;
  d.onMessage(DASHBOARD_TOPIC, rest);
  assert.not.match(toHTML(d), "Connected sessions");
});

test("a resync or a malformed message keeps the last figures", () => {
  const d = new Dashboard();
  d.dispatch();
  d.onMessage(DASHBOARD_TOPIC, figures);
  d.onMessage(DASHBOARD_TOPIC, undefined);
  d.onMessage(DASHBOARD_TOPIC, { cpu: "lots" });
  assert.equal(d.state.figures, figures);
});

test("a new viewer starts from the last figures heard in this process", () => {
  const d = new Dashboard();
  d.dispatch();
  assert.equal(d.state.figures, figures);
});

test.run();

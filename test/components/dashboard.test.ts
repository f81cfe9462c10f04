// The dashboard component, tested through the app's runtime (hotline/testing): it renders the
// figures of the last message published on its topic, one tile (a child component) per figure.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { registry, type Hotline } from "hotline";
import { live, createTestApp } from "hotline/testing";
import { Dashboard, DashboardTile, DASHBOARD_TOPIC, tiles, type Figures } from "../../components/dashboard.js";
import { toHTML } from "../../server/core/steps.js";

const figures: Figures = {
  at: Date.UTC(2025, 0, 2, 3, 4, 5), pid: 4242, uptime: 3725, cpu: 12.345, rss: 52428800,
  heapUsed: 10485760, heapTotal: 20971520, loopP50: 0.51, loopP99: 2.75, sessions: 7,
  history: { cpu: [1, 5, 12], loopP99: [1, 2, 2.75] },
};

let app: Hotline;
const test = suite("dashboard");
test.before.each(() => {
  app = createTestApp();
});
test.after.each(async () => {
  await app.close();
});

// The tests run in order: the dashboard keeps the last figures it heard in this process.

test("registers as a component subscribed to the dashboard topic, waiting for figures", async () => {
  assert.is(registry.get("dashboard"), Dashboard);
  assert.is(registry.get("dashboard_tile"), DashboardTile);
  assert.not.ok(Dashboard.shared, "a shared component cannot have children");
  const view = await live(Dashboard, { app });
  assert.is(app.hub.index.listeners(DASHBOARD_TOPIC), 1);
  assert.is(view.state.figures, null);
  assert.match(view.element(".dashboard").text(), "Waiting for the first figures");
});

test("renders the figures of a message, a tile per figure, for every viewer", async () => {
  const a = await live(Dashboard, { app });
  const b = await live(Dashboard, { app, user: { id: "ada", name: "Ada" } });
  await app.pubsub.publish(DASHBOARD_TOPIC, figures);
  await a.settled();
  assert.equal(a.state.figures, figures);
  const stat = (label: string) => a.find(".stat").find((s) => s.querySelector(".stat-label")?.textContent === label)?.querySelector(".stat-value")?.textContent;
  assert.is(stat("CPU"), "12.3 %");
  assert.is(stat("Memory (RSS)"), "50.0 MB");
  assert.is(stat("Heap used"), "10.0 MB / 20.0 MB");
  assert.is(stat("Event-loop delay p50"), "0.51 ms");
  assert.is(stat("Event-loop delay p99"), "2.75 ms");
  assert.is(stat("Connected sessions"), "7");
  assert.match(a.element("p.small").text(), "Process 4242, up 1h 2m");
  assert.is(a.element("time").text(), "03:04:05");
  assert.is(a.find("svg.spark polyline").length, 2);
  assert.is(a.find('[hl-component="dashboard_tile"]').length, 6, "six tiles, children of the dashboard");
  assert.ok(a.find('[hl-component="dashboard_tile"]').every((t) => t.getAttribute("hl-id")!.startsWith(`${a.id}:`)), "each tile's id is scoped by its dashboard's");
  await b.settled();
  assert.is(b.find(".stat-value").map((v) => v.textContent).join(), a.find(".stat-value").map((v) => v.textContent).join(), "every viewer sees the same figures");
});

test("no sessions figure when the publisher has none", async () => {
  const view = await live(Dashboard, { app });
  const { sessions: _, ...rest } = figures;
  await app.pubsub.publish(DASHBOARD_TOPIC, rest);
  await view.settled();
  assert.not.ok(view.element(".stat-label", "Connected sessions").exists());
  assert.ok(view.element(".stat-label", "CPU").exists());
});

test("a malformed message keeps the last figures", async () => {
  const view = await live(Dashboard, { app });
  await app.pubsub.publish(DASHBOARD_TOPIC, figures);
  await app.pubsub.publish(DASHBOARD_TOPIC, undefined);
  await app.pubsub.publish(DASHBOARD_TOPIC, { cpu: "lots" });
  await view.settled();
  assert.equal(view.state.figures, figures);
  assert.ok(view.element(".stat-value", "12.3 %").exists());
});

test("a new viewer (in a new app of this process) starts from the last figures heard", async () => {
  const view = await live(Dashboard);
  assert.equal(view.state.figures, figures);
  assert.ok(view.element(".stat-value", "12.3 %").exists());
  await view.close();
});

test("a tile takes what its parent sends (sendUpdate -> update), and nothing else", () => {
  const [cpu] = tiles(figures);
  const tile = new DashboardTile(cpu!.props);
  tile.mount();
  assert.match(toHTML(tile), "12.3 %");
  assert.match(toHTML(tile), "<polyline");
  tile.update({ value: "99.0 %", spark: "", label: 7, other: "x" });
  const out = toHTML(tile);
  assert.match(out, '<div class="stat-label">CPU</div><div class="stat-value">99.0 %</div>');
  assert.not.match(out, "polyline");
  assert.not.ok("other" in tile.state);
});

test.run();

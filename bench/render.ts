// Rendering and diffing figures of the core (issue 2). Prints figures and ratios; fails nothing.
// Run: npm run bench   (or: node --import tsx bench/render.ts)
import { html, repeat, renderToString, escapeHtml } from "../server/core/index.js";
import { DiffTracker } from "../server/core/template/diff-tracker.js";
import { figure, fmt, opsPerSecond } from "./measure.js";
import { round, summary } from "./summary.js";

type Row = { id: number; name: string; email: string; city: string; note: string };
const rows: Row[] = Array.from({ length: 100 }, (_, i) => ({
  id: i,
  name: `Name ${i} & Sons`,
  email: `user${i}@example.com`,
  city: i % 3 ? "Paris" : "Zürich <HQ>",
  note: `"quoted" note ${i}`,
}));

const table = (rs: Row[]) => html`<table><thead><tr><th>Id</th><th>Name</th><th>Email</th><th>City</th><th>Note</th></tr></thead><tbody>${repeat(
  rs, (r) => r.id,
  (r) => html`<tr><td>${r.id}</td><td>${r.name}</td><td>${r.email}</td><td>${r.city}</td><td>${r.note}</td></tr>`,
)}</tbody></table>`;

// The baseline: what a careful developer writes by hand, escaping with the same function.
const handWritten = (rs: Row[]) => {
  let body = "";
  for (const r of rs) {
    body += `<tr><td>${r.id}</td><td>${escapeHtml(r.name)}</td><td>${escapeHtml(r.email)}</td><td>${escapeHtml(r.city)}</td><td>${escapeHtml(r.note)}</td></tr>`;
  }
  return `<table><thead><tr><th>Id</th><th>Name</th><th>Email</th><th>City</th><th>Note</th></tr></thead><tbody>${body}</tbody></table>`;
};

if (renderToString(table(rows)) !== handWritten(rows)) throw new Error("the two renders differ: the comparison would be unfair");

console.log("Hotline core rendering (medians of 9 runs)\n");
const baseline = opsPerSecond(() => handWritten(rows));
const full = opsPerSecond(() => renderToString(table(rows)));
console.log(`hand-written template literal, 100x5 escaped table: ${fmt(baseline)} renders/s`);
figure("html`` full render, 100x5 escaped table (renders/s)", fmt(full), "", true);
figure("  ratio to the hand-written template literal", fmt(full / baseline, 2), ">= 0.7", full / baseline >= 0.7);

// Re-render plus diff after one cell changes: the view holds the previous render.
const view = new DiffTracker();
const state = rows.map((r) => ({ ...r }));
view.full(table(state));
let tick = 0;
let lastPatch = "";
const diffRate = opsPerSecond(() => {
  state[42]!.city = `City ${tick++}`;
  lastPatch = JSON.stringify(view.update(table(state)));
});
figure("re-render + diff after one cell changes (diffs/s)", fmt(diffRate), "", true);
figure("  ratio to the full-render rate", fmt(diffRate / full, 1), ">= 10", diffRate / full >= 10);
console.log(`  one such patch body: ${lastPatch} (${lastPatch.length} bytes)`);

// The encoded diff of a counter increment.
const counter = (n: number) => html`<div class="counter"><button hl-click="decrement">Decrement</button><span>Count: ${n}</span><button hl-click="increment">Increment</button></div>`;
const cv = new DiffTracker();
cv.full(counter(1));
const body = JSON.stringify(cv.update(counter(2)));
const frame = JSON.stringify({ t: "patch", id: "c1", ref: 3, ...JSON.parse(body) });
figure("encoded diff of a counter increment (bytes)", `${body.length}  ${body}`, "<= 20", body.length <= 20);
console.log(`  the whole patch frame: ${frame} (${frame.length} bytes)`);

summary("render", {
  full_renders_per_s: Math.round(full), hand_written_per_s: Math.round(baseline), full_ratio_to_hand_written: round(full / baseline, 3),
  diffs_per_s: Math.round(diffRate), diff_ratio_to_full: round(diffRate / full, 2), counter_diff_bytes: body.length, counter_frame_bytes: frame.length,
});

// The compare mode of `npm run bench` (bench/run-all.ts): two JSON summaries side by side.
//   npm run bench -- --compare bench-results/a.json bench-results/b.json

/** What `npm run bench` writes. */
export interface Results {
  commit: string;
  dirty: boolean;
  date: string;
  node: string;
  cores: number;
  cpu: string;
  platform: string;
  quick: boolean;
  filter: string[];
  benches: Record<string, {
    file: string;
    exitCode: number;
    signal?: string;
    timedOut?: boolean;
    ms: number;
    /** Figures by summary name (a benchmark may print several summary lines). */
    summaries: Record<string, Record<string, number | string | boolean>>;
    /** The last lines of its stdout (BENCH_SUMMARY lines left out). */
    tail: string;
    stderrTail?: string;
  }>;
}

type Figure = number | string | boolean;

/** Every figure of a result file, keyed `<summary name>.<figure>`. */
export function flatten(r: Results): Map<string, Figure> {
  const out = new Map<string, Figure>();
  for (const bench of Object.values(r.benches)) {
    for (const [name, figures] of Object.entries(bench.summaries)) {
      for (const [k, v] of Object.entries(figures)) out.set(`${name}.${k}`, v);
    }
  }
  return out;
}

/**
 * A table of every figure in `a` or `b`: both values and the change from a to b (`+12.5%`, or
 * `same`/`changed` for strings and booleans). Figures that only one side has are listed with `-`.
 */
export function compare(a: Results, b: Results): string {
  const fa = flatten(a);
  const fb = flatten(b);
  const keys = [...new Set([...fa.keys(), ...fb.keys()])].sort();
  const head = (r: Results) => `${r.commit}${r.dirty ? "-dirty" : ""}${r.quick ? " quick" : ""}`;
  const lines = [
    `a: ${head(a)}  ${a.date}  node ${a.node}, ${a.cores} cores (${a.cpu})`,
    `b: ${head(b)}  ${b.date}  node ${b.node}, ${b.cores} cores (${b.cpu})`,
  ];
  if (a.quick !== b.quick) lines.push("note: one run is --quick and the other is not; sizes differ");
  if (a.cores !== b.cores || a.cpu !== b.cpu) lines.push("note: the machines differ; compare ratios rather than absolute figures");
  lines.push("");
  const width = Math.min(70, Math.max(6, ...keys.map((k) => k.length)));
  lines.push(`${"figure".padEnd(width)} ${"a".padStart(14)} ${"b".padStart(14)} ${"change".padStart(10)}`);
  for (const k of keys) {
    const x = fa.get(k);
    const y = fb.get(k);
    lines.push(`${k.padEnd(width)} ${show(x).padStart(14)} ${show(y).padStart(14)} ${change(x, y).padStart(10)}`);
  }
  if (!keys.length) lines.push("(no figures: neither run has BENCH_SUMMARY lines)");
  const silent = [...new Set([...Object.keys(a.benches), ...Object.keys(b.benches)])].filter(
    (n) => !Object.keys(a.benches[n]?.summaries ?? {}).length && !Object.keys(b.benches[n]?.summaries ?? {}).length,
  );
  if (silent.length) lines.push("", `without a summary (see their "tail" in the JSON): ${silent.join(", ")}`);
  for (const [side, r] of [["a", a], ["b", b]] as const) {
    const failed = Object.entries(r.benches).filter(([, x]) => x.exitCode !== 0).map(([n, x]) => `${n} (exit ${x.exitCode}${x.timedOut ? ", timed out" : ""})`);
    if (failed.length) lines.push(`${side}: did not finish cleanly: ${failed.join(", ")}`);
  }
  return lines.join("\n");
}

function show(v: Figure | undefined): string {
  if (v === undefined) return "-";
  if (typeof v === "number") return Number.isInteger(v) ? String(v) : String(Number(v.toPrecision(6)));
  return String(v);
}

function change(x: Figure | undefined, y: Figure | undefined): string {
  if (x === undefined || y === undefined) return "";
  if (typeof x === "number" && typeof y === "number") {
    if (x === y) return "0%";
    if (x === 0) return "new";
    const pct = ((y - x) / Math.abs(x)) * 100;
    return `${pct > 0 ? "+" : ""}${pct.toFixed(Math.abs(pct) < 10 ? 1 : 0)}%`;
  }
  return x === y ? "same" : "changed";
}

/**
 * The machine-readable end of a benchmark: `summary(name, figures)` prints one line that
 * `npm run bench` collects into its JSON summary, so that a figure can be compared between two
 * commits. Figures are plain numbers (medians, ratios) or short strings, keyed by a stable name.
 */
export const SUMMARY_PREFIX = "BENCH_SUMMARY ";

export function summary(name: string, figures: Record<string, number | string | boolean>): void {
  console.log(SUMMARY_PREFIX + JSON.stringify({ name, figures }));
}

/** A figure rounded for the summary (`digits` after the point), so that the JSON stays readable. */
export function round(n: number, digits = 3): number {
  return Number(n.toFixed(digits));
}

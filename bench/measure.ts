/** Small helpers shared by the benchmarks: medians of repeated timed runs, and figure printing. */

/** Runs `fn` repeatedly for about `ms`, `runs` times; returns the median operations per second. */
export function opsPerSecond(fn: () => unknown, { runs = 9, ms = 200 } = {}): number {
  for (let i = 0; i < 200; i++) fn(); // warm up the JIT
  const rates: number[] = [];
  for (let r = 0; r < runs; r++) {
    let n = 0;
    const start = process.hrtime.bigint();
    const until = start + BigInt(ms) * 1_000_000n;
    let now = start;
    while (now < until) {
      for (let k = 0; k < 50; k++) fn();
      n += 50;
      now = process.hrtime.bigint();
    }
    rates.push(n / (Number(now - start) / 1e9));
  }
  return median(rates);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

export function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

/** Prints one figure with its goal and whether it is met. */
export function figure(label: string, value: string, goal: string, met: boolean): void {
  console.log(`${label.padEnd(58)} ${value.padStart(16)}   goal ${goal.padEnd(10)} ${met ? "met" : "NOT MET"}`);
}

export const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

// `npm run bench`: runs every benchmark under bench/, one process each, one after the other, and
// writes one JSON summary of what they printed (the BENCH_SUMMARY lines of summary(), plus the tail
// of each one's output), so that a figure can be compared between two commits with one command.
//
//   npm run bench                                  every benchmark -> bench-results/<commit>.json
//                                                  (<commit>-dirty.json when tracked files have uncommitted changes)
//   npm run bench -- --quick                       smaller runs (BENCH_QUICK=1 and smaller env sizes)
//   npm run bench -- sdui deflate                  only the benchmarks whose file name contains a word
//   npm run bench -- --out /tmp/a.json             another output path
//   npm run bench -- --list                        the benchmarks it would run
//   npm run bench -- --compare a.json b.json       each figure of a and b side by side, with the change
//
// A benchmark that fails, times out (--timeout <s>, default 900; 300 with --quick) or needs a
// service it cannot find is recorded with its exit code and output tail; the others still run.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, cpus } from "node:os";
import { basename, dirname, join, relative } from "node:path";
import { SUMMARY_PREFIX } from "./summary.js";
import { compare, type Results } from "./compare.js";

const BENCH_DIR = dirname(new URL(import.meta.url).pathname);
const ROOT = dirname(BENCH_DIR);
/** Modules of bench/ that are not benchmarks (nor are `*-support.ts` and `_*.ts` files). */
const NOT_BENCHES = new Set(["measure.ts", "summary.ts", "run-all.ts", "compare.ts"]);
/** Smaller sizes under --quick, for the benchmarks that read them from the environment. */
const QUICK_ENV: Record<string, string> = {
  BENCH_QUICK: "1", N: "500", CHANGES: "5", ROUNDS: "2", PER: "500", PER1: "500", PER20: "50",
  SOAK_SECONDS: "20", HOTLINE_BENCH_UPDATES: "20", VIEWERS: "300",
};
const TAIL_LINES = 60;

/** The benchmark files of bench/, sorted. */
function benchFiles(): string[] {
  return readdirSync(BENCH_DIR)
    .filter((f) => f.endsWith(".ts") && !f.startsWith("_") && !f.endsWith(".d.ts") && !f.endsWith("-support.ts") && !NOT_BENCHES.has(f))
    .sort();
}

/** Node flags a benchmark needs: TypeScript from source, and `--expose-gc` when it calls gc(). */
function nodeArgs(file: string): string[] {
  const source = readFileSync(join(BENCH_DIR, file), "utf8");
  const gc = /\b(global|globalThis)\.gc\b|--expose-gc/.test(source);
  return ["--conditions=hotline-source", ...(gc ? ["--expose-gc"] : []), "--import", "tsx", join(BENCH_DIR, file)];
}

type Run = Results["benches"][string];

/** Runs one benchmark, echoing its output; resolves with its summaries and output tail. */
function runOne(file: string, quick: boolean, timeoutS: number): Promise<Run> {
  const started = Date.now();
  const child = spawn(process.execPath, nodeArgs(file), {
    cwd: ROOT,
    env: { ...process.env, ...(quick ? QUICK_ENV : {}) },
    stdio: ["ignore", "pipe", "pipe"],
    // its own process group, so that a timeout ends its child processes too
    detached: true,
  });
  const out: string[] = [];
  const err: string[] = [];
  const summaries: Record<string, Record<string, number | string | boolean>> = {};
  let partial = "";
  child.stdout.on("data", (d: Buffer) => {
    process.stdout.write(d);
    const lines = (partial + d.toString("utf8")).split("\n");
    partial = lines.pop()!;
    for (const line of lines) take(line);
  });
  child.stderr.on("data", (d: Buffer) => {
    process.stderr.write(d);
    err.push(...d.toString("utf8").split("\n"));
    if (err.length > TAIL_LINES * 2) err.splice(0, err.length - TAIL_LINES);
  });
  function take(line: string): void {
    if (line.startsWith(SUMMARY_PREFIX)) {
      try {
        const s = JSON.parse(line.slice(SUMMARY_PREFIX.length)) as { name: string; figures: Record<string, number | string | boolean> };
        summaries[s.name] = s.figures;
        return;
      } catch {
        // a malformed summary line is kept in the tail like any other output
      }
    }
    out.push(line);
    if (out.length > TAIL_LINES * 2) out.splice(0, out.length - TAIL_LINES);
  }
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      process.kill(-child.pid!, "SIGKILL");
    } catch {
      child.kill("SIGKILL");
    }
  }, timeoutS * 1000);
  return new Promise((resolve) => {
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      if (partial) take(partial);
      resolve({
        file: `bench/${file}`,
        exitCode: code ?? -1,
        ...(signal && { signal }),
        ...(timedOut && { timedOut: true }),
        ms: Date.now() - started,
        summaries,
        tail: out.slice(-TAIL_LINES).join("\n"),
        ...(code !== 0 && { stderrTail: err.slice(-TAIL_LINES).join("\n") }),
      });
    });
  });
}

function git(...args: string[]): string {
  try {
    return execFileSync("git", args, { cwd: ROOT, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return "";
  }
}

function usage(message: string): never {
  console.error(`${message}\nusage: npm run bench -- [--quick] [--out file.json] [--timeout seconds] [--list] [word ...]\n       npm run bench -- --compare a.json b.json`);
  process.exit(2);
}

async function main(argv: string[]): Promise<void> {
  if (argv[0] === "--compare") {
    if (argv.length !== 3) usage("--compare takes two result files");
    const read = (p: string) => JSON.parse(readFileSync(p, "utf8")) as Results;
    console.log(compare(read(argv[1]!), read(argv[2]!)));
    return;
  }
  let quick = process.env.BENCH_QUICK === "1";
  let out: string | undefined;
  let timeoutS: number | undefined;
  let list = false;
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--quick") quick = true;
    else if (a === "--list") list = true;
    else if (a === "--out") out = argv[++i] ?? usage("--out needs a path");
    else if (a === "--timeout") timeoutS = Number(argv[++i]);
    else if (a.startsWith("--")) usage(`unknown option ${a}`);
    else words.push(a);
  }
  if (timeoutS !== undefined && !(timeoutS > 0)) usage("--timeout needs a number of seconds");
  const files = benchFiles().filter((f) => !words.length || words.some((w) => f.includes(w)));
  if (!files.length) usage(`no benchmark matches ${words.join(", ")}`);
  if (list) return void console.log(files.map((f) => `bench/${f}`).join("\n"));

  const commit = git("rev-parse", "--short=12", "HEAD") || "unknown";
  const dirty = git("status", "--porcelain", "--untracked-files=no") !== "";
  const path = out ?? join(ROOT, "bench-results", `${commit}${dirty ? "-dirty" : ""}.json`);
  const results: Results = {
    commit, dirty, date: new Date().toISOString(), node: process.version,
    cores: availableParallelism(), cpu: cpus()[0]?.model ?? "unknown", platform: `${process.platform}-${process.arch}`,
    quick, filter: words, benches: {},
  };
  for (const file of files) {
    console.log(`\n=== bench/${file}${quick ? " (quick)" : ""}`);
    const run = await runOne(file, quick, timeoutS ?? (quick ? 300 : 900));
    results.benches[basename(file, ".ts")] = run;
    const figures = Object.values(run.summaries).reduce((n, f) => n + Object.keys(f).length, 0);
    console.log(`=== bench/${file}: exit ${run.exitCode}${run.timedOut ? " (timed out)" : ""}, ${(run.ms / 1000).toFixed(1)} s, ${figures} figure(s)`);
  }
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(results, null, 2) + "\n");
  const failed = Object.entries(results.benches).filter(([, r]) => r.exitCode !== 0).map(([n]) => n);
  const shown = relative(process.cwd(), path).startsWith("..") ? path : relative(process.cwd(), path);
  console.log(`\nWrote ${shown}${failed.length ? `; did not finish cleanly: ${failed.join(", ")}` : ""}`);
  console.log(`Compare with another run: npm run bench -- --compare <other.json> ${shown}`);
}

await main(process.argv.slice(2));

import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, rmSync, statSync, watch, type FSWatcher } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve, sep } from "node:path";
import { pathToFileURL } from "node:url";
import { HotlineError } from "../core/errors.js";
import { resolveSecret } from "../core/tokens.js";
import { DEV_ENV, DEV_STORE_ENV } from "./mode.js";

/** What `hotline dev` runs: the app's entry, what it watches, the app's own arguments. */
export interface DevArgs {
  entry: string;
  watch: string[];
  args: string[];
}

/** Where the runner prints and what it runs in (tests give their own). */
export interface DevIo {
  log(line: string): void;
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** How long a stopping app may take to close (save its states) before it is killed. Default 5 s. */
  stopTimeoutMs?: number;
}

export const DEV_USAGE = `usage:
  hotline dev <entry> [--watch PATH]... [-- APP ARGS]
  hotline dev --entry <entry> ...
Runs the app's entry (a .ts file through tsx, or .js) in development mode (HOTLINE_DEV=1:
createHotline() turns dev on) and restarts it when a file under the entry's folder (and each
--watch path) changes: code (.js, .ts, …), .json, templates (.html, .njk, …). The app's states go to a file store that outlives each restart, so open
pages reconnect and show the new render with the state they had. Not for production.`;

/** Parses `hotline dev`'s arguments (after the word `dev`); bad ones are `bad_message`. */
export function parseDevArgs(argv: string[], cwd = process.cwd()): DevArgs {
  let entry: string | undefined;
  const watchPaths: string[] = [];
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === "--") {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith("--")) {
      const [key, inline] = a.slice(2).split(/=(.*)/s, 2);
      if (key !== "entry" && key !== "watch") throw new HotlineError("bad_message", `hotline dev: unknown option --${key}\n${DEV_USAGE}`);
      const value = inline ?? argv[++i];
      if (value === undefined || value === "") throw new HotlineError("bad_message", `hotline dev: --${key} needs a path`);
      if (key === "watch") watchPaths.push(value);
      else if (entry !== undefined) throw new HotlineError("bad_message", "hotline dev: name one entry");
      else entry = value;
    } else if (entry === undefined) entry = a;
    else throw new HotlineError("bad_message", `hotline dev: name one entry (the app's own arguments go after --)`);
  }
  if (!entry) throw new HotlineError("bad_message", `hotline dev: name the app's entry file\n${DEV_USAGE}`);
  const file = resolve(cwd, entry);
  if (!existsSync(file) || !statSync(file).isFile()) throw new HotlineError("bad_message", `hotline dev: the entry ${entry} is not a file`);
  const watchList = [dirname(file)];
  for (const w of watchPaths) {
    const p = resolve(cwd, w);
    if (!existsSync(p)) throw new HotlineError("bad_message", `hotline dev: --watch ${w} does not exist`);
    watchList.push(p);
  }
  return { entry: file, watch: watchList, args };
}

// What a change of restarts the app: code, data and templates; not logs, databases, editors'
// scratch files, dependencies, version control or builds.
const WATCHED = /\.(?:[cm]?[jt]sx?|json|html?|njk|nunjucks|jinja2?|hbs|mustache|ejs|liquid|sql)$/;
const IGNORED = /(^|[\\/])(node_modules|\.git|dist|dist-demo|coverage)([\\/]|$)|(^|[\\/])\.[^\\/]*$/;

/**
 * `hotline dev`: runs the app and restarts it on a change of its files, keeping sessions. Resolves
 * with the exit code once the runner is stopped (SIGINT or SIGTERM; the app is stopped first).
 *
 * The app runs with HOTLINE_DEV=1 (`createHotline()`'s `dev` default), HOTLINE_DEV_STORE (the file
 * of the `FileStore` that `createHotline()` then uses when given no store) and, unless set,
 * HOTLINE_SECRET (the development secret, so that a restart keeps tokens valid and warns once).
 * A restart sends SIGTERM (an app with `installSignalHandlers()` saves its states and closes its
 * sockets with 1012) and waits for it to exit; the browser client reconnects by itself and rejoins
 * with its session key, so the page shows the new code's render of the state it had.
 */
export async function runDev(argv: string[], io: DevIo = { log: (l) => console.error(l) }): Promise<number> {
  const cwd = io.cwd ?? process.cwd();
  const baseEnv = io.env ?? process.env;
  let opts: DevArgs;
  try {
    opts = parseDevArgs(argv, cwd);
  } catch (e) {
    io.log((e as Error).message);
    return 2;
  }
  const say = (line: string) => io.log(`[hotline dev] ${line}`);
  const node: string[] = [...process.execArgv.filter((a) => !a.startsWith("--inspect"))];
  if (sourceCondition() && !node.some((a) => a.includes("hotline-source"))) node.push("--conditions=hotline-source");
  if (/\.[cm]?tsx?$/.test(opts.entry) && !node.some((a) => /tsx/.test(a))) {
    const tsx = tsxLoader(cwd);
    if (!tsx) {
      io.log(`hotline dev: ${relative(cwd, opts.entry)} is TypeScript, which needs tsx: npm install --save-dev tsx (or run the compiled .js)`);
      return 2;
    }
    node.push("--import", tsx);
  }
  const storeFile = baseEnv[DEV_STORE_ENV] || join(tmpdir(), `hotline-dev-${process.pid}.json`);
  const env: NodeJS.ProcessEnv = { ...baseEnv, [DEV_ENV]: "1", [DEV_STORE_ENV]: storeFile };
  if (!env.HOTLINE_SECRET && env.NODE_ENV !== "production") env.HOTLINE_SECRET = resolveSecret();
  if (env.NODE_ENV === "production") say("NODE_ENV=production: the app runs without development mode (no overlay, no dev store)");

  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();
  let stopping = false;
  let restarting: Promise<void> | undefined;
  let again = false;

  const start = () => {
    const c = (child = spawn(process.execPath, [...node, opts.entry, ...opts.args], { cwd, env, stdio: "inherit" }));
    exited = new Promise((done) =>
      c.once("exit", (code, signal) => {
        if (child === c) child = undefined;
        if (!stopping && !restarting) say(`the app exited (${signal ?? `code ${code}`}); it starts again on the next change`);
        done();
      }),
    );
  };
  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return exited;
    c.kill("SIGTERM");
    const timer = setTimeout(() => c.kill("SIGKILL"), io.stopTimeoutMs ?? 5_000);
    await exited;
    clearTimeout(timer);
  };
  const restart = (why: string) => {
    if (stopping) return;
    if (restarting) {
      again = true;
      return;
    }
    say(`${why}: restarting`);
    restarting = (async () => {
      do {
        again = false;
        await stop();
      } while (again);
      if (!stopping) start();
      restarting = undefined;
    })();
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  const watchers: FSWatcher[] = [];
  for (const path of opts.watch) {
    const dir = statSync(path).isDirectory();
    const w = watch(path, { recursive: dir }, (_event, name) => {
      const file = name ? (dir ? join(path, name.toString()) : path) : path;
      // a file named by --watch always counts; in a folder, only the app's kinds of files
      if (file === storeFile || (dir && (!WATCHED.test(file) || IGNORED.test(name?.toString() ?? "")))) return;
      clearTimeout(timer);
      // an editor's save is often several events (write, rename, chmod): one restart
      timer = setTimeout(() => restart(`${relative(cwd, file) || file} changed`), 60);
    });
    w.on("error", (err) => say(`cannot watch ${path}: ${err.message}`));
    watchers.push(w);
  }
  say(`running ${relative(cwd, opts.entry)}; watching ${opts.watch.map((p) => (relative(cwd, p) || ".") + (statSync(p).isDirectory() ? sep : "")).join(", ")}`);
  start();

  return new Promise<number>((done) => {
    const onSignal = () => {
      if (stopping) return;
      stopping = true;
      clearTimeout(timer);
      for (const w of watchers) w.close();
      void (restarting ?? Promise.resolve()).then(stop).finally(() => {
        process.off("SIGINT", onSignal);
        process.off("SIGTERM", onSignal);
        if (!baseEnv[DEV_STORE_ENV]) rmSync(storeFile, { force: true });
        done(0);
      });
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  });
}

/** Whether `hotline` resolves to its TypeScript source here (this repository's tests): the app must too. */
function sourceCondition(): boolean {
  try {
    return import.meta.resolve("hotline").endsWith(".ts");
  } catch {
    return false;
  }
}

/** tsx's loader for `--import`: this package's, else the app's own. */
function tsxLoader(cwd: string): string | undefined {
  try {
    return import.meta.resolve("tsx");
  } catch {
    try {
      const req = createRequire(pathToFileURL(join(cwd, "package.json")));
      req.resolve("tsx/package.json");
      return "tsx"; // --import resolves it from the app's folder, the child's working directory
    } catch {
      return undefined;
    }
  }
}
